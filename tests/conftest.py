"""Fixtures shared by the whole suite: database URLs, SQLite and PostgreSQL alike.

``database_url`` runs a test once on a SQLite file and once on PostgreSQL, when
``AIRHOTLINE_TEST_DATABASE_URL`` names a server (for instance
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each PostgreSQL test gets a
schema of its own, made for it and dropped after it, and a URL whose connections use it
(``search_path``), so that tests running in parallel never share a table.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from tests.serverproc import Server, free_port

PG_ENV = "AIRHOTLINE_TEST_DATABASE_URL"
PG_SKIP_REASON = f"{PG_ENV} is not set: PostgreSQL tests skipped"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's own folder, not yet created."""
    return f"sqlite:///{tmp_path / 'airhotline.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(PG_SKIP_REASON)
    yield from postgres_schema(server)


def postgres_schema(server: str) -> Iterator[str]:
    """Make a fresh schema on ``server``, yield a URL that uses it, drop it afterwards."""
    schema = f"test_{uuid.uuid4().hex[:20]}"
    admin = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server process (not yet started) on an empty database of each kind."""
    running = Server(url=f"http://127.0.0.1:{free_port()}", db=database_url, workdir=tmp_path)
    try:
        yield running
    finally:
        running.stop()
