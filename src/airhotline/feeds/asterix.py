"""EUROCONTROL ASTERIX (CAT021 ADS-B, CAT048 monoradar, CAT062 system tracks) to state
reports, decoded by `asterix-decoder` (its C++ core, imported when an assembler is made).

**Framing.** A stream (TCP, a file of recorded blocks) is a sequence of data blocks:
category (1 byte), length (2 bytes, big-endian, counting these three), records. There is
no sync marker, so a byte that cannot start a block (a category the decoder does not
define, a length under 4) is skipped, one ``garbled`` counted per run of such bytes.
CAT034 and CAT065 blocks (radar and tracker service messages) are ``ignored``; blocks of
other categories are ``unsupported``, skipped whole by their length. Each record of a
CAT021/048/062 block is one message; see `airhotline.feeds.asterix_items`.

**Time.** ASTERIX carries the time of day (UTC seconds since midnight) only: a report is
timed on the day that puts it nearest to ``received_us`` (a recording's start or the
read time), so a feed across midnight keeps its order.

**Radar positions (CAT048).** A monoradar reports slant range and azimuth from itself;
where the radar stands is configuration, never guessed: ``sensors`` maps (SAC, SIC) to
a `Sensor`, and the key None serves every radar not listed (the CLI's
``--sensor [SAC/SIC=]LAT,LON[,HEIGHT_M]``). A plot of a radar without a position is
``unsupported``. Slant range becomes ground range on the sphere of the Earth's radius of
curvature at the radar along the azimuth, with the target at its flight level taken as
a height above the radar's ellipsoid (pressure altitude for height: tens of metres at
most, far below the radar's own range resolution at 100 NM); the target is then placed
along the geodesic from the radar (`airhotline.geo.geodesic_forward`). Where the
geometry has no solution (a slant range shorter than the height difference) the plot is
``out-of-range``.

**Vertical rate.** CAT062 and CAT021 say it; a CAT048 plot does not, so it is the change
of the track's flight level since its previous plot (at most one minute before), and 0
for a track's first plot.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from airhotline import geo, units
from airhotline.feeds import asterix_items as items
from airhotline.feeds._registry import register
from airhotline.feeds._rejects import GARBLED, IGNORED, OUT_OF_RANGE, UNSUPPORTED, Rejections
from airhotline.feeds._rows import Row, make_row
from airhotline.feeds._tracks import Freshness

__all__ = ["AsterixAssembler", "Sensor", "block_time_us", "parse_sensor"]

_DAY_US: Final = 86_400 * 1_000_000
_HEADER: Final = 3
_SERVICE: Final = frozenset((34, 65))
_MAX_PREVIOUS_US: Final = 60 * 1_000_000
_SENSOR_TEXT = re.compile(
    r"^\s*(?:(?P<sac>\d{1,3})/(?P<sic>\d{1,3})\s*=\s*)?"
    r"(?P<lat>[-+0-9.eE]+)\s*,\s*(?P<lon>[-+0-9.eE]+)(?:\s*,\s*(?P<h>[-+0-9.eE]+))?\s*$"
)


@dataclass(frozen=True, slots=True)
class Sensor:
    """Where a radar stands: WGS-84 degrees, height above the ellipsoid in metres."""

    lat: float
    lon: float
    height_m: float = 0.0

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"not a position in degrees: {self.lat}, {self.lon}")
        if not -500.0 <= self.height_m <= 9_000.0:
            raise ValueError(f"not a radar's height in metres: {self.height_m}")


def parse_sensor(text: str) -> tuple[tuple[int, int] | None, Sensor]:
    """``[SAC/SIC=]LAT,LON[,HEIGHT_M]`` as (key, sensor); `ValueError` naming the fault."""
    match = _SENSOR_TEXT.match(text)
    if match is None:
        raise ValueError(f"[SAC/SIC=]LAT,LON[,HEIGHT_M], got {text!r}")
    try:
        sensor = Sensor(
            float(match["lat"]), float(match["lon"]), float(match["h"]) if match["h"] else 0.0
        )
    except ValueError as error:
        raise ValueError(f"{text!r}: {error}") from None
    if match["sac"] is None:
        return None, sensor
    sac, sic = int(match["sac"]), int(match["sic"])
    if sac > 255 or sic > 255:
        raise ValueError(f"SAC and SIC are 0-255, got {text!r}")
    return (sac, sic), sensor


def block_time_us(tod_s: float, received_us: int) -> int | None:
    """A time of day on the day nearest to ``received_us``; None if it is no time of day."""
    if not 0.0 <= tod_s < 86_400.0 or received_us < 0:
        return None
    time_us = received_us // _DAY_US * _DAY_US + round(tod_s * 1_000_000)
    if time_us - received_us > _DAY_US // 2:
        time_us -= _DAY_US
    elif received_us - time_us > _DAY_US // 2:
        time_us += _DAY_US
    return time_us


def _decoder() -> tuple[Callable[[bytes], list[dict[str, Any]]], frozenset[int]]:
    """asterix.parse, and the categories its definitions know (from their file names)."""
    module = importlib.import_module("asterix")
    known = set()
    for name in module.list_configuration_files():
        found = re.search(r"asterix_cat(\d{3})_", str(name))
        if found:
            known.add(int(found[1]))
    parse: Callable[[bytes], list[dict[str, Any]]] = module.parse
    return parse, frozenset(known)


@register("asterix", "EUROCONTROL ASTERIX data blocks: CAT021, CAT048 (with --sensor), CAT062")
class AsterixAssembler:
    """Data blocks in, state reports out, for one feed.

    ``sensors``: radar positions by (SAC, SIC), None for every other radar (see the
    module). ``freshness.forget_s`` bounds how long a CAT048 track's last level is kept.

    **Thread-safety.** None: the assembler keeps the bytes of an unfinished block and
    each CAT048 track's last level. One assembler per feed, fed by one thread.
    """

    def __init__(
        self,
        *,
        sensors: Mapping[tuple[int, int] | None, Sensor] | None = None,
        freshness: Freshness | None = None,
    ) -> None:
        self.rejections = Rejections()
        self.messages = 0
        self.sensors = dict(sensors or {})
        self.freshness = freshness or Freshness()
        self._parse, self._known = _decoder()
        self._buffer = bytearray()
        self._in_junk = False
        # CAT048: track id -> (time, level) of its previous plot.
        self._levels: dict[str, tuple[int, float]] = {}

    def feed(self, data: bytes, received_us: int) -> list[Row]:
        """The reports completed by ``data``; times of day resolved near ``received_us``."""
        buffer = self._buffer
        buffer.extend(data)
        rows: list[Row] = []
        at = 0
        while len(buffer) - at >= _HEADER:
            category = buffer[at]
            length = buffer[at + 1] << 8 | buffer[at + 2]
            if category not in self._known or length <= _HEADER:
                if not self._in_junk:
                    self._in_junk = True
                    self.messages += 1
                    self.rejections[GARBLED] += 1
                at += 1
                continue
            if len(buffer) - at < length:
                break
            self._in_junk = False
            self._block(category, bytes(buffer[at : at + length]), received_us, rows)
            at += length
        del buffer[:at]
        self._forget(received_us)
        return rows

    def _block(self, category: int, block: bytes, received_us: int, rows: list[Row]) -> None:
        if category in _SERVICE or category not in (21, 48, 62):
            self.messages += 1
            self.rejections[IGNORED if category in _SERVICE else UNSUPPORTED] += 1
            return
        try:
            records = self._parse(block)
        except Exception:  # the C++ core's errors are not documented: none may escape
            records = []
        if not isinstance(records, list) or not records:
            self.messages += 1
            self.rejections[GARBLED] += 1
            return
        for record in records:
            self.messages += 1
            row = self._record(record, received_us) if isinstance(record, dict) else GARBLED
            if isinstance(row, str):
                self.rejections[row] += 1
            else:
                rows.append(row)

    def _record(self, record: dict[str, Any], received_us: int) -> Row | str:
        if record.get("category") not in (21, 48, 62) or record.get("hexdata") is None:
            return GARBLED  # the decoder's mark of a record it could not read
        category = record["category"]
        if category == 48:
            plot = items.cat048(record)
            return plot if isinstance(plot, str) else self._place(plot, received_us)
        report = items.cat021(record) if category == 21 else items.cat062(record)
        if isinstance(report, str):
            return report
        time_us = block_time_us(report.tod_s, received_us)
        if time_us is None:
            return OUT_OF_RANGE
        row = make_row(
            report.track_id,
            time_us,
            report.lat,
            report.lon,
            report.alt_ft,
            report.gs_kt,
            report.track_deg,
            0.0 if report.vrate_fpm is None else report.vrate_fpm,
            callsign=report.callsign,
            icao24=report.icao24,
        )
        return OUT_OF_RANGE if row is None else row

    def _place(self, plot: items.Plot, received_us: int) -> Row | str:
        sensor = self.sensors.get(plot.sensor) or self.sensors.get(None)
        if sensor is None:
            return UNSUPPORTED  # a radar whose position was not configured
        time_us = block_time_us(plot.tod_s, received_us)
        position = ground_position(sensor, plot.slant_nm, plot.azimuth_deg, plot.alt_ft)
        if time_us is None or position is None:
            return OUT_OF_RANGE
        vrate = 0.0
        previous = self._levels.get(plot.track_id)
        if previous is not None and 0 < time_us - previous[0] <= _MAX_PREVIOUS_US:
            vrate = (plot.alt_ft - previous[1]) / ((time_us - previous[0]) / 60e6)
        row = make_row(
            plot.track_id,
            time_us,
            position[0],
            position[1],
            plot.alt_ft,
            plot.gs_kt,
            plot.track_deg,
            vrate,
            callsign=plot.callsign,
            icao24=plot.icao24,
        )
        if row is None:
            return OUT_OF_RANGE
        self._levels[plot.track_id] = (time_us, plot.alt_ft)
        return row

    def _forget(self, now_us: int) -> None:
        if len(self._levels) < 10_000:
            return
        before = now_us - round(self.freshness.forget_s * 1e6)
        self._levels = {k: v for k, v in self._levels.items() if v[0] >= before}


def ground_position(
    sensor: Sensor, slant_nm: float, azimuth_deg: float, alt_ft: float
) -> tuple[float, float] | None:
    """(lat, lon) of a target at ``slant_nm`` and ``azimuth_deg`` (from true north) from
    ``sensor``, at ``alt_ft`` taken as height; None where no such point exists."""
    azimuth = math.radians(azimuth_deg)
    radius = float(geo.radius_of_curvature_m(sensor.lat, azimuth))
    r_sensor = radius + sensor.height_m
    r_target = radius + units.m_from_ft(alt_ft)
    slant = units.m_from_nm(slant_nm)
    cos_angle = (r_sensor**2 + r_target**2 - slant**2) / (2.0 * r_sensor * r_target)
    if not -1.0 <= cos_angle <= 1.0 or r_target <= 0.0:
        return None
    ground = radius * math.acos(cos_angle)
    lat, lon, _ = geo.geodesic_forward(sensor.lat, sensor.lon, azimuth, ground)
    return float(np.asarray(lat)), float(np.asarray(lon))
