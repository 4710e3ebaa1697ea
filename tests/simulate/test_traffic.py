from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from pyproj import Geod

from airhotline import units
from airhotline.detect import TrackStates
from airhotline.simulate import RAMP_NM, Phase, Traffic, load_airports, worldwide_traffic

N = 5_000


@pytest.fixture(scope="module")
def traffic() -> Traffic:
    return worldwide_traffic(N, seed=7)


def _same(a: Traffic, b: Traffic) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name)) for f in fields(Traffic))


def _airport_columns(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    airports = load_airports()
    index = np.searchsorted(airports.iata, codes)
    assert np.array_equal(airports.iata[index], codes)
    return airports.lat_deg[index], airports.lon_deg[index], airports.elevation_m[index]


def test_same_seed_same_traffic(traffic: Traffic) -> None:
    assert _same(traffic, worldwide_traffic(N, seed=7))


def test_other_seed_other_traffic(traffic: Traffic) -> None:
    other = worldwide_traffic(N, seed=8)
    assert not np.array_equal(traffic.lat_deg, other.lat_deg)
    assert not np.array_equal(traffic.track_id, other.track_id)
    assert np.mean(traffic.origin == other.origin) < 0.2


def test_shapes_and_dtypes(traffic: Traffic) -> None:
    assert len(traffic) == N
    for f in fields(Traffic):
        assert getattr(traffic, f.name).shape == (N,), f.name
    assert traffic.party.dtype == np.int64
    assert traffic.track_id.dtype.kind == "U"
    assert traffic.callsign.dtype.kind == "U"


def test_empty_and_invalid() -> None:
    assert len(worldwide_traffic(0)) == 0
    assert len(worldwide_traffic(0).states()) == 0
    with pytest.raises(ValueError, match="non-negative"):
        worldwide_traffic(-1)
    with pytest.raises(ValueError, match="parties"):
        worldwide_traffic(10, parties=0)


@pytest.mark.parametrize("parties", [3, 4, 5])
def test_parties(parties: int) -> None:
    traffic = worldwide_traffic(2_000, parties=parties, seed=1)
    counts = np.bincount(traffic.party, minlength=parties)
    assert counts.size == parties
    # Every party flies, none holds far more than its share.
    assert counts.min() > 0.7 * 2_000 / parties
    assert counts.max() < 1.3 * 2_000 / parties


def test_identities_unique(traffic: Traffic) -> None:
    assert np.unique(traffic.track_id).size == N
    assert np.unique(traffic.callsign).size == N
    assert all(len(t) == 6 and int(t, 16) < 1 << 24 for t in traffic.track_id[:100])
    prefix = np.array([c[:3] for c in traffic.callsign])
    assert all(p.isalpha() and p.isupper() for p in prefix[:100])
    # An operator designator belongs to one party only.
    for code in np.unique(prefix):
        assert np.unique(traffic.party[prefix == code]).size == 1


def test_physical_ranges(traffic: Traffic) -> None:
    assert np.all(np.abs(traffic.lat_deg) <= 90.0)
    assert np.all((traffic.lon_deg >= -180.0) & (traffic.lon_deg < 180.0))
    assert np.all((traffic.track_rad >= 0.0) & (traffic.track_rad < 2.0 * np.pi))
    alt_ft = units.ft_from_m(traffic.alt_m)
    _, _, origin_elev_m = _airport_columns(traffic.origin)
    _, _, destination_elev_m = _airport_columns(traffic.destination)
    floor_ft = units.ft_from_m(np.minimum(origin_elev_m, destination_elev_m)) + 999.0
    assert np.all(alt_ft >= floor_ft)
    assert np.all(alt_ft <= 41_000.0 + 1e-6)
    gs_kt = units.kt_from_mps(traffic.gs_mps)
    vrate_fpm = units.fpm_from_mps(traffic.vrate_mps)
    cruise = traffic.phase == Phase.CRUISE
    climb = traffic.phase == Phase.CLIMB
    descent = traffic.phase == Phase.DESCENT
    assert np.all(cruise | climb | descent)
    assert np.all((gs_kt[cruise] >= 420.0 - 1e-9) & (gs_kt[cruise] <= 500.0 + 1e-9))
    assert np.all((gs_kt[~cruise] >= 250.0 - 1e-9) & (gs_kt[~cruise] <= 380.0 + 1e-9))
    assert np.all(vrate_fpm[cruise] == 0.0)
    assert np.all((vrate_fpm[climb] >= 1_500.0 - 1e-9) & (vrate_fpm[climb] <= 3_000.0 + 1e-9))
    assert np.all((vrate_fpm[descent] <= -1_500.0 + 1e-9) & (vrate_fpm[descent] >= -3_000.0 - 1e-9))
    # A snapshot of real traffic: most aircraft cruise, some climb, some descend.
    assert 0.5 < cruise.mean() < 0.95
    assert climb.mean() > 0.03
    assert descent.mean() > 0.03


def test_semicircular_rule(traffic: Traffic) -> None:
    cruise = traffic.phase == Phase.CRUISE
    alt_ft = units.ft_from_m(traffic.alt_m[cruise])
    level = np.round(alt_ft / 1_000.0)
    assert np.allclose(alt_ft, level * 1_000.0, atol=1e-6)
    assert np.all((level >= 28) & (level <= 41))
    track_deg = np.degrees(traffic.track_rad[cruise])
    eastbound = track_deg < 180.0
    assert np.all(level[eastbound] % 2 == 1)
    assert np.all(level[~eastbound] % 2 == 0)
    # Both semicircles and many levels are used.
    assert np.unique(level).size == 14


def test_positions_on_great_circle(traffic: Traffic) -> None:
    geod = Geod(ellps="WGS84")
    lat_o, lon_o, _ = _airport_columns(traffic.origin)
    lat_d, lon_d, _ = _airport_columns(traffic.destination)
    az_route, _, route_m = geod.inv(lon_o, lat_o, lon_d, lat_d)
    az_out, _, flown_m = geod.inv(lon_o, lat_o, traffic.lon_deg, traffic.lat_deg)
    az_here, _, to_go_m = geod.inv(traffic.lon_deg, traffic.lat_deg, lon_d, lat_d)
    # On the geodesic: the two legs add up to the route, to the millimetre.
    assert np.allclose(flown_m + to_go_m, route_m, rtol=0.0, atol=1e-3)
    # Leaving the origin in the route's direction (away from the endpoints, where the
    # azimuth of a very short leg is ill-conditioned).
    inner = (flown_m > 1_000.0) & (to_go_m > 1_000.0)
    d_az = (np.asarray(az_out) - np.asarray(az_route) + 180.0) % 360.0 - 180.0
    assert np.all(np.abs(d_az[inner]) < 1e-6)
    # The track is the geodesic azimuth at the aircraft, towards the destination.
    d_track = (np.degrees(traffic.track_rad) - np.asarray(az_here) + 180.0) % 360.0 - 180.0
    assert np.all(np.abs(d_track[inner]) < 1e-6)
    assert np.all((route_m > 390_000.0) & (route_m < 16_100_000.0))


def test_phase_follows_distance(traffic: Traffic) -> None:
    geod = Geod(ellps="WGS84")
    lat_o, lon_o, _ = _airport_columns(traffic.origin)
    lat_d, lon_d, _ = _airport_columns(traffic.destination)
    _, _, flown_m = geod.inv(lon_o, lat_o, traffic.lon_deg, traffic.lat_deg)
    _, _, to_go_m = geod.inv(traffic.lon_deg, traffic.lat_deg, lon_d, lat_d)
    ramp_m = units.m_from_nm(RAMP_NM)
    near = (np.asarray(flown_m) < ramp_m - 1.0) | (np.asarray(to_go_m) < ramp_m - 1.0)
    far = (np.asarray(flown_m) > ramp_m + 1.0) & (np.asarray(to_go_m) > ramp_m + 1.0)
    assert np.all(traffic.phase[near] != Phase.CRUISE)
    assert np.all(traffic.phase[far] == Phase.CRUISE)
    climb = traffic.phase == Phase.CLIMB
    assert np.all(np.asarray(flown_m)[climb] <= np.asarray(to_go_m)[climb] + 1.0)


def test_busy_airports_favoured(traffic: Traffic) -> None:
    codes, counts = np.unique(
        np.concatenate([traffic.origin, traffic.destination]), return_counts=True
    )
    top = set(codes[np.argsort(counts)[::-1][:30]])
    assert {"LHR", "ATL", "JFK", "CDG", "HND", "DXB"} & top


def test_states_and_take(traffic: Traffic) -> None:
    states = traffic.states(h_sep_m=9_260.0)
    assert isinstance(states, TrackStates)
    assert len(states) == N
    assert np.array_equal(states.party, traffic.party)
    assert np.array_equal(states.alt_m, traffic.alt_m)
    assert np.all(states.h_sep_m == 9_260.0)
    subset = traffic.take(traffic.party == 2)
    assert np.all(subset.party == 2)
    assert len(subset.states()) == len(subset)
