"""Engines for the two supported databases, configured once per `Store`.

SQLite (the default, a file): WAL, so that readers never block the writer nor the
writer them; ``synchronous=FULL``, so that a COMMIT that returned survives a power cut
(`build_engine` tells when a journal may be less careful);
a busy timeout; foreign keys on. Those are per-connection settings, made in a
``connect`` listener. The ``sqlite3`` driver's own transaction handling (which skips
BEGIN before SAVEPOINT and DDL) is switched off and SQLAlchemy emits BEGIN itself:
``BEGIN IMMEDIATE`` on connections marked for writing (`WRITE_OPTION`), so that the
writer takes the write lock before its first statement, and a deferred ``BEGIN`` for
readers, which then read one consistent snapshot.

PostgreSQL (``postgresql+psycopg://``) needs nothing beyond pre-ping, so that a pooled
connection a server restart broke is replaced instead of failing one request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from airhotline.errors import StoreError

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DEFAULT_CHECKPOINT_PAGES",
    "LAZY_CHECKPOINT_PAGES",
    "WRITE_OPTION",
    "build_engine",
    "parse_url",
]

#: Execution option marking a connection that writes (SQLite: ``BEGIN IMMEDIATE``).
WRITE_OPTION = "airhotline_write"
#: How long an SQLite connection waits for a lock held by another process.
BUSY_TIMEOUT_MS = 10_000
#: SQLite's own checkpoint interval (pages of write-ahead log, 4 MB); and that of a
#: journal that can be written again (64 MB): a drill at ``--speed max`` commits a group
#: a simulated second, and each checkpoint (one in 150 s at 200 aircraft) syncs the file.
DEFAULT_CHECKPOINT_PAGES = 1_000
LAZY_CHECKPOINT_PAGES = 16_384


def parse_url(url: str) -> URL:
    """Parse and check a database URL: a SQLite file or a PostgreSQL server."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory":
            raise StoreError(
                "an in-memory SQLite database cannot be shared by the writer and the "
                "readers; use a file URL such as sqlite:///var/airhotline.db"
            )
    elif backend != "postgresql":
        raise StoreError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed


def build_engine(url: URL, *, durable: bool = True) -> Engine:
    """An engine for ``url`` (checked by `parse_url`), with its listeners attached.

    ``durable=False`` (SQLite only) syncs the write-ahead log at checkpoints, not at
    every commit, and checkpoints sixteen times less often (every `LAZY_CHECKPOINT_PAGES`
    pages, and when the store closes): the database never corrupts, but a power cut may
    lose the commits since the last checkpoint — for a journal that can be written again
    (a drill at ``--speed max`` is run again from its scenario), never for operations."""
    if url.get_backend_name() == "sqlite":
        if durable:
            return _sqlite_engine(url)
        return _sqlite_engine(url, synchronous="NORMAL", checkpoint_pages=LAZY_CHECKPOINT_PAGES)
    try:
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use {url!r}: {exc}") from None


def _sqlite_engine(
    url: URL, *, synchronous: str = "FULL", checkpoint_pages: int = DEFAULT_CHECKPOINT_PAGES
) -> Engine:
    assert url.database is not None
    if not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={checkpoint_pages}")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine
