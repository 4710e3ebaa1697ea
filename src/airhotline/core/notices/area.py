"""A notice's area: where not to fly, checked, and held in a plane of its own.

What a party may send (longitude before latitude, degrees on WGS-84, as GeoJSON):

- ``{"type": "Polygon", "coordinates": [[[lon, lat], ...], <holes>...]}``
- ``{"type": "MultiPolygon", "coordinates": [<polygon>, ...]}``
- ``{"type": "Circle", "center": [lon, lat], "radius_nm": 5}``
- ``{"type": "Corridor", "coordinates": [[lon, lat], ...], "half_width_nm": 2}``

Each area is held in the azimuthal equidistant plane centred on it, computed from the
ellipsoid's geodesics (`airhotline.geo`): a point's distance and bearing from the centre
are exact, so a circle is the geodesic circle to the metre. Longitudes are unwrapped
along each ring, so an area across the antimeridian is one piece; a ring that winds
once around a pole is centred on that pole, so that it bounds the cap it encloses.
Polygon and corridor edges are straight in the area's plane — within metres of the
geodesic between their vertices for areas of a notice's size, and an area may reach at
most `MAX_REACH_M` from its centre.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from airhotline import geo, units
from airhotline.errors import InputError

__all__ = [
    "EARTH_M",
    "MAX_RADIUS_NM",
    "MAX_REACH_M",
    "SCREEN_SLACK",
    "Area",
    "apart_m",
    "parse_area",
    "to_planes",
    "unit_vectors",
]

#: The farthest an area may reach from its centre: a country's airspace, with room.
MAX_REACH_M = 1_000_000.0
MAX_RADIUS_NM = 500.0
#: A circle's outline: segments per quarter circle (the polygon a map draws).
_QUAD_SEGMENTS = 64
_SHAPES = ("Polygon", "MultiPolygon", "Circle", "Corridor")
#: The Earth's mean radius (m), the screens' sphere.
EARTH_M = 6_371_008.8
#: Slack a screen allows: reaches are geodesic, its distances spherical (within 0.5 %).
SCREEN_SLACK = 1.01

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Area:
    #: The area as sent, normalised (what the journal keeps).
    spec: Mapping[str, Any]
    #: The centre of the area's plane.
    lat0: float
    lon0: float
    #: The area in its plane, metres east and north of the centre (a circle: a polygon
    #: within a metre and a half of it, for overlaps and maps).
    plane: shapely.Geometry
    #: A circle's radius: its containment is exact, by distance from the centre.
    radius_m: float | None = None
    #: How far the area reaches from its centre (what a screen compares distances with).
    reach_m: float = field(init=False)

    def __post_init__(self) -> None:
        x, y = shapely.get_coordinates(self.plane).T
        object.__setattr__(self, "reach_m", float(np.max(np.hypot(x, y))))

    def to_plane(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Positions in this area's plane (metres east, north of its centre)."""
        return _project(self.lat0, self.lon0, lat, lon)

    def contains(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Whether each position is inside the area (its boundary counts as inside)."""
        x, y = self.to_plane(lat, lon)
        if self.radius_m is not None:
            return np.asarray(np.hypot(x, y) <= self.radius_m, dtype=bool)
        return np.asarray(shapely.intersects_xy(self.plane, x, y), dtype=bool)

    def from_plane(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Positions of this area's plane on the Earth (lat, lon): `to_plane` undone."""
        x_a, y_a = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        lat, lon, _ = geo.geodesic_forward(
            self.lat0, self.lon0, np.arctan2(x_a, y_a), np.hypot(x_a, y_a)
        )
        return lat, lon

    def outline(self, plane: shapely.Geometry | None = None) -> list[list[list[list[float]]]]:
        """The area (or ``plane``, a shape in its plane) as GeoJSON MultiPolygon
        coordinates, ``[lon, lat]``, circles and corridors as polygons; longitudes
        continue past ±180 across the antimeridian."""
        polygons = [
            p
            for p in shapely.get_parts(self.plane if plane is None else plane)
            if isinstance(p, shapely.Polygon)
        ]
        return [
            [self._ring_on_earth(np.asarray(ring.coords)) for ring in (p.exterior, *p.interiors)]
            for p in polygons
        ]

    def geometry(self) -> dict[str, Any]:
        """The area as one GeoJSON geometry for a map: a Polygon, or a MultiPolygon when
        it is in several pieces (`outline`)."""
        polygons = self.outline()
        if len(polygons) == 1:
            return {"type": "Polygon", "coordinates": polygons[0]}
        return {"type": "MultiPolygon", "coordinates": polygons}

    def _ring_on_earth(self, xy: FloatArray) -> list[list[float]]:
        lat, lon = self.from_plane(xy[:, 0], xy[:, 1])
        points = _unwrapped(list(zip(lon.tolist(), lat.tolist(), strict=True)))
        return [[round(lon_, 7), round(lat_, 7)] for lon_, lat_ in points]


def to_planes(
    lat0: npt.ArrayLike, lon0: npt.ArrayLike, lat: npt.ArrayLike, lon: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """`Area.to_plane` for many areas at once: positions in the planes centred on
    ``lat0``/``lon0``, broadcast against them."""
    return _project(lat0, lon0, lat, lon)


def unit_vectors(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """Positions as unit vectors from the Earth's centre, one row each: what the cap
    screens of notices and zones compare, for any number of positions at once."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def apart_m(units: FloatArray, lat_deg: float, lon_deg: float) -> FloatArray:
    """Great-circle distance on the mean sphere from a point to each unit vector: a
    screen, within a few tenths of a percent of the geodesic (see `SCREEN_SLACK`)."""
    centre = unit_vectors(lat_deg, lon_deg)
    return np.asarray(np.arccos(np.clip(units @ centre, -1.0, 1.0)) * EARTH_M)


def parse_area(value: object, field: str = "area") -> Area:
    """The area ``value`` describes; `InputError` naming the field and the reason."""
    if not isinstance(value, Mapping):
        raise InputError(field, "must be an object with a type")
    shape = value.get("type")
    if shape not in _SHAPES:
        raise InputError(f"{field}.type", f"one of {', '.join(_SHAPES)}")
    expected = {
        "Polygon": {"type", "coordinates"},
        "MultiPolygon": {"type", "coordinates"},
        "Circle": {"type", "center", "radius_nm"},
        "Corridor": {"type", "coordinates", "half_width_nm"},
    }[shape]
    for key in value:
        if key not in expected:
            raise InputError(f"{field}.{key}", f"not a field of a {shape}")
    for key in sorted(expected - set(value)):
        raise InputError(f"{field}.{key}", "missing")
    if shape == "Circle":
        return _circle(value, field)
    if shape == "Corridor":
        return _corridor(value, field)
    polygons = [value["coordinates"]] if shape == "Polygon" else _list(value["coordinates"], field)
    where = (
        [f"{field}.coordinates"]
        if shape == "Polygon"
        else [f"{field}.coordinates[{k}]" for k in range(len(polygons))]
    )
    rings = [
        [_ring(r, f"{w}[{i}]") for i, r in enumerate(_list(p, w))]
        for p, w in zip(polygons, where, strict=True)
    ]
    if not polygons:
        raise InputError(f"{field}.coordinates", "at least one polygon")
    lat0, lon0 = _centre([ring for polygon in rings for ring in polygon])
    parts = []
    for polygon, place in zip(rings, where, strict=True):
        if not polygon:
            raise InputError(place, "a polygon has an outer ring")
        planar = [np.column_stack(_project_ring(lat0, lon0, ring)) for ring in polygon]
        parts.append(shapely.Polygon(planar[0], planar[1:]))
    plane = parts[0] if shape == "Polygon" else shapely.MultiPolygon(parts)
    if not shapely.is_valid(plane):
        raise InputError(f"{field}.coordinates", _invalid(plane))
    normalised = {"type": shape, "coordinates": value["coordinates"]}
    return _checked_reach(Area(normalised, lat0, lon0, plane), field, "coordinates")


def _circle(value: Mapping[str, Any], field: str) -> Area:
    lon, lat = _point(value["center"], f"{field}.center")
    radius_nm = _positive(value["radius_nm"], f"{field}.radius_nm", MAX_RADIUS_NM)
    radius_m = float(units.m_from_nm(radius_nm))
    plane = shapely.Point(0.0, 0.0).buffer(radius_m, quad_segs=_QUAD_SEGMENTS)
    spec = {"type": "Circle", "center": [lon, lat], "radius_nm": radius_nm}
    return Area(spec, lat, lon, plane, radius_m)


def _corridor(value: Mapping[str, Any], field: str) -> Area:
    where = f"{field}.coordinates"
    points = [_point(p, f"{where}[{k}]") for k, p in enumerate(_list(value["coordinates"], where))]
    half_nm = _positive(value["half_width_nm"], f"{field}.half_width_nm", MAX_RADIUS_NM)
    unwrapped = _unwrapped(points)
    if len({(round(lon, 9), round(lat, 9)) for lon, lat in unwrapped}) < 2:
        raise InputError(where, "a corridor needs at least 2 distinct points")
    lat0, lon0 = _centre([unwrapped], closed=False)
    x, y = _project(lat0, lon0, [p[1] for p in unwrapped], [p[0] for p in unwrapped])
    line = shapely.LineString(np.column_stack([x, y]))
    plane = line.buffer(float(units.m_from_nm(half_nm)), quad_segs=_QUAD_SEGMENTS // 4)
    spec = {"type": "Corridor", "coordinates": value["coordinates"], "half_width_nm": half_nm}
    return _checked_reach(Area(spec, lat0, lon0, plane), field, "coordinates")


def _checked_reach(area: Area, field: str, key: str) -> Area:
    reach = area.reach_m
    if reach > MAX_REACH_M:
        raise InputError(
            f"{field}.{key}",
            f"reaches {reach / 1000:.0f} km from its centre: at most"
            f" {MAX_REACH_M / 1000:.0f} km (split it into several notices)",
        )
    return area


def _invalid(plane: shapely.Geometry) -> str:
    reason = str(shapely.is_valid_reason(plane))
    if "Self-intersection" in reason or "Ring Self-intersection" in reason:
        return "self-intersecting: the edges of a ring must not cross"
    if "Hole" in reason:
        return "a hole lies outside its polygon or crosses its edge"
    if "Nested shells" in reason or "overlap" in reason.lower():
        return "the polygons of a MultiPolygon overlap: merge them"
    return f"not a valid area ({reason.split('[')[0].strip()})"


# --- coordinates ----------------------------------------------------------------------


def _list(value: object, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(field, "must be an array")
    return value


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(field, "must be a finite number")
    return float(value)


def _positive(value: object, field: str, most: float) -> float:
    number = _number(value, field)
    if not 0.0 < number <= most:
        raise InputError(field, f"must be more than 0 and at most {most:g} NM")
    return number


def _point(value: object, field: str) -> tuple[float, float]:
    """``[lon, lat]`` checked: in degrees, on the Earth."""
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise InputError(field, "a position is [lon, lat]")
    lon, lat = _number(value[0], field), _number(value[1], field)
    if not -180.0 <= lon <= 180.0:
        raise InputError(field, f"longitude {lon:g} outside -180..180")
    if not -90.0 <= lat <= 90.0:
        raise InputError(field, f"latitude {lat:g} outside -90..90")
    return lon, lat


def _ring(value: object, field: str) -> list[tuple[float, float]]:
    """A ring's positions, unwrapped across the antimeridian, without the closing one."""
    points = _unwrapped([_point(p, f"{field}[{k}]") for k, p in enumerate(_list(value, field))])
    if len(points) > 1 and _same(points[0], points[-1]):
        points = points[:-1]
    distinct = {(round(lon, 9), round(lat, 9)) for lon, lat in points}
    if len(distinct) < 3:
        raise InputError(field, "a ring needs at least 3 distinct points")
    if _winding(points) != 0 and any(abs(lat) == 90.0 for _, lat in points):
        raise InputError(field, "a ring around a pole must not pass through it")
    return points


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 1e-9 and abs(a[1] - b[1]) < 1e-9


def _unwrapped(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Each longitude within 180° of the one before: the short way across ±180."""
    found: list[tuple[float, float]] = []
    for lon, lat in points:
        if found:
            before = found[-1][0]
            lon = before + ((lon - before + 180.0) % 360.0 - 180.0)
        found.append((lon, lat))
    return found


def _winding(points: Sequence[tuple[float, float]]) -> int:
    """How many times a closed, unwrapped ring goes around the pole (0: it does not)."""
    if len(points) < 2:
        return 0
    first, last = points[0][0], points[-1][0]
    travelled = (last - first) + ((first - last + 180.0) % 360.0 - 180.0)
    return round(travelled / 360.0)


def _centre(
    rings: Sequence[Sequence[tuple[float, float]]], *, closed: bool = True
) -> tuple[float, float]:
    """The centre of the plane: a pole that a ring winds around, else the mean of the
    points as unit vectors (which never lands on the wrong side of the antimeridian)."""
    for ring in rings:
        if closed and _winding(ring) != 0:
            return (90.0 if float(np.mean([p[1] for p in ring])) > 0 else -90.0), 0.0
    points = [point for ring in rings for point in ring]
    lons = np.radians([p[0] for p in points])
    lats = np.radians([p[1] for p in points])
    x = np.mean(np.cos(lats) * np.cos(lons))
    y = np.mean(np.cos(lats) * np.sin(lons))
    z = np.mean(np.sin(lats))
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


# --- the plane ------------------------------------------------------------------------


def _project(
    lat0: npt.ArrayLike, lon0: npt.ArrayLike, lat: npt.ArrayLike, lon: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Azimuthal equidistant on the ellipsoid: geodesic distance and azimuth from the
    centre, as metres east and north (centres and positions broadcast: many areas' planes
    at once)."""
    distance, azimuth, _ = geo.geodesic_inverse(
        lat0, lon0, np.atleast_1d(np.asarray(lat, dtype=np.float64)), np.atleast_1d(lon)
    )
    return distance * np.sin(azimuth), distance * np.cos(azimuth)


def _project_ring(
    lat0: float, lon0: float, ring: Sequence[tuple[float, float]]
) -> tuple[FloatArray, FloatArray]:
    return _project(lat0, lon0, [p[1] for p in ring], [p[0] for p in ring])
