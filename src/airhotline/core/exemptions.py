"""Cleared proximity: two named tracks of two parties that must fly close on purpose —
one party's tanker refuelling the other's aircraft — for a time window.

One party proposes (its own track, the other party's track, the window); it takes effect
only when the other party accepts; while it holds, alerts between those two tracks are
not raised, and each encounter it holds back is journaled (``exemption.suppressed``, for
the debrief); it ends at its window's end or when either party revokes it.

The book is folded from the journal's exemption records (the node's follower), rebuilt
from them after a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from airhotline.core.events import JournalEvent, SharingRules, decode, kinds, register, without
from airhotline.core.identifiers import identifier_problem
from airhotline.core.notices.window import Window, parse_window
from airhotline.core.picture import TrackKey
from airhotline.core.records import PartyRow, Record
from airhotline.errors import InputError, NotFoundError

__all__ = [
    "EXEMPTION_KINDS",
    "Exemption",
    "ExemptionAccepted",
    "ExemptionBook",
    "ExemptionProposed",
    "ExemptionRevoked",
    "ExemptionSuppressed",
    "proposal",
]

#: The longest window a cleared proximity may have: a refuelling, not a standing waiver.
MAX_WINDOW_S = 12 * 3_600.0


#: The fields of a proposal (``POST /v1/exemptions``, a drill's ``exemptions``).
PROPOSAL_FIELDS = ("track_id", "other_party", "other_track_id", "window")


def proposal(
    exemption_id: str,
    proposer: PartyRow,
    body: Mapping[str, object],
    find_party: Callable[[str], PartyRow | None],
) -> ExemptionProposed:
    """The event proposing ``body``'s cleared proximity: checked whole, the first field
    wrong named (`InputError`; `NotFoundError` for an unknown other party)."""
    for key in body:
        if key not in PROPOSAL_FIELDS:
            raise InputError(str(key), "not a field of a cleared proximity")
    own = _track_id(body.get("track_id"), "track_id")
    other_track = _track_id(body.get("other_track_id"), "other_track_id")
    other_name = body.get("other_party")
    other = find_party(other_name) if isinstance(other_name, str) else None
    if other is None:
        raise NotFoundError("party", other_name, field="other_party")
    if other.id == proposer.id:
        raise InputError("other_party", "a cleared proximity is between two parties")
    window = parse_window(body.get("window"), MAX_WINDOW_S)
    spec = {
        "exemption_id": exemption_id,
        "proposer": {"party": proposer.name, "track_id": own},
        "other": {"party": other.name, "track_id": other_track},
        "window": window.spec(),
    }
    return ExemptionProposed(exemption_id, (proposer.id, other.id), spec)


def _track_id(value: object, field: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise InputError(field, "a track id: 1 to 64 characters")
    problem = identifier_problem(value)
    if problem is not None:
        raise InputError(field, problem)
    return value


@dataclass(frozen=True, slots=True)
class Exemption:
    id: str
    #: (party id, track id) of the proposer's track and of the other party's.
    proposer: TrackKey
    other: TrackKey
    proposer_name: str
    other_name: str
    window: Window
    accepted_us: int | None = None
    revoked_us: int | None = None

    def holds(self, now_us: int) -> bool:
        return (
            self.accepted_us is not None
            and self.revoked_us is None
            and self.window.start_us <= now_us < self.window.end_us
        )

    @property
    def pair(self) -> frozenset[TrackKey]:
        return frozenset({self.proposer, self.other})

    @property
    def state(self) -> str:
        if self.revoked_us is not None:
            return "revoked"
        return "accepted" if self.accepted_us is not None else "proposed"

    def spec(self) -> dict[str, Any]:
        return {
            "exemption_id": self.id,
            "proposer": {"party": self.proposer_name, "track_id": self.proposer[1]},
            "other": {"party": self.other_name, "track_id": self.other[1]},
            "window": self.window.spec(),
        }


@dataclass(frozen=True, slots=True)
class _ExemptionEvent(JournalEvent):
    family: ClassVar[str] = "exemption"
    streamed: ClassVar[bool] = True

    exemption_id: str
    party_ids: tuple[int, int]

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(self.party_ids)

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return without(payload, "party_ids")


@register
@dataclass(frozen=True, slots=True)
class ExemptionProposed(_ExemptionEvent):
    kind: ClassVar[str] = "exemption.proposed"

    spec: Mapping[str, Any]

    def payload(self) -> dict[str, Any]:
        return {**dict(self.spec), "party_ids": list(self.party_ids)}

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = dict(record.payload)
        ids = p.pop("party_ids")
        return cls(str(p["exemption_id"]), (int(ids[0]), int(ids[1])), p)


@dataclass(frozen=True, slots=True)
class _Transition(_ExemptionEvent):
    #: The party that accepted or revoked.
    by: str = ""

    def payload(self) -> dict[str, Any]:
        return {"exemption_id": self.exemption_id, "party_ids": list(self.party_ids), "by": self.by}

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        ids = p["party_ids"]
        return cls(str(p["exemption_id"]), (int(ids[0]), int(ids[1])), str(p["by"]))


@register
@dataclass(frozen=True, slots=True)
class ExemptionAccepted(_Transition):
    kind: ClassVar[str] = "exemption.accepted"


@register
@dataclass(frozen=True, slots=True)
class ExemptionRevoked(_Transition):
    kind: ClassVar[str] = "exemption.revoked"


@register
@dataclass(frozen=True, slots=True)
class ExemptionSuppressed(_ExemptionEvent):
    """An encounter between the two tracks that would have been alerted, held back."""

    kind: ClassVar[str] = "exemption.suppressed"

    tracks: tuple[str, str] = ("", "")
    tier: str = ""
    t_in_s: float = 0.0
    dcpa_nm: float = 0.0

    def payload(self) -> dict[str, Any]:
        return {
            "exemption_id": self.exemption_id,
            "party_ids": list(self.party_ids),
            "tracks": list(self.tracks),
            "tier": self.tier,
            "t_in_s": self.t_in_s,
            "dcpa_nm": self.dcpa_nm,
        }

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        ids = p["party_ids"]
        a, b = (str(t) for t in p["tracks"])
        return cls(
            str(p["exemption_id"]),
            (int(ids[0]), int(ids[1])),
            (a, b),
            str(p["tier"]),
            float(p["t_in_s"]),
            float(p["dcpa_nm"]),
        )


EXEMPTION_KINDS = kinds(family="exemption")


def exemption_of(event: ExemptionProposed, time_us: int) -> Exemption:
    spec = event.spec
    first, second = event.party_ids
    return Exemption(
        id=event.exemption_id,
        proposer=(first, str(spec["proposer"]["track_id"])),
        other=(second, str(spec["other"]["track_id"])),
        proposer_name=str(spec["proposer"]["party"]),
        other_name=str(spec["other"]["party"]),
        window=parse_window(spec["window"], float("inf")),
    )


class ExemptionBook:
    """Thread-safe: `apply` from the commit listener, reads from anywhere."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exemptions: dict[str, Exemption] = {}

    def apply(self, records: Sequence[Record]) -> None:
        for record in records:
            if record.kind not in EXEMPTION_KINDS:
                continue
            event = decode(record)
            with self._lock:
                if isinstance(event, ExemptionProposed):
                    self._exemptions[event.exemption_id] = exemption_of(event, record.time_us)
                    continue
                if not isinstance(event, _ExemptionEvent):
                    continue
                known = self._exemptions.get(event.exemption_id)
                if known is None:
                    continue
                if isinstance(event, ExemptionAccepted) and known.accepted_us is None:
                    self._exemptions[known.id] = replace(known, accepted_us=record.time_us)
                elif isinstance(event, ExemptionRevoked) and known.revoked_us is None:
                    self._exemptions[known.id] = replace(known, revoked_us=record.time_us)

    def get(self, exemption_id: str) -> Exemption | None:
        with self._lock:
            return self._exemptions.get(exemption_id)

    def all(self) -> list[Exemption]:
        with self._lock:
            return list(self._exemptions.values())

    def holding(self, now_us: int) -> dict[frozenset[TrackKey], Exemption]:
        """The exemptions in force now, by the pair of tracks they clear."""
        with self._lock:
            return {e.pair: e for e in self._exemptions.values() if e.holds(now_us)}
