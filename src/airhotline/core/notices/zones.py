"""Designated zones: areas with rules of their own, set by the admin.

A zone holds the aircraft inside it (in its area and band) to its own minima — a drill
zone with 5 NM / 2 000 ft — and may declare a joint activity between named parties,
during which their aircraft inside it are not alerted against each other. Where zones
overlap, the largest minima win; a pair is held to the largest of its agreement's minima
and those either track's position calls for (`airhotline.core.alerts.minima`).

Every cycle, `ZoneBook.minima_of` finds each track's zone minima: the tracks within each
zone's reach from the cycle's track index (`nearby`), then the exact test in the zone's
plane for those few — work that grows with the tracks near a zone, not with tracks ×
zones.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from airhotline import units
from airhotline.bounds import bounded
from airhotline.core.events import JournalEvent, SharingRules, decode, kinds, register
from airhotline.core.notices.area import SCREEN_SLACK, Area, parse_area, unit_vectors
from airhotline.core.notices.band import Band, limit_value, parse_band
from airhotline.core.notices.nearby import TrackIndex
from airhotline.core.records import Record
from airhotline.errors import InputError

__all__ = ["ZONE_KINDS", "Zone", "ZoneBook", "ZoneMinima", "ZoneRemoved", "ZoneSet", "parse_zone"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: A zone's minima: from tight formation work to the widest buffer.
_H_NM = (0.1, 100.0)
_V_FT = (100.0, 10_000.0)


@dataclass(frozen=True, slots=True, eq=False)
class Zone:
    id: str
    name: str
    area: Area
    band: Band
    h_sep_nm: float | None
    v_sep_ft: float | None
    #: Parties of a declared joint activity: not alerted against each other inside.
    quiet: tuple[str, ...]

    def spec(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "area": dict(self.area.spec),
            "lower": limit_value(self.band.lower),
            "upper": limit_value(self.band.upper),
            "h_sep_nm": self.h_sep_nm,
            "v_sep_ft": self.v_sep_ft,
            "quiet": list(self.quiet),
        }


def _minimum(value: object, field: str, bounds: tuple[float, float]) -> float | None:
    return None if value is None else bounded(value, field, bounds)


def parse_zone(zone_id: str, body: Mapping[str, Any], known: Sequence[str]) -> Zone:
    """A zone from the admin's body; ``known`` are the party names."""
    allowed = ("name", "area", "lower", "upper", "h_sep_nm", "v_sep_ft", "quiet")
    for key in body:
        if key not in allowed:
            raise InputError(str(key), "not a field of a zone")
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
        raise InputError("name", "1 to 64 characters")
    quiet = body.get("quiet", [])
    if not isinstance(quiet, list) or not all(isinstance(q, str) for q in quiet):
        raise InputError("quiet", "a list of party names")
    for k, party in enumerate(quiet):
        if party not in known:
            raise InputError(f"quiet[{k}]", f"no party named {party!r}")
    if len(quiet) == 1:
        raise InputError("quiet", "a joint activity is between two parties or more")
    h = _minimum(body.get("h_sep_nm"), "h_sep_nm", _H_NM)
    v = _minimum(body.get("v_sep_ft"), "v_sep_ft", _V_FT)
    if h is None and v is None and not quiet:
        raise InputError("h_sep_nm", "a zone sets minima, a joint activity, or both")
    return Zone(
        id=zone_id,
        name=name.strip(),
        area=parse_area(body.get("area")),
        band=parse_band(body.get("lower", "SFC"), body.get("upper", "UNL")),
        h_sep_nm=h,
        v_sep_ft=v,
        quiet=tuple(dict.fromkeys(quiet)),
    )


