"""Tactical detection on encounters whose answers are known by hand.

Geometry is laid out along geodesics that are known in closed form (the equator and
meridians, where a constant-track aircraft stays on its line) or with pyproj placing a
start point a given geodesic distance from a planned meeting point, so that times and
distances follow from speeds and distances with pencil and paper. Inputs go in SI units
through `airhotline.units`, as the contract asks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from pyproj import Geod

from airhotline import units
from airhotline.detect import (
    DEFAULT_H_SEP_M,
    DEFAULT_LOOKAHEAD_S,
    DEFAULT_V_SEP_M,
    Conflicts,
    PairSelection,
    TrackStates,
    detect_conflicts,
    detect_conflicts_exhaustive,
)

GEOD = Geod(ellps="WGS84")
H = DEFAULT_H_SEP_M  # 3 NM
V = DEFAULT_V_SEP_M  # 1000 ft
T = DEFAULT_LOOKAHEAD_S  # 300 s
#: Tolerances of the hand-computed answers: about a metre and a twentieth of a second.
DIST_TOL_M = 1.0
TIME_TOL_S = 0.05


def states(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    alt_ft: npt.ArrayLike = 30_000.0,
    gs_kt: npt.ArrayLike = 0.0,
    track_deg: npt.ArrayLike = 0.0,
    vrate_fpm: npt.ArrayLike = 0.0,
    party: npt.ArrayLike | None = None,
    h_sep_nm: npt.ArrayLike = 3.0,
    v_sep_ft: npt.ArrayLike = 1000.0,
) -> TrackStates:
    """Tracks in aviation units, converted once here; by default each its own party."""
    lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    return TrackStates.build(
        lat_deg=lat,
        lon_deg=lon,
        alt_m=units.m_from_ft(np.asarray(alt_ft, dtype=np.float64)),
        gs_mps=units.mps_from_kt(np.asarray(gs_kt, dtype=np.float64)),
        track_rad=units.rad_from_deg(np.asarray(track_deg, dtype=np.float64)),
        vrate_mps=units.mps_from_fpm(np.asarray(vrate_fpm, dtype=np.float64)),
        party=np.arange(lat.shape[0]) if party is None else party,
        h_sep_m=units.m_from_nm(np.asarray(h_sep_nm, dtype=np.float64)),
        v_sep_m=units.m_from_ft(np.asarray(v_sep_ft, dtype=np.float64)),
    )


@dataclass(frozen=True)
class One:
    """The single conflict of a result, as plain floats."""

    i: int
    j: int
    t_in: float
    t_out: float
    t_cpa: float
    dcpa: float
    dz_cpa: float
    los: bool


def only(conflicts: Conflicts) -> One:
    assert len(conflicts) == 1, f"expected exactly one conflict, got {len(conflicts)}"
    return One(
        i=int(conflicts.i[0]),
        j=int(conflicts.j[0]),
        t_in=float(conflicts.t_in_s[0]),
        t_out=float(conflicts.t_out_s[0]),
        t_cpa=float(conflicts.t_cpa_s[0]),
        dcpa=float(conflicts.dcpa_m[0]),
        dz_cpa=float(conflicts.dz_cpa_m[0]),
        los=bool(conflicts.los[0]),
    )


def detect(
    tracks: TrackStates, *, lookahead_s: float = T, pairs: PairSelection = "cross-party"
) -> Conflicts:
    """`detect_conflicts`, checked on the way against the exhaustive reference."""
    found = detect_conflicts(tracks, lookahead_s=lookahead_s, pairs=pairs)
    brute = detect_conflicts_exhaustive(tracks, lookahead_s=lookahead_s, pairs=pairs)
    np.testing.assert_array_equal(found.i, brute.i)
    np.testing.assert_array_equal(found.j, brute.j)
    np.testing.assert_allclose(found.t_in_s, brute.t_in_s, atol=1e-9)
    _check_invariants(found, tracks, lookahead_s)
    return found


def _check_invariants(conflicts: Conflicts, tracks: TrackStates, lookahead: float) -> None:
    n = len(conflicts)
    for name in ("i", "j", "t_in_s", "t_out_s", "t_cpa_s", "dcpa_m", "dz_cpa_m", "los"):
        assert getattr(conflicts, name).shape == (n,)
    assert np.all(conflicts.i < conflicts.j)
    assert np.all((conflicts.i >= 0) & (conflicts.j < len(tracks)))
    assert np.all(conflicts.t_in_s >= 0.0)
    if lookahead > 0.0:
        assert np.all(conflicts.t_in_s < conflicts.t_out_s)
    else:
        assert np.all((conflicts.t_in_s == 0.0) & (conflicts.t_out_s == 0.0))
    assert np.all(conflicts.t_out_s <= lookahead)
    assert np.all((conflicts.t_cpa_s >= 0.0) & (conflicts.t_cpa_s <= lookahead))
    assert np.all(conflicts.dcpa_m >= 0.0)
    assert np.all(conflicts.dz_cpa_m >= 0.0)
    np.testing.assert_array_equal(conflicts.los, conflicts.t_in_s == 0.0)
    order = np.lexsort((conflicts.j, conflicts.i, conflicts.t_in_s))
    np.testing.assert_array_equal(order, np.arange(n))


def point_from(
    lat: float, lon: float, azimuth_deg: float, distance_m: float
) -> tuple[float, float, float]:
    """Where a geodesic of ``distance_m`` from (lat, lon) ends, and its azimuth there."""
    lon2, lat2, back_azimuth = GEOD.fwd(lon, lat, azimuth_deg, distance_m)
    return float(lat2), float(lon2), (float(back_azimuth) + 180.0) % 360.0


def inbound(
    lat: float, lon: float, from_azimuth_deg: float, distance_m: float
) -> tuple[float, float, float]:
    """Start (lat, lon, track) of an aircraft ``distance_m`` out along ``from_azimuth_deg``
    from (lat, lon) that flies its geodesic straight back through (lat, lon)."""
    lat2, lon2, azimuth_there = point_from(lat, lon, from_azimuth_deg, distance_m)
    return lat2, lon2, (azimuth_there + 180.0) % 360.0


def assert_window(
    found: One, *, t_in: float, t_out: float, t_cpa: float, dcpa: float, los: bool
) -> None:
    assert found.t_in == pytest.approx(t_in, abs=TIME_TOL_S)
    assert found.t_out == pytest.approx(t_out, abs=TIME_TOL_S)
    assert found.t_cpa == pytest.approx(t_cpa, abs=TIME_TOL_S)
    assert found.dcpa == pytest.approx(dcpa, abs=DIST_TOL_M)
    assert found.los is los


# --- classic encounters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "azimuth"),
    [
        (0.0, 0.0, 90.0),  # along the equator, eastbound meets westbound
        (45.0, 10.0, 0.0),  # along a meridian, northbound meets southbound
        (-33.9, 151.2, 0.0),
        (52.0, 4.0, 90.0),  # a general geodesic at mid latitude
        (-60.0, -70.0, 217.0),
    ],
)
def test_head_on(lat: float, lon: float, azimuth: float) -> None:
    gs_kt = 480.0
    distance = units.m_from_nm(40.0)
    lat2, lon2, azimuth2 = point_from(lat, lon, azimuth, distance)
    tracks = states(
        [lat, lat2], [lon, lon2], gs_kt=gs_kt, track_deg=[azimuth, (azimuth2 + 180.0) % 360.0]
    )
    closing = 2.0 * units.mps_from_kt(gs_kt)  # 493.8667 m/s
    found = only(detect(tracks))
    assert (found.i, found.j) == (0, 1)
    # 40 NM at 960 kt: meet after 150 s; the 3 NM disc lasts ±11.25 s around that.
    assert_window(
        found,
        t_in=(distance - H) / closing,
        t_out=(distance + H) / closing,
        t_cpa=distance / closing,
        dcpa=0.0,
        los=False,
    )
    assert found.t_cpa == pytest.approx(150.0, abs=TIME_TOL_S)
    assert found.t_in == pytest.approx(138.75, abs=TIME_TOL_S)
    assert found.dz_cpa == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("lat", "lon"), [(0.0, 0.0), (48.5, 2.3), (-20.0, 179.99)])
def test_crossing_at_right_angles(lat: float, lon: float) -> None:
    # A flies north and B flies west; both reach the crossing point after 120 s.
    gs_a, gs_b = units.mps_from_kt(420.0), units.mps_from_kt(300.0)
    t_meet = 120.0
    lat_a, lon_a, track_a = inbound(lat, lon, 180.0, gs_a * t_meet)
    lat_b, lon_b, track_b = inbound(lat, lon, 90.0, gs_b * t_meet)
    assert track_a == pytest.approx(0.0, abs=1e-6) or track_a == pytest.approx(360.0)
    tracks = TrackStates.build(
        lat_deg=[lat_a, lat_b],
        lon_deg=[lon_a, lon_b],
        alt_m=units.m_from_ft(12_000.0),
        gs_mps=[gs_a, gs_b],
        track_rad=np.radians([track_a, track_b]),
        party=[1, 2],
    )
    relative_speed = float(np.hypot(gs_a, gs_b))
    half_width = H / relative_speed
    found = only(detect(tracks))
    assert_window(
        found,
        t_in=t_meet - half_width,
        t_out=t_meet + half_width,
        t_cpa=t_meet,
        dcpa=0.0,
        los=False,
    )


def test_crossing_with_a_miss_distance() -> None:
    # B crosses A's meridian 1 NM ahead of A: right angles, relative speed v·√2, and the
    # closest approach is 1/√2 NM at the moment they are equally far from the crossing.
    gs = units.mps_from_kt(360.0)
    lat0, lon0 = 10.0, 20.0
    lat_a, lon_a, _ = point_from(lat0, lon0, 180.0, gs * 100.0 - units.m_from_nm(1.0))
    lat_b, lon_b, track_b = inbound(lat0, lon0, 90.0, gs * 100.0)
    tracks = TrackStates.build(
        lat_deg=[lat_a, lat_b],
        lon_deg=[lon_a, lon_b],
        alt_m=3000.0,
        gs_mps=gs,
        track_rad=np.radians([0.0, track_b]),
        party=[0, 1],
    )
    miss = units.m_from_nm(1.0) / np.sqrt(2.0)
    half_chord = np.sqrt(H * H - miss * miss) / (gs * np.sqrt(2.0))
    t_cpa = 100.0 - units.m_from_nm(1.0) / (2.0 * gs)
    found = only(detect(tracks))
    assert_window(
        found,
        t_in=t_cpa - half_chord,
        t_out=t_cpa + half_chord,
        t_cpa=t_cpa,
        dcpa=miss,
        los=False,
    )


def test_overtaking() -> None:
    # Same meridian, both northbound: 450 kt catches 300 kt from 10 NM behind.
    lat0, lon0 = 30.0, -40.0
    behind = units.m_from_nm(10.0)
    lat_b, lon_b, _ = point_from(lat0, lon0, 180.0, behind)
    gs_slow, gs_fast = units.mps_from_kt(300.0), units.mps_from_kt(450.0)
    tracks = TrackStates.build(
        lat_deg=[lat0, lat_b],
        lon_deg=[lon0, lon_b],
        alt_m=units.m_from_ft(20_000.0),
        gs_mps=[gs_slow, gs_fast],
        track_rad=0.0,
        party=[0, 1],
    )
    closing = gs_fast - gs_slow  # 150 kt = 77.17 m/s
    found = only(detect(tracks))
    # Enters at 7 NM / 150 kt = 168 s; would pass at 240 s and leave at 312 s > T.
    assert_window(
        found,
        t_in=(behind - H) / closing,
        t_out=T,
        t_cpa=behind / closing,
        dcpa=0.0,
        los=False,
    )
    assert found.t_in == pytest.approx(168.0, abs=TIME_TOL_S)
    # With a longer look-ahead the exit is seen too.
    found = only(detect(tracks, lookahead_s=400.0))
    assert found.t_out == pytest.approx((behind + H) / closing, abs=TIME_TOL_S)


# --- separation exactly at, just above and just below the minima -----------------------


@pytest.mark.parametrize(("offset_nm", "conflict"), [(3.01, False), (2.99, True)])
def test_parallel_tracks_side_by_side(offset_nm: float, conflict: bool) -> None:
    # Eastbound side by side, symmetric about the equator: both geodesics bend towards
    # the equator alike, so the lateral distance shrinks by cos(s/R) ≈ 7e-5 over the
    # look-ahead (0.4 m) — far less than the 18.5 m margin either way.
    half = units.m_from_nm(offset_nm) / 2.0
    lat_north, _, _ = point_from(0.0, 100.0, 0.0, half)
    tracks = states([lat_north, -lat_north], [100.0, 100.0], gs_kt=450.0, track_deg=90.0)
    found = detect(tracks)
    if not conflict:
        assert len(found) == 0
        return
    one = only(found)
    assert one.los
    assert one.t_in == 0.0
    assert one.t_out == pytest.approx(T)
    assert one.dcpa == pytest.approx(units.m_from_nm(offset_nm), abs=DIST_TOL_M)


@pytest.mark.parametrize(("offset_nm", "conflict"), [(3.01, False), (3.0, False), (2.99, True)])
def test_in_trail_on_a_meridian(offset_nm: float, conflict: bool) -> None:
    # One behind the other on the same meridian at the same speed: distance constant.
    lat_b, lon_b, _ = point_from(40.0, 5.0, 180.0, units.m_from_nm(offset_nm))
    tracks = states([40.0, lat_b], [5.0, lon_b], gs_kt=250.0, track_deg=0.0)
    found = detect(tracks)
    assert len(found) == int(conflict)
    if conflict:
        one = only(found)
        assert one.los
        assert one.t_in == 0.0
        assert one.t_out == pytest.approx(T)


@pytest.mark.parametrize(
    ("levels_ft", "conflict"),
    [
        ((35_000.0, 36_000.0), False),  # adjacent flight levels: legal separation
        ((29_000.0, 28_000.0), False),
        ((10_000.0, 11_000.0), False),
        ((35_000.0, 35_999.0), True),  # a foot less is a conflict
        ((35_000.0, 35_000.0), True),
    ],
)
def test_level_aircraft_crossing_over_each_other(
    levels_ft: tuple[float, float], conflict: bool
) -> None:
    distance = units.m_from_nm(20.0)
    lat2, lon2, _ = point_from(0.0, 30.0, 90.0, distance)
    tracks = states(
        [0.0, lat2], [30.0, lon2], alt_ft=list(levels_ft), gs_kt=450.0, track_deg=[90, 270]
    )
    found = detect(tracks)
    assert len(found) == int(conflict)
    if conflict:
        one = only(found)
        assert one.dcpa == pytest.approx(0.0, abs=DIST_TOL_M)
        assert one.dz_cpa == pytest.approx(units.m_from_ft(abs(levels_ft[1] - levels_ft[0])))


def test_adjacent_levels_in_formation_are_legal() -> None:
    # Stacked directly above each other all the way, exactly 1000 ft apart, every
    # conversion path: from feet, from metres computed in different orders.
    for low, high in [
        (units.m_from_ft(35_000.0), units.m_from_ft(36_000.0)),
        (units.m_from_ft(35_000.0), units.m_from_ft(35_000.0) + units.m_from_ft(1000.0)),
        (0.1 * 3, 0.1 * 3 + V),
    ]:
        tracks = TrackStates.build(
            lat_deg=[10.0, 10.0],
            lon_deg=[10.0, 10.0],
            alt_m=[low, high],
            gs_mps=200.0,
            track_rad=1.0,
            party=[0, 1],
        )
        assert len(detect(tracks)) == 0


def test_climbing_through_the_others_level() -> None:
    # Side by side, 1 NM apart, same velocity; B at FL280 climbs at 2000 fpm through A's
    # FL300: the vertical band alone decides. Enters when 1000 ft below (after 30 s),
    # leaves when 1000 ft above (after 90 s).
    lat_b, lon_b, _ = point_from(20.0, 60.0, 270.0, units.m_from_nm(1.0))
    tracks = states(
        [20.0, lat_b],
        [60.0, lon_b],
        alt_ft=[30_000.0, 28_000.0],
        gs_kt=0.0,
        vrate_fpm=[0.0, 2000.0],
    )
    found = only(detect(tracks))
    assert found.los is False
    assert found.t_in == pytest.approx(30.0, abs=1e-3)
    assert found.t_out == pytest.approx(90.0, abs=1e-3)
    assert found.dcpa == pytest.approx(units.m_from_nm(1.0), abs=DIST_TOL_M)


@pytest.mark.parametrize(
    ("start_ft", "window"),
    [
        (13_000.0, (162.0, 198.0)),  # vertically inside [120 s, 240 s]: horizontal decides
        (14_000.0, (180.0, 198.0)),  # vertically inside [180 s, 300 s]: enters vertically
        (15_000.0, None),  # vertically inside only from 240 s: after the horizontal exit
    ],
)
def test_descending_head_on(start_ft: float, window: tuple[float, float] | None) -> None:
    # Head-on, 30 NM apart, closing at 600 kt (10 NM a minute): horizontally inside from
    # 162 s to 198 s. A is level at FL100; B descends at 1000 fpm from start_ft, so it is
    # within 1000 ft of A from (start - 11000 ft) / 1000 fpm to (start - 9000 ft) / 1000 fpm.
    distance = units.m_from_nm(30.0)
    lat2, lon2, azimuth2 = point_from(0.0, -10.0, 90.0, distance)
    tracks = states(
        [0.0, lat2],
        [-10.0, lon2],
        alt_ft=[10_000.0, start_ft],
        gs_kt=300.0,
        track_deg=[90.0, (azimuth2 + 180.0) % 360.0],
        vrate_fpm=[0.0, -1000.0],
    )
    found = detect(tracks)
    if window is None:
        assert len(found) == 0
        return
    one = only(found)
    assert_window(one, t_in=window[0], t_out=window[1], t_cpa=180.0, dcpa=0.0, los=False)
    assert one.dz_cpa == pytest.approx(units.m_from_ft(abs(start_ft - 13_000.0)), abs=0.01)


def test_already_in_loss_of_separation() -> None:
    # 2 NM apart, 500 ft apart, diverging at 200 kt each: lost now, regained later.
    lat2, lon2, _ = point_from(50.0, 8.0, 90.0, units.m_from_nm(2.0))
    tracks = states(
        [50.0, lat2], [8.0, lon2], alt_ft=[9000.0, 9500.0], gs_kt=200.0, track_deg=[270.0, 90.0]
    )
    found = only(detect(tracks))
    assert found.los is True
    assert found.t_in == 0.0
    # Opening at 400 kt from 2 NM to 3 NM takes 9 s.
    assert found.t_out == pytest.approx(units.m_from_nm(1.0) / units.mps_from_kt(400.0), abs=0.05)
    assert found.t_cpa == 0.0
    assert found.dcpa == pytest.approx(units.m_from_nm(2.0), abs=DIST_TOL_M)
    assert found.dz_cpa == pytest.approx(units.m_from_ft(500.0), abs=1e-6)


# --- no relative motion -----------------------------------------------------------------


@pytest.mark.parametrize(("offset_nm", "conflict"), [(1.0, True), (2.9, True), (5.0, False)])
def test_formation_with_identical_velocity(offset_nm: float, conflict: bool) -> None:
    lat_b, lon_b, _ = point_from(-10.0, 120.0, 0.0, units.m_from_nm(offset_nm))
    tracks = states([-10.0, lat_b], [120.0, lon_b], gs_kt=320.0, track_deg=0.0, vrate_fpm=500.0)
    found = detect(tracks)
    if not conflict:
        assert len(found) == 0
        return
    one = only(found)
    assert one.los is True
    assert one.t_in == 0.0
    assert one.t_out == pytest.approx(T)
    assert 0.0 <= one.t_cpa <= T
    assert one.dcpa == pytest.approx(units.m_from_nm(offset_nm), abs=DIST_TOL_M)
    assert one.dz_cpa == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("offset_nm", "conflict"), [(0.0, True), (2.0, True), (3.5, False)])
def test_both_hovering(offset_nm: float, conflict: bool) -> None:
    lat_b, lon_b, _ = point_from(47.0, 11.0, 123.0, units.m_from_nm(offset_nm))
    tracks = states([47.0, lat_b], [11.0, lon_b], alt_ft=[500.0, 700.0], gs_kt=0.0)
    found = detect(tracks)
    if not conflict:
        assert len(found) == 0
        return
    one = only(found)
    assert one.los
    assert one.t_in == 0.0
    assert one.t_out == pytest.approx(T)
    assert one.dcpa == pytest.approx(units.m_from_nm(offset_nm), abs=DIST_TOL_M)


def test_one_hovering_one_approaching() -> None:
    # A helicopter hovers; an aircraft flies at it at 120 kt from 6 NM.
    distance = units.m_from_nm(6.0)
    lat_b, lon_b, track_b = inbound(35.0, 139.0, 45.0, distance)
    tracks = TrackStates.build(
        lat_deg=[35.0, lat_b],
        lon_deg=[139.0, lon_b],
        alt_m=300.0,
        gs_mps=[0.0, units.mps_from_kt(120.0)],
        track_rad=np.radians([0.0, track_b]),
        party=[0, 1],
    )
    speed = units.mps_from_kt(120.0)
    found = only(detect(tracks))
    # 3 NM at 120 kt is 90 s; it reaches the helicopter at 180 s and leaves at 270 s.
    assert_window(found, t_in=90.0, t_out=270.0, t_cpa=distance / speed, dcpa=0.0, los=False)


# --- anywhere on Earth -------------------------------------------------------------------


@pytest.mark.parametrize("lat", [0.0, 60.0, -45.0])
def test_across_the_antimeridian(lat: float) -> None:
    # Head-on over the antimeridian, already within 3 NM (0.04° of longitude).
    az_ab, az_ba, distance = GEOD.inv(179.98, lat, -179.98, lat)
    tracks = states(
        [lat, lat], [179.98, -179.98], gs_kt=300.0, track_deg=[az_ab % 360, az_ba % 360]
    )
    closing = 2.0 * units.mps_from_kt(300.0)
    found = only(detect(tracks))
    assert_window(
        found,
        t_in=0.0,
        t_out=(distance + H) / closing,
        t_cpa=distance / closing,
        dcpa=0.0,
        los=True,
    )
    # The ellipsoid does not care about longitude: the same encounter around Greenwich
    # gives the same answer.
    shifted = states([lat, lat], [-0.02, 0.02], gs_kt=300.0, track_deg=[az_ab % 360, az_ba % 360])
    same = only(detect(shifted))
    assert same.t_out == pytest.approx(found.t_out, abs=1e-6)
    assert same.t_cpa == pytest.approx(found.t_cpa, abs=1e-6)
    assert same.dcpa == pytest.approx(found.dcpa, abs=1e-3)


def test_across_the_antimeridian_from_afar() -> None:
    # 30 NM apart, closing at 900 kt across 180°: meet after 120 s.
    distance = units.m_from_nm(30.0)
    lat_a, lon_a, track_a = inbound(-15.0, 180.0, 270.0, distance / 2.0)
    lat_b, lon_b, track_b = inbound(-15.0, 180.0, 90.0, distance / 2.0)
    assert lon_a > 179.0
    assert lon_b < -179.0
    closing = units.mps_from_kt(900.0)
    tracks = TrackStates.build(
        lat_deg=[lat_a, lat_b],
        lon_deg=[lon_a, lon_b],
        alt_m=9000.0,
        gs_mps=closing / 2.0,
        track_rad=np.radians([track_a, track_b]),
        party=[0, 1],
    )
    found = only(detect(tracks))
    assert_window(
        found,
        t_in=(distance - H) / closing,
        t_out=(distance + H) / closing,
        t_cpa=distance / closing,
        dcpa=0.0,
        los=False,
    )


def test_head_on_over_the_north_pole() -> None:
    # Both 0.4° from the pole on opposite meridians, both flying "north": they meet over
    # the pole. Meridian arcs are geodesics, so the distance is twice the arc.
    _, _, arc = GEOD.inv(0.0, 89.6, 0.0, 90.0)
    distance = 2.0 * arc
    gs = units.mps_from_kt(480.0)
    tracks = states([89.6, 89.6], [0.0, 180.0], gs_kt=480.0, track_deg=0.0)
    found = only(detect(tracks))
    assert_window(
        found,
        t_in=(distance - H) / (2.0 * gs),
        t_out=(distance + H) / (2.0 * gs),
        t_cpa=distance / (2.0 * gs),
        dcpa=0.0,
        los=False,
    )


def test_crossing_near_the_north_pole() -> None:
    # Within 0.5° of the pole: A flies along the 0° meridian over the pole, B along the
    # 90° E meridian over the pole, both arriving after 100 s (a right-angle crossing).
    gs_a, gs_b = units.mps_from_kt(400.0), units.mps_from_kt(250.0)
    lat_a, lon_a, track_a = inbound(90.0, 0.0, 0.0, gs_a * 100.0)
    lat_b, lon_b, track_b = inbound(90.0, 90.0, 0.0, gs_b * 100.0)
    assert min(lat_a, lat_b) > 89.5
    tracks = TrackStates.build(
        lat_deg=[lat_a, lat_b],
        lon_deg=[lon_a, lon_b],
        alt_m=10_000.0,
        gs_mps=[gs_a, gs_b],
        track_rad=np.radians([track_a, track_b]),
        party=[0, 1],
    )
    half_width = H / float(np.hypot(gs_a, gs_b))
    found = only(detect(tracks))
    assert_window(
        found, t_in=100 - half_width, t_out=100 + half_width, t_cpa=100.0, dcpa=0.0, los=False
    )


def test_at_the_south_pole() -> None:
    # A sits exactly on the south pole, flying up the 0° meridian (a track angle at the
    # pole is measured from the meridian of the reported longitude); B comes down the
    # same meridian from 0.3° away. Head-on along one meridian.
    _, _, distance = GEOD.inv(0.0, -90.0, 0.0, -89.7)
    gs_a, gs_b = units.mps_from_kt(150.0), units.mps_from_kt(350.0)
    tracks = TrackStates.build(
        lat_deg=[-90.0, -89.7],
        lon_deg=[0.0, 0.0],
        alt_m=3000.0,
        gs_mps=[gs_a, gs_b],
        track_rad=np.radians([0.0, 180.0]),
        party=[0, 1],
    )
    closing = gs_a + gs_b
    found = only(detect(tracks))
    assert_window(
        found,
        t_in=(distance - H) / closing,
        t_out=(distance + H) / closing,
        t_cpa=distance / closing,
        dcpa=0.0,
        los=False,
    )


def test_hovering_on_the_south_pole_while_another_passes_over() -> None:
    _, _, distance = GEOD.inv(45.0, -89.8, 45.0, -90.0)
    speed = units.mps_from_kt(200.0)
    tracks = TrackStates.build(
        lat_deg=[-89.8, -90.0],
        lon_deg=[45.0, -123.0],  # any longitude names the pole
        alt_m=1000.0,
        gs_mps=[speed, 0.0],
        track_rad=np.radians([180.0, 0.0]),
        party=[0, 1],
    )
    found = only(detect(tracks))
    assert_window(
        found,
        t_in=(distance - H) / speed,
        t_out=(distance + H) / speed,
        t_cpa=distance / speed,
        dcpa=0.0,
        los=False,
    )


# --- minima, pair selection, look-ahead ---------------------------------------------------


def test_per_track_minima_pair_uses_the_larger() -> None:
    # Head-on, 40 NM apart, closing at 960 kt; A is held to 5 NM (a drill zone), B to 3 NM.
    distance = units.m_from_nm(40.0)
    closing = 2.0 * units.mps_from_kt(480.0)
    lat2, lon2, _ = point_from(0.0, 0.0, 90.0, distance)
    for minima in ([5.0, 3.0], [3.0, 5.0]):
        tracks = states([0.0, lat2], [0.0, lon2], gs_kt=480.0, track_deg=[90, 270], h_sep_nm=minima)
        found = only(detect(tracks))
        h = units.m_from_nm(5.0)
        assert found.t_in == pytest.approx((distance - h) / closing, abs=TIME_TOL_S)
        assert found.t_out == pytest.approx((distance + h) / closing, abs=TIME_TOL_S)


@pytest.mark.parametrize(("dz_ft", "conflict"), [(1500.0, True), (2000.0, False)])
def test_per_track_vertical_minima(dz_ft: float, conflict: bool) -> None:
    lat2, lon2, _ = point_from(0.0, 0.0, 90.0, units.m_from_nm(1.0))
    for v_sep in ([2000.0, 1000.0], [1000.0, 2000.0]):
        tracks = states(
            [0.0, lat2], [0.0, lon2], alt_ft=[20_000.0, 20_000.0 + dz_ft], v_sep_ft=v_sep
        )
        assert len(detect(tracks)) == int(conflict)


def test_cross_party_skips_same_party_and_all_includes_it() -> None:
    lat2, lon2, _ = point_from(0.0, 0.0, 90.0, units.m_from_nm(1.0))
    same_party = states([0.0, lat2], [0.0, lon2], party=[7, 7])
    assert len(detect(same_party)) == 0
    assert len(detect(same_party, pairs="cross-party")) == 0
    one = only(detect(same_party, pairs="all"))
    assert (one.i, one.j) == (0, 1)
    other_party = states([0.0, lat2], [0.0, lon2], party=[7, 8])
    assert len(detect(other_party)) == 1
    assert len(detect(other_party, pairs="all")) == 1


def test_three_parties_and_pair_selection() -> None:
    # Four tracks hovering together: parties 0, 0, 1, 2.
    tracks = states([0.0, 0.0, 0.0, 0.0], [0.0, 0.001, 0.002, 0.003], party=[0, 0, 1, 2])
    cross = detect(tracks)
    assert sorted(zip(cross.i.tolist(), cross.j.tolist(), strict=True)) == [
        (0, 2),
        (0, 3),
        (1, 2),
        (1, 3),
        (2, 3),
    ]
    assert len(detect(tracks, pairs="all")) == 6


def test_invalid_arguments() -> None:
    tracks = states([0.0, 0.0], [0.0, 0.01])
    with pytest.raises(ValueError, match="lookahead"):
        detect_conflicts(tracks, lookahead_s=-1.0)
    with pytest.raises(ValueError, match="lookahead"):
        detect_conflicts(tracks, lookahead_s=float("nan"))
    with pytest.raises(ValueError, match="pairs"):
        detect_conflicts(tracks, pairs="everyone")  # type: ignore[arg-type]


@pytest.mark.parametrize(("t_entry", "reported"), [(T + 0.5, False), (T - 0.5, True)])
def test_lookahead_boundary(t_entry: float, reported: bool) -> None:
    # Head-on at 500 kt each; placed so that the 3 NM disc is entered at t_entry.
    closing = 2.0 * units.mps_from_kt(500.0)
    distance = H + closing * t_entry
    lat2, lon2, azimuth2 = point_from(5.0, 5.0, 90.0, distance)
    tracks = states(
        [5.0, lat2], [5.0, lon2], gs_kt=500.0, track_deg=[90.0, (azimuth2 + 180.0) % 360.0]
    )
    found = detect(tracks)
    if not reported:
        assert len(found) == 0
        # ... but a longer look-ahead sees it.
        later = only(detect(tracks, lookahead_s=T + 60.0))
        assert later.t_in == pytest.approx(t_entry, abs=TIME_TOL_S)
        return
    one = only(found)
    assert one.t_in == pytest.approx(t_entry, abs=TIME_TOL_S)
    assert one.t_out == T  # clamped to the look-ahead
    assert one.t_cpa == T  # the closest approach comes later: clamped
    assert one.dcpa == pytest.approx(H - closing * 0.5, abs=DIST_TOL_M)


def test_long_lookahead_conflict_near_the_end_is_found() -> None:
    # ENGINE BUG (tactical._coarse): the coarse filter flies each aircraft along a straight
    # Earth-centred line seen in the first track's tangent plane. Over long look-aheads
    # that line runs late by about d³/(3R²) (4.7 km at 800 km, ~20 s at 450 kt), far more
    # than its fixed margin (2 % of H + 300 m), so a conflict that starts in the last
    # seconds of the look-ahead is dropped before the exact phase sees it. Here: a
    # hovering aircraft on the equator, the other flying straight at it along the equator
    # from 800 km at 450 kt; separation is lost at (D - H) / v = 3431.7 s; T is 10 s more.
    # The engine reports nothing (it does at T + 20 s). Fine at the default T = 300 s
    # (error ~7 m at 600 kt); starts at ~450 km of travel (T ≈ 1950 s at 450 kt).
    distance = 800_000.0
    speed = units.mps_from_kt(450.0)
    lat_b, lon_b, _ = point_from(0.0, 0.0, 270.0, distance)
    tracks = TrackStates.build(
        lat_deg=[0.0, lat_b],
        lon_deg=[0.0, lon_b],
        alt_m=10_000.0,
        gs_mps=[0.0, speed],
        track_rad=[0.0, np.pi / 2.0],
        party=[0, 1],
    )
    t_entry = (distance - H) / speed
    found = detect_conflicts(tracks, lookahead_s=t_entry + 10.0)
    assert len(found) == 1, (
        f"conflict entering at t = {t_entry:.1f} s missed with look-ahead {t_entry + 10.0:.1f} s"
    )
    assert float(found.t_in_s[0]) == pytest.approx(t_entry, abs=TIME_TOL_S)


def test_zero_lookahead_sees_only_present_loss() -> None:
    lat2, lon2, _ = point_from(0.0, 0.0, 90.0, units.m_from_nm(10.0))
    approaching = states([0.0, lat2], [0.0, lon2], gs_kt=500.0, track_deg=[90.0, 270.0])
    assert len(detect(approaching, lookahead_s=0.0)) == 0
    lat2, lon2, _ = point_from(0.0, 0.0, 90.0, units.m_from_nm(1.0))
    lost = states([0.0, lat2], [0.0, lon2], gs_kt=500.0, track_deg=[90.0, 270.0])
    one = only(detect(lost, lookahead_s=0.0))
    assert one.los


# --- shapes and order ----------------------------------------------------------------------


def test_empty_input() -> None:
    empty = TrackStates.build(lat_deg=[], lon_deg=[], alt_m=[], gs_mps=[], track_rad=[])
    assert len(empty) == 0
    found = detect_conflicts(empty)
    assert len(found) == 0
    assert found.i.dtype == np.int64
    assert found.t_in_s.dtype == np.float64
    assert len(detect_conflicts_exhaustive(empty)) == 0


def test_single_track() -> None:
    single = states([10.0], [10.0], gs_kt=300.0)
    assert len(detect_conflicts(single)) == 0
    assert len(detect_conflicts(single, pairs="all")) == 0
    assert len(detect_conflicts_exhaustive(single)) == 0


def test_no_conflict_far_apart() -> None:
    tracks = states([0.0, 40.0, -40.0], [0.0, 100.0, -100.0], gs_kt=500.0, track_deg=[0, 90, 180])
    assert len(detect(tracks)) == 0


def test_results_sorted_by_t_in_with_i_less_than_j() -> None:
    # A hovering centre track (index 3) and intruders converging from different ranges, so
    # that each pair has its own entry time; listed in scrambled order.
    centre = (12.0, 34.0)
    speed_kt = 360.0
    # (range NM, azimuth from the centre); None: the centre itself
    intruders = [(9.0, 10.0), (4.0, 100.0), (15.0, 200.0), None, (6.0, 300.0), (2.0, 45.0)]
    lats, lons, tracks_deg, speeds = [], [], [], []
    for intruder in intruders:
        if intruder is None:
            lats.append(centre[0])
            lons.append(centre[1])
            tracks_deg.append(0.0)
            speeds.append(0.0)
            continue
        range_nm, azimuth = intruder
        lat, lon, track = inbound(*centre, azimuth, units.m_from_nm(range_nm))
        lats.append(lat)
        lons.append(lon)
        tracks_deg.append(track)
        speeds.append(speed_kt)
    # The centre is at 9000 ft, with intruders 1 and 5; 0 and 4 converge at 5000 ft but
    # are of one party; 2 is alone at 13000 ft.
    alts = [5000.0, 9000.0, 13000.0, 9000.0, 5000.0, 9000.0]
    tracks = states(
        lats, lons, alt_ft=alts, gs_kt=speeds, track_deg=tracks_deg, party=[1, 2, 1, 0, 1, 1]
    )
    found = detect(tracks)
    pairs = list(zip(found.i.tolist(), found.j.tolist(), strict=True))
    # Intruders 1 (4 NM out) and 5 (2 NM out) meet the centre, and each other on the way.
    assert set(pairs) == {(1, 3), (3, 5), (1, 5)}
    assert np.all(np.diff(found.t_in_s) >= 0.0)
    assert np.all(found.i < found.j)
    # The 2 NM intruder is already inside: first.
    assert pairs[0] == (3, 5)
    assert found.t_in_s[0] == 0.0
    t_in_1_3 = found.t_in_s[pairs.index((1, 3))]
    assert t_in_1_3 == pytest.approx(units.m_from_nm(1.0) / units.mps_from_kt(speed_kt), abs=0.05)


def test_many_conflicts_sorted() -> None:
    rng = np.random.default_rng(3)
    n = 150
    tracks = TrackStates.build(
        lat_deg=rng.uniform(-0.3, 0.3, n),
        lon_deg=rng.uniform(-0.3, 0.3, n),
        alt_m=rng.uniform(3000.0, 4000.0, n),
        gs_mps=rng.uniform(0.0, 250.0, n),
        track_rad=rng.uniform(0.0, 2 * np.pi, n),
        vrate_mps=rng.uniform(-10.0, 10.0, n),
        party=rng.integers(0, 4, n),
    )
    found = detect(tracks)
    assert len(found) > 100
    assert np.all(np.diff(found.t_in_s) >= 0.0)
    pairs = set(zip(found.i.tolist(), found.j.tolist(), strict=True))
    assert len(pairs) == len(found)  # one conflict per pair
    assert np.all(tracks.party[found.i] != tracks.party[found.j])
