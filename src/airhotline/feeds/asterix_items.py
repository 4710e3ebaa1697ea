"""ASTERIX records, as `asterix-decoder` gives them, to the pieces of a state report.

Pure functions, one per category, from one decoded record (a dict of data items, each a
dict of fields whose value is under ``"val"``, already scaled to the unit the decoder's
category definition names) to a `Report` or the reason it makes none:

=======  ====================================================================  ==========
cat      items used (unit as the decoder gives it)                             position
=======  ====================================================================  ==========
021      010 SAC/SIC, 040 SIM/GBS, 080 address, 131 or 130 lat/lon (deg),      WGS-84
         145 flight level (FL), 160 ground speed (NM/s) and track (deg),
         155 barometric or 157 geometric vertical rate (ft/min), 170 callsign,
         073, 071 or 077 time of day (s)
048      010 SAC/SIC, 020 TYP/SIM/RAB, 040 RHO (NM, slant) / THETA (deg),      polar from
         090 flight level (FL, V/G flags), 140 time of day (s), 161 track      the radar
         number, 200 ground speed (kt) and heading (deg), 220 address,
         240 callsign
062      010 SAC/SIC, 040 track number, 070 time of track (s), 080 SIM/TSE,    WGS-84
         105 lat/lon (deg), 136 measured flight level or 135 barometric
         altitude (ft), 185 Vx/Vy (m/s), 220 rate of climb (ft/min),
         380 address and callsign, 390 flight plan callsign
=======  ====================================================================  ==========

A value the decoder could not give (a missing item, a field of the wrong type, NaN) is
None, never an exception: a garbled record is a rejection like any other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from airhotline import units
from airhotline.feeds._rejects import GARBLED, IGNORED, OUT_OF_RANGE
from airhotline.feeds._rows import clean_callsign, clean_icao24

__all__ = ["Plot", "Report", "cat021", "cat048", "cat062", "number", "text"]

_FT_PER_FL = 100.0
_S_PER_H = 3_600.0


@dataclass(frozen=True, slots=True)
class Report:
    """A state in WGS-84 (CAT021, CAT062), all but its report time resolved."""

    track_id: str
    tod_s: float
    lat: float
    lon: float
    alt_ft: float
    gs_kt: float
    track_deg: float
    #: None when the record says no vertical rate (the assembler then derives one).
    vrate_fpm: float | None
    callsign: str | None
    icao24: str | None


@dataclass(frozen=True, slots=True)
class Plot:
    """A CAT048 target report: polar position from the radar ``sensor`` (SAC, SIC)."""

    sensor: tuple[int, int]
    track_id: str
    tod_s: float
    slant_nm: float
    azimuth_deg: float
    alt_ft: float
    gs_kt: float
    track_deg: float
    callsign: str | None
    icao24: str | None


def _field(record: dict[str, Any], item: str, *path: str) -> object:
    node: object = record.get(item)
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node.get("val") if isinstance(node, dict) else None


def number(record: dict[str, Any], item: str, *path: str) -> float | None:
    """A field's value as a finite float, or None."""
    value = _field(record, item, *path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def text(record: dict[str, Any], item: str, *path: str) -> str | None:
    value = _field(record, item, *path)
    return value if isinstance(value, str) else None


def _sensor(record: dict[str, Any]) -> tuple[int, int] | None:
    sac, sic = number(record, "I010", "SAC"), number(record, "I010", "SIC")
    return None if sac is None or sic is None else (int(sac), int(sic))


def _set(record: dict[str, Any], item: str, field: str) -> bool:
    return number(record, item, field) == 1.0


def _identity(
    record: dict[str, Any], address: str | None, sensor: tuple[int, int], track: float | None
) -> tuple[str, str | None] | None:
    """(track id, icao24): the address when the aircraft gave one, else the source's own
    track number, which is unique per source (SAC/SIC)."""
    icao24 = clean_icao24(address) if address is not None else None
    if icao24 is not None:
        return icao24, icao24
    if track is None:
        return None
    return f"{sensor[0]}/{sensor[1]}/{int(track)}", None


def cat021(record: dict[str, Any]) -> Report | str:
    """An ADS-B report (CAT021 edition 2)."""
    sensor = _sensor(record)
    if sensor is None:
        return GARBLED
    if _set(record, "I040", "SIM") or _set(record, "I040", "GBS"):
        return IGNORED  # a simulated target, or an aircraft on the ground
    lat, lon = number(record, "I131", "Lat"), number(record, "I131", "Lon")
    if lat is None or lon is None:
        lat, lon = number(record, "I130", "Lat"), number(record, "I130", "Lon")
    fl = number(record, "I145", "FL")
    gs_nmps, track = number(record, "I160", "GS"), number(record, "I160", "TA")
    tod = _first_time(record, ("I073", "I071", "I077"))
    if lat is None or lon is None or fl is None or gs_nmps is None or track is None:
        return IGNORED  # no airborne state in it: a status or a partial report
    if tod is None:
        return GARBLED
    if _set(record, "I160", "RE"):
        return OUT_OF_RANGE  # ground speed beyond what the item can say
    vrate = number(record, "I155", "BVR")
    if vrate is None:
        vrate = number(record, "I157", "GVR")
    identity = _identity(record, text(record, "I080", "TAddr"), sensor, None)
    if identity is None:
        return GARBLED
    return Report(
        identity[0],
        tod,
        lat,
        lon,
        fl * _FT_PER_FL,
        gs_nmps * _S_PER_H,
        track,
        vrate,
        clean_callsign(text(record, "I170", "TId")),
        identity[1],
    )


def _first_time(record: dict[str, Any], items: tuple[str, ...]) -> float | None:
    """The first of ``items`` holding a time of day: each is one field, whose name the
    decoder's definition gives (``time_reception_position`` and so on)."""
    for item in items:
        fields = record.get(item)
        if not isinstance(fields, dict):
            continue
        for name in fields:
            value = number(record, item, name)
            if value is not None:
                return value
    return None


def cat048(record: dict[str, Any]) -> Plot | str:
    """A monoradar target report: a plot of a confirmed track, with its level."""
    sensor = _sensor(record)
    if sensor is None:
        return GARBLED
    if _set(record, "I020", "SIM") or _set(record, "I020", "RAB"):
        return IGNORED  # a simulated target, or the radar's own field monitor
    if number(record, "I020", "TYP") == 0.0:
        return IGNORED  # "no detection": a track coasting without a plot
    rho, theta = number(record, "I040", "RHO"), number(record, "I040", "THETA")
    fl = number(record, "I090", "FL")
    tod = number(record, "I140", "ToD")
    gs, heading = number(record, "I200", "CGS"), number(record, "I200", "CHdg")
    if rho is None or theta is None or tod is None:
        return GARBLED  # every target report has a position and a time
    if fl is None or _set(record, "I090", "V") or _set(record, "I090", "G"):
        return IGNORED  # no valid level: nothing to deconflict vertically
    if gs is None or heading is None:
        return IGNORED  # a plot without a track: no velocity
    identity = _identity(
        record, text(record, "I220", "ACAddr"), sensor, number(record, "I161", "Tn")
    )
    if identity is None:
        return IGNORED  # neither an address nor a track number to follow it by
    return Plot(
        sensor,
        identity[0],
        tod,
        rho,
        theta,
        fl * _FT_PER_FL,
        gs,
        heading,
        clean_callsign(text(record, "I240", "TId")),
        identity[1],
    )


def cat062(record: dict[str, Any]) -> Report | str:
    """A system track (an ARTAS-like tracker's fused picture)."""
    sensor = _sensor(record)
    if sensor is None:
        return GARBLED
    if _set(record, "I080", "SIM"):
        return IGNORED
    if _set(record, "I080", "TSE"):
        return IGNORED  # the track's last message: the tracker has ended it
    lat, lon = number(record, "I105", "Lat"), number(record, "I105", "Lon")
    vx, vy = number(record, "I185", "Vx"), number(record, "I185", "Vy")
    alt = number(record, "I136", "MFL")
    if alt is None:
        alt = number(record, "I135", "CTBA")
    tod = number(record, "I070", "ToT")
    if tod is None:
        return GARBLED  # every track update has its time
    if lat is None or lon is None or vx is None or vy is None or alt is None:
        return IGNORED  # a track without WGS-84 position, velocity or level
    identity = _identity(
        record, text(record, "I380", "ADR", "ADR"), sensor, number(record, "I040", "TrkN")
    )
    if identity is None:
        return GARBLED
    callsign = text(record, "I380", "ID", "ACID") or text(record, "I390", "CSN", "CS")
    return Report(
        identity[0],
        tod,
        lat,
        lon,
        alt,
        units.kt_from_mps(math.hypot(vx, vy)),
        math.degrees(math.atan2(vx, vy)) % 360.0,
        number(record, "I220", "RoC"),
        clean_callsign(callsign),
        identity[1],
    )
