"""A log line for an event that may come thousands of times a second, at most once per
interval and with the count of what it stands for."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

__all__ = ["ThrottledLog"]


class ThrottledLog:
    """Logs the first event of a kind, then at most one line per ``interval_s`` saying how
    many came since the line before. One event loop: no lock."""

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

    def event(self, kind: str, level: int, message: str) -> None:
        self._counts[kind] += 1
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self._interval_s:
            return
        self._last[kind] = now
        count = self._counts.pop(kind)
        self._logger.log(level, "%s (%d since the last report)", message, count)
