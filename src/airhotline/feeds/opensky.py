"""OpenSky Network ``states/all`` JSON to state reports.

A response is ``{"time": t, "states": [[...], ...]}``: the states of every aircraft in
``[t - 1, t]`` (UTC seconds), each an array whose fields are, by index (OpenSky's REST
API documentation, "All State Vectors"):

==  ===============  =====================================================  ==========
 i  name             meaning                                                used
==  ===============  =====================================================  ==========
 0  icao24           24-bit address, lower-case hex                         track id
 1  callsign         8 characters, space-padded; null when none received    callsign
 2  origin_country   inferred from the address
 3  time_position    UTC seconds of the last position; null if none in 15 s report time
 4  last_contact     UTC seconds of the last message of any kind
 5  longitude        WGS-84 degrees, nullable                               lon
 6  latitude         WGS-84 degrees, nullable                               lat
 7  baro_altitude    metres, nullable                                       alt_ft
 8  on_ground        true for a surface position                            (skipped)
 9  velocity         ground speed, m/s, nullable                            gs_kt
10  true_track       degrees clockwise from north, nullable                 track_deg
11  vertical_rate    m/s, positive climbing, nullable                       vrate_fpm
12  sensors          receiver ids (only for one's own receivers)
13  geo_altitude     geometric altitude, metres, nullable                   (fallback)
14  squawk           transponder code
15  spi              special position identification
16  position_source  0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM
17  category         aircraft category (only with ``extended=1``)
==  ===============  =====================================================  ==========

A state needs a position, an altitude (barometric; geometric when no barometric one is
sent) and a whole velocity; its report is timed at ``time_position``, and only if that
is at most ``max_age_s`` before the response's ``time`` — OpenSky repeats an aircraft's
last position for 15 s after it stops hearing it. Units are converted with
`airhotline.units`.
"""

from __future__ import annotations

import json
import math
from typing import Any

from airhotline import units
from airhotline.feeds._registry import register
from airhotline.feeds._rejects import GARBLED, IGNORED, OUT_OF_RANGE, Rejections
from airhotline.feeds._rows import Row, clean_callsign, clean_icao24, make_row
from airhotline.feeds._tracks import Freshness

__all__ = ["OpenSkyAssembler", "parse_response"]

_FIELDS = 12  # a state vector has at least the fields up to vertical_rate


def _number(value: object) -> float | None:
    """A JSON number as a finite float; None for null, a boolean or anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def parse_response(document: Any) -> tuple[float, list[list[Any]]] | None:
    """The response's time (UTC seconds) and its state vectors, or None when the
    document is not a ``states/all`` response (``states`` may be null: no aircraft)."""
    if not isinstance(document, dict):
        return None
    time_s = _number(document.get("time"))
    states = document.get("states")
    if time_s is None or not (states is None or isinstance(states, list)):
        return None
    return time_s, [s for s in states or () if isinstance(s, list)]


def state_row(state: list[Any], response_s: float, max_age_s: float) -> Row | str:
    """One state vector's report, or the rejection reason it makes none."""
    if len(state) < _FIELDS or not isinstance(state[0], str):
        return GARBLED
    address = clean_icao24(state[0])
    if address is None:
        return GARBLED
    if state[8] is True:
        return IGNORED  # on the ground
    time_s = _number(state[3])
    lon, lat = _number(state[5]), _number(state[6])
    alt_m = _number(state[7])
    if alt_m is None and len(state) > 13:
        alt_m = _number(state[13])
    gs_mps, track, vrate_mps = _number(state[9]), _number(state[10]), _number(state[11])
    if (
        time_s is None
        or lat is None
        or lon is None
        or alt_m is None
        or gs_mps is None
        or track is None
        or vrate_mps is None
        or response_s - time_s > max_age_s
    ):
        return IGNORED  # incomplete or stale: nothing a report can be made of
    callsign = clean_callsign(state[1]) if isinstance(state[1], str) else None
    try:
        time_us = round(time_s * 1_000_000)
    except OverflowError:
        return OUT_OF_RANGE
    row = make_row(
        address,
        time_us,
        lat,
        lon,
        units.ft_from_m(alt_m),
        units.kt_from_mps(gs_mps),
        track,
        units.fpm_from_mps(vrate_mps),
        callsign=callsign,
        icao24=address,
    )
    return OUT_OF_RANGE if row is None else row


@register("opensky", "OpenSky Network states/all JSON, one response per read or per line")
class OpenSkyAssembler:
    """``states/all`` responses in, state reports out, for one poller.

    ``feed`` takes one whole response, or several on lines of their own (a recording of
    polls). A state whose ``time_position`` is the one already reported for the aircraft
    is not reported again: successive polls repeat a position until a new one is heard.

    **Thread-safety.** None: every call mutates the assembler (the last time reported
    per aircraft). One assembler per poller, fed by one thread.
    """

    def __init__(self, *, freshness: Freshness | None = None) -> None:
        self.rejections = Rejections()
        self.freshness = freshness or Freshness()
        self._reported: dict[str, int] = {}
        self.messages = 0

    def feed(self, data: bytes, received_us: int) -> list[Row]:
        """The reports in the response(s) ``data``; ``received_us`` is not used: OpenSky
        times each state itself."""
        rows: list[Row] = []
        latest_s = 0.0
        for document in _documents(data):
            parsed = parse_response(document)
            if parsed is None:
                self.messages += 1
                self.rejections[GARBLED] += 1
                continue
            response_s, states = parsed
            latest_s = max(latest_s, response_s)
            for state in states:
                self.messages += 1
                row = state_row(state, response_s, self.freshness.max_age_s)
                if isinstance(row, str):
                    self.rejections[row] += 1
                    continue
                if self._reported.get(row["track_id"]) == row["time_us"]:
                    continue
                self._reported[row["track_id"]] = row["time_us"]
                rows.append(row)
        self._forget(latest_s)
        return rows

    def _forget(self, now_s: float) -> None:
        """Forget aircraft not reported for ``forget_s`` before the latest response, once
        there are many, so that the memory stays bounded."""
        if len(self._reported) < 50_000:
            return
        before = round((now_s - self.freshness.forget_s) * 1_000_000)
        self._reported = {a: t for a, t in self._reported.items() if t >= before}


def _documents(data: bytes) -> list[Any]:
    """The JSON documents in ``data``: the whole, or one a line; a line that is no JSON
    becomes None (counted garbled by the caller)."""
    try:
        return [json.loads(data)]
    except (ValueError, RecursionError):
        pass
    documents: list[Any] = []
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except (ValueError, RecursionError):
            documents.append(None)
    return documents
