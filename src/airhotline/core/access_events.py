"""The access family of journal events: parties, tokens, agreements.

These decide who may call what and see what; the node's directory is folded from them
(`directory`), and the access audit replays the same fold against the tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline.core.access import NO_MINIMA, Minima
from airhotline.core.events import JournalEvent, SharingRules, register, without
from airhotline.core.records import Record

__all__ = ["AgreementSet", "IssuedToken", "PartyCreated", "TokenIssued", "TokenRevoked"]


def _to_owner(owner_id: int | None) -> frozenset[int]:
    """A party's own access record goes to that party; the admin's to nobody else."""
    return frozenset() if owner_id is None else frozenset({owner_id})


def _owner(record: Record) -> int | None:
    """The one party a party's own access record was written to, if any."""
    return next(iter(record.audience), None)


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
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """Without the token hashes (they are for `journal verify`, not for reading)
        and the hotline's internal party id."""
        tokens = [{"id": t["id"], "role": t["role"]} for t in payload["tokens"]]
        return {**without(payload, "party_id"), "tokens": tokens}

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
        return _to_owner(self.owner_id)

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return without(payload, "token_hash")

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
        return _to_owner(self.owner_id)

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(int(p["token_id"]), str(p["role"]), p["party"], _owner(record))


@register
@dataclass(frozen=True, slots=True)
class AgreementSet(JournalEvent):
    """What two parties share from now on. Audience: both parties."""

    kind: ClassVar[str] = "agreement.set"
    #: Version 2 adds the agreement's minima (version 1: the deployment's).
    version: ClassVar[int] = 2
    family: ClassVar[str] = "access"
    streamed: ClassVar[bool] = True

    #: Both sorted: names by name, ids by id (each pair is listed its own way).
    parties: tuple[str, str]
    party_ids: tuple[int, int]
    mode: str
    status: str
    minima: Minima = NO_MINIMA

    def payload(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "party_ids": list(self.party_ids),
            "mode": self.mode,
            "status": self.status,
            "h_sep_nm": self.minima.h_sep_nm,
            "v_sep_ft": self.minima.v_sep_ft,
            "lookahead_s": self.minima.lookahead_s,
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(self.party_ids)

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """The parties by name only: their internal ids are the hotline's."""
        return without(payload, "party_ids")

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        low, high = (int(i) for i in p["party_ids"])
        first, second = (str(n) for n in p["parties"])
        minima = NO_MINIMA
        if version >= 2:
            minima = Minima(p["h_sep_nm"], p["v_sep_ft"], p["lookahead_s"])
        return cls((first, second), (low, high), str(p["mode"]), str(p["status"]), minima)
