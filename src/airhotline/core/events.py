"""The journal's event kinds: one frozen type each, registered, versioned.

Every record of the journal is one of these. A type knows its ``kind`` string, its
``version``, its ``family`` (``access``, ``tracks``, ``alert``), whether it reaches event
streams (``streamed``) and its audience rule (`JournalEvent.audience`: which parties may
read it, besides the admin, who reads everything). Kinds register themselves with
`register`; the lists of kinds the rest of the code needs (what streams, what the access
audit replays, what the alert engine rebuilds from) are derived with `kinds`, never
written out.

Versions: a payload of version 1 carries no version field — that is how every release
up to 0.1.0 wrote it. A type whose payload changes takes version 2, writes ``"v": 2``,
and keeps reading version 1 (`decode` hands the version to ``from_record``); the golden
corpus in ``tests/golden`` proves that old journals still rebuild.

The kinds live beside what they are about: `access_events` (parties, tokens,
agreements), `track_events` (report batches, lost tracks), `alerts.events`.

The payloads are the journal's contract with every party that verifies it: a field is
never renamed or dropped within a version.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Protocol, Self, TypeVar

from airhotline.core.access import Sharing
from airhotline.core.ports import UnitOfWork
from airhotline.core.records import Record
from airhotline.errors import JournalFormatError

__all__ = [
    "JournalEvent",
    "SharingRules",
    "append",
    "decode",
    "encode",
    "event_type",
    "kinds",
    "payload_for",
    "register",
    "without",
]

#: Field that carries a payload's version from version 2 on.
VERSION_FIELD = "v"


class SharingRules(Protocol):
    """What audience rules consult: the parties and their agreements, now."""

    def sharing(self, owner: int, viewer: int) -> Sharing: ...

    def party_ids(self) -> Collection[int]: ...


class JournalEvent:
    """Base of the journal's event types (each a frozen dataclass)."""

    __slots__ = ()

    kind: ClassVar[str]
    version: ClassVar[int] = 1
    family: ClassVar[str]
    streamed: ClassVar[bool]

    @property
    def party_id(self) -> int | None:
        """The party whose own record this is (its tracks), or None for the hotline's."""
        return None

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def audience(self, rules: SharingRules) -> frozenset[int]:
        raise NotImplementedError

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        raise NotImplementedError

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """What a party reads of such a payload (the admin reads it whole): a kind whose
        payload holds the hotline's internal ids or secrets' hashes leaves them out."""
        return payload

    @classmethod
    def rendered(cls, payload: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
        """The payload with what it says written in ``lang``, the reader's language: a
        message's text (the journal holds its parameters, never a rendering)."""
        return payload


_REGISTRY: dict[str, type[JournalEvent]] = {}
E = TypeVar("E", bound=type[JournalEvent])


def register(cls: E) -> E:
    """Class decorator: make ``cls`` the type of its kind."""
    known = _REGISTRY.get(cls.kind)
    if known is not None and known is not cls:
        raise ValueError(f"journal kind {cls.kind!r} registered twice")
    _REGISTRY[cls.kind] = cls
    return cls


def kinds(*, family: str | None = None, streamed: bool | None = None) -> frozenset[str]:
    """Registered kinds, of one family and/or those that stream (or not)."""
    return frozenset(
        kind
        for kind, cls in _REGISTRY.items()
        if (family is None or cls.family == family)
        and (streamed is None or cls.streamed == streamed)
    )


def event_type(kind: str) -> type[JournalEvent]:
    cls = _REGISTRY.get(kind)
    if cls is None:
        raise JournalFormatError(kind, "no such journal kind")
    return cls


def decode(record: Record) -> JournalEvent:
    """The typed event a journal record holds."""
    cls = event_type(record.kind)
    version = record.payload.get(VERSION_FIELD, 1)
    if not isinstance(version, int) or not 1 <= version <= cls.version:
        raise JournalFormatError(record.kind, f"version {version!r} is not readable here")
    try:
        return cls.from_record(record, version)
    except (KeyError, TypeError, ValueError) as error:
        raise JournalFormatError(record.kind, f"seq {record.seq}: {error!r}") from error


def without(payload: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """``payload`` without ``keys``: what a `JournalEvent.party_view` leaves out."""
    return {k: v for k, v in payload.items() if k not in keys}


def payload_for(record: Record, reader: int | None, lang: str = "en") -> Mapping[str, Any]:
    """The record's payload as ``reader`` reads it, in ``lang``: the admin (None) whole,
    a party without what the hotline keeps to itself (`JournalEvent.party_view`)."""
    cls = event_type(record.kind)
    payload = record.payload if reader is None else cls.party_view(record.payload)
    return cls.rendered(payload, lang)


def encode(event: JournalEvent) -> dict[str, Any]:
    """The payload to journal for ``event``, with its version from version 2 on."""
    payload = event.payload()
    if event.version > 1:
        payload[VERSION_FIELD] = event.version
    return payload


def append(tx: UnitOfWork, event: JournalEvent, *, time_us: int, rules: SharingRules) -> Record:
    """Journal ``event`` in a unit of work, to the audience its rule gives now."""
    return tx.append(
        event.kind,
        encode(event),
        time_us=time_us,
        party_id=event.party_id,
        audience=event.audience(rules),
    )
