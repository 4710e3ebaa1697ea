"""The in-process event bus: committed journal records fanned out to live subscribers.

A set of bounded asyncio queues, implementing the core's `EventBus` port; across nodes
the same port will sit on NATS JetStream. Resumption never depends on the bus: a
subscriber that falls behind is cut off, and catches up from the journal, which is the
source of truth.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from airhotline.core.ports import Subscription
from airhotline.core.records import Record

__all__ = ["LocalEventBus"]


class _LocalSubscription:
    def __init__(
        self, bus: LocalEventBus, loop: asyncio.AbstractEventLoop, audience: int | None, cap: int
    ) -> None:
        self._bus = bus
        self._loop = loop
        self.audience = audience
        self._queue: asyncio.Queue[Record | None] = asyncio.Queue()
        self._cap = cap
        self._overflowed = False

    def offer(self, record: Record) -> None:
        # Runs on the subscriber's loop. A full queue means the client is too slow: it gets
        # a None (cut off) instead of holding memory or slowing anyone else down.
        if self._overflowed:
            return
        if self._queue.qsize() >= self._cap:
            self._overflowed = True
            self._queue.put_nowait(None)
            return
        self._queue.put_nowait(record)

    async def next(self) -> Record | None:
        return await self._queue.get()

    def close(self) -> None:
        self._bus._remove(self)

    def deliver(self, records: Sequence[Record]) -> None:
        for record in records:
            if self.audience is None or self.audience in record.audience:
                self.offer(record)


class LocalEventBus:
    """In-process bus. Thread-safe publish; subscriptions live on an asyncio loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[_LocalSubscription] = set()

    def publish(self, records: Sequence[Record]) -> None:
        with self._lock:
            targets = list(self._subscriptions)
        for subscription in targets:
            try:
                subscription._loop.call_soon_threadsafe(subscription.deliver, records)
            except RuntimeError:  # its loop is closed: the client is gone
                self._remove(subscription)

    def subscribe(self, audience: int | None, *, max_pending: int) -> Subscription:
        subscription = _LocalSubscription(self, asyncio.get_running_loop(), audience, max_pending)
        with self._lock:
            self._subscriptions.add(subscription)
        return subscription

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscriptions)

    def _remove(self, subscription: _LocalSubscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)
