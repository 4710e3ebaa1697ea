"""The drill fleet flies what the scenario says: a turn ends on its heading at its rate,
a level change lands on the level at its rate, a speed change at its rate, direct-to
reaches its point, a hold stays near where it began, and a straight track is the
geodesic (checked against pyproj's)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from airhotline import geo, units
from airhotline.core.reports import ReportBatch
from airhotline.drill.flight import Fleet


def one(manoeuvres: list[dict[str, Any]], **start: float) -> Fleet:
    state = {"lat": 34.0, "lon": 33.0, "alt_ft": 20_000.0, "gs_kt": 360.0, "track_deg": 0.0}
    state.update(start)
    return Fleet([{"party": "A", "track": "T", "start": state, "manoeuvres": manoeuvres}])


def fly(fleet: Fleet, seconds: int) -> None:
    for t in range(seconds):
        fleet.step(t)


@given(
    heading=st.floats(0, 359),
    rate=st.sampled_from([1.5, 3.0, 6.0]),
    direction=st.sampled_from(["left", "right", "shortest"]),
)
@settings(max_examples=40, deadline=None)
def test_a_turn_ends_on_its_heading_at_its_rate(
    heading: float, rate: float, direction: str
) -> None:
    fleet = one(
        [{"at_s": 0, "turn": {"heading_deg": heading, "rate_dps": rate, "direction": direction}}]
    )
    change = {"right": heading % 360, "left": (-heading) % 360}.get(direction)
    if change is None:
        change = min(heading % 360, (-heading) % 360)
    fly(fleet, int(np.ceil(change / rate)) + 1)
    # On the heading (the geodesic's own track then drifts by less than a degree a minute).
    assert abs((fleet.track_deg[0] - heading + 180) % 360 - 180) < 0.2


def test_a_right_turn_goes_the_long_way_when_asked() -> None:
    fleet = one([{"at_s": 0, "turn": {"heading_deg": 350, "rate_dps": 3, "direction": "right"}}])
    fly(fleet, 60)
    assert 170 < fleet.track_deg[0] < 190  # halfway round, the right way


def test_a_level_change_lands_on_the_level_at_its_rate() -> None:
    fleet = one([{"at_s": 0, "level": {"to": "FL250", "rate_fpm": 2_000}}])
    fly(fleet, 90)
    assert fleet.alt_ft[0] == pytest.approx(23_000.0)
    fly(fleet, 100)
    assert fleet.alt_ft[0] == pytest.approx(25_000.0)
    assert fleet.vrate_fpm[0] == 0.0


def test_a_speed_change_at_its_rate() -> None:
    fleet = one([{"at_s": 0, "speed": {"gs_kt": 300, "rate_kt_s": 2}}])
    fly(fleet, 10)
    assert fleet.gs_kt[0] == pytest.approx(340.0)
    fly(fleet, 40)
    assert fleet.gs_kt[0] == pytest.approx(300.0)


def test_direct_to_reaches_its_point() -> None:
    fleet = one([{"at_s": 0, "direct": {"lat": 34.2, "lon": 33.3}}])
    distance_nm = float(units.nm_from_m(geo.distance_m(34.0, 33.0, 34.2, 33.3)))
    fly(fleet, round(distance_nm / 360.0 * 3600.0) + 20)
    left = float(units.nm_from_m(geo.distance_m(fleet.lat[0], fleet.lon[0], 34.2, 33.3)))
    assert left < 2.0


def test_a_hold_stays_near_where_it_began() -> None:
    fleet = one([{"at_s": 0, "hold": {"direction": "right", "leg_s": 60}}])
    far = 0.0
    for t in range(600):
        fleet.step(t)
        far = max(
            far, float(units.nm_from_m(geo.distance_m(34.0, 33.0, fleet.lat[0], fleet.lon[0])))
        )
    # A racetrack of two 1-minute standard-rate turns (2 NM across at 360 kt) and 6 NM legs.
    assert 5.0 < far < 9.0


@given(lat=st.floats(-70, 70), lon=st.floats(-180, 180), track=st.floats(0, 359.9))
@settings(max_examples=30, deadline=None)
def test_a_straight_track_is_the_geodesic(lat: float, lon: float, track: float) -> None:
    fleet = one([], lat=lat, lon=lon, track_deg=track, gs_kt=480.0)
    fly(fleet, 120)
    lon2, lat2, _ = Geod(ellps="WGS84").fwd(lon, lat, track, float(units.m_from_nm(16.0)))
    apart = geo.distance_m(fleet.lat[0], fleet.lon[0], lat2, lon2)
    assert float(apart) < 1.0


def test_the_batches_say_what_the_reports_say() -> None:
    fleet = Fleet(
        [
            {"party": p, "track": f"{p}{k}", "callsign": f"C{k}" if k else None, "start": s}
            for k, p in enumerate(["A", "B", "A"])
            for s in [
                {"lat": 34.0 + k, "lon": 33.0, "alt_ft": 9_000.0, "gs_kt": 300.0, "track_deg": 90.0}
            ]
        ]
    )
    for party, batch in fleet.batches(0, 1_000_000).items():
        expected = ReportBatch.from_rows(fleet.reports(0, 1_000_000)[party])
        assert batch.to_payload() == expected.to_payload()


def test_the_batches_follow_aircraft_joining_and_leaving() -> None:
    """A batch's identities are kept from second to second: never past a change of who
    flies."""
    start = {"lat": 34.0, "lon": 33.0, "alt_ft": 9_000.0, "gs_kt": 300.0, "track_deg": 90.0}
    fleet = Fleet(
        [
            {"party": "A", "track": "A1", "start": start},
            {"party": "A", "track": "A2", "callsign": "LATE", "from_s": 3, "start": start},
            {"party": "B", "track": "B1", "until_s": 4, "start": start},
            {"party": "A", "track": "A3", "until_s": 5, "start": start},
        ]
    )
    for t in range(8):
        batches = fleet.batches(t, t * 1_000_000)
        expected = fleet.reports(t, t * 1_000_000)
        assert sorted(batches) == sorted(expected)
        for party, batch in batches.items():
            assert batch.to_payload() == ReportBatch.from_rows(expected[party]).to_payload()
        fleet.step(t)


def test_a_manoeuvre_at_zero_starts_on_the_first_second() -> None:
    fleet = one([{"at_s": 0, "turn": {"heading_deg": 90, "rate_dps": 3}}])
    fleet.step(0)
    assert fleet.track_deg[0] == pytest.approx(3.0, abs=0.1)
    later = one([{"at_s": 5, "turn": {"heading_deg": 90, "rate_dps": 3}}])
    for t in range(5):
        later.step(t)
    assert later.track_deg[0] == pytest.approx(0.0, abs=0.1)  # not a second early
