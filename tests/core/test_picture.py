"""The picture: newest report wins, coasting after 10 s, lost after 60 s, rows reused."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from airhotline import units
from airhotline.core.picture import Picture
from airhotline.core.reports import ReportBatch

T0 = 1_700_000_000_000_000
S = 1_000_000


def batch(*rows: tuple[str, int, float]) -> ReportBatch:
    """Reports (track id, time µs, lon) at the equator, FL300, 480 kt eastbound."""
    return ReportBatch.from_rows(
        [
            {
                "track_id": track_id,
                "time_us": time_us,
                "lat": 0.0,
                "lon": lon,
                "alt_ft": 30_000.0,
                "gs_kt": 480.0,
                "track_deg": 90.0,
                "vrate_fpm": 600.0,
            }
            for track_id, time_us, lon in rows
        ]
    )


def test_newest_report_wins_also_within_a_batch() -> None:
    picture = Picture()
    assert picture.apply(1, batch(("A", T0 + 2 * S, 2.0), ("A", T0, 0.0), ("B", T0, 5.0))) == 2
    assert picture.apply(1, batch(("A", T0 + S, 1.0))) == 0  # older: journaled, not applied
    view = picture.view(T0 + 2 * S)
    assert dict(zip(view.track_id, view.reported.lon_deg.tolist(), strict=True)) == {
        "A": 2.0,
        "B": 5.0,
    }


def test_view_flies_tracks_on_along_their_geodesic() -> None:
    picture = Picture()
    picture.apply(7, batch(("A", T0, 0.0)))
    view = picture.view(T0 + 30 * S)
    lon, lat, _ = Geod(ellps="WGS84").fwd(0.0, 0.0, 90.0, units.mps_from_kt(480.0) * 30)
    assert view.states.lon_deg[0] == pytest.approx(lon, abs=1e-9)
    assert view.states.lat_deg[0] == pytest.approx(lat, abs=1e-9)
    assert view.states.alt_m[0] == pytest.approx(units.m_from_ft(30_000.0 + 300.0))
    assert view.party_id.tolist() == [7]


def test_coasting_after_ten_seconds_then_lost_after_sixty() -> None:
    picture = Picture()
    picture.apply(1, batch(("A", T0, 0.0), ("B", T0 + 20 * S, 0.0)))
    view = picture.view(T0 + 25 * S)
    assert dict(zip(view.track_id, view.coasting.tolist(), strict=True)) == {
        "A": True,
        "B": False,
    }
    assert picture.expire(T0 + 60 * S) == []  # exactly 60 s: not yet lost
    lost = picture.expire(T0 + 61 * S)
    assert [(t.party_id, t.track_id, t.last_time_us) for t in lost] == [(1, "A", T0)]
    assert picture.view(T0 + 61 * S).track_id == ("B",)


def test_rows_of_lost_tracks_are_reused() -> None:
    picture = Picture()
    for k in range(100):
        picture.apply(1, batch(*((f"T{k}-{i}", T0 + k * 120 * S, float(i)) for i in range(50))))
        picture.expire(T0 + k * 120 * S)
    assert len(picture) == 50
    assert picture._time_us.shape[0] <= 128  # grew once or twice, not for every track
    view = picture.view(T0 + 99 * 120 * S)
    assert sorted(view.track_id) == sorted(f"T99-{i}" for i in range(50))
    assert np.all(view.report_time_us == T0 + 99 * 120 * S)


def _state(picture: Picture, now_us: int) -> dict[tuple[int, str], tuple[object, ...]]:
    view = picture.view(now_us)
    return {
        view.key(r): (
            int(view.report_time_us[r]),
            float(view.reported.lon_deg[r]),
            bool(view.established[r]),
            bool(view.coasting[r]),
        )
        for r in range(len(view))
    }


@pytest.mark.parametrize("seed", range(8))
def test_batches_applied_together_are_batches_applied_one_by_one(seed: int) -> None:
    """A journal group's batches go to the picture in one pass (`apply_many`): what
    applying them in turn gives, whether they share tracks or not."""
    rng = np.random.default_rng(seed)
    together, one_by_one = Picture(), Picture()
    for second in range(12):
        batches = []
        for _ in range(int(rng.integers(1, 6))):
            party = int(rng.integers(1, 4))
            rows = [
                (
                    f"T{int(rng.integers(0, 6))}",
                    T0 + (second + int(rng.integers(-2, 2))) * S,
                    second * 0.002 + float(rng.normal(0, 0.0005)),
                )
                for _ in range(int(rng.integers(0, 5)))
            ]
            received = None if rng.random() < 0.3 else T0 + second * S
            batches.append((party, batch(*rows), received))
        moved = together.apply_many(batches)
        assert moved == sum(one_by_one.apply(p, b, r) for p, b, r in batches)
        assert _state(together, T0 + second * S) == _state(one_by_one, T0 + second * S)
        assert together.live_tracks(1) == one_by_one.live_tracks(1)


def test_batches_applied_together_keep_each_tracks_identity() -> None:
    named = ReportBatch.from_rows(
        [
            {
                "track_id": "N",
                "time_us": T0,
                "lat": 0.0,
                "lon": 1.0,
                "alt_ft": 30_000.0,
                "gs_kt": 480.0,
                "track_deg": 90.0,
                "vrate_fpm": 0.0,
                "callsign": "BAW12",
                "icao24": "4ca1b2",
            }
        ]
    )
    picture = Picture()
    assert picture.apply_many([(1, batch(("A", T0, 0.0)), None), (2, named, None)]) == 2
    picture.apply_many([(1, batch(("A", T0 + S, 0.1)), None), (2, batch(("M", T0, 2.0)), None)])
    view = picture.view(T0 + S)
    identities = dict(zip(view.track_id, zip(view.callsign, view.icao24, strict=True), strict=True))
    assert identities == {"A": (None, None), "N": ("BAW12", "4ca1b2"), "M": (None, None)}
