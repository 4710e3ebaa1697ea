"""A drill's aircraft flown second by second: the state of every aircraft in NumPy
columns, each aircraft's manoeuvres (turn to a heading at a rate, climb or descend to a
level at a rate, change speed, fly direct to a point, hold) as targets the step moves
towards.

Pure state and arithmetic — no clock, no I/O: the runner steps it on the drill's
simulated seconds. Positions move along the WGS-84 geodesic of the current track
(`airhotline.geo`), so what the hotline predicts is what the aircraft then fly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from airhotline import geo, units
from airhotline.core.notices.band import parse_band
from airhotline.core.reports import ReportBatch

__all__ = ["Fleet"]

FloatArray = npt.NDArray[np.float64]

#: Standard rate turn, degrees per second.
STANDARD_RATE_DPS = 3.0

#: The decimals each column is reported to, as a surveillance tracker's output gives
#: them (ASTERIX CAT062 positions resolve 0.6 m, Mode S altitudes 25 ft): positions to
#: 0.1 m, levels to the foot, speeds and tracks to a tenth. The aircraft fly on the full
#: floats; only what the parties say is rounded — which also halves what the journal
#: keeps, and the time spent writing it.
REPORTED_DECIMALS = {
    "lat": 6,
    "lon": 6,
    "alt_ft": 0,
    "gs_kt": 1,
    "track_deg": 1,
    "vrate_fpm": 0,
}


def _level_ft(value: object) -> float:
    """``FL350``, ``SFC`` or feet, as a notice's band reads them."""
    return parse_band(value, "UNL").lower_ft


