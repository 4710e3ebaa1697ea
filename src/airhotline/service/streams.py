"""Limits on event streams: how many a party may hold open, how many replay at once.

One party must not starve the others: 100 clients replaying a long journal from id 0
once made ``/v1/me`` take 17 s. So each party (and the admin) may hold at most
``per_party`` streams open, and the backlog of all streams is read by at most
``replaying`` worker threads at a time — a limiter of its own, so that the threads that
serve the API are never all busy replaying.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import anyio

__all__ = ["StreamLimits", "StreamSlots", "Ticket"]


@dataclass(frozen=True, slots=True)
class StreamLimits:
    per_party: int = 8
    replaying: int = 2


class StreamSlots:
    """Open streams per party (None: the admin); thread-safe."""

    def __init__(self, limits: StreamLimits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._open: Counter[int | None] = Counter()
        self.replay = anyio.CapacityLimiter(limits.replaying)

    def take(self, party_id: int | None) -> Ticket | None:
        """One of the party's slots, or None when all are held."""
        with self._lock:
            if self._open[party_id] >= self.limits.per_party:
                return None
            self._open[party_id] += 1
        return Ticket(self, party_id)

    def _give_back(self, party_id: int | None) -> None:
        with self._lock:
            self._open[party_id] -= 1


class Ticket:
    """A held slot; `release` gives it back, once, however often it is called."""

    def __init__(self, slots: StreamSlots, party_id: int | None) -> None:
        self._slots = slots
        self._party_id = party_id
        self._held = True
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._slots._give_back(self._party_id)
