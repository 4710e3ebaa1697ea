"""`Store`: the storage of one hotline node, behind one object.

Writes go through units of work, run by the one writer thread (`writer.py`) and
committed in groups; reads use the engine's pooled connections and are safe from any
thread, concurrently with the writer (SQLite in WAL mode). Everything hangs off the
instance: no module-level engine, no global state, so tests and drills open as many
stores as they like.

Several stores may share a database (a command-line tool beside a running node): their
writers take turns, group by group, under the journal's write lock. Commit listeners
hear only their own store's records; `records_after` reads everyone's.
"""

from __future__ import annotations

import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future
from contextlib import closing
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from airhotline.errors import StoreClosedError, StoreError
from airhotline.store import answers, journal, migrate, rows
from airhotline.store.answers import AnswerAudit
from airhotline.store.engine import build_engine, parse_url
from airhotline.store.journal import JournalHead, Record, VerifyResult
from airhotline.store.rows import AgreementRow, IdempotentAnswer, PartyRow, TokenRow
from airhotline.store.transaction import Transaction
from airhotline.store.writer import CommitListener, Writer

__all__ = ["Store"]

T = TypeVar("T")


def system_clock_us() -> int:
    """UTC microseconds since the epoch, from the system clock."""
    return time.time_ns() // 1000