class Fleet:
    """Every aircraft of a drill, stepped together; not thread-safe (one runner)."""

    def __init__(self, aircraft: Sequence[Mapping[str, Any]]) -> None:
        n = len(aircraft)
        start = [a["start"] for a in aircraft]
        self.party = [str(a["party"]) for a in aircraft]
        self.track = [str(a["track"]) for a in aircraft]
        self.callsign = [a.get("callsign") for a in aircraft]
        self.from_s = np.array([float(a.get("from_s", 0.0)) for a in aircraft])
        self.until_s = np.array([float(a.get("until_s", math.inf)) for a in aircraft])
        self.lat = np.array([float(s["lat"]) for s in start])
        self.lon = np.array([float(s["lon"]) for s in start])
        self.alt_ft = np.array([float(s["alt_ft"]) for s in start])
        self.gs_kt = np.array([float(s["gs_kt"]) for s in start])
        self.track_deg = np.array([float(s["track_deg"]) % 360.0 for s in start])
        self.vrate_fpm = np.array([float(s.get("vrate_fpm", 0.0)) for s in start])
        # Targets: NaN where nothing is asked.
        self._heading = np.full(n, np.nan)
        self._turn_rate = np.full(n, STANDARD_RATE_DPS)
        self._turn_sign = np.zeros(n)  # +1 right, -1 left, 0 the shortest way
        self._level = np.full(n, np.nan)
        self._climb_fpm = np.zeros(n)
        self._speed = np.full(n, np.nan)
        self._accel = np.zeros(n)
        self._direct_lat = np.full(n, np.nan)
        self._direct_lon = np.full(n, np.nan)
        #: A hold: its turn direction (0: none), leg length, and the phase clock.
        self._hold_sign = np.zeros(n)
        self._hold_leg_s = np.zeros(n)
        self._hold_clock = np.zeros(n)
        #: Each party's rows, and the identities of the rows it last reported (a batch's
        #: track ids and callsigns, the same second after second while nobody joins or
        #: leaves).
        self._rows_of = {
            party: np.flatnonzero(np.array(self.party, dtype=object) == party)
            for party in dict.fromkeys(self.party)
        }
        self._names: dict[str, tuple[bytes, tuple[str, ...], tuple[str | None, ...]]] = {}
        #: Manoeuvres by second: (aircraft row, the manoeuvre).
        self._due: dict[int, list[tuple[int, Mapping[str, Any]]]] = {}
        for row, a in enumerate(aircraft):
            for m in a.get("manoeuvres", []):
                self._due.setdefault(math.ceil(float(m["at_s"])), []).append((row, m))

    def __len__(self) -> int:
        return len(self.track)

    def flying(self, t_s: float) -> npt.NDArray[np.bool_]:
        """Which aircraft report at second ``t_s``."""
        return np.asarray((self.from_s <= t_s) & (t_s <= self.until_s), dtype=bool)

    def step(self, t_s: int, dt_s: float = 1.0) -> None:
        """Start the manoeuvres due at ``t_s`` (a manoeuvre's time rounds up to the
        second), then fly everyone from ``t_s`` to ``t_s + dt_s``."""
        for row, manoeuvre in self._due.pop(t_s, []):
            self._start(row, manoeuvre)
        self._turn(dt_s)
        levelling = self._climb(dt_s)
        self._accelerate(dt_s)
        distance = units.m_from_nm(self.gs_kt * dt_s / 3600.0)
        lat, lon, azimuth = geo.geodesic_forward(
            self.lat, self.lon, np.radians(self.track_deg), distance
        )
        self.lat, self.lon = lat, lon
        # The geodesic's own direction at the new position: a constant track is flown
        # as a geodesic, not a rhumb line.
        moving = distance > 0.0
        self.track_deg = np.where(moving, np.degrees(azimuth) % 360.0, self.track_deg)
        self.alt_ft = self.alt_ft + self.vrate_fpm * dt_s / 60.0
        # Those that reached their level fly level from now on.
        self.vrate_fpm = np.where(levelling, 0.0, self.vrate_fpm)

    def _start(self, row: int, m: Mapping[str, Any]) -> None:
        if "turn" in m:
            turn = m["turn"]
            self._stop_lateral(row)
            self._heading[row] = float(turn["heading_deg"]) % 360.0
            self._turn_rate[row] = float(turn.get("rate_dps", STANDARD_RATE_DPS))
            self._turn_sign[row] = {"left": -1.0, "right": 1.0}.get(
                turn.get("direction", "shortest"), 0.0
            )
        elif "direct" in m:
            direct = m["direct"]
            self._stop_lateral(row)
            self._direct_lat[row] = float(direct["lat"])
            self._direct_lon[row] = float(direct["lon"])
            self._turn_rate[row] = float(direct.get("rate_dps", STANDARD_RATE_DPS))
        elif "hold" in m:
            hold = m["hold"]
            self._stop_lateral(row)
            self._hold_sign[row] = -1.0 if hold.get("direction") == "left" else 1.0
            self._hold_leg_s[row] = float(hold.get("leg_s", 60.0))
            self._hold_clock[row] = 0.0
            self._turn_rate[row] = STANDARD_RATE_DPS
        elif "level" in m:
            level = m["level"]
            self._level[row] = _level_ft(level["to"])
            self._climb_fpm[row] = float(level.get("rate_fpm", 1_500.0))
        elif "speed" in m:
            speed = m["speed"]
            self._speed[row] = float(speed["gs_kt"])
            self._accel[row] = float(speed.get("rate_kt_s", 2.0))

    def _stop_lateral(self, row: int) -> None:
        self._heading[row] = np.nan
        self._direct_lat[row] = self._direct_lon[row] = np.nan
        self._hold_sign[row] = 0.0

    def _turn(self, dt_s: float) -> None:
        direct = ~np.isnan(self._direct_lat)
        if direct.any():
            bearing = geo.bearing_rad(
                self.lat[direct],
                self.lon[direct],
                self._direct_lat[direct],
                self._direct_lon[direct],
            )
            self._heading[direct] = np.degrees(bearing) % 360.0
        holding = self._hold_sign != 0.0
        if holding.any():
            # A racetrack: a 180° standard-rate turn (60 s), a straight leg, again.
            self._hold_clock[holding] += dt_s
            period = 120.0 + 2.0 * self._hold_leg_s
            phase = self._hold_clock % period
            turning = holding & (
                (phase <= 60.0)
                | ((phase > 60.0 + self._hold_leg_s) & (phase <= 120.0 + self._hold_leg_s))
            )
            self.track_deg = np.where(
                turning,
                (self.track_deg + self._hold_sign * STANDARD_RATE_DPS * dt_s) % 360.0,
                self.track_deg,
            )
        steering = ~np.isnan(self._heading)
        if not steering.any():
            return
        error = (self._heading - self.track_deg + 540.0) % 360.0 - 180.0  # -180..180
        sign = np.where(self._turn_sign != 0.0, self._turn_sign, np.sign(error))
        # The way asked for: the angle still to turn, that way round.
        remaining = np.where(sign > 0, error % 360.0, (-error) % 360.0)
        turn = np.minimum(self._turn_rate * dt_s, remaining)
        done = steering & (remaining <= self._turn_rate * dt_s)
        self.track_deg = np.where(steering, (self.track_deg + sign * turn) % 360.0, self.track_deg)
        # A turn ends on its heading; direct-to keeps steering.
        self._heading[done & np.isnan(self._direct_lat)] = np.nan
        self._turn_sign[done] = 0.0

    def _climb(self, dt_s: float) -> npt.NDArray[np.bool_]:
        """Climb or descend towards the levels asked; which reach theirs this step."""
        asked = ~np.isnan(self._level)
        if not asked.any():
            return np.asarray(asked, dtype=bool)
        gap = np.where(asked, self._level - self.alt_ft, 0.0)
        arriving = asked & (np.abs(gap) <= self._climb_fpm * dt_s / 60.0)
        # The last step lands exactly on the level.
        rate = np.sign(gap) * np.minimum(self._climb_fpm, np.abs(gap) * 60.0 / dt_s)
        self.vrate_fpm = np.where(asked, rate, self.vrate_fpm)
        self._level[arriving] = np.nan
        return np.asarray(arriving, dtype=bool)

    def _accelerate(self, dt_s: float) -> None:
        asked = ~np.isnan(self._speed)
        if not asked.any():
            return
        gap = np.where(asked, self._speed - self.gs_kt, 0.0)
        change = np.sign(gap) * np.minimum(self._accel * dt_s, np.abs(gap))
        self.gs_kt = np.where(asked, self.gs_kt + change, self.gs_kt)
        self._speed[asked & (np.abs(gap) <= self._accel * dt_s)] = np.nan

    def batches(self, t_s: float, time_us: int) -> dict[str, ReportBatch]:
        """Each party's reports of the aircraft flying at ``t_s``, column by column (what
        `reports` says, without a dict per aircraft)."""
        flying = self.flying(t_s)
        found: dict[str, ReportBatch] = {}
        for party, mine in self._rows_of.items():
            rows = mine[flying[mine]]
            if rows.size == 0:
                continue
            key = rows.tobytes()
            known = self._names.get(party)
            if known is None or known[0] != key:
                listed = rows.tolist()
                known = (
                    key,
                    tuple(self.track[k] for k in listed),
                    tuple(self.callsign[k] for k in listed),
                )
                self._names[party] = known
            _, track_id, callsign = known
            nothing: tuple[None, ...] = (None,) * rows.size
            found[party] = ReportBatch(
                track_id=track_id,
                time_us=np.full(rows.size, time_us, dtype=np.int64),
                callsign=callsign,
                icao24=nothing,
                aircraft_type=nothing,
                **self._reported(rows),
            )
        return found

    def _reported(self, rows: npt.NDArray[np.intp]) -> dict[str, FloatArray]:
        """The rows' state as reported: each column to its `REPORTED_DECIMALS`."""
        return {
            name: np.round(getattr(self, name)[rows], decimals)
            for name, decimals in REPORTED_DECIMALS.items()
        }

    def reports(self, t_s: float, time_us: int) -> dict[str, list[dict[str, Any]]]:
        """Each party's reports of the aircraft flying at ``t_s``, as ingest takes them."""
        rows: dict[str, list[dict[str, Any]]] = {}
        flying = np.flatnonzero(self.flying(t_s))
        said = self._reported(flying)
        for n, k in enumerate(flying.tolist()):
            row: dict[str, Any] = {"track_id": self.track[k], "time_us": time_us}
            row.update((name, float(column[n])) for name, column in said.items())
            if self.callsign[k]:
                row["callsign"] = self.callsign[k]
            rows.setdefault(self.party[k], []).append(row)
        return rows
