"""The freshness rule: a position is reported only with an altitude and a velocity heard
within max_age_s of it."""

from __future__ import annotations

import pytest

from airhotline.feeds import Freshness, Rejections
from airhotline.feeds._tracks import TrackTable

S = 1_000_000
T0 = 1_700_000_000 * S


def table(max_age_s: float = 5.0) -> TrackTable:
    return TrackTable(Freshness(max_age_s=max_age_s), Rejections())


def test_no_report_until_every_piece_is_there() -> None:
    tracks = table()
    assert tracks.position("abcdef", T0, 45.0, 7.0, None) is None  # no altitude, no velocity
    assert tracks.position("abcdef", T0, 45.0, 7.0, 30_000.0) is None  # no velocity
    tracks.velocity("abcdef", T0 + S, 420.0, 90.0, -500.0)
    tracks.callsign("abcdef", T0 + S, "SWR12")
    row = tracks.position("abcdef", T0 + 2 * S, 45.01, 7.0, None)
    assert row == {
        "track_id": "abcdef",
        "time_us": T0 + 2 * S,
        "lat": 45.01,
        "lon": 7.0,
        "alt_ft": 30_000.0,
        "gs_kt": 420.0,
        "track_deg": 90.0,
        "vrate_fpm": -500.0,
        "callsign": "SWR12",
        "icao24": "abcdef",
    }


@pytest.mark.parametrize("max_age_s", [1.0, 5.0, 20.0])
def test_a_stale_velocity_or_altitude_stops_reports(max_age_s: float) -> None:
    tracks = table(max_age_s)
    age = round(max_age_s * S)
    tracks.velocity("abcdef", T0, 420.0, 90.0, 0.0)
    tracks.altitude("abcdef", T0, 30_000.0)
    assert tracks.position("abcdef", T0 + age, 45.0, 7.0, None) is not None  # at the limit
    assert tracks.position("abcdef", T0 + age + 1, 45.0, 7.0, 31_000.0) is None  # velocity old
    tracks.velocity("abcdef", T0 + age + 2, 420.0, 90.0, 0.0)
    assert tracks.position("abcdef", T0 + 2 * age + 1, 45.0, 7.0, None) is not None


def test_values_out_of_bounds_are_counted_not_reported() -> None:
    rejections = Rejections()
    tracks = TrackTable(None, rejections)
    tracks.velocity("abcdef", T0, 5_000.0, 90.0, 0.0)
    assert tracks.position("abcdef", T0, 45.0, 7.0, 30_000.0) is None
    assert rejections == {"out-of-range": 1}


def test_silent_tracks_are_forgotten() -> None:
    tracks = TrackTable(Freshness(max_age_s=5.0, forget_s=60.0), Rejections())
    tracks.altitude("aaaaaa", T0, 1_000.0)
    tracks.position("bbbbbb", T0 + 61 * S, 45.0, 7.0, 1_000.0)
    tracks.position("bbbbbb", T0 + 122 * S, 45.0, 7.0, 1_000.0)
    assert len(tracks) == 1


def test_freshness_is_checked() -> None:
    with pytest.raises(ValueError, match="max_age_s"):
        Freshness(max_age_s=0.0)
    with pytest.raises(ValueError, match="forget_s"):
        Freshness(max_age_s=10.0, forget_s=5.0)
