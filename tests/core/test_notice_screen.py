"""The per-cycle incursion screen keeps every incursion: checked by hypothesis against
the exact entry of every (track, notice) pair, near the poles and across the
antimeridian included."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from airhotline import geo, units
from airhotline.core.notices.area import parse_area
from airhotline.core.notices.band import parse_band
from airhotline.core.notices.incursion import entry
from airhotline.core.notices.model import Notice
from airhotline.core.notices.overlap import LiveNotices, OverlapIndex
from airhotline.core.notices.screen import incursions
from airhotline.core.notices.window import Window
from airhotline.detect import TrackStates

T0 = 1_800_000_000 * 1_000_000
S = 1_000_000
LOOKAHEAD_S = 300.0
LEVELS = ["SFC", 2_000, "FL050", "FL100", "FL150", "FL200", "FL300", "UNL"]


@st.composite
def notices(draw: st.DrawFn, k: int) -> Notice:
    lat = draw(st.sampled_from([-89.5, -60.0, 0.0, 35.0, 71.0, 89.7]) | st.floats(-85, 85))
    lon = draw(st.sampled_from([-179.9, 179.9, 0.0]) | st.floats(-180, 180))
    if draw(st.booleans()):
        area: dict[str, object] = {
            "type": "Circle",
            "center": [lon, lat],
            "radius_nm": draw(st.floats(0.5, 40)),
        }
    else:
        x, y = geo.geodesic_forward(lat, lon, np.radians([0.0, 120.0, 240.0]), 20_000.0)[:2]
        ring = [[float(b), float(a)] for a, b in zip(x, y, strict=True)]
        area = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    low = draw(st.integers(0, len(LEVELS) - 2))
    high = draw(st.integers(low + 1, len(LEVELS) - 1))
    start = draw(st.integers(-600, 400))
    return Notice(
        id=f"n{k}",
        version=1,
        owner=1 + k % 2,
        owner_name="X",
        kind="other",
        area=parse_area(area),
        band=parse_band(LEVELS[low], LEVELS[high]),
        window=Window(T0 + start * S, T0 + (start + draw(st.integers(60, 3_600))) * S),
        description="",
        recipients=(1, 2, 3),
        restricted=False,
        short_notice=False,
        published_us=T0,
    )


@st.composite
def scenes(draw: st.DrawFn) -> tuple[list[Notice], TrackStates, np.ndarray]:
    placed = [draw(notices(k)) for k in range(draw(st.integers(1, 5)))]
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        anchor = draw(st.sampled_from(placed)).area
        bearing = draw(st.floats(0, 2 * np.pi))
        gs = draw(st.floats(0, 320))
        heading = draw(st.floats(0, 2 * np.pi))
        if draw(st.booleans()):  # anywhere around the notice
            away = draw(st.floats(0, anchor.reach_m + 120_000.0))
            lat, lon, _ = geo.geodesic_forward(anchor.lat0, anchor.lon0, bearing, away)
        else:  # grazing its edge: at a point near its reach some time into the look-ahead
            near_edge = anchor.reach_m * draw(st.floats(0.8, 1.05))
            lat, lon, _ = geo.geodesic_forward(anchor.lat0, anchor.lon0, bearing, near_edge)
            back = gs * draw(st.floats(0, LOOKAHEAD_S))
            lat, lon, away_az = geo.geodesic_forward(float(lat), float(lon), heading, back)
            heading = float(away_az) + np.pi  # flying back along it, to the edge
        rows.append(
            (
                float(lat),
                float(lon),
                draw(st.floats(0, 35_000)),
                gs,
                heading,
                draw(st.floats(-4_000, 4_000)),
            )
        )
    lat, lon, alt_ft, gs, track, vrate_fpm = (np.array(c) for c in zip(*rows, strict=True))
    party = np.array([draw(st.integers(1, 3)) for _ in range(n)], dtype=np.int64)
    states = TrackStates.build(
        lat_deg=lat,
        lon_deg=lon,
        alt_m=units.m_from_ft(alt_ft),
        gs_mps=gs,
        track_rad=track,
        vrate_mps=units.mps_from_fpm(vrate_fpm),
        party=party,
    )
    return placed, states, party


def exhaustive(
    placed: list[Notice], states: TrackStates, party: np.ndarray
) -> set[tuple[int, str]]:
    found = set()
    for row in range(len(party)):
        for n in placed:
            if n.owner == party[row]:
                continue
            hit = entry(
                n,
                lat_deg=float(states.lat_deg[row]),
                lon_deg=float(states.lon_deg[row]),
                alt_ft=float(units.ft_from_m(states.alt_m[row])),
                gs_mps=float(states.gs_mps[row]),
                track_rad=float(states.track_rad[row]),
                vrate_fpm=float(units.fpm_from_mps(states.vrate_mps[row])),
                now_us=T0,
                lookahead_s=LOOKAHEAD_S,
            )
            if hit is not None:
                found.add((row, n.id))
    return found


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_the_screen_finds_exactly_what_every_pair_would(
    scene: tuple[list[Notice], TrackStates, np.ndarray],
) -> None:
    placed, states, party = scene
    found = incursions(LiveNotices.of(placed), states, party, now_us=T0, lookahead_s=LOOKAHEAD_S)
    assert {(i.row, i.notice.id) for i in found} == exhaustive(placed, states, party)


def test_the_index_hands_the_screen_only_notices_live_in_the_span() -> None:
    index = OverlapIndex()
    area = parse_area({"type": "Circle", "center": [20.0, 10.0], "radius_nm": 5})
    for k, (start_s, end_s) in enumerate([(-100, 100), (200, 400), (400, 500), (-300, -1)]):
        index.put(
            Notice(
                id=f"n{k}",
                version=1,
                owner=1,
                owner_name="X",
                kind="other",
                area=area,
                band=parse_band("SFC", "UNL"),
                window=Window(T0 + start_s * S, T0 + end_s * S),
                description="",
                recipients=(2,),
                restricted=False,
                short_notice=False,
                published_us=T0,
            )
        )
    live = index.live_between(T0, T0 + 300 * S)
    assert sorted(n.id for n in live.notices) == ["n0", "n1"]
    assert live.centres.shape == (2, 3)
    assert np.allclose(np.linalg.norm(live.centres, axis=1), 1.0)


def test_a_track_of_a_party_never_told_is_not_screened_in() -> None:
    area = parse_area({"type": "Circle", "center": [20.0, 10.0], "radius_nm": 5})
    told = Notice(
        id="n",
        version=1,
        owner=1,
        owner_name="X",
        kind="other",
        area=area,
        band=parse_band("SFC", "UNL"),
        window=Window(T0 - S, T0 + 3_600 * S),
        description="",
        recipients=(2,),
        restricted=True,
        short_notice=False,
        published_us=T0,
    )
    states = TrackStates.build(
        lat_deg=[10.0, 10.0, 10.0], lon_deg=[20.0] * 3, alt_m=1_000.0, gs_mps=100.0, track_rad=0.0
    )
    party = np.array([1, 2, 3], dtype=np.int64)
    found = incursions(LiveNotices.of([told]), states, party, now_us=T0, lookahead_s=300.0)
    assert [(i.row, i.entry.inside) for i in found] == [(1, True)]
