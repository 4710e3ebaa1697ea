"""The one writer thread: units of work committed in groups.

Units queue up while a group is being written. The thread takes the first unit waiting
and everything else waiting at that moment (at most `MAX_GROUP`), opens one database
transaction and runs each unit in a savepoint of its own. A unit that raises rolls back
its own savepoint (its rows, its journal records and the chain's end with them) and its
future gets the exception; the others go on. Then one COMMIT, one fsync, for the whole
group; the commit listeners see the committed records; and only then are the futures
resolved, so a resolved future means a durable write. If the COMMIT fails, every future
of the group gets a `StoreError` and the chain's end goes back to where it was.

Each group starts by taking the journal's write lock and reading its end from the
database, so that other stores writing to the same database (another process) interleave
whole groups and the chain stays one chain.

A unit runs in the writer thread and must not wait for another write: that would never
come. A unit that never returns stops every write behind it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from airhotline.core.ports import CommitListener
from airhotline.errors import AirhotlineError, StoreClosedError, StoreError
from airhotline.store.engine import WRITE_OPTION
from airhotline.store.journal import JournalHead, Record, claim_head
from airhotline.store.transaction import Chain, Transaction

__all__ = ["MAX_GROUP", "CommitListener", "Writer"]

T = TypeVar("T")

#: Most units committed together.
MAX_GROUP = 512

_log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Job:
    unit: Callable[[Transaction], Any]
    future: Future[Any]


@dataclass(slots=True)
class _Outcome:
    job: _Job
    value: Any = None
    error: BaseException | None = None


class Writer:
    """Owns the writer thread, its queue and the end of the hash chain.

    `submit`, `add_listener` and the properties are safe from any thread.
    """

    def __init__(
        self,
        engine: Engine,
        head: JournalHead,
        clock_us: Callable[[], int],
        *,
        max_group: int = MAX_GROUP,
    ) -> None:
        self._engine = engine
        self._clock_us = clock_us
        self._max_group = max_group
        self._chain = Chain(head)
        self._committed = head
        self._cond = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._lag = 0
        self._closing = False
        self._commits = 0
        self._listeners: list[CommitListener] = []
        self._thread = threading.Thread(
            target=self._run, name="airhotline-store-writer", daemon=True
        )

    # -- any thread ------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def submit(self, unit: Callable[[Transaction], T]) -> Future[T]:
        """Queue a unit; its future resolves once the unit's group has committed."""
        future: Future[T] = Future()
        with self._cond:
            if self._closing:
                raise StoreClosedError()
            self._queue.append(_Job(unit, future))
            self._lag += 1
            self._cond.notify()
        return future

    def add_listener(self, listener: CommitListener) -> None:
        with self._cond:
            self._listeners.append(listener)

    def stop(self, timeout_s: float) -> bool:
        """Refuse new units, let the thread commit those queued; whether it finished."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def lag(self) -> int:
        """Units submitted and not yet committed (or failed)."""
        return self._lag

    @property
    def commits(self) -> int:
        """Groups committed since the writer started."""
        return self._commits

    @property
    def committed_head(self) -> JournalHead:
        """The journal's end as of the last COMMIT."""
        return self._committed

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def in_writer_thread(self) -> bool:
        return threading.current_thread() is self._thread

    # -- the writer thread -----------------------------------------------------------

    def _run(self) -> None:
        batch: list[_Job] | None = []
        try:
            while (batch := self._take()) is not None:
                outcomes = self._write_group(batch)
                with self._cond:
                    self._lag -= len(batch)
                batch = []
                for outcome in outcomes:
                    if outcome.error is None:
                        outcome.job.future.set_result(outcome.value)
                    else:
                        outcome.job.future.set_exception(outcome.error)
        except BaseException as exc:  # the thread dies: fail whatever still waits
            self._chain.reset(self._committed)
            with self._cond:
                self._closing = True
                orphans = [*(batch or ()), *self._queue]
                self._queue.clear()
                self._lag = 0
            for job in orphans:
                if not job.future.done():
                    job.future.set_exception(StoreError("the writer thread stopped"))
            if not isinstance(exc, Exception):
                raise
            _log.exception("the journal writer thread stopped")

    def _take(self) -> list[_Job] | None:
        with self._cond:
            while not self._queue:
                if self._closing:
                    return None
                self._cond.wait()
            count = min(len(self._queue), self._max_group)
            return [self._queue.popleft() for _ in range(count)]

    def _write_group(self, batch: list[_Job]) -> list[_Outcome]:
        jobs = [job for job in batch if job.future.set_running_or_notify_cancel()]
        if not jobs:
            return []
        start = self._chain.head()
        outcomes: list[_Outcome] = []
        records: list[Record] = []
        try:
            with (
                self._engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
                connection.begin(),
            ):
                head = claim_head(connection)
                if head != self._chain.head():
                    _log.debug("the journal was extended elsewhere; it now ends at %s", head.seq)
                    self._chain.reset(head)
                for job in jobs:
                    outcomes.append(self._write_unit(connection, job, records))
        except Exception as exc:
            self._chain.reset(start)
            error = exc if isinstance(exc, AirhotlineError) else _commit_failed(exc)
            return [_Outcome(job, error=error) for job in jobs]
        self._commits += 1
        self._committed = self._chain.head()
        self._notify(records)
        return outcomes

    def _write_unit(self, connection: Connection, job: _Job, records: list[Record]) -> _Outcome:
        before = self._chain.head()
        transaction = Transaction(connection, self._chain, self._clock_us)
        # The savepoint's statements as the driver takes them (the same on SQLite and
        # PostgreSQL): SQLAlchemy's nested transaction object costs four times as much,
        # and a group runs one per unit.
        connection.exec_driver_sql(_SAVEPOINT)
        try:
            value = job.unit(transaction)
        except Exception as exc:
            transaction._end()
            _roll_back_unit(connection)
            self._chain.reset(before)
            return _Outcome(job, error=exc)
        appended, failure = transaction._end()
        if failure is not None:  # the unit caught a database error and went on
            _roll_back_unit(connection)
            self._chain.reset(before)
            return _Outcome(job, error=failure)
        connection.exec_driver_sql(_RELEASE)
        records.extend(appended)
        return _Outcome(job, value=value)

    def _notify(self, records: list[Record]) -> None:
        with self._cond:
            listeners = list(self._listeners)
        committed = tuple(records)
        for listener in listeners:
            try:
                listener(committed)
            except Exception:
                _log.exception("a journal commit listener failed")


_SAVEPOINT = "SAVEPOINT airhotline_unit"
_RELEASE = "RELEASE SAVEPOINT airhotline_unit"
_ROLLBACK = "ROLLBACK TO SAVEPOINT airhotline_unit"


def _roll_back_unit(connection: Connection) -> None:
    """Undo the unit's statements and end its savepoint; the group goes on."""
    connection.exec_driver_sql(_ROLLBACK)
    connection.exec_driver_sql(_RELEASE)


def _commit_failed(exc: Exception) -> StoreError:
    error = StoreError(f"the write failed and was rolled back: {type(exc).__name__}")
    error.__cause__ = exc
    return error
