"""Seeded, reproducible worldwide air traffic: one snapshot of N airborne aircraft.

`worldwide_traffic` flies N aircraft on great-circle (WGS-84 geodesic) routes between
real airports from the ``airportsdata`` package and freezes them at one instant:

* **Airports**: every entry of ``airportsdata.load("IATA")`` with a three-letter IATA
  code and a four-letter alphabetic ICAO code (drops private strips known only by a
  local identifier such as ``07FA``).
* **Busy airports** — no traffic counts ship with ``airportsdata``, so a documented
  proxy weights departures and arrivals: weight 1 for every airport, 20 when its name
  says "International" (or "Intl"), and 100 for a hand list of about fifty of the
  world's busiest hubs (`BUSY_HUBS`, from the published passenger rankings, order of
  magnitude only). About three departures in four then leave an international airport.
* **Routes**: the origin is drawn by weight; the destination by weight times a distance
  decay ``max(exp(-d / 3000 km), 0.02)`` (mostly short and medium haul, a tail of long
  haul), between 400 km and 16 000 km, by vectorised rejection sampling.
* **Position**: a uniform random fraction along the route; the track is the geodesic
  azimuth there (``airhotline.geo.geodesic_inverse`` / ``geodesic_forward``).
* **Vertical profile**: within ``RAMP_NM`` (150 NM) of the origin the aircraft climbs,
  within 150 NM of the destination it descends — routes shorter than 300 NM climb to
  the midpoint and descend from it, to a proportionally lower top. Altitude grows
  linearly with the distance from the airport (from 1000 ft above the field to the
  cruise level), climb/descent rates are 1500–3000 fpm (steeper low down when climbing,
  high up when descending), ground speeds 250–380 kt (faster farther from the airport).
  Everywhere else the aircraft cruises level at 420–500 kt.
* **Flight levels** follow the semicircular rule, at 1000 ft steps in RVSM airspace:
  a track of 0°–179° flies an odd level (FL290, 310, … 410), 180°–359° an even one
  (FL280, 300, … 400). The *true* track at the aircraft's position is used (no magnetic
  variation model).
* **Identity**: a unique 24-bit ICAO address as six hex digits (``track_id``), a
  callsign from one of eight made-up three-letter operator designators of its party plus
  a flight number (unique within the snapshot), and a party code drawn uniformly.

The same arguments give the same traffic on every machine (NumPy's PCG64 generator,
seeded; airports sorted by IATA code). Everything is vectorised: 100 000 aircraft take
well under a second. Units inside are SI, like the rest of airhotline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import IntEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from airhotline import geo, units
from airhotline.detect import DEFAULT_H_SEP_M, DEFAULT_V_SEP_M, TrackStates

__all__ = [
    "BUSY_HUBS",
    "RAMP_NM",
    "Airports",
    "Phase",
    "Traffic",
    "load_airports",
    "worldwide_traffic",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

_BUSY_HUBS_TEXT = """
ATL DFW DEN ORD DXB LAX IST LHR DEL HND CDG JFK LAS AMS MIA MAD CAN
PVG FRA CLT SFO PEK SEA EWR MCO PHX IAH SZX CKG CTU BOS MSP DTW ICN
SIN BKK HKG KUL SYD GRU MEX BOM DOH NRT FCO MUC BCN YYZ JED CGK MNL
"""
#: Hubs that get the highest weight: roughly the fifty busiest airports by passengers.
BUSY_HUBS = frozenset(_BUSY_HUBS_TEXT.split())
_WEIGHT_PLAIN = 1.0
_WEIGHT_INTERNATIONAL = 20.0
_WEIGHT_HUB = 100.0

#: Distance from an airport within which aircraft climb or descend.
RAMP_NM = 150.0
_RAMP_M = units.m_from_nm(RAMP_NM)
_MIN_ROUTE_M = 400_000.0
_MAX_ROUTE_M = 16_000_000.0
_DECAY_M = 3_000_000.0
_DECAY_FLOOR = 0.02
#: Mean Earth radius (IUGG), for the quick spherical distance of route sampling.
_MEAN_RADIUS_M = 6_371_008.8

_ODD_LEVELS_FT = np.arange(29_000.0, 41_001.0, 2_000.0)  # FL290 … FL410
_EVEN_LEVELS_FT = np.arange(28_000.0, 40_001.0, 2_000.0)  # FL280 … FL400
_FIELD_CLEARANCE_FT = 1_000.0
_CRUISE_KT = (420.0, 500.0)
_RAMP_KT = (250.0, 380.0)
_RAMP_FPM = (1_500.0, 3_000.0)
_DESIGNATORS_PER_PARTY = 8
_FLIGHT_NUMBERS = 9_999

_ICAO_CODE = re.compile(r"[A-Z]{4}")
_IATA_CODE = re.compile(r"[A-Z]{3}")


class Phase(IntEnum):
    """Flight phase of a simulated aircraft (``Traffic.phase`` holds these codes)."""

    DESCENT = -1
    CRUISE = 0
    CLIMB = 1


@dataclass(frozen=True, slots=True)
class Airports:
    """The airports traffic flies between, sorted by IATA code, with their weights."""

    iata: StrArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    elevation_m: FloatArray
    weight: FloatArray

    def __len__(self) -> int:
        return int(self.iata.shape[0])


@lru_cache(maxsize=1)
def load_airports() -> Airports:
    """Airports from ``airportsdata`` with a real IATA and ICAO code, weighted by busyness.

    The weighting is described in the module docstring.
    """
    try:
        import airportsdata
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "airhotline.simulate needs the 'airportsdata' package (pip install airportsdata)"
        ) from error

    rows = sorted(
        (
            airport
            for airport in airportsdata.load("IATA").values()
            if _IATA_CODE.fullmatch(airport["iata"]) and _ICAO_CODE.fullmatch(airport["icao"])
        ),
        key=lambda airport: airport["iata"],
    )

    def weight(airport: Mapping[str, object]) -> float:
        name = str(airport["name"])
        if airport["iata"] in BUSY_HUBS:
            return _WEIGHT_HUB
        if "International" in name or "Intl" in name:
            return _WEIGHT_INTERNATIONAL
        return _WEIGHT_PLAIN

    return Airports(
        iata=np.array([airport["iata"] for airport in rows], dtype="U3"),
        lat_deg=np.array([airport["lat"] for airport in rows], dtype=np.float64),
        lon_deg=np.array([airport["lon"] for airport in rows], dtype=np.float64),
        elevation_m=units.m_from_ft(
            np.array([airport["elevation"] or 0.0 for airport in rows], dtype=np.float64)
        ),
        weight=np.array([weight(airport) for airport in rows], dtype=np.float64),
    )


@dataclass(frozen=True, slots=True)
class Traffic:
    """A snapshot of N simulated aircraft as NumPy columns (SI units, like `TrackStates`).

    ``party`` holds integer codes ``0 … parties-1``; ``track_id`` a unique six-hex-digit
    ICAO address; ``callsign`` a unique operator designator plus flight number;
    ``origin`` and ``destination`` IATA codes; ``phase`` `Phase` codes.
    """

    party: IntArray
    track_id: StrArray
    callsign: StrArray
    origin: StrArray
    destination: StrArray
    phase: npt.NDArray[np.int8]
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    track_rad: FloatArray
    vrate_mps: FloatArray

    def __len__(self) -> int:
        return int(self.lat_deg.shape[0])

    def take(self, index: npt.ArrayLike) -> Traffic:
        """The aircraft selected by ``index`` (indices or a boolean mask), in its order."""
        return Traffic(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def states(
        self,
        *,
        h_sep_m: npt.ArrayLike = DEFAULT_H_SEP_M,
        v_sep_m: npt.ArrayLike = DEFAULT_V_SEP_M,
    ) -> TrackStates:
        """The detection input for these aircraft, with the given separation minima."""
        return TrackStates.build(
            lat_deg=self.lat_deg,
            lon_deg=self.lon_deg,
            alt_m=self.alt_m,
            gs_mps=self.gs_mps,
            track_rad=self.track_rad,
            vrate_mps=self.vrate_mps,
            party=self.party,
            h_sep_m=h_sep_m,
            v_sep_m=v_sep_m,
        )


def worldwide_traffic(n: int, *, parties: int = 4, seed: int = 0) -> Traffic:
    """``n`` airborne aircraft on routes between real airports, shared among ``parties``.

    Reproducible: the same ``(n, parties, seed)`` always gives the same traffic.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    if parties < 1:
        raise ValueError(f"parties must be at least 1, got {parties}")
    if n > 1 << 24:
        raise ValueError(f"at most {1 << 24} aircraft have distinct 24-bit addresses, got {n}")
    rng = np.random.default_rng(seed)
    airports = load_airports()

    origin, destination, route_m, azimuth = _routes(rng, airports, n)
    along_m = rng.random(n) * route_m
    lat, lon, track = geo.geodesic_forward(
        airports.lat_deg[origin], airports.lon_deg[origin], azimuth, along_m
    )

    # Semicircular rule on the true track at the aircraft's position.
    eastbound = track < np.pi
    level_index = rng.integers(0, _ODD_LEVELS_FT.size, n)
    cruise_ft = np.where(eastbound, _ODD_LEVELS_FT[level_index], _EVEN_LEVELS_FT[level_index])

    ramp_m = np.minimum(_RAMP_M, 0.5 * route_m)
    to_go_m = route_m - along_m
    climbing = along_m < ramp_m
    descending = ~climbing & (to_go_m < ramp_m)
    cruising = ~climbing & ~descending
    # Fraction of the way from the airport to the top of the ramp, in [0, 1).
    ramp_fraction = np.where(climbing, along_m, to_go_m) / ramp_m
    field_ft = units.ft_from_m(
        np.where(climbing, airports.elevation_m[origin], airports.elevation_m[destination])
    )
    bottom_ft = field_ft + _FIELD_CLEARANCE_FT
    top_ft = bottom_ft + (cruise_ft - bottom_ft) * np.clip(ramp_m / _RAMP_M, 0.0, 1.0)
    ramp_ft = bottom_ft + (top_ft - bottom_ft) * ramp_fraction
    alt_ft = np.where(cruising, cruise_ft, ramp_ft)

    cruise_kt = rng.uniform(*_CRUISE_KT, n)
    ramp_kt = np.clip(
        _RAMP_KT[0] + (_RAMP_KT[1] - _RAMP_KT[0]) * ramp_fraction + rng.uniform(-15.0, 15.0, n),
        *_RAMP_KT,
    )
    gs_kt = np.where(cruising, cruise_kt, ramp_kt)

    # Climb rates fall off with height; descent rates are highest at the top.
    steep = rng.uniform(-200.0, 200.0, n)
    climb_fpm = np.clip(
        _RAMP_FPM[1] - (_RAMP_FPM[1] - _RAMP_FPM[0]) * ramp_fraction + steep, *_RAMP_FPM
    )
    descent_fpm = -np.clip(
        _RAMP_FPM[0] + (_RAMP_FPM[1] - _RAMP_FPM[0]) * ramp_fraction + steep, *_RAMP_FPM
    )
    vrate_fpm = np.where(climbing, climb_fpm, np.where(descending, descent_fpm, 0.0))

    phase = np.where(climbing, Phase.CLIMB, np.where(descending, Phase.DESCENT, Phase.CRUISE))
    party = rng.integers(0, parties, n, dtype=np.int64)
    return Traffic(
        party=party,
        track_id=_icao_addresses(rng, n),
        callsign=_callsigns(rng, party, parties),
        origin=airports.iata[origin],
        destination=airports.iata[destination],
        phase=phase.astype(np.int8),
        lat_deg=lat,
        lon_deg=lon,
        alt_m=units.m_from_ft(alt_ft),
        gs_mps=units.mps_from_kt(gs_kt),
        track_rad=track,
        vrate_mps=units.mps_from_fpm(vrate_fpm),
    )


