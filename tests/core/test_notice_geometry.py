"""A notice's area, band and window: checked input, and containment right to the metre,
across the antimeridian and around the poles.

References: distances from pyproj's geodesics (Karney) for circles; for polygons small
enough that edge conventions differ by centimetres, Shapely's own containment in
(unwrapped) longitude and latitude; for daily windows, a minute-by-minute walk.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from airhotline.clock import US_PER_S
from airhotline.core.notices.area import parse_area
from airhotline.core.notices.band import parse_band
from airhotline.core.notices.window import DAY_US, parse_window
from airhotline.errors import InputError

GEOD = Geod(ellps="WGS84")
DAY_S = 86_400


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-89.0, 89.0),
    lon=st.floats(-180.0, 180.0),
    radius_nm=st.floats(0.5, 400.0),
    azimuth=st.floats(0.0, 360.0),
    side=st.sampled_from([-1.0, 1.0]),
)
def test_a_circle_holds_exactly_the_points_within_its_radius(
    lat: float, lon: float, radius_nm: float, azimuth: float, side: float
) -> None:
    circle = parse_area({"type": "Circle", "center": [lon, lat], "radius_nm": radius_nm})
    radius_m = radius_nm * 1852.0
    # Half a metre inside or outside the geodesic circle.
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, radius_m + side * 0.5)
    assert bool(circle.contains([lat2], [lon2])[0]) == (side < 0)


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]
    wrapped = [[(x + 180.0) % 360.0 - 180.0, y] for x, y in ring]
    return {"type": "Polygon", "coordinates": [[*wrapped, wrapped[0]]]}


@settings(max_examples=100, deadline=None)
@given(
    lon=st.floats(-180.0, 180.0),
    lat=st.floats(-80.0, 79.0),
    u=st.floats(-0.5, 1.5),
    v=st.floats(-0.5, 1.5),
)
def test_a_small_polygon_holds_what_shapely_says_anywhere_on_earth(
    lon: float, lat: float, u: float, v: float
) -> None:
    """Also across the antimeridian: the square's longitudes are given wrapped."""
    size = 0.2
    area = parse_area(square(lon, lat, size))
    x, y = lon + u * size, lat + v * size
    # Far enough from an edge that straight-in-the-plane and straight-in-degrees agree.
    margin = 0.002
    if min(abs(u), abs(u - 1.0), abs(v), abs(v - 1.0)) * size < margin:
        return
    expected = 0.0 <= u <= 1.0 and 0.0 <= v <= 1.0
    wrapped = (x + 180.0) % 360.0 - 180.0
    assert bool(area.contains([y], [wrapped])[0]) == expected


def test_an_area_across_the_antimeridian_is_one_piece() -> None:
    area = parse_area(
        {"type": "Polygon", "coordinates": [[[179, 10], [-179, 10], [-179, 12], [179, 12]]]}
    )
    inside = area.contains([11, 11, 11], [180.0, -180.0, 179.5])
    assert inside.tolist() == [True, True, True]
    assert area.contains([11], [0.0]).tolist() == [False]
    assert area.plane.area == pytest.approx(2 * 111_000 * 2 * 109_000, rel=0.03)
    (outline,) = area.outline()
    lons = [p[0] for p in outline[0]]
    assert max(lons) - min(lons) == pytest.approx(2.0, abs=1e-6)  # not 358


@pytest.mark.parametrize("pole", [90.0, -90.0])
def test_a_ring_around_a_pole_bounds_its_cap(pole: float) -> None:
    ring_lat = math.copysign(85.0, pole)
    lons = range(-180, 180, 15) if pole > 0 else range(180, -180, -15)
    area = parse_area({"type": "Polygon", "coordinates": [[[x, ring_lat] for x in lons]]})
    assert (area.lat0, area.lon0) == (pole, 0.0)
    probes = np.linspace(-180.0, 179.0, 37)
    assert area.contains(np.full(37, math.copysign(87.0, pole)), probes).all()
    assert not area.contains(np.full(37, math.copysign(84.0, pole)), probes).any()
    assert area.contains([pole], [0.0]).tolist() == [True]


def test_a_corridor_holds_what_lies_within_its_half_width() -> None:
    line = [[33.0, 34.0], [34.0, 35.0]]
    corridor = parse_area({"type": "Corridor", "coordinates": line, "half_width_nm": 2.0})
    azimuth, _, length = GEOD.inv(33.0, 34.0, 34.0, 35.0)
    mid_lon, mid_lat, _ = GEOD.fwd(33.0, 34.0, azimuth, length / 2)
    for offset_nm, inside in ((1.9, True), (2.1, False)):
        lon, lat, _ = GEOD.fwd(mid_lon, mid_lat, azimuth + 90.0, offset_nm * 1852.0)
        assert bool(corridor.contains([lat], [lon])[0]) == inside


