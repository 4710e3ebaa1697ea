"""Safety alerts: each party warned about its own aircraft when nothing may be shared.

A suspended agreement shares nothing between two parties — but flight safety wins over
it: when their aircraft are predicted to lose separation, each party whose own track is
established still hears of it, about its own aircraft only. A safety alert says the
tier, the time to loss of separation and the closest approach, and where the intruder
is as seen from the own aircraft — bearing relative to its track, range and level — and
nothing that names the intruder: no party, no track id, no callsign. One record per
party and transition, to that party alone; the full alert goes to the admin as always.
A safety alert is not acknowledged (nobody on the other side could see it) and so does
not escalate: the admin's alert does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline import geo, units
from airhotline.core.alerts.codec import ft, nm
from airhotline.core.alerts.model import Alert
from airhotline.core.events import JournalEvent, SharingRules, register
from airhotline.core.picture import PictureView, TrackKey
from airhotline.core.records import Record

__all__ = ["Intruder", "SafetyAlert", "intruder_seen_from"]


@dataclass(frozen=True, slots=True)
class Intruder:
    """Where the other aircraft is, seen from the own one."""

    #: Clockwise from the own aircraft's track, in [0, 360): 90 is off its right wing.
    relative_bearing_deg: float
    range_nm: float
    alt_ft: float


def intruder_seen_from(
    view: PictureView, rows: Mapping[TrackKey, int], own: TrackKey, other: TrackKey
) -> Intruder | None:
    """The intruder as seen from ``own`` in this view; None if either is gone."""
    if own not in rows or other not in rows:
        return None
    i, j = rows[own], rows[other]
    s = view.states
    bearing = geo.bearing_rad(s.lat_deg[i], s.lon_deg[i], s.lat_deg[j], s.lon_deg[j])
    distance = geo.distance_m(s.lat_deg[i], s.lon_deg[i], s.lat_deg[j], s.lon_deg[j])
    relative = math.degrees(float(bearing) - float(s.track_rad[i])) % 360.0
    return Intruder(
        relative_bearing_deg=round(relative if relative < 360.0 else 0.0, 1),
        range_nm=round(float(units.nm_from_m(distance)), 2),
        alt_ft=round(float(units.ft_from_m(s.alt_m[j])), 0),
    )


@register
@dataclass(frozen=True, slots=True)
class SafetyAlert(JournalEvent):
    """One party's warning about its own aircraft. Audience: that party alone."""

    kind: ClassVar[str] = "alert.safety"
    family: ClassVar[str] = "safety"
    streamed: ClassVar[bool] = True

    alert_id: str
    #: ``raised``, ``updated`` or ``resolved``: the alert's transition.
    transition: str
    tier: str
    active: bool
    #: The party warned and its own track.
    own: TrackKey
    t_in_s: float
    t_cpa_s: float
    dcpa_nm: float
    dz_cpa_ft: float
    los: bool
    intruder: Intruder | None
    resolution: str | None

    @classmethod
    def of(cls, transition: str, alert: Alert, own: TrackKey, intruder: Intruder | None) -> Self:
        return cls(
            alert_id=alert.id,
            transition=transition,
            tier=alert.tier.label,
            active=alert.active,
            own=own,
            t_in_s=round(alert.t_in_s, 2),
            t_cpa_s=round(alert.t_cpa_s, 2),
            dcpa_nm=nm(alert.dcpa_m),
            dz_cpa_ft=ft(alert.dz_cpa_m),
            los=alert.los,
            intruder=intruder,
            resolution=alert.resolution,
        )

    def payload(self) -> dict[str, Any]:
        intruder = self.intruder
        return {
            "alert_id": self.alert_id,
            "transition": self.transition,
            "tier": self.tier,
            "state": "active" if self.active else "resolved",
            "own_track_id": self.own[1],
            "t_in_s": self.t_in_s,
            "t_cpa_s": self.t_cpa_s,
            "dcpa_nm": self.dcpa_nm,
            "dz_cpa_ft": self.dz_cpa_ft,
            "los": self.los,
            "intruder": None
            if intruder is None
            else {
                "relative_bearing_deg": intruder.relative_bearing_deg,
                "range_nm": intruder.range_nm,
                "alt_ft": intruder.alt_ft,
            },
            "resolution": self.resolution,
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset({self.own[0]})

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        (party_id,) = record.audience
        seen = p["intruder"]
        return cls(
            alert_id=str(p["alert_id"]),
            transition=str(p["transition"]),
            tier=str(p["tier"]),
            active=p["state"] == "active",
            own=(party_id, str(p["own_track_id"])),
            t_in_s=float(p["t_in_s"]),
            t_cpa_s=float(p["t_cpa_s"]),
            dcpa_nm=float(p["dcpa_nm"]),
            dz_cpa_ft=float(p["dz_cpa_ft"]),
            los=bool(p["los"]),
            intruder=None
            if seen is None
            else Intruder(
                float(seen["relative_bearing_deg"]), float(seen["range_nm"]), float(seen["alt_ft"])
            ),
            resolution=p["resolution"],
        )
