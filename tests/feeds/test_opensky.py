"""OpenSky ``states/all`` responses to reports.

No package ships a recorded ``states/all`` response; traffic ships trajectories that
come from the OpenSky Network's state vectors. The real corpus is one of them
(``collections/switzerland``) written back as the responses a poller would have read
each second, in OpenSky's fields and units (`samples.opensky_responses`).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.feeds.samples import opensky_responses, trajectory_records
from tests.feeds.test_rows import validates

from airhotline import units
from airhotline.feeds.opensky import OpenSkyAssembler, state_row

STATE = [
    "4b1805",
    "SWR12   ",
    "Switzerland",
    1_700_000_000,
    1_700_000_001,
    7.5,
    46.5,
    10_668.0,
    False,
    231.5,
    90.0,
    -5.08,
    None,
    10_700.0,
    "1000",
    False,
    0,
]


def response(*states: list[object], time: int = 1_700_000_001) -> bytes:
    return json.dumps({"time": time, "states": list(states)}).encode()


def test_twenty_recorded_minutes_become_their_reports() -> None:
    """The recording has each aircraft's state every 10 s: each is reported once."""
    assembler = OpenSkyAssembler()
    rows = []
    for body in opensky_responses("collections/switzerland", 1_200):
        rows += assembler.feed(body, 0)
    by_key = {
        (r["icao24"], r["timestamp"] * 1000): r
        for r in trajectory_records("collections/switzerland")
    }
    assert len(rows) > 1_000
    assert len({(r["track_id"], r["time_us"]) for r in rows}) == len(rows)  # none repeated
    for row in rows:
        validates(dict(row))
        record = by_key[(row["icao24"], row["time_us"])]
        assert row["lat"] == record["latitude"]
        assert row["lon"] == record["longitude"]
        assert row["alt_ft"] == pytest.approx(record["altitude"], abs=1e-6)
        assert row["gs_kt"] == pytest.approx(record["groundspeed"], abs=1e-6)
        assert row["track_deg"] == record["track"]
        assert row["vrate_fpm"] == pytest.approx(record["vertical_rate"], abs=1e-6)
    assert set(assembler.rejections) <= {"ignored"}


def test_one_state_in_aviation_units() -> None:
    row = state_row(STATE, 1_700_000_001, 5.0)
    assert row == {
        "track_id": "4b1805",
        "time_us": 1_700_000_000_000_000,
        "lat": 46.5,
        "lon": 7.5,
        "alt_ft": units.ft_from_m(10_668.0),
        "gs_kt": units.kt_from_mps(231.5),
        "track_deg": 90.0,
        "vrate_fpm": units.fpm_from_mps(-5.08),
        "callsign": "SWR12",
        "icao24": "4b1805",
    }


def changed(index: int, value: object) -> list[object]:
    state = list(STATE)
    state[index] = value
    return state


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (changed(8, True), "ignored"),  # on the ground
        (changed(3, None), "ignored"),  # no position in the last 15 s
        (changed(3, 1_699_999_990), "ignored"),  # a position 11 s old
        (changed(9, None), "ignored"),
        (changed(6, 91.0), "out-of-range"),
        (changed(9, 3_000.0), "out-of-range"),  # 5 800 kt
        (changed(0, "xyz"), "garbled"),
        (changed(0, 42), "garbled"),
        (STATE[:10], "garbled"),
        (changed(5, "7.5"), "ignored"),  # a number in a string is no number
    ],
)
def test_rejections(state: list[object], reason: str) -> None:
    assert state_row(state, 1_700_000_001, 5.0) == reason


def test_geometric_altitude_when_no_barometric_one() -> None:
    row = state_row(changed(7, None), 1_700_000_001, 5.0)
    assert not isinstance(row, str)
    assert row["alt_ft"] == pytest.approx(units.ft_from_m(10_700.0))


def test_a_repeated_state_is_reported_once_and_bodies_are_checked() -> None:
    assembler = OpenSkyAssembler()
    assert len(assembler.feed(response(STATE), 0)) == 1
    assert assembler.feed(response(STATE, time=1_700_000_002), 0) == []
    lines = response(changed(3, 1_700_000_001)) + b"\n{not json\n" + b'{"time": "x"}\n'
    assert len(assembler.feed(lines, 0)) == 1
    assert dict(assembler.rejections) == {"garbled": 2}
    assert assembler.feed(b'{"time": 1, "states": null}', 0) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=18) | st.dictionaries(st.text(max_size=6), children)
    ),
    max_leaves=40,
)


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    for row in OpenSkyAssembler().feed(data, 0):
        validates(dict(row))


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.lists(json_values, max_size=4), json_values)
def test_arbitrary_states_never_raise(states: list[object], time: object) -> None:
    body = json.dumps({"time": time, "states": states}).encode()
    for row in OpenSkyAssembler().feed(body, 0):
        validates(dict(row))
    mixed = [changed(i, v) for i, v in enumerate(states)]
    for row in OpenSkyAssembler().feed(response(*mixed), 0):
        validates(dict(row))
