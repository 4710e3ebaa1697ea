"""Clocks, injected everywhere time matters: real for operations, simulated for drills.

Time is an integer count of UTC microseconds since the Unix epoch: exact, sortable, and the
same in every database.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = [
    "Clock",
    "SimulatedClock",
    "SystemClock",
    "iso_from_us",
    "us_from_iso",
    "us_from_s",
]

US_PER_S = 1_000_000


class Clock(Protocol):
    def now_us(self) -> int:
        """Current UTC time in microseconds since the epoch."""
        ...


class SystemClock:
    """The wall clock."""

    def now_us(self) -> int:
        return time.time_ns() // 1_000


class SimulatedClock:
    """A clock that moves only when told to; thread-safe."""

    def __init__(self, start_us: int) -> None:
        self._now_us = start_us
        self._lock = threading.Lock()

    def now_us(self) -> int:
        with self._lock:
            return self._now_us

    def advance(self, seconds: float) -> int:
        with self._lock:
            self._now_us += round(seconds * US_PER_S)
            return self._now_us

    def set(self, now_us: int) -> None:
        with self._lock:
            self._now_us = now_us


def us_from_s(seconds: float) -> int:
    return round(seconds * US_PER_S)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_from_us(time_us: int, *, exact: bool = False) -> str:
    """ISO 8601 in UTC with a trailing Z, to the millisecond; ``exact``: to the
    microsecond, which `us_from_iso` reads back exactly. Integer arithmetic, no float."""
    moment = _EPOCH + timedelta(microseconds=time_us)
    spec = "microseconds" if exact else "milliseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def us_from_iso(text: str) -> int:
    """The microseconds an ISO 8601 UTC text names, exactly; `ValueError` if it names
    none or another zone."""
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() != timedelta(0):
        raise ValueError("not a UTC time")
    return (moment - _EPOCH) // timedelta(microseconds=1)
