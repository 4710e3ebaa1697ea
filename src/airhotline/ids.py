"""Id sources, injected like the clock: random in operations, predictable in drills.

An alert's id is the only name both control centres and the journal share for one
encounter, so it must never repeat; a drill or a test wants the same ids on every run,
so the source is a parameter, never a module-level call to `uuid`.
"""

from __future__ import annotations

import threading
import uuid
from typing import Protocol

__all__ = ["IdSource", "RandomIds", "SequentialIds"]


class IdSource(Protocol):
    def new_id(self) -> str:
        """A fresh id: 1-64 characters of ``[0-9a-zA-Z_-]``, never handed out before."""
        ...


class RandomIds:
    """64 random bits as 16 hex digits (a collision is a 1 in 2^32 event at 4 billion ids)."""

    def new_id(self) -> str:
        return uuid.uuid4().hex[:16]


class SequentialIds:
    """``prefix-1``, ``prefix-2``, …: the same on every run; thread-safe."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._next = 0
        self._lock = threading.Lock()

    def new_id(self) -> str:
        with self._lock:
            self._next += 1
            return f"{self._prefix}-{self._next}"
