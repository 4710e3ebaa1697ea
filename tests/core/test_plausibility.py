"""Plausibility of track reports: what an aircraft can report, and what follows.

Real flight is flown along WGS-84 geodesics (pyproj), with turns and speed changes an
aircraft can make, reported at feed-like intervals: it must always be consistent. The
findings' fake tracks — stationary "columns" climbing at 60 000 fpm, columns whose
vertical rate their altitude never follows, tracks that jump — must never be.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from airhotline.core.plausibility import PlausibilityRules, Reports, assess, follows, possible

GEOD = Geod(ellps="WGS84")
RULES = PlausibilityRules()


def reports(rows: list[dict[str, float]]) -> Reports:
    def column(name: str) -> np.ndarray:  # type: ignore[type-arg]
        return np.array([r[name] for r in rows], dtype=np.float64)

    return Reports(
        time_us=np.array([round(r["t"] * 1e6) for r in rows], dtype=np.int64),
        lat=column("lat"),
        lon=column("lon"),
        alt_ft=column("alt_ft"),
        gs_kt=column("gs_kt"),
        track_deg=column("track_deg"),
        vrate_fpm=column("vrate_fpm"),
    )


def flight(
    *, gs_kt: float, turn_dps: float, accel_kt_s: float, vrate_fpm: float, every_s: float, n: int
) -> list[dict[str, float]]:
    """A flight integrated in 0.1 s steps along geodesics, reported every ``every_s``."""
    lat, lon, course, speed, alt, t = 34.0, 33.0, 10.0, gs_kt, 20_000.0, 0.0
    out = []
    step = 0.1
    next_report = 0.0
    while len(out) < n:
        if t >= next_report - 1e-9:
            out.append(
                {
                    "t": t,
                    "lat": lat,
                    "lon": lon,
                    "alt_ft": alt,
                    "gs_kt": speed,
                    "track_deg": course % 360.0,
                    "vrate_fpm": vrate_fpm,
                }
            )
            next_report += every_s
        lon, lat, back = GEOD.fwd(lon, lat, course, speed * 1852 / 3600 * step)
        course = (back + 180.0 + turn_dps * step) % 360.0
        speed = max(0.0, speed + accel_kt_s * step)
        alt += vrate_fpm / 60.0 * step
        t += step
    return out


def streaks(rows: list[dict[str, float]]) -> list[int]:
    """Each report's streak, taken one after another as the picture takes them."""
    found = []
    previous = None
    streak = np.array([0], dtype=np.int64)
    drift = np.array([0.0])
    for row in rows:
        new = reports([row])
        old = new if previous is None else reports([previous])
        has_old = np.array([previous is not None])
        streak, drift = assess(old, new, has_old, streak, drift, RULES)
        found.append(int(streak[0]))
        previous = row
    return found


@settings(max_examples=60, deadline=None)
@given(
    gs_kt=st.floats(0.0, 900.0),
    turn_dps=st.floats(-3.0, 3.0),
    accel_kt_s=st.floats(-3.0, 3.0),
    vrate_fpm=st.floats(-6_000.0, 6_000.0),
    every_s=st.sampled_from([0.5, 1.0, 2.0, 5.0]),
    step_ft=st.sampled_from([0.0, 25.0, 100.0]),
)
def test_real_flight_is_always_consistent(
    gs_kt: float,
    turn_dps: float,
    accel_kt_s: float,
    vrate_fpm: float,
    every_s: float,
    step_ft: float,
) -> None:
    """Any speed to 900 kt, standard-rate turns, 3 kt/s speed changes, climbs and
    descents to 6 000 fpm, reported every 0.5-5 s with altitudes in 25 or 100 ft steps
    (Mode S, Mode C) or exact."""
    rows = flight(
        gs_kt=gs_kt,
        turn_dps=turn_dps,
        accel_kt_s=accel_kt_s,
        vrate_fpm=vrate_fpm,
        every_s=every_s,
        n=12,
    )
    if step_ft:
        rows = [{**r, "alt_ft": round(r["alt_ft"] / step_ft) * step_ft} for r in rows]
    assert streaks(rows) == list(range(1, 13))


def test_a_stationary_column_climbing_at_60000_fpm_is_never_possible() -> None:
    column = [
        {"t": float(t), "lat": 34.0, "lon": 33.0, "alt_ft": -2_000.0, "gs_kt": 0.0,
         "track_deg": 0.0, "vrate_fpm": 60_000.0}
        for t in range(6)
    ]  # fmt: skip
    assert not possible(reports(column), RULES).any()
    assert streaks(column) == [0] * 6


@pytest.mark.parametrize("vrate_fpm", [30_000.0, 10_000.0, 5_000.0, -5_000.0])
def test_a_column_whose_altitude_never_follows_its_vertical_rate_never_establishes(
    vrate_fpm: float,
) -> None:
    """Each step alone may be within the slack (5 000 fpm: 83 ft a second); the drift
    adds up and ends every streak before it lasts."""
    column = [
        {"t": float(t), "lat": 34.0, "lon": 33.0, "alt_ft": -2_000.0, "gs_kt": 0.0,
         "track_deg": 0.0, "vrate_fpm": vrate_fpm}
        for t in range(30)
    ]  # fmt: skip
    assert possible(reports(column), RULES).all()
    found = streaks(column)
    assert max(found[10:]) == 1, found
    assert max(found) < RULES.establish_reports + 10


def test_a_jump_starts_the_streak_again() -> None:
    rows = flight(gs_kt=450.0, turn_dps=0.0, accel_kt_s=0.0, vrate_fpm=0.0, every_s=1.0, n=5)
    jumped = {**rows[3], "lat": rows[3]["lat"] + 0.5}  # 30 NM north in a second
    assert streaks([*rows[:3], jumped, {**rows[4], "lat": rows[4]["lat"] + 0.5}]) == [
        1, 2, 3, 1, 2,
    ]  # fmt: skip


def test_a_speed_the_positions_do_not_show_is_inconsistent() -> None:
    rows = flight(gs_kt=450.0, turn_dps=0.0, accel_kt_s=0.0, vrate_fpm=0.0, every_s=10.0, n=2)
    slow = [{**r, "gs_kt": 100.0} for r in rows]  # 450 kt flown, 100 kt said
    assert follows(reports([rows[0]]), reports([rows[1]]), RULES)[0]
    assert not follows(reports([slow[0]]), reports([slow[1]]), RULES)[0]


def test_the_slack_grows_with_the_distance_flown() -> None:
    # 600 kt for 5 s is 1.54 km: a position 1.2 km off is within the slack (0.93 km +
    # a quarter of the distance), 1.5 km off is not.
    rows = flight(gs_kt=600.0, turn_dps=0.0, accel_kt_s=0.0, vrate_fpm=0.0, every_s=5.0, n=2)
    lon, lat, _ = GEOD.fwd(rows[1]["lon"], rows[1]["lat"], 100.0, 1_200.0)
    near = {**rows[1], "lat": lat, "lon": lon}
    lon, lat, _ = GEOD.fwd(rows[1]["lon"], rows[1]["lat"], 100.0, 1_500.0)
    far = {**rows[1], "lat": lat, "lon": lon}
    assert follows(reports([rows[0]]), reports([near]), RULES)[0]
    assert not follows(reports([rows[0]]), reports([far]), RULES)[0]
    assert math.isclose(RULES.position_slack_m, 926.0, abs_tol=1.0)
