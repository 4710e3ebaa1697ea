"""Fixtures of the store tests: an open store, and direct SQL access around it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from airhotline.store import Store

#: A fixed clock for what the store stamps itself.
CLOCK_US = 1_700_000_000_000_000


class RawDatabase:
    """Plain SQL on the store's database, as someone editing it behind its back would.

    Foreign keys are not enforced on SQLite here (the driver's default).
    """

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, poolclass=NullPool)

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(sql), params)

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url, clock_us=lambda: CLOCK_US)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def raw(database_url: str) -> Iterator[RawDatabase]:
    database = RawDatabase(database_url)
    try:
        yield database
    finally:
        database.engine.dispose()