@register
@dataclass(frozen=True, slots=True)
class ZoneSet(JournalEvent):
    """A zone designated or changed by the admin. Audience: every party."""

    kind: ClassVar[str] = "zone.set"
    family: ClassVar[str] = "zone"
    streamed: ClassVar[bool] = True

    zone_id: str
    spec: Mapping[str, Any]

    def payload(self) -> dict[str, Any]:
        return {"zone_id": self.zone_id, **dict(self.spec)}

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(rules.party_ids())

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = dict(record.payload)
        return cls(str(p.pop("zone_id")), p)


@register
@dataclass(frozen=True, slots=True)
class ZoneRemoved(JournalEvent):
    kind: ClassVar[str] = "zone.removed"
    family: ClassVar[str] = "zone"
    streamed: ClassVar[bool] = True

    zone_id: str

    def payload(self) -> dict[str, Any]:
        return {"zone_id": self.zone_id}

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return frozenset(rules.party_ids())

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        return cls(str(record.payload["zone_id"]))


ZONE_KINDS = kinds(family="zone")


@dataclass(frozen=True, slots=True)
class ZoneMinima:
    """Each track's zone minima (0: no zone calls for any) and its quiet zones."""

    h_m: FloatArray
    v_m: FloatArray
    #: For each quiet zone, which tracks are inside it, and its parties' names.
    quiet: tuple[tuple[BoolArray, tuple[str, ...]], ...]


class ZoneBook:
    """The zones, folded from the journal; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zones: dict[str, Zone] = {}

    def apply(self, records: Sequence[Record]) -> None:
        for record in records:
            if record.kind not in ZONE_KINDS:
                continue
            event = decode(record)
            with self._lock:
                if isinstance(event, ZoneRemoved):
                    self._zones.pop(event.zone_id, None)
                elif isinstance(event, ZoneSet):
                    spec = event.spec
                    self._zones[event.zone_id] = Zone(
                        id=event.zone_id,
                        name=str(spec["name"]),
                        area=parse_area(spec["area"]),
                        band=parse_band(spec["lower"], spec["upper"]),
                        h_sep_nm=spec["h_sep_nm"],
                        v_sep_ft=spec["v_sep_ft"],
                        quiet=tuple(spec["quiet"]),
                    )

    def zones(self) -> list[Zone]:
        with self._lock:
            return list(self._zones.values())

    def get(self, zone_id: str) -> Zone | None:
        with self._lock:
            return self._zones.get(zone_id)

    def minima_of(
        self,
        lat_deg: FloatArray,
        lon_deg: FloatArray,
        alt_ft: FloatArray,
        nearby: TrackIndex | None = None,
    ) -> ZoneMinima | None:
        """Each track's zone minima, or None when no zone holds any track. ``nearby`` is
        the cycle's index of the same tracks (built here when not given)."""
        zones = self.zones()
        if not zones or lat_deg.size == 0:
            return None
        nearby = nearby if nearby is not None else TrackIndex(lat_deg, lon_deg)
        h = np.zeros(lat_deg.size)
        v = np.zeros(lat_deg.size)
        quiet: list[tuple[BoolArray, tuple[str, ...]]] = []
        touched = False
        for zone in zones:
            area = zone.area
            rows = nearby.within(unit_vectors(area.lat0, area.lon0), area.reach_m * SCREEN_SLACK)
            rows = rows[(alt_ft[rows] >= zone.band.lower_ft) & (alt_ft[rows] <= zone.band.upper_ft)]
            if rows.size == 0:
                continue
            inside = np.zeros(lat_deg.size, dtype=bool)
            inside[rows] = area.contains(lat_deg[rows], lon_deg[rows])
            if not inside.any():
                continue
            touched = True
            if zone.h_sep_nm is not None:
                h[inside] = np.maximum(h[inside], float(units.m_from_nm(zone.h_sep_nm)))
            if zone.v_sep_ft is not None:
                v[inside] = np.maximum(v[inside], float(units.m_from_ft(zone.v_sep_ft)))
            if zone.quiet:
                quiet.append((inside, zone.quiet))
        return ZoneMinima(h, v, tuple(quiet)) if touched else None
