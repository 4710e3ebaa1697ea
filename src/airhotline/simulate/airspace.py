"""A live regional airspace for the demo: aircraft flying between real airports.

`RegionalAirspace` holds a few dozen aircraft on great-circle routes between the larger
airports of a region, each assigned to a party. `advance(seconds)` flies them on: they
climb out of their origin, cruise at a semicircular flight level, descend into their
destination and, on arrival, take off again for another airport. It is pure state and
arithmetic — no clock, no I/O — so the demo feeds it wall-clock seconds and a drill can
feed it simulated ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airhotline import geo, units
from airhotline.simulate.traffic import load_airports

__all__ = [
    "DEMO_ENCOUNTERS",
    "EAST_MEDITERRANEAN",
    "AircraftState",
    "Encounter",
    "Region",
    "RegionalAirspace",
]

FloatArray = npt.NDArray[np.float64]

#: Feet of altitude per nautical mile from the airport: a 3° path.
_FT_PER_NM = 318.0
_ARRIVED_NM = 4.0
_MIN_ROUTE_NM = 120.0


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    lat_range: tuple[float, float]
    lon_range: tuple[float, float]


EAST_MEDITERRANEAN = Region("Eastern Mediterranean", (29.0, 38.5), (25.0, 41.0))


@dataclass(frozen=True, slots=True)
class Encounter:
    """Two aircraft of two parties scripted to meet: both reach the closest point of
    approach (``lat``, ``lon``) after ``t_cpa_s``, each on a constant geodesic track.

    Aircraft ``b`` may climb or descend (``vrate_b_fpm``) so as to cross ``alt_ft`` at
    the closest approach; ``offset_nm`` puts ``b`` that far abeam of the point.
    """

    lat: float
    lon: float
    alt_ft: float
    t_cpa_s: float
    party_a: int
    party_b: int
    track_a_deg: float
    track_b_deg: float
    gs_a_kt: float = 450.0
    gs_b_kt: float = 430.0
    vrate_b_fpm: float = 0.0
    offset_nm: float = 0.0


#: Encounters of the demo: a warning at once (loss of separation under a minute), a
#: caution turning warning, an advisory turning warning with a climb through the level —
#: all three tiers within the first two minutes, all resolved within five.
DEMO_ENCOUNTERS = (
    Encounter(
        34.60,
        33.60,
        29_000,
        60.0,
        party_a=0,
        party_b=1,
        track_a_deg=80,
        track_b_deg=260,
        offset_nm=0.6,
    ),
    Encounter(
        34.00,
        35.00,
        33_000,
        125.0,
        party_a=1,
        party_b=2,
        track_a_deg=0,
        track_b_deg=90,
        offset_nm=1.2,
    ),
    Encounter(
        35.20,
        34.40,
        25_000,
        265.0,
        party_a=0,
        party_b=2,
        track_a_deg=200,
        track_b_deg=330,
        gs_b_kt=330.0,
        vrate_b_fpm=2_000.0,
        offset_nm=0.4,
    ),
)


@dataclass(frozen=True, slots=True)
class AircraftState:
    """One aircraft's report, in the units of the ingest API."""

    party: int
    track_id: str
    callsign: str
    lat: float
    lon: float
    alt_ft: float
    gs_kt: float
    track_deg: float
    vrate_fpm: float


