"""Floods: more conflicts between two parties than the hotline follows one by one.

A faulty or hostile feed can put hundreds of tracks over another party's traffic: one
POST once raised 30 000 alerts in a cycle and delayed an unrelated warning by 15 s.
So per pair of parties at most ``limit`` encounters are followed at a time — the most
urgent first (the highest tier, then the soonest loss of separation; chosen, vectorised,
in `prediction`) — and what is held back is said once, as one *flood* report to both
parties and the admin: when it begins, every ``every_s`` while it lasts (with the
count), and when it is over.
Encounters already followed are never dropped; other pairs of parties are untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline.core.events import JournalEvent, SharingRules, register
from airhotline.core.records import Record

__all__ = ["FloodReported", "FloodState", "flood_reports"]

#: A pair of parties, the lesser id first.
Parties = tuple[int, int]


@dataclass(frozen=True, slots=True)
class FloodState:
    """A flood going on between two parties: since when, and when it was last said."""

    since_us: int
    said_us: int


@register
@dataclass(frozen=True, slots=True)
class FloodReported(JournalEvent):
    """More conflicts between two parties than are followed. Audience: both parties."""

    kind: ClassVar[str] = "flood.reported"
    family: ClassVar[str] = "flood"
    streamed: ClassVar[bool] = True

    parties: tuple[str, str]
    party_ids: tuple[int, int]
    #: Predicted conflicts not followed this cycle (0 once it is over).
    held: int
    limit: int
    since_us: int
    over: bool

    def payload(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "held": self.held,
            "limit": self.limit,
            "since_us": self.since_us,
            "state": "over" if self.over else "ongoing",
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(self.party_ids)

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        first, second = (str(n) for n in p["parties"])
        ids = sorted(record.audience)  # written to both parties
        return cls(
            (first, second),
            (ids[0], ids[-1]),
            int(p["held"]),
            int(p["limit"]),
            int(p["since_us"]),
            p["state"] == "over",
        )


def flood_reports(
    held: Mapping[Parties, int],
    floods: Mapping[Parties, FloodState],
    *,
    now_us: int,
    every_us: int,
    limit: int,
    name: Callable[[int], str | None],
) -> tuple[list[FloodReported], dict[Parties, FloodState]]:
    """What to say of floods this cycle, and the floods going on after it."""
    reports: list[FloodReported] = []
    going: dict[Parties, FloodState] = {}

    def report(parties: Parties, count: int, since_us: int, over: bool) -> FloodReported:
        names = (name(parties[0]) or str(parties[0]), name(parties[1]) or str(parties[1]))
        return FloodReported(names, parties, count, limit, since_us, over)

    for parties in sorted(set(held) | set(floods)):
        count = held.get(parties, 0)
        known = floods.get(parties)
        if count == 0:
            if known is not None:
                reports.append(report(parties, 0, known.since_us, over=True))
            continue
        if known is None:
            reports.append(report(parties, count, now_us, over=False))
            going[parties] = FloodState(now_us, now_us)
        elif now_us - known.said_us >= every_us:
            reports.append(report(parties, count, known.since_us, over=False))
            going[parties] = FloodState(known.since_us, now_us)
        else:
            going[parties] = known
    return reports, going
