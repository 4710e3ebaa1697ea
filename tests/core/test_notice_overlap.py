"""Strategic deconfliction: an overlap found for every combination of area, band and time
overlap, and missed for none — against a brute-force check with Shapely."""

from __future__ import annotations

import itertools
from typing import Any

import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from airhotline.core.notices.area import parse_area
from airhotline.core.notices.band import parse_band
from airhotline.core.notices.model import Notice
from airhotline.core.notices.overlap import OverlapIndex
from airhotline.core.notices.window import Window

HOUR_US = 3_600_000_000
T0 = 1_800_000_000 * 1_000_000
LEVELS = ["SFC", 2000, "FL100", "FL200", "FL300", "UNL"]


def make(
    notice_id: str, owner: int, area: dict[str, Any], band: tuple[Any, Any], hours: tuple[int, int]
) -> Notice:
    return Notice(
        id=notice_id,
        version=1,
        owner=owner,
        owner_name=f"P{owner}",
        kind="other",
        area=parse_area(area),
        band=parse_band(*band),
        window=Window(T0 + hours[0] * HOUR_US, T0 + hours[1] * HOUR_US),
        description="",
        recipients=(),
        restricted=False,
        short_notice=False,
        published_us=T0,
    )


def box(lon: float, lat: float, w: float, h: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[(x + 180) % 360 - 180, y] for x, y in ring]]}


boxes = st.tuples(
    st.floats(-0.5, 0.5), st.floats(-0.5, 0.5), st.floats(0.05, 0.5), st.floats(0.05, 0.5)
)
bands = st.tuples(st.integers(0, 4), st.integers(1, 5)).filter(lambda b: b[0] < b[1])
windows = st.tuples(st.integers(0, 10), st.integers(1, 10)).map(lambda w: (w[0], w[0] + w[1]))


@settings(max_examples=300, deadline=None)
@given(
    centre=st.tuples(st.floats(-179.9, 179.9), st.floats(-70.0, 70.0)),
    a=boxes,
    b=boxes,
    band_a=bands,
    band_b=bands,
    time_a=windows,
    time_b=windows,
)
def test_overlaps_are_found_exactly_when_area_band_and_time_all_overlap(
    centre: tuple[float, float],
    a: tuple[float, float, float, float],
    b: tuple[float, float, float, float],
    band_a: tuple[int, int],
    band_b: tuple[int, int],
    time_a: tuple[int, int],
    time_b: tuple[int, int],
) -> None:
    lon, lat = centre
    box_a = (lon + a[0], lat + a[1], a[2], a[3])
    box_b = (lon + b[0], lat + b[1], b[2], b[3])
    # Brute force, in (unwrapped) degrees: small boxes, where edge conventions agree.
    plain_a = shapely.box(box_a[0], box_a[1], box_a[0] + box_a[2], box_a[1] + box_a[3])
    plain_b = shapely.box(box_b[0], box_b[1], box_b[0] + box_b[2], box_b[1] + box_b[3])
    common = plain_a.intersection(plain_b).area
    if 0 < common < 1e-5 or (common == 0 and plain_a.distance(plain_b) < 1e-3):
        return  # within metres of touching: either answer is the edge's convention
    area_hit = common > 0
    band_hit = band_a[0] < band_b[1] and band_b[0] < band_a[1]
    time_hit = time_a[0] < time_b[1] and time_b[0] < time_a[1]
    index = OverlapIndex()
    other = make("b", 2, box(*box_b), (LEVELS[band_b[0]], LEVELS[band_b[1]]), time_b)
    index.put(other)
    index.put(make("c", 1, box(*box_b), ("SFC", "UNL"), (0, 30)))  # the same party's: never
    mine = make("a", 1, box(*box_a), (LEVELS[band_a[0]], LEVELS[band_a[1]]), time_a)
    found = index.overlaps(mine)
    assert [o.other.id for o in found] == (["b"] if area_hit and band_hit and time_hit else [])
    if found:
        (overlap,) = found
        assert overlap.periods == (
            (T0 + max(time_a[0], time_b[0]) * HOUR_US, T0 + min(time_a[1], time_b[1]) * HOUR_US),
        )
        shared = shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in overlap.area])
        # The two conventions' edges (straight in degrees, straight in the notice's plane)
        # part by up to a few tens of metres along half a degree: a band that wide along
        # the boundary, which on a thin sliver is more than 2 % of its area.
        boundary = plain_a.intersection(plain_b).length
        assert abs(shared.area - common) <= 0.02 * common + 5e-4 * boundary + 1e-6


def test_a_circle_and_a_polygon_across_the_antimeridian() -> None:
    index = OverlapIndex()
    index.put(
        make(
            "b",
            2,
            {"type": "Circle", "center": [-179.9, 0.0], "radius_nm": 20},
            ("SFC", "FL100"),
            (0, 5),
        )
    )
    mine = make("a", 1, box(179.5, -0.5, 1.0, 1.0), (5000, "FL150"), (4, 8))
    (overlap,) = index.overlaps(mine)
    assert (overlap.band.lower, overlap.band.upper) == ("5000", "FL100")
    assert overlap.periods == ((T0 + 4 * HOUR_US, T0 + 5 * HOUR_US),)


def test_the_screen_keeps_up_with_many_notices() -> None:
    index = OverlapIndex()
    for k, (i, j) in enumerate(itertools.product(range(40), range(40))):
        index.put(make(f"n{k}", 2, box(i * 1.0, j * 1.0, 0.5, 0.5), ("SFC", "UNL"), (0, 5)))
    mine = make("a", 1, box(10.25, 10.25, 1.0, 1.0), ("SFC", "UNL"), (0, 5))
    assert len(index.candidates(mine)) < 20
    assert sorted(o.other.id for o in index.overlaps(mine)) == sorted(
        f"n{i * 40 + j}" for i in (10, 11) for j in (10, 11)
    )
