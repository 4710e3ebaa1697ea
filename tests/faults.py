"""A journal layer that fails on purpose: a database blip, injected through bootstrap.

``build_node(url, journal_layer=FaultyJournal)`` puts it between the node and its
store; ``faults.fail_next("alert.resolved")`` then makes the next unit of work that
journals that kind fail inside the writer — its savepoint rolls back, nothing of it is
written, and its caller gets the error, as with a real failed write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from airhotline.store import Store

T = TypeVar("T")


class FaultyJournal:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._armed: dict[str, BaseException] = {}
        #: Kinds whose write was failed so far, in order.
        self.failed: list[str] = []

    def fail_next(self, kind: str, error: BaseException | None = None) -> None:
        """Fail the next unit of work that appends a record of ``kind``."""
        with self._lock:
            self._armed[kind] = error or OSError("disk I/O error")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def submit(self, unit: Callable[[Any], T]) -> Future[T]:
        return self._store.submit(lambda tx: unit(_Trap(tx, self)))

    def write(self, unit: Callable[[Any], T]) -> T:
        return self._store.write(lambda tx: unit(_Trap(tx, self)))

    def _take(self, kind: str) -> BaseException | None:
        with self._lock:
            error = self._armed.pop(kind, None)
            if error is not None:
                self.failed.append(kind)
            return error


class _Trap:
    """A transaction whose ``append`` of an armed kind raises."""

    def __init__(self, tx: Any, faults: FaultyJournal) -> None:
        self._tx = tx
        self._faults = faults

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def append(self, kind: str, *args: Any, **kwargs: Any) -> Any:
        error = self._faults._take(kind)
        if error is not None:
            raise error
        return self._tx.append(kind, *args, **kwargs)