def test_a_multipolygon_across_the_antimeridian() -> None:
    area = parse_area(
        {
            "type": "MultiPolygon",
            "coordinates": [
                [[[-179, 0], [-178, 0], [-178, 1]]],
                [[[178, 0], [179, 0], [179, 1]]],
            ],
        }
    )
    assert area.contains([0.2, 0.2, 0.2], [178.8, -178.2, 0.0]).tolist() == [True, True, False]
    assert len(area.outline()) == 2


def test_a_polygon_with_a_hole() -> None:
    area = parse_area(
        {
            "type": "Polygon",
            "coordinates": [
                [[30, 30], [31, 30], [31, 31], [30, 31], [30, 30]],
                [[30.4, 30.4], [30.6, 30.4], [30.6, 30.6], [30.4, 30.6], [30.4, 30.4]],
            ],
        }
    )
    assert area.contains([30.2, 30.5], [30.2, 30.5]).tolist() == [True, False]


@pytest.mark.parametrize(
    ("area", "field", "reason"),
    [
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1]]]},
            "area.coordinates",
            "self-intersecting",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]},
            "area.coordinates[0]",
            "3 distinct points",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 0], [0, 0]]]},
            "area.coordinates[0]",
            "3 distinct points",
        ),
        ({"type": "Circle", "center": [0, 0], "radius_nm": 0}, "area.radius_nm", "more than 0"),
        ({"type": "Circle", "center": [0, 0], "radius_nm": -3}, "area.radius_nm", "more than 0"),
        ({"type": "Circle", "center": [0, 95], "radius_nm": 3}, "area.center", "latitude"),
        ({"type": "Circle", "center": [200, 0], "radius_nm": 3}, "area.center", "longitude"),
        ({"type": "Circle", "center": [0, 0]}, "area.radius_nm", "missing"),
        (
            {"type": "Corridor", "coordinates": [[0, 0], [0, 0]], "half_width_nm": 1},
            "area.coordinates",
            "2 distinct points",
        ),
        (
            {"type": "Corridor", "coordinates": [[0, 0], [1, 0]], "half_width_nm": 0},
            "area.half_width_nm",
            "more than 0",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [20, 0], [20, 20]]]},
            "area.coordinates",
            "at most 1000 km",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, "a"], [1, 0]]]},
            "area.coordinates[0][1]",
            "finite number",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, math.nan], [1, 0]]]},
            "area.coordinates[0][1]",
            "finite number",
        ),
        ({"type": "Hexagon"}, "area.type", "one of"),
        (
            {"type": "Circle", "center": [0, 0], "radius_nm": 3, "colour": "red"},
            "area.colour",
            "not a field",
        ),
        ("here", "area", "an object"),
    ],
)
def test_invalid_areas_are_refused_naming_the_field(area: object, field: str, reason: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_area(area)
    assert refused.value.field == field
    assert reason in refused.value.reason


@pytest.mark.parametrize(
    ("lower", "upper", "feet"),
    [
        ("SFC", "FL100", (-math.inf, 10_000.0)),
        (5000, "UNL", (5_000.0, math.inf)),
        ("fl245", "FL350", (24_500.0, 35_000.0)),
        (-1200, 0, (-1_200.0, 0.0)),
    ],
)
def test_bands_as_operators_write_them(
    lower: object, upper: object, feet: tuple[float, float]
) -> None:
    band = parse_band(lower, upper)
    assert (band.lower_ft, band.upper_ft) == feet


@pytest.mark.parametrize(
    ("lower", "upper", "field"),
    [
        ("FL350", "FL200", "lower"),
        (5000, 5000, "lower"),
        ("UNL", "FL100", "lower"),
        ("SFC", "SFC", "upper"),
        ("FL35", "UNL", "lower"),
        (2.5, "UNL", "lower"),
        (True, "UNL", "lower"),
        (0, 200_000, "upper"),
        ("ground", "FL100", "lower"),
    ],
)
def test_invalid_bands_name_the_limit(lower: object, upper: object, field: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_band(lower, upper, "band")
    assert refused.value.field == f"band.{field}"


def test_bands_overlap_only_with_thickness() -> None:
    low, high = parse_band("SFC", "FL100"), parse_band("FL100", "UNL")
    assert not low.overlaps(high)
    middle = parse_band(5000, "FL150")
    shared = low.shared(middle)
    assert shared is not None
    assert (shared.lower, shared.upper) == ("5000", "FL100")


def test_a_daily_window_runs_past_midnight() -> None:
    window = parse_window(
        {
            "start": "2026-12-01T00:00:00Z",
            "end": "2026-12-03T00:00:00Z",
            "daily": [["22:00", "02:00"]],
        },
        max_s=30 * DAY_S,
    )
    day0 = window.start_us
    hours = [(a - day0) / 3_600e6 for pair in window.intervals() for a in pair]
    assert hours == [0, 2, 22, 26, 46, 48]


@settings(max_examples=60, deadline=None)
@given(
    first=st.integers(0, 1439),
    last=st.integers(0, 1439),
    start_min=st.integers(0, 3 * 1440),
    length_min=st.integers(1, 4 * 1440),
)
def test_daily_windows_are_active_exactly_when_a_walk_says(
    first: int, last: int, start_min: int, length_min: int
) -> None:
    if first == last:
        return
    base = 1_800_000_000 // DAY_S * DAY_S * US_PER_S
    minute = 60 * US_PER_S
    start, end = base + start_min * minute, base + (start_min + length_min) * minute
    spec = {
        "start": _iso(start),
        "end": _iso(end),
        "daily": [[f"{first // 60:02d}:{first % 60:02d}", f"{last // 60:02d}:{last % 60:02d}"]],
    }
    try:
        window = parse_window(spec, max_s=30 * DAY_S)
    except InputError as refused:
        window, refusal = None, refused.field
    if window is None:
        assert refusal == "window.daily"  # no period falls in a short range
        return

    def walked(t: int) -> bool:
        of_day = (t % DAY_US) // minute
        in_day = first <= of_day < last if first < last else of_day >= first or of_day < last
        return start <= t < end and in_day

    for t in range(start - 2 * minute, end + 2 * minute, 7 * minute):
        assert window.active_at(t) == walked(t), t


def _iso(time_us: int) -> str:
    from airhotline.clock import iso_from_us

    return iso_from_us(time_us).replace(".000", "")


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"start": "2026-12-01T10:00:00Z", "end": "2026-12-01T09:00:00Z"}, "window.end"),
        ({"start": "2026-12-01T10:00:00Z", "end": "2026-12-01T10:00:00Z"}, "window.end"),
        ({"start": "2026-12-01T10:00:00Z", "end": "2027-03-01T10:00:00Z"}, "window.end"),
        ({"start": "2026-12-01T10:00:00", "end": "2026-12-02T10:00:00Z"}, "window.start"),
        ({"start": "2026-12-01T10:00:00+03:00", "end": "2026-12-02T10:00:00Z"}, "window.start"),
        ({"start": 1_800_000_000, "end": "2026-12-02T10:00:00Z"}, "window.start"),
        ({"end": "2026-12-02T10:00:00Z"}, "window.start"),
        (
            {
                "start": "2026-12-01T10:00:00Z",
                "end": "2026-12-02T10:00:00Z",
                "daily": [["25:00", "02:00"]],
            },
            "window.daily[0][0]",
        ),
        (
            {
                "start": "2026-12-01T10:00:00Z",
                "end": "2026-12-02T10:00:00Z",
                "daily": [["06:00", "06:00"]],
            },
            "window.daily[0]",
        ),
        (
            {
                "start": "2026-12-01T10:00:00Z",
                "end": "2026-12-01T11:00:00Z",
                "daily": [["06:00", "07:00"]],
            },
            "window.daily",
        ),
    ],
)
def test_invalid_windows_name_the_field(window: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_window(window, max_s=30 * DAY_S)
    assert refused.value.field == field


def test_shared_periods_of_two_windows() -> None:
    a = parse_window(
        {
            "start": "2026-12-01T00:00:00Z",
            "end": "2026-12-04T00:00:00Z",
            "daily": [["06:00", "12:00"]],
        },
        max_s=30 * DAY_S,
    )
    b = parse_window({"start": "2026-12-02T10:00:00Z", "end": "2026-12-03T07:00:00Z"}, 30 * DAY_S)
    hours = [[(t - a.start_us) / 3_600e6 for t in pair] for pair in a.shared(b)]
    assert hours == [[34, 36], [54, 55]]


def test_the_plane_is_shapely_geometry() -> None:
    area = parse_area({"type": "Circle", "center": [33.0, 34.5], "radius_nm": 10.0})
    assert isinstance(area.plane, shapely.Polygon)
    assert area.plane.area == pytest.approx(math.pi * 18_520.0**2, rel=1e-3)
