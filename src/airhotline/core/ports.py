"""The few things the core needs from outside, as Protocols: storage, the bus, time, ids.

The core is handed objects that fit these; it never imports the adapters
(`airhotline.store`, `airhotline.bus`) nor a database or web library. `bootstrap` picks
the adapters: a SQLite or PostgreSQL store, the in-process bus, the system or a
simulated clock, random or sequential ids.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from airhotline.clock import Clock
from airhotline.core.records import (
    AgreementRow,
    Audience,
    IdempotentAnswer,
    JournalHead,
    PartyRow,
    Record,
    TokenRow,
)
from airhotline.ids import IdSource

__all__ = [
    "Clock",
    "CommitListener",
    "EventBus",
    "IdSource",
    "Journal",
    "Subscription",
    "UnitOfWork",
]

T = TypeVar("T")

#: Called after each COMMIT with the records it made durable, in seq order.
CommitListener = Callable[[Sequence[Record]], None]


class UnitOfWork(Protocol):
    """What a unit of work may do inside the journal's transaction: all of it commits
    together or none does. Errors: `ConflictError` for a duplicate, `NotFoundError` for
    a missing party or token, `InputError` for a bad mode or role."""

    def append(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        time_us: int,
        party_id: int | None,
        audience: Audience,
    ) -> Record:
        """Append one record to the journal; returns it as it will be stored."""
        ...

    def insert_party(self, name: str, lang: str, created_us: int) -> PartyRow: ...

    def token(self, token_id: int) -> TokenRow | None: ...

    def insert_token(
        self, party_id: int | None, role: str, token_hash: str, created_us: int
    ) -> TokenRow: ...

    def revoke_token(self, token_id: int, revoked_us: int) -> TokenRow | None: ...

    def set_agreement(
        self, party_a: int, party_b: int, mode: str, status: str, updated_us: int
    ) -> AgreementRow: ...

    def idempotency_get(self, party_id: int, key: str) -> IdempotentAnswer | None: ...

    def idempotency_put(self, party_id: int, key: str, answer: IdempotentAnswer) -> None: ...

    def idempotency_purge(self, before_us: int) -> int: ...


class Journal(Protocol):
    """The journal and the tables beside it: units of work in, records out."""

    def submit(self, unit: Callable[[UnitOfWork], T]) -> Future[T]:
        """Queue a unit of work; the future resolves once it is durable."""
        ...

    def write(self, unit: Callable[[UnitOfWork], T]) -> T:
        """Run a unit of work and wait until it is durable."""
        ...

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Hear every COMMIT's records, before the units' futures resolve."""
        ...

    def records_after(
        self,
        seq: int,
        *,
        audience: int | None = None,
        kinds: Collection[str] | None = None,
        limit: int = 1000,
    ) -> list[Record]: ...

    def iter_records_after(
        self,
        seq: int,
        *,
        audience: int | None = None,
        kinds: Collection[str] | None = None,
        before: int | None = None,
        page: int = 1000,
    ) -> Iterator[Record]: ...

    def records_in_time(
        self, start_us: int, end_us: int, *, kinds: Collection[str] | None = None
    ) -> list[Record]: ...

    def party_records_after(
        self, party_id: int, ordinal: int, *, limit: int = 1000
    ) -> list[Record]:
        """A party's records after ``ordinal``, its own dense numbering of what it sees."""
        ...

    def party_head(self, party_id: int) -> int:
        """The ordinal of the party's last record (0: none yet)."""
        ...

    def head(self) -> JournalHead: ...

    def parties(self) -> list[PartyRow]: ...

    def tokens(self) -> list[TokenRow]: ...

    def agreements(self) -> list[AgreementRow]: ...

    def idempotent_answer(self, party_id: int, key: str) -> IdempotentAnswer | None: ...

    def healthy(self) -> bool: ...

    @property
    def writer_lag(self) -> int:
        """Units submitted and not yet committed (for metrics)."""
        ...

    def close(self) -> None: ...


class Subscription(Protocol):
    async def next(self) -> Record | None:
        """The next record, or None once the subscriber fell too far behind."""
        ...

    def close(self) -> None: ...


class EventBus(Protocol):
    """Committed records fanned out to live subscribers (in process, or NATS later).

    Resumption never depends on the bus: a subscriber that falls behind is cut off and
    catches up from the journal, which is the source of truth."""

    def publish(self, records: Sequence[Record]) -> None:
        """Hand committed records to subscribers; may be called from any thread."""
        ...

    def subscribe(self, audience: int | None, *, max_pending: int) -> Subscription:
        """Records whose audience holds ``audience`` (None: every record, for the admin)."""
        ...

    @property
    def subscribers(self) -> int: ...