class Store:
    """The storage of one node; open with `Store.open`, end with `close`."""

    def __init__(self, engine: Engine, writer: Writer, url: URL) -> None:
        """Use `Store.open`."""
        self._engine = engine
        self._writer = writer
        self._url = url
        self._closed = False

    @classmethod
    def open(
        cls,
        url: str,
        *,
        clock_us: Callable[[], int] | None = None,
        create: bool = True,
        durable: bool = True,
    ) -> Store:
        """Open the database at ``url``, migrate it to the newest schema, start writing.

        ``url`` is ``sqlite:///path/to/file.db`` (the folder is created) or
        ``postgresql+psycopg://user@host/db``. ``clock_us`` times what the store stamps
        itself (idempotent answers); records carry the time their writer gives.
        ``create=False`` opens only a database that already holds a journal, and raises
        `StoreError` without creating or changing anything otherwise (for the commands
        that check a journal: a mistyped path must not become an empty, "intact" one).
        ``durable=False``: see `airhotline.store.engine.build_engine`.
        """
        parsed = parse_url(url)
        if not create:
            _require_journal(parsed)
        engine = build_engine(parsed, durable=durable)
        try:
            migrate.upgrade(engine)
            with engine.connect() as connection:
                head = journal.read_head(connection)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot open {parsed!r}: {_describe(exc)}") from exc
        except CommandError as exc:
            engine.dispose()
            raise StoreError(f"cannot migrate {parsed!r}: {exc}") from exc
        except BaseException:
            engine.dispose()
            raise
        writer = Writer(engine, head, clock_us or system_clock_us)
        writer.start()
        return cls(engine, writer, parsed)

    def close(self, timeout_s: float = 10.0) -> None:
        """Commit every unit already submitted, stop the writer, release connections.

        Idempotent. Raises `StoreError`, leaving the engine open, if the writer has not
        drained its queue within ``timeout_s``.
        """
        if not self._writer.stop(timeout_s):
            raise StoreError(f"the writer did not finish its queue within {timeout_s} s")
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._url!r})"

    # -- writing ---------------------------------------------------------------------

    def submit(self, unit: Callable[[Transaction], T]) -> Future[T]:
        """Queue a unit of work; the future resolves once it is durable.

        The unit runs in the writer thread with a `Transaction`; what it returns is the
        future's result, what it raises the future's exception (and its changes are
        rolled back). Raises `StoreClosedError` once `close` has begun.
        """
        return self._writer.submit(unit)

    def write(self, unit: Callable[[Transaction], T]) -> T:
        """Run a unit of work and wait until it is durable: ``submit(unit).result()``."""
        if self._writer.in_writer_thread():
            raise StoreError("write() inside a unit of work would wait forever")
        return self.submit(unit).result()

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Call ``listener`` after each COMMIT with the committed records, in seq order.

        It runs in the writer thread before the units' futures resolve, so it must be
        quick and must not write; an exception it raises is logged and ignored.
        """
        self._writer.add_listener(listener)

    @property
    def writer_lag(self) -> int:
        """Units submitted and not yet committed (for metrics)."""
        return self._writer.lag

    @property
    def commit_count(self) -> int:
        """Groups committed by this store's writer (for metrics and tests)."""
        return self._writer.commits

    # -- reading ---------------------------------------------------------------------

    def records_after(
        self,
        seq: int,
        *,
        audience: int | None = None,
        kinds: Collection[str] | None = None,
        limit: int = 1000,
    ) -> list[Record]:
        """Up to ``limit`` records after ``seq``, in seq order.

        ``audience=None`` reads all records (the admin's view); a party id reads only
        the records that party may see. ``kinds`` keeps only records of those kinds.
        """
        return self._read(
            lambda c: journal.records_after(c, seq, audience=audience, kinds=kinds, limit=limit)
        )

    def iter_records_after(
        self,
        seq: int,
        *,
        audience: int | None = None,
        kinds: Collection[str] | None = None,
        before: int | None = None,
        page: int = 1000,
    ) -> Iterator[Record]:
        """Every record after ``seq`` (and before ``before``), in seq order, read a page
        at a time so memory stays bounded however long the journal."""
        while True:
            found = self.records_after(seq, audience=audience, kinds=kinds, limit=page)
            for record in found:
                if before is not None and record.seq >= before:
                    return
                yield record
            if len(found) < page:
                return
            seq = found[-1].seq

    def records_in_time(
        self, start_us: int, end_us: int, *, kinds: Collection[str] | None = None
    ) -> list[Record]:
        """Records with ``start_us <= time_us < end_us``, in seq order."""
        return self._read(lambda c: journal.records_in_time(c, start_us, end_us, kinds=kinds))

    def party_records_after(
        self, party_id: int, ordinal: int, *, limit: int = 1000
    ) -> list[Record]:
        """Up to ``limit`` of a party's records after ``ordinal`` on its own stream."""
        return self._read(lambda c: journal.party_records_after(c, party_id, ordinal, limit=limit))

    def party_head(self, party_id: int) -> int:
        """The ordinal of the party's last committed record (0: none yet)."""
        return self._read(lambda c: journal.party_head(c, party_id))

    def head(self) -> JournalHead:
        """The last committed record's seq and hash (0 and 64 zeros when empty).

        Read once a cycle by every node (`catch_up`): one statement, sent straight to the
        driver — a pooled SQLAlchemy connection with its BEGIN and ROLLBACK costs ten
        times the query.
        """
        if self._closed:
            raise StoreClosedError()
        dbapi_error = self._engine.dialect.loaded_dbapi.Error
        try:
            connection = self._engine.raw_connection()
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(journal.HEAD_SQL)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
            finally:
                connection.close()
        except SQLAlchemyError as exc:
            raise StoreError(f"reading failed: {_describe(exc)}") from exc
        except dbapi_error as exc:
            raise StoreError(f"reading failed: {type(exc).__name__}: {str(exc).strip()}") from exc
        return journal.EMPTY_HEAD if row is None else JournalHead(int(row[0]), str(row[1]))

    def verify(
        self,
        *,
        expected: JournalHead | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> VerifyResult:
        """Recompute the whole hash chain, which must still hold ``expected`` (a head kept
        earlier); see `airhotline.store.journal.verify`."""
        committed = self._writer.committed_head  # before the read: the read sees it
        return self._read(
            lambda c: journal.verify(c, committed=committed, expected=expected, progress=progress)
        )

    def audit_answers(self) -> AnswerAudit:
        """Check each idempotent answer against the record it names (`store.answers`)."""
        return self._read(answers.audit_answers)

    def parties(self) -> list[PartyRow]:
        return self._read(rows.read_parties)

    def tokens(self) -> list[TokenRow]:
        return self._read(rows.read_tokens)

    def token_by_hash(self, token_hash: str) -> TokenRow | None:
        """The token stored with this hash, revoked or not."""
        return self._read(lambda c: rows.read_token_by_hash(c, token_hash))

    def agreements(self) -> list[AgreementRow]:
        return self._read(rows.read_agreements)

    def idempotent_answer(self, party_id: int, key: str) -> IdempotentAnswer | None:
        """The stored answer for a key, read outside the writer (a retry's fast path)."""
        return self._read(lambda c: rows.read_idempotent_answer(c, party_id, key))

    def healthy(self) -> bool:
        """Whether the database answers and the writer thread runs."""
        if self._closed or not self._writer.alive:
            return False
        try:
            self._read(lambda c: c.execute(text("SELECT 1")).scalar_one())
        except StoreError:
            return False
        return True

    def _read(self, query: Callable[[Connection], T]) -> T:
        if self._closed:
            raise StoreClosedError()
        try:
            with self._engine.connect() as connection:
                return query(connection)
        except SQLAlchemyError as exc:
            raise StoreError(f"reading failed: {_describe(exc)}") from exc


def _require_journal(url: URL) -> None:
    """Raise `StoreError` unless the database at ``url`` exists and holds a journal.

    Looks without writing: SQLite's file is opened read-only by the standard driver, not
    by the store's engine, which would create it (and its folder) or switch it to WAL.
    """
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        path = Path(urllib.parse.urlsplit(url.database).path)
        where = str(path)
        if not path.is_file():
            raise StoreError(f"{where} does not exist; nothing was created")
        try:
            with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
                found = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'"
                ).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {where}: {exc}") from None
        held = found is not None
    else:
        where = repr(url)
        engine = build_engine(url)
        try:
            with engine.connect() as connection:
                held = inspect(connection).has_table("journal")
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open {where}: {_describe(exc)}") from exc
        finally:
            engine.dispose()
    if not held:
        raise StoreError(f"{where} holds no airhotline journal; nothing was created")


def _describe(exc: SQLAlchemyError) -> str:
    """The driver's message without SQL or parameters, which may hold payloads."""
    if isinstance(exc, DBAPIError):
        return f"{type(exc.orig).__name__}: {str(exc.orig).strip()}"
    return type(exc).__name__
