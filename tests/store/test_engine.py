"""Opening a store: URLs accepted and refused, SQLite's settings, the folder made."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from airhotline.errors import StoreError
from airhotline.store import Store


def test_sqlite_connections_are_durable_wal_with_foreign_keys(sqlite_url: str) -> None:
    with Store.open(sqlite_url) as store, store._engine.connect() as connection:
        pragma = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10_000,
    }


def test_a_journal_that_can_be_written_again_syncs_at_checkpoints(sqlite_url: str) -> None:
    with Store.open(sqlite_url, durable=False) as store, store._engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 16_384


def test_an_operational_journal_checkpoints_as_sqlite_does(sqlite_url: str) -> None:
    with Store.open(sqlite_url) as store, store._engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1_000


def test_the_sqlite_files_folder_is_made(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lib" / "airhotline.db"
    with Store.open(f"sqlite:///{path}") as store:
        assert store.healthy()
    assert path.is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("mysql://user@localhost/db", "unsupported database 'mysql'"),
        ("not a url", "not a database URL"),
    ],
)
def test_unusable_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store.open(url)


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    url = "postgresql+psycopg://hotline:s3cret@127.0.0.1:1/nothing?connect_timeout=2"
    with pytest.raises(StoreError, match="cannot open") as caught:
        Store.open(url)
    assert "s3cret" not in str(caught.value)
