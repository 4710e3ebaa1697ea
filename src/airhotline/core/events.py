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

The payloads are the journal's contract with every party that verifies it: a field is
never renamed or dropped within a version.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self, TypeVar

from airhotline.core.access import Sharing
from airhotline.core.ports import UnitOfWork
from airhotline.core.records import Record
from airhotline.core.reports import ReportBatch
from airhotline.errors import JournalFormatError

__all__ = [
    "AgreementSet",
    "IssuedToken",
    "JournalEvent",
    "PartyCreated",
    "SharingRules",
    "TokenIssued",
    "TokenRevoked",
    "TrackLost",
    "TracksReported",
    "append",
    "decode",
    "encode",
    "event_type",
    "kinds",
    "register",
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


def _owner(record: Record) -> int | None:
    """The one party a party's own access record was written to, if any."""
    return next(iter(record.audience), None)


# --- access: parties, tokens, agreements ----------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: int
    role: str
    #: SHA-256 of the token: enough for `journal verify` to prove the token table holds
    #: what the journal says, useless to a reader.
    token_hash: str


@register
@dataclass(frozen=True, slots=True)
class PartyCreated(JournalEvent):
    """A party with its first feed and operator tokens. Audience: that party."""

    kind: ClassVar[str] = "party.created"
    family: ClassVar[str] = "access"
    streamed: ClassVar[bool] = True

    party: str
    id: int
    lang: str
    tokens: tuple[IssuedToken, ...]

    def payload(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "party_id": self.id,
            "lang": self.lang,
            "tokens": [
                {"id": t.id, "role": t.role, "token_hash": t.token_hash} for t in self.tokens
            ],
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset({self.id})

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(
            party=str(p["party"]),
            id=int(p["party_id"]),
            lang=str(p["lang"]),
            tokens=tuple(
                IssuedToken(int(t["id"]), str(t["role"]), str(t["token_hash"])) for t in p["tokens"]
            ),
        )


@register
@dataclass(frozen=True, slots=True)
class TokenIssued(JournalEvent):
    """A further token of a party's role, or an admin token. Audience: its party."""

    kind: ClassVar[str] = "token.issued"
    family: ClassVar[str] = "access"
    streamed: ClassVar[bool] = True

    token_id: int
    role: str
    party: str | None
    token_hash: str
    #: Not in the payload (which names the party): the record's audience holds it.
    owner_id: int | None

    def payload(self) -> dict[str, Any]:
        return {
            "token_id": self.token_id,
            "role": self.role,
            "party": self.party,
            "token_hash": self.token_hash,
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset() if self.owner_id is None else frozenset({self.owner_id})

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(
            token_id=int(p["token_id"]),
            role=str(p["role"]),
            party=p["party"],
            token_hash=str(p["token_hash"]),
            owner_id=_owner(record),
        )


@register
@dataclass(frozen=True, slots=True)
class TokenRevoked(JournalEvent):
    """A token that no longer opens anything. Audience: its party."""

    kind: ClassVar[str] = "token.revoked"
    family: ClassVar[str] = "access"
    streamed: ClassVar[bool] = True

    token_id: int
    role: str
    party: str | None
    owner_id: int | None

    def payload(self) -> dict[str, Any]:
        return {"token_id": self.token_id, "role": self.role, "party": self.party}

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset() if self.owner_id is None else frozenset({self.owner_id})

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(int(p["token_id"]), str(p["role"]), p["party"], _owner(record))


@register
@dataclass(frozen=True, slots=True)
class AgreementSet(JournalEvent):
    """What two parties share from now on. Audience: both parties."""

    kind: ClassVar[str] = "agreement.set"
    family: ClassVar[str] = "access"
    streamed: ClassVar[bool] = True

    #: Both sorted: names by name, ids by id (each pair is listed its own way).
    parties: tuple[str, str]
    party_ids: tuple[int, int]
    mode: str
    status: str

    def payload(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "party_ids": list(self.party_ids),
            "mode": self.mode,
            "status": self.status,
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(self.party_ids)

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        low, high = (int(i) for i in p["party_ids"])
        first, second = (str(n) for n in p["parties"])
        return cls((first, second), (low, high), str(p["mode"]), str(p["status"]))


# --- tracks ----------------------------------------------------------------------------


@register
@dataclass(frozen=True, slots=True)
class TracksReported(JournalEvent):
    """A party's batch of state reports, in its own words. Journal only: never streamed,
    and nobody but the admin reads it from the journal."""

    kind: ClassVar[str] = "tracks.reported"
    family: ClassVar[str] = "tracks"
    streamed: ClassVar[bool] = False

    owner_id: int
    batch: ReportBatch

    @property
    def party_id(self) -> int | None:
        return self.owner_id

    def payload(self) -> dict[str, Any]:
        return self.batch.to_payload()

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset()

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        if record.party_id is None:
            raise ValueError("a track batch belongs to a party")
        return cls(record.party_id, ReportBatch.from_payload(record.payload))


@register
@dataclass(frozen=True, slots=True)
class TrackLost(JournalEvent):
    """A track silent past the lost limit. Audience: its party and every party that
    shares its full picture (those who could see it go)."""

    kind: ClassVar[str] = "track.lost"
    family: ClassVar[str] = "tracks"
    streamed: ClassVar[bool] = True

    owner_id: int
    party: str
    track_id: str
    last_report_us: int

    @property
    def party_id(self) -> int | None:
        return self.owner_id

    def payload(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "track_id": self.track_id,
            "last_report_us": self.last_report_us,
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(
            {self.owner_id}
            | {
                other
                for other in rules.party_ids()
                if other != self.owner_id and rules.sharing(self.owner_id, other).full_picture
            }
        )

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        if record.party_id is None:
            raise ValueError("a lost track belongs to a party")
        return cls(record.party_id, str(p["party"]), str(p["track_id"]), int(p["last_report_us"]))
