"""A notice: one party's word on where not to fly, in which band and when. Immutable;
each amendment is a new version with the same id.

A notice never names or describes a target: its kind says what sort of danger it is,
its description is for the other centres' duty officers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from airhotline.core.messages.catalogue import NOTICE_KINDS
from airhotline.core.notices.area import Area, parse_area
from airhotline.core.notices.band import Band, limit_value, parse_band
from airhotline.core.notices.window import Window, parse_window
from airhotline.errors import InputError

__all__ = ["NOTICE_KINDS", "Notice", "NoticePolicy", "notice_from_spec"]


@dataclass(frozen=True, slots=True)
class NoticePolicy:
    #: The agreed lead time per kind: a notice published with less is *short notice*.
    lead_time_s: Mapping[str, float] = field(
        default_factory=lambda: {
            "air-operations": 900.0,
            "live-firing": 1_800.0,
            "missile-corridor": 3_600.0,
            "uav-operations": 900.0,
            "aerial-refuelling": 900.0,
            "parachuting": 900.0,
            "drill": 3_600.0,
            "other": 0.0,
        }
    )
    #: The longest window a notice may have.
    max_window_s: float = 30 * 86_400.0
    #: How long after its window ends a notice stays in `GET /v1/notices`.
    retain_s: float = 86_400.0


@dataclass(frozen=True, slots=True)
class Notice:
    id: str
    version: int
    owner: int
    owner_name: str
    kind: str
    area: Area
    band: Band
    window: Window
    description: str
    #: The parties told of it (all with an agreement, unless the owner named some).
    recipients: tuple[int, ...]
    #: Whether the owner restricted it to named parties.
    restricted: bool
    short_notice: bool
    published_us: int
    cancelled_us: int | None = None

    @property
    def active(self) -> bool:
        return self.cancelled_us is None

    def spec(self) -> dict[str, Any]:
        """What a notice is, as sent and journaled (without who and when)."""
        return {
            "kind": self.kind,
            "area": dict(self.area.spec),
            "lower": limit_value(self.band.lower),
            "upper": limit_value(self.band.upper),
            "window": self.window.spec(),
            "description": self.description,
        }

    def shown_to(self, party_id: int | None) -> bool:
        return party_id is None or party_id == self.owner or party_id in self.recipients


def notice_from_spec(
    spec: Mapping[str, Any], max_window_s: float
) -> tuple[str, Area, Band, Window]:
    """The kind, area, band and window of a spec (journaled or sent), checked."""
    kind = spec.get("kind")
    if kind not in NOTICE_KINDS:
        raise InputError("kind", f"one of {', '.join(NOTICE_KINDS)}")
    area = parse_area(spec.get("area"))
    band = parse_band(spec.get("lower"), spec.get("upper"))
    window = parse_window(spec.get("window"), max_window_s)
    return str(kind), area, band, window