class RegionalAirspace:
    """Aircraft between the international airports of a region. Not thread-safe."""

    def __init__(
        self,
        *,
        aircraft: int,
        parties: int,
        region: Region = EAST_MEDITERRANEAN,
        seed: int = 1,
        encounters: tuple[Encounter, ...] = (),
        repeat_s: float = 900.0,
    ) -> None:
        airports = load_airports()
        inside = (
            (airports.lat_deg >= region.lat_range[0])
            & (airports.lat_deg <= region.lat_range[1])
            & (airports.lon_deg >= region.lon_range[0])
            & (airports.lon_deg <= region.lon_range[1])
        )
        weight = airports.weight[inside]
        busiest = np.argsort(-weight, kind="stable")[:24]
        self._lat = airports.lat_deg[inside][busiest]
        self._lon = airports.lon_deg[inside][busiest]
        self._elevation_ft = np.zeros(busiest.size)
        if busiest.size < 3:
            raise ValueError(f"too few airports in {region.name}")
        self._rng = np.random.default_rng(seed)
        n = aircraft
        self.party = np.arange(n) % parties
        self.track_id = [f"{0xA00000 + 97 * k:06X}" for k in range(n)]
        self.callsign = [
            f"{'ABCDEFGH'[p]}{'XYZ'[p % 3]}{100 + k}" for k, p in enumerate(self.party)
        ]
        self._origin = self._rng.integers(0, busiest.size, n)
        self._destination = np.array([self._other_airport(o) for o in self._origin])
        self._cruise_ft = np.zeros(n)
        self._gs_cruise_kt = self._rng.uniform(380.0, 470.0, n)
        self._lat_now = np.zeros(n)
        self._lon_now = np.zeros(n)
        for k in range(n):
            self._start_leg(k, progress=float(self._rng.uniform(0.05, 0.95)))
        self._alt_ft = self._profile_alt(np.arange(n))
        self._encounters = encounters
        self._repeat_s = repeat_s
        self._scripted_age_s = 0.0
        self._scripted: list[dict[str, float]] = []
        self._scripted_ids = [
            (f"{0xE00000 + 16 * k + side:06X}", f"{'ABCDEFGH'[p]}Z{900 + 2 * k + side}")
            for k, e in enumerate(encounters)
            for side, p in ((0, e.party_a), (1, e.party_b))
        ]
        self._place_scripted()

    def __len__(self) -> int:
        return len(self.track_id) + len(self._scripted)

    def _place_scripted(self) -> None:
        """Put every scripted aircraft where it must be to meet its partner on time."""
        self._scripted = []
        for e in self._encounters:
            for party, track_deg, gs_kt, vrate, offset in (
                (e.party_a, e.track_a_deg, e.gs_a_kt, 0.0, 0.0),
                (e.party_b, e.track_b_deg, e.gs_b_kt, e.vrate_b_fpm, e.offset_nm),
            ):
                lat, lon, _ = geo.geodesic_forward(
                    e.lat, e.lon, np.radians(track_deg + 90.0), units.m_from_nm(offset)
                )
                lat, lon, back = geo.geodesic_forward(
                    lat,
                    lon,
                    np.radians(track_deg + 180.0),
                    units.mps_from_kt(gs_kt) * e.t_cpa_s,
                )
                self._scripted.append(
                    {
                        "party": party,
                        "lat": float(lat),
                        "lon": float(lon),
                        "track_rad": float(back) + np.pi,
                        "gs_kt": gs_kt,
                        "alt_ft": e.alt_ft - vrate * e.t_cpa_s / 60.0,
                        "vrate_fpm": vrate,
                    }
                )
        self._scripted_age_s = 0.0

    def _advance_scripted(self, seconds: float) -> list[AircraftState]:
        self._scripted_age_s += seconds
        if self._encounters and self._scripted_age_s >= self._repeat_s:
            self._place_scripted()
            seconds = 0.0
        states = []
        for (track_id, callsign), s in zip(self._scripted_ids, self._scripted, strict=True):
            lat, lon, track = geo.geodesic_forward(
                s["lat"], s["lon"], s["track_rad"], units.mps_from_kt(s["gs_kt"]) * seconds
            )
            s.update(lat=float(lat), lon=float(lon), track_rad=float(track))
            s["alt_ft"] += s["vrate_fpm"] * seconds / 60.0
            states.append(
                AircraftState(
                    party=int(s["party"]),
                    track_id=track_id,
                    callsign=callsign,
                    lat=s["lat"],
                    lon=s["lon"],
                    alt_ft=round(s["alt_ft"]),
                    gs_kt=s["gs_kt"],
                    track_deg=round(float(np.degrees(s["track_rad"])) % 360.0, 1),
                    vrate_fpm=s["vrate_fpm"],
                )
            )
        return states

    def advance(self, seconds: float) -> list[AircraftState]:
        """Fly every aircraft on by ``seconds`` and return their new states."""
        return self._advance_routes(seconds) + self._advance_scripted(seconds)

    def _advance_routes(self, seconds: float) -> list[AircraftState]:
        everyone = np.arange(len(self.track_id))
        _, azimuth, _ = self._to_destination(everyone)
        gs_kt = self._speed_kt(everyone)
        lat, lon, track = geo.geodesic_forward(
            self._lat_now, self._lon_now, azimuth, units.mps_from_kt(gs_kt) * seconds
        )
        self._lat_now, self._lon_now = lat, lon
        previous_alt = self._alt_ft
        self._alt_ft = self._profile_alt(everyone)
        vrate = (self._alt_ft - previous_alt) / (seconds / 60.0) if seconds > 0 else 0 * gs_kt
        distance_m, _, _ = self._to_destination(everyone)
        for k in np.flatnonzero(units.nm_from_m(distance_m) < _ARRIVED_NM).tolist():
            self._origin[k] = self._destination[k]
            self._destination[k] = self._other_airport(self._origin[k])
            self._start_leg(k, progress=0.0)
            self._alt_ft[k] = self._profile_alt(np.array([k]))[0]
        return [
            AircraftState(
                party=int(self.party[k]),
                track_id=self.track_id[k],
                callsign=self.callsign[k],
                lat=float(self._lat_now[k]),
                lon=float(self._lon_now[k]),
                alt_ft=round(float(self._alt_ft[k])),
                gs_kt=round(float(gs_kt[k]), 1),
                track_deg=round(float(np.degrees(track[k])) % 360.0, 1),
                vrate_fpm=round(float(vrate[k])),
            )
            for k in everyone.tolist()
        ]

    def _other_airport(self, origin: int) -> int:
        while True:
            candidate = int(self._rng.integers(0, self._lat.size))
            distance, _, _ = geo.geodesic_inverse(
                self._lat[origin], self._lon[origin], self._lat[candidate], self._lon[candidate]
            )
            if units.nm_from_m(float(distance)) >= _MIN_ROUTE_NM:
                return candidate

    def _start_leg(self, k: int, *, progress: float) -> None:
        o, d = self._origin[k], self._destination[k]
        distance, azimuth, _ = geo.geodesic_inverse(
            self._lat[o], self._lon[o], self._lat[d], self._lon[d]
        )
        lat, lon, _ = geo.geodesic_forward(
            self._lat[o], self._lon[o], azimuth, float(distance) * progress
        )
        self._lat_now[k], self._lon_now[k] = float(lat), float(lon)
        eastbound = float(np.degrees(azimuth)) % 360.0 < 180.0
        # Semicircular rule: odd thousands eastbound, even westbound; short legs fly lower.
        top_half = int(min(39.0, 16.0 + units.nm_from_m(float(distance)) / 25.0)) // 2
        half = int(self._rng.integers(max(7, top_half - 5), top_half + 1))
        level = half * 2 + (1 if eastbound else 0)
        self._cruise_ft[k] = level * 1000.0

    def _to_destination(
        self, k: npt.NDArray[np.int64]
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        d = self._destination[k]
        return geo.geodesic_inverse(self._lat_now[k], self._lon_now[k], self._lat[d], self._lon[d])

    def _profile_alt(self, k: npt.NDArray[np.int64]) -> FloatArray:
        o = self._origin[k]
        from_origin, _, _ = geo.geodesic_inverse(
            self._lat[o], self._lon[o], self._lat_now[k], self._lon_now[k]
        )
        to_destination, _, _ = self._to_destination(k)
        nearest_nm = units.nm_from_m(np.minimum(from_origin, to_destination))
        alt: FloatArray = np.minimum(self._cruise_ft[k], 1_500.0 + nearest_nm * _FT_PER_NM)
        return alt

    def _speed_kt(self, k: npt.NDArray[np.int64]) -> FloatArray:
        share_of_cruise = np.clip(self._profile_alt(k) / np.maximum(self._cruise_ft[k], 1.0), 0, 1)
        speed: FloatArray = 220.0 + (self._gs_cruise_kt[k] - 220.0) * share_of_cruise
        return speed
