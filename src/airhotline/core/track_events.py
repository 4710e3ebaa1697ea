"""The tracks family of journal events: report batches and lost tracks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline.core.events import JournalEvent, SharingRules, kinds, register
from airhotline.core.records import Record
from airhotline.core.reports import ReportBatch

__all__ = ["TrackLost", "TracksReported", "all_but_reports"]


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
    """A party's tracks silent past the lost limit, in one record per party and cycle.
    Audience: that party and every party that shares its full picture (those who could
    see them go).

    Version 2: ``tracks`` lists each lost track with its last report time. Version 1
    (0.1.0) wrote one record per track with ``track_id`` and ``last_report_us``, so
    620 000 invented track ids once made 400 000 records.
    """

    kind: ClassVar[str] = "track.lost"
    version: ClassVar[int] = 2
    family: ClassVar[str] = "tracks"
    streamed: ClassVar[bool] = True

    owner_id: int
    party: str
    #: (track id, last report time) of each lost track.
    tracks: tuple[tuple[str, int], ...]

    @property
    def party_id(self) -> int | None:
        return self.owner_id

    def payload(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "tracks": [{"track_id": t, "last_report_us": at} for t, at in self.tracks],
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
        if version == 1:
            return cls(
                record.party_id, str(p["party"]), ((str(p["track_id"]), int(p["last_report_us"])),)
            )
        tracks = tuple((str(t["track_id"]), int(t["last_report_us"])) for t in p["tracks"])
        return cls(record.party_id, str(p["party"]), tracks)


def all_but_reports() -> frozenset[str]:
    """Every registered kind but the reports: what a reader of a journal's story (a
    drill's outcomes, a debrief) reads whole, the reports being nearly all of it."""
    return kinds() - {TracksReported.kind}