def _routes(
    rng: np.random.Generator, airports: Airports, n: int
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Origin and destination indices, route length (m) and initial azimuth (rad)."""
    probability = airports.weight / airports.weight.sum()
    origin = rng.choice(len(airports), size=n, p=probability).astype(np.int64)
    destination = np.empty(n, dtype=np.int64)
    pending = np.arange(n, dtype=np.int64)
    while pending.size:
        # Propose by weight, accept by distance: a gravity model without an M×M table.
        # A spherical distance is plenty to accept or reject; the route is exact below.
        proposal = rng.choice(len(airports), size=pending.size, p=probability).astype(np.int64)
        distance = _spherical_distance_m(airports, origin[pending], proposal)
        accept_p = np.maximum(np.exp(-distance / _DECAY_M), _DECAY_FLOOR)
        in_range = (distance >= _MIN_ROUTE_M) & (distance <= _MAX_ROUTE_M)
        accepted = in_range & (rng.random(pending.size) < accept_p)
        destination[pending[accepted]] = proposal[accepted]
        pending = pending[~accepted]
    route_m, azimuth, _ = geo.geodesic_inverse(
        airports.lat_deg[origin],
        airports.lon_deg[origin],
        airports.lat_deg[destination],
        airports.lon_deg[destination],
    )
    return origin, destination, route_m, azimuth


def _spherical_distance_m(airports: Airports, a: IntArray, b: IntArray) -> FloatArray:
    """Great-circle distance on the mean sphere (haversine): fast, within 0.5 %."""
    lat_a, lat_b = np.radians(airports.lat_deg[a]), np.radians(airports.lat_deg[b])
    half_dlat = 0.5 * (lat_b - lat_a)
    half_dlon = 0.5 * np.radians(airports.lon_deg[b] - airports.lon_deg[a])
    h = np.sin(half_dlat) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin(half_dlon) ** 2
    result: FloatArray = 2.0 * _MEAN_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return result


def _icao_addresses(rng: np.random.Generator, n: int) -> StrArray:
    """``n`` distinct 24-bit addresses as six upper-case hex digits."""
    address = rng.choice(1 << 24, size=n, replace=False).astype(np.int64)
    shifts = np.arange(20, -1, -4, dtype=np.int64)
    digits = (address[:, None] >> shifts) & 0xF
    text = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)[digits]
    return np.ascontiguousarray(text).view("S6").ravel().astype("U6")


def _callsigns(rng: np.random.Generator, party: IntArray, parties: int) -> StrArray:
    """Unique callsigns: an operator designator of the aircraft's party + flight number.

    Each party has at least eight designators (more when it has more aircraft than eight
    times the 9999 flight numbers); its aircraft, in random order, take them in turn,
    and each designator hands out its flight numbers in a random order of its own.
    """
    n = party.shape[0]
    party_size = np.bincount(party, minlength=parties)
    per_party = max(_DESIGNATORS_PER_PARTY, -(-int(party_size.max(initial=0)) // _FLIGHT_NUMBERS))
    count = parties * per_party
    codes = rng.choice(26**3, size=count, replace=False)
    letters = np.stack([codes // 676, codes // 26 % 26, codes % 26], axis=1) + ord("A")
    designators = letters.astype(np.uint8).view("S3").ravel().astype("U3")

    order = np.lexsort((rng.permutation(n), party))
    position = np.empty(n, dtype=np.int64)
    party_start = np.cumsum(party_size) - party_size
    position[order] = np.arange(n, dtype=np.int64) - party_start[party[order]]
    designator = party * per_party + position % per_party
    rank = position // per_party
    numbers = rng.permuted(
        np.broadcast_to(
            np.arange(1, _FLIGHT_NUMBERS + 1, dtype=np.int64), (count, _FLIGHT_NUMBERS)
        ),
        axis=1,
    )
    number = numbers[designator, rank]
    result: StrArray = np.char.add(designators[designator], number.astype("U4"))
    return result
