"""A log line for an event that may come thousands of times a second: the first at once,
then at most one line per interval saying how many came since the line before."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable

__all__ = ["ThrottledLog"]


class ThrottledLog:
    """Events of one kind share a line per ``interval_s``. Inside an event loop, what
    was held back is reported when its interval ends even if no event follows; outside
    one, with the next event. One event loop (or one thread): no lock."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._interval_s = interval_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._counts: Counter[str] = Counter()
        self._flushes: dict[str, asyncio.TimerHandle] = {}

    def event(self, kind: str, level: int, message: str) -> None:
        """One more event of ``kind``; ``message`` is what its line says."""
        self._counts[kind] += 1
        now = self._clock()
        last = self._last.get(kind)
        if last is None or now - last >= self._interval_s:
            self._report(kind, level, message, now)
        elif kind not in self._flushes:
            with contextlib.suppress(RuntimeError):  # no running loop: the next event tells
                self._flushes[kind] = asyncio.get_running_loop().call_later(
                    last + self._interval_s - now, self._flush, kind, level, message
                )

    def _flush(self, kind: str, level: int, message: str) -> None:
        self._flushes.pop(kind, None)
        if self._counts[kind]:
            self._report(kind, level, message, self._clock())

    def _report(self, kind: str, level: int, message: str, now: float) -> None:
        pending = self._flushes.pop(kind, None)
        if pending is not None:
            pending.cancel()
        self._last[kind] = now
        count = self._counts.pop(kind)
        self._logger.log(level, "%s (%d since the last report)", message, count)
