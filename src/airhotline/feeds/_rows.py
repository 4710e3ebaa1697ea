"""Rows: state reports exactly as ``ReportBatch.from_rows`` and ``POST /v1/tracks`` take
them, and the one check that an adapter's row will pass that validation.

Feeds speak many units; a row is in the ingest API's: degrees, feet, knots, feet per
minute, UTC microseconds. Every adapter builds its rows with `make_row`, which refuses
(returns None for) anything the ingest validation would refuse, so that one implausible
aircraft never gets a whole batch of other aircraft refused.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from airhotline.bounds import ALT_FT_RANGE, LAT_RANGE, LON_RANGE

__all__ = [
    "GS_KT_RANGE",
    "TRACK_DEG_RANGE",
    "VRATE_FPM_RANGE",
    "Row",
    "clean_callsign",
    "clean_icao24",
    "make_row",
]

# The ingest schema's bounds (service/schemas.py `StateReportIn`), mirrored here because
# the feeds may not import the service layer; tests/feeds check that they agree.
GS_KT_RANGE = (0.0, 4_000.0)
TRACK_DEG_RANGE = (0.0, 360.0)
VRATE_FPM_RANGE = (-60_000.0, 60_000.0)
MAX_TRACK_ID = 64
MAX_CALLSIGN = 16
#: UTC microseconds from 1970 to 2100, the range the ingest API accepts.
TIME_US_RANGE = (0, 4_102_444_800_000_000)
_HEX = frozenset("0123456789abcdef")


class Row(TypedDict):
    track_id: str
    time_us: int
    lat: float
    lon: float
    alt_ft: float
    gs_kt: float
    track_deg: float
    vrate_fpm: float
    callsign: NotRequired[str | None]
    icao24: NotRequired[str | None]
    aircraft_type: NotRequired[str | None]
    #: A recording's own party column, for the feed client to route (the API accepts a
    #: report's party when it is the caller's).
    party: NotRequired[str]


def clean_icao24(text: str) -> str | None:
    """A 24-bit address as six lower-case hex digits, or None if ``text`` is not one."""
    address = text.strip().lower()
    if len(address) != 6 or not _HEX.issuperset(address):
        return None
    return address


def clean_callsign(text: str | None) -> str | None:
    """A callsign with its padding removed, or None when empty or not an identifier
    (the ingest API refuses control characters and over-long callsigns)."""
    if text is None:
        return None
    callsign = text.strip(" _@\x00")
    if not callsign or len(callsign) > MAX_CALLSIGN or not callsign.isprintable():
        return None
    return callsign


def make_row(
    track_id: str,
    time_us: int,
    lat: float,
    lon: float,
    alt_ft: float,
    gs_kt: float,
    track_deg: float,
    vrate_fpm: float,
    *,
    callsign: str | None = None,
    icao24: str | None = None,
    aircraft_type: str | None = None,
) -> Row | None:
    """A row that will pass ingest validation, or None when a value is out of its bounds.

    A track angle of exactly 360 is kept (the API takes it); NaN fails every comparison
    and so is refused like any other value out of range.
    """
    if not (
        LAT_RANGE[0] <= lat <= LAT_RANGE[1]
        and LON_RANGE[0] <= lon <= LON_RANGE[1]
        and ALT_FT_RANGE[0] <= alt_ft <= ALT_FT_RANGE[1]
        and GS_KT_RANGE[0] <= gs_kt <= GS_KT_RANGE[1]
        and TRACK_DEG_RANGE[0] <= track_deg <= TRACK_DEG_RANGE[1]
        and VRATE_FPM_RANGE[0] <= vrate_fpm <= VRATE_FPM_RANGE[1]
        and TIME_US_RANGE[0] <= time_us <= TIME_US_RANGE[1]
        and 0 < len(track_id) <= MAX_TRACK_ID
        and track_id.isprintable()
        and track_id[0] != " "
        and track_id[-1] != " "
    ):
        return None
    row: Row = {
        "track_id": track_id,
        "time_us": int(time_us),
        "lat": float(lat),
        "lon": float(lon),
        "alt_ft": float(alt_ft),
        "gs_kt": float(gs_kt),
        "track_deg": float(track_deg),
        "vrate_fpm": float(vrate_fpm),
    }
    if callsign is not None:
        row["callsign"] = callsign
    if icao24 is not None:
        row["icao24"] = icao24
    if aircraft_type is not None:
        row["aircraft_type"] = aircraft_type
    return row
