"""The tracks family of journal events: report batches and lost tracks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline.core.events import JournalEvent, SharingRules, register
from airhotline.core.records import Record
from airhotline.core.reports import ReportBatch

__all__ = ["TrackLost", "TracksReported"]


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
