"""What crosses the core's storage port: journal records, the journal's head, rows.

Plain frozen values, defined here so that the core owns its vocabulary and the storage
adapter (`airhotline.store`) implements it, never the other way round.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from airhotline.clock import iso_from_us
from airhotline.errors import IdempotencyConflictError

__all__ = [
    "AgreementRow",
    "Audience",
    "IdempotentAnswer",
    "JournalHead",
    "PartyRow",
    "Record",
    "TokenRow",
]

#: Party ids that may see a record; the admin role sees every record.
Audience = frozenset[int]


@dataclass(frozen=True, slots=True)
class Record:
    """One journal row as stored.

    ``payload_json`` is the canonical JSON text exactly as stored and hashed; ``payload``
    is that text parsed. ``time_us`` is UTC microseconds since the epoch. ``ordinals``
    gives each party of the audience the record's number on that party's own stream
    (1, 2, 3, ... in seq order): what a party sees instead of the global ``seq``; the
    ``audience`` is its keys, kept as a set because fan-out asks it for every reader.
    """

    seq: int
    time_us: int
    kind: str
    party_id: int | None
    ordinals: Mapping[int, int]
    payload: Mapping[str, Any]
    payload_json: str
    prev_hash: str
    hash: str
    audience: Audience = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "audience", frozenset(self.ordinals))

    def event_id(self, reader: int | None) -> int:
        """The record's id for a reader: the reader's ordinal; the seq for the admin."""
        return self.seq if reader is None else self.ordinals[reader]


@dataclass(frozen=True, slots=True)
class JournalHead:
    """The last record's ``seq`` and ``hash``: ``0`` and 64 zeros for an empty journal."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class PartyRow:
    """An operator with its own control centre and language."""

    id: int
    name: str
    lang: str
    created_us: int


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A bearer token, stored as a hash. ``party_id`` is ``None`` for a node admin."""

    id: int
    party_id: int | None
    role: str
    token_hash: str
    created_us: int
    revoked_us: int | None


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """What two parties share, stored once per pair with ``party_low < party_high``.

    ``mode`` is ``"conflicts-only"`` or ``"full"``; ``status`` ``"active"`` or
    ``"suspended"``.
    """

    party_low: int
    party_high: int
    mode: str
    status: str
    updated_us: int


class IdempotentAnswer(NamedTuple):
    """The answer given to a request, replayed to a retry with the same key."""

    body_sha256: str
    status: int
    response_json: str

    def for_retry(self, body_sha256: str, key: str) -> IdempotentAnswer:
        """This answer, for a retry with the same body; `IdempotencyConflictError` for
        another one."""
        if self.body_sha256 != body_sha256:
            raise IdempotencyConflictError(key)
        return self


def receipt_json(record: Record, **fields: Any) -> str:
    """A committed request's answer: ``fields`` and the record that holds it, named by
    its time and hash, never its seq (which would tell a party how much the others
    wrote); the answers' audit (`store.answers`) checks each against the journal."""
    named = {"committed": iso_from_us(record.time_us, exact=True), "hash": record.hash}
    return json.dumps({**fields, **named}, separators=(",", ":"), sort_keys=True)
