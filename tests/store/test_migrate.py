"""Migrations build exactly the tables the code uses, in the database the URL names."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from airhotline.errors import StoreError
from airhotline.store import Store
from airhotline.store.migrate import head_revision
from airhotline.store.schema import metadata

from .conftest import RawDatabase


def test_migrated_schema_matches_the_tables_in_code(store: Store, raw: RawDatabase) -> None:
    with raw.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_version_is_recorded_at_head(store: Store, raw: RawDatabase) -> None:
    assert raw.rows("SELECT version_num FROM alembic_version") == [(head_revision(),)]


def test_reopening_migrates_nothing_and_keeps_data(database_url: str, raw: RawDatabase) -> None:
    with Store.open(database_url) as store:
        store.write(lambda tx: tx.insert_party("north", "en", 1))
    with Store.open(database_url) as store:
        assert [p.name for p in store.parties()] == ["north"]
    assert raw.rows("SELECT version_num FROM alembic_version") == [(head_revision(),)]


def test_postgres_tables_and_version_live_in_the_urls_schema(
    database_url: str, store: Store, raw: RawDatabase
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("schemas are a PostgreSQL matter")
    options = make_url(database_url).query["options"]
    assert isinstance(options, str)
    schema = options.removeprefix("-csearch_path=")
    found = raw.rows(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_name IN ('alembic_version', 'journal') AND table_schema = :schema "
        "ORDER BY table_name",
        schema=schema,
    )
    assert raw.scalar("SELECT current_schema()") == schema
    assert found == [(schema, "alembic_version"), (schema, "journal")]


def test_a_database_from_newer_code_is_refused(database_url: str, raw: RawDatabase) -> None:
    Store.open(database_url).close()
    raw.execute("UPDATE alembic_version SET version_num = 'ffffffff'")
    with pytest.raises(StoreError, match="cannot migrate"):
        Store.open(database_url)


def test_stores_opening_together_on_a_fresh_database_migrate_once(database_url: str) -> None:
    with ThreadPoolExecutor(3) as pool:
        stores = list(pool.map(lambda _: Store.open(database_url), range(3)))
    try:
        assert all(store.head().seq == 0 for store in stores)
    finally:
        for store in stores:
            store.close()
