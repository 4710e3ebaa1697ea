"""The exposure budget: how many distinct foreign tracks a party may be shown per window.

An alert discloses the other party's aircraft to a party (under ``conflicts-only``: its
kinematics while the alert lasts). A party that fakes plausible tracks near another's
traffic could still collect disclosures one by one; the budget caps how many distinct
foreign tracks each party is shown per window (default 100 an hour). Beyond it the
admin is told (`ExposureLimited`) and nothing more is disclosed to that party until the
window lets some go — while the other party keeps getting every alert.

An immutable value kept in the alert book, so that a cycle whose commit fails spends
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Self

from airhotline.core.events import JournalEvent, SharingRules, register
from airhotline.core.picture import TrackKey
from airhotline.core.records import Record

__all__ = ["ExposureLedger", "ExposureLimited"]


@dataclass(frozen=True, slots=True)
class ExposureLedger:
    limit: int = 100
    window_us: int = 3_600 * 1_000_000
    #: Per party: (when first shown, foreign track), oldest first, within the window.
    shown: Mapping[int, tuple[tuple[int, TrackKey], ...]] = field(default_factory=dict)
    #: Per party: until when the admin has been told that the party hit its limit.
    limited_until: Mapping[int, int] = field(default_factory=dict)

    def admit(self, party_id: int, track: TrackKey, now_us: int) -> tuple[ExposureLedger, bool]:
        """May ``track`` be shown to ``party_id`` now? The ledger after the answer."""
        recent = tuple(e for e in self.shown.get(party_id, ()) if e[0] > now_us - self.window_us)
        if any(key == track for _, key in recent):
            return self._with(party_id, recent), True
        if len(recent) >= self.limit:
            return self._with(party_id, recent), False
        return self._with(party_id, (*recent, (now_us, track))), True

    def must_tell_admin(self, party_id: int, now_us: int) -> bool:
        return self.limited_until.get(party_id, 0) <= now_us

    def told_admin(self, party_id: int, now_us: int) -> ExposureLedger:
        until = {**self.limited_until, party_id: now_us + self.window_us}
        return replace(self, limited_until=until)

    def _with(self, party_id: int, entries: tuple[tuple[int, TrackKey], ...]) -> ExposureLedger:
        if self.shown.get(party_id, ()) == entries:
            return self
        return replace(self, shown={**self.shown, party_id: entries})


@register
@dataclass(frozen=True, slots=True)
class ExposureLimited(JournalEvent):
    """A party reached its exposure budget: no more foreign tracks are disclosed to it
    until the window lets some go. Audience: nobody but the admin."""

    kind: ClassVar[str] = "exposure.limited"
    family: ClassVar[str] = "exposure"
    streamed: ClassVar[bool] = True

    party: str
    limited_id: int
    limit: int
    window_s: float

    def payload(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "party_id": self.limited_id,
            "limit": self.limit,
            "window_s": self.window_s,
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset()

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(str(p["party"]), int(p["party_id"]), int(p["limit"]), float(p["window_s"]))
