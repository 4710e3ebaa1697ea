"""The notice family of journal events: a notice published, amended (a new version) or
cancelled. Each record carries the version's whole spec — area, band, window, kind,
description — so that the journal alone says what every version was.

Audience: the notice's owner and the parties it was told to (every party whose
agreement with the owner is active, or those the owner named).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline.core.events import JournalEvent, SharingRules, register, without
from airhotline.core.records import Record

__all__ = [
    "NoticeAmended",
    "NoticeCancelled",
    "NoticeEvent",
    "NoticeOverlap",
    "NoticePublished",
]


@dataclass(frozen=True, slots=True)
class NoticeEvent(JournalEvent):
    family: ClassVar[str] = "notice"
    streamed: ClassVar[bool] = True

    notice_id: str
    #: The notice's version (not the payload's: that is `JournalEvent.version`).
    notice_version: int
    owner: str
    owner_id: int
    recipients: tuple[str, ...]
    recipient_ids: tuple[int, ...]
    restricted: bool
    short_notice: bool
    #: The version's spec (`Notice.spec`).
    spec: Mapping[str, Any]

    def payload(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id,
            "version": self.notice_version,
            "party": self.owner,
            "party_id": self.owner_id,
            "to": list(self.recipients),
            "to_ids": list(self.recipient_ids),
            "restricted": self.restricted,
            "short_notice": self.short_notice,
            **dict(self.spec),
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset({self.owner_id, *self.recipient_ids})

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        spec = {k: p[k] for k in ("kind", "area", "lower", "upper", "window", "description")}
        return cls(
            str(p["notice_id"]),
            int(p["version"]),
            str(p["party"]),
            int(p["party_id"]),
            tuple(p["to"]),
            tuple(p["to_ids"]),
            bool(p["restricted"]),
            bool(p["short_notice"]),
            spec,
        )

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """Without the hotline's internal party ids; a restricted notice's other
        readers are the owner's business."""
        shown = without(payload, "party_id", "to_ids")
        if payload.get("restricted"):
            shown.pop("to", None)
        return shown


@register
@dataclass(frozen=True, slots=True)
class NoticePublished(NoticeEvent):
    kind: ClassVar[str] = "notice.published"


@register
@dataclass(frozen=True, slots=True)
class NoticeAmended(NoticeEvent):
    """A new version, replacing ``version - 1``."""

    kind: ClassVar[str] = "notice.amended"


@register
@dataclass(frozen=True, slots=True)
class NoticeCancelled(NoticeEvent):
    """The notice withdrawn (its last version's spec, for the record)."""

    kind: ClassVar[str] = "notice.cancelled"


@register
@dataclass(frozen=True, slots=True)
class NoticeOverlap(JournalEvent):
    """Two parties' notices collide in area, band and time: both owners are told, with
    what they share. Audience: the two owners."""

    kind: ClassVar[str] = "notice.overlap"
    family: ClassVar[str] = "notice"
    streamed: ClassVar[bool] = True

    #: (notice id, version, owner name, owner id) of each, the new one first.
    notices: tuple[tuple[str, int, str, int], tuple[str, int, str, int]]
    lower: str | int
    upper: str | int
    #: Shared periods, ISO 8601 UTC.
    periods: tuple[tuple[str, str], ...]
    #: GeoJSON MultiPolygon coordinates of the shared area.
    area: list[Any]

    def payload(self) -> dict[str, Any]:
        return {
            "notices": [
                {"notice_id": i, "version": v, "party": name, "party_id": pid}
                for i, v, name, pid in self.notices
            ],
            "lower": self.lower,
            "upper": self.upper,
            "periods": [list(p) for p in self.periods],
            "area": {"type": "MultiPolygon", "coordinates": self.area},
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(n[3] for n in self.notices)

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        a, b = (
            (str(n["notice_id"]), int(n["version"]), str(n["party"]), int(n["party_id"]))
            for n in p["notices"]
        )
        return cls(
            (a, b),
            p["lower"],
            p["upper"],
            tuple((str(s), str(e)) for s, e in p["periods"]),
            list(p["area"]["coordinates"]),
        )

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return {
            **payload,
            "notices": [
                {k: v for k, v in n.items() if k != "party_id"} for n in payload["notices"]
            ],
        }
