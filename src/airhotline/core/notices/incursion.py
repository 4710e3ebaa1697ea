"""When a track enters a notice's volume: the geometry of incursion alerts.

A track flies on along its geodesic at its ground speed and vertical rate; the notice is
its area, between its band's limits, during its window. Within the look-ahead, the
track's path is carried into the notice's own plane (`area`), where it is straight to
within metres over a few minutes of flight, and cut by the area, by the band (a linear
altitude) and by the window's periods. The first moment all three hold is the time to
entry; the end of that stretch, the time to exit.

`entries` answers for many (notice, track) pairs at once, as a cycle needs: one geodesic
call and one projection for every pair's path, circles cut exactly in NumPy (a segment
against a radius is a quadratic), polygons in one vectorised Shapely intersection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from airhotline import geo
from airhotline.core.notices.area import to_planes
from airhotline.core.notices.model import Notice

__all__ = ["Entry", "entries", "entry"]

FloatArray = npt.NDArray[np.float64]

US_PER_S = 1_000_000
#: The path is carried into the plane at this many points (ends included): a geodesic
#: bends in the plane, so a few vertices keep it within metres of the truth.
_PATH_POINTS = 9

#: Stretches, in seconds from now, in order.
Stretches = list[tuple[float, float]]


@dataclass(frozen=True, slots=True)
class Entry:
    """A predicted incursion, in seconds from now."""

    t_in_s: float
    t_out_s: float
    #: Inside the volume now.
    inside: bool


def entry(
    notice: Notice,
    *,
    lat_deg: float,
    lon_deg: float,
    alt_ft: float,
    gs_mps: float,
    track_rad: float,
    vrate_fpm: float,
    now_us: int,
    lookahead_s: float,
) -> Entry | None:
    """The track's first stretch inside the notice within the look-ahead, or None."""
    (found,) = entries(
        [notice],
        lat_deg=np.array([lat_deg]),
        lon_deg=np.array([lon_deg]),
        alt_ft=np.array([alt_ft]),
        gs_mps=np.array([gs_mps]),
        track_rad=np.array([track_rad]),
        vrate_fpm=np.array([vrate_fpm]),
        now_us=now_us,
        lookahead_s=lookahead_s,
    )
    return found


def entries(
    notices: Sequence[Notice],
    *,
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    alt_ft: FloatArray,
    gs_mps: FloatArray,
    track_rad: FloatArray,
    vrate_fpm: FloatArray,
    now_us: int,
    lookahead_s: float,
) -> list[Entry | None]:
    """For each pair (``notices[k]``, the track of row k), the track's first stretch
    inside the notice within the look-ahead, or None."""
    n = len(notices)
    end_us = now_us + round(lookahead_s * US_PER_S)
    periods_of: dict[int, Stretches] = {}
    periods: list[Stretches] = []
    for notice in notices:
        key = id(notice)
        if key not in periods_of:
            periods_of[key] = [
                ((a - now_us) / US_PER_S, (b - now_us) / US_PER_S)
                for a, b in notice.window.intervals(now_us, end_us)
            ]
        periods.append(periods_of[key])
    lower = np.array([x.band.lower_ft for x in notices], dtype=np.float64)
    upper = np.array([x.band.upper_ft for x in notices], dtype=np.float64)
    v_start, v_end = _band_intervals(lower, upper, alt_ft, vrate_fpm, lookahead_s)
    wanted = (v_start <= v_end) & np.array([bool(p) for p in periods], dtype=bool)
    horizontal = _area_intervals(notices, wanted, lat_deg, lon_deg, gs_mps, track_rad, lookahead_s)
    found: list[Entry | None] = [None] * n
    for k in np.flatnonzero(wanted).tolist():
        found[k] = _first(horizontal[k], (float(v_start[k]), float(v_end[k])), periods[k])
    return found


def _first(
    horizontal: Stretches, vertical: tuple[float, float], periods: Stretches
) -> Entry | None:
    """The first moment area, band and window all hold, and the end of that stretch."""
    for h_start, h_end in horizontal:
        low, high = max(h_start, vertical[0]), min(h_end, vertical[1])
        if low > high:
            continue
        for p_start, p_end in periods:
            start, end = max(low, p_start), min(high, p_end)
            if start <= end:
                return Entry(start, end, inside=start <= 0.0)
    return None


def _band_intervals(
    lower: FloatArray,
    upper: FloatArray,
    alt_ft: FloatArray,
    vrate_fpm: FloatArray,
    lookahead_s: float,
) -> tuple[FloatArray, FloatArray]:
    """When, within the look-ahead, each altitude is within its band (start > end:
    never)."""
    rate = vrate_fpm / 60.0  # ft/s
    level = rate == 0.0
    safe = np.where(level, 1.0, rate)
    with np.errstate(over="ignore"):  # a rate next to nothing: never, as infinity says
        t_lower, t_upper = (lower - alt_ft) / safe, (upper - alt_ft) / safe
    start = np.maximum(0.0, np.minimum(t_lower, t_upper))
    end = np.minimum(lookahead_s, np.maximum(t_lower, t_upper))
    within = (lower <= alt_ft) & (alt_ft <= upper)
    start = np.where(level, np.where(within, 0.0, np.inf), start)
    end = np.where(level, np.where(within, lookahead_s, -np.inf), end)
    return start, end


def _area_intervals(
    notices: Sequence[Notice],
    wanted: npt.NDArray[np.bool_],
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    gs_mps: FloatArray,
    track_rad: FloatArray,
    lookahead_s: float,
) -> list[Stretches]:
    """When, within the look-ahead, each wanted track is over its notice's area."""
    found: list[Stretches] = [[] for _ in notices]
    hovering = gs_mps * lookahead_s < 1.0  # within a metre: inside all along, or never
    for k in np.flatnonzero(wanted & hovering).tolist():
        if notices[k].area.contains([lat_deg[k]], [lon_deg[k]])[0]:
            found[k] = [(0.0, lookahead_s)]
    moving = np.flatnonzero(wanted & ~hovering)
    if moving.size == 0:
        return found
    times = np.linspace(0.0, lookahead_s, _PATH_POINTS)
    lat, lon, _ = geo.geodesic_forward(
        lat_deg[moving, None],
        lon_deg[moving, None],
        track_rad[moving, None],
        gs_mps[moving, None] * times,
    )
    areas = [notices[k].area for k in moving.tolist()]
    x, y = to_planes(
        np.array([a.lat0 for a in areas])[:, None],
        np.array([a.lon0 for a in areas])[:, None],
        lat,
        lon,
    )
    radius = np.array([np.nan if a.radius_m is None else a.radius_m for a in areas])
    circles = ~np.isnan(radius)
    for row, stretches in _circle_stretches(x[circles], y[circles], radius[circles], times):
        found[int(moving[circles][row])] = stretches
    polygons = np.flatnonzero(~circles)
    planes = np.array([areas[i].plane for i in polygons.tolist()], dtype=object)
    for row, stretches in _polygon_stretches(x[polygons], y[polygons], planes, times):
        found[int(moving[polygons][row])] = stretches
    return found


def _circle_stretches(
    x: FloatArray, y: FloatArray, radius: FloatArray, times: FloatArray
) -> list[tuple[int, Stretches]]:
    """Each path (a row of plane points) against its circle about the plane's centre:
    each segment's part within the radius is the root interval of a quadratic."""
    if x.size == 0:
        return []
    ax, ay = x[:, :-1], y[:, :-1]
    dx, dy = np.diff(x, axis=1), np.diff(y, axis=1)
    a = dx * dx + dy * dy
    b = 2.0 * (ax * dx + ay * dy)
    c = ax * ax + ay * ay - radius[:, None] ** 2
    disc = b * b - 4.0 * a * c
    moving = a > 0.0
    root = np.sqrt(np.where(disc >= 0.0, disc, 0.0))
    safe_a = np.where(moving, a, 1.0)
    s_in = np.where(moving, (-b - root) / (2.0 * safe_a), np.where(c <= 0.0, 0.0, np.inf))
    s_out = np.where(moving, (-b + root) / (2.0 * safe_a), np.where(c <= 0.0, 1.0, -np.inf))
    s_in = np.where(disc >= 0.0, np.maximum(s_in, 0.0), np.inf)
    s_out = np.where(disc >= 0.0, np.minimum(s_out, 1.0), -np.inf)
    hit = s_in <= s_out
    span = np.diff(times)
    t_in = times[:-1] + s_in * span
    t_out = times[:-1] + s_out * span
    found = []
    for row in np.flatnonzero(hit.any(axis=1)).tolist():
        segments = np.flatnonzero(hit[row]).tolist()
        found.append(
            (row, _merged([(float(t_in[row, k]), float(t_out[row, k])) for k in segments]))
        )
    return found


def _polygon_stretches(
    x: FloatArray, y: FloatArray, planes: npt.NDArray[np.object_], times: FloatArray
) -> list[tuple[int, Stretches]]:
    """Each path against its area's polygon: one vectorised intersection, then each
    piece's ends located along its path and mapped back to times."""
    if x.size == 0:
        return []
    paths = shapely.linestrings(np.stack([x, y], axis=-1))
    pieces, owner = shapely.get_parts(shapely.intersection(paths, planes), return_index=True)
    keep = ~shapely.is_empty(pieces)
    pieces, owner = pieces[keep], owner[keep]
    if pieces.size == 0:
        return []
    coords, of_piece = shapely.get_coordinates(pieces, return_index=True)
    first = np.searchsorted(of_piece, np.arange(pieces.size), side="left")
    last = np.searchsorted(of_piece, np.arange(pieces.size), side="right") - 1
    on_path = paths[owner]
    at_first = shapely.line_locate_point(on_path, shapely.points(coords[first]))
    at_last = shapely.line_locate_point(on_path, shapely.points(coords[last]))
    # Distance along each path, as the plane measures it, to map back to times.
    along = np.concatenate(
        [np.zeros((x.shape[0], 1)), np.cumsum(np.hypot(np.diff(x), np.diff(y)), axis=1)], axis=1
    )
    by_path: dict[int, Stretches] = {}
    for piece in range(pieces.size):
        row = int(owner[piece])
        start, end = sorted((float(at_first[piece]), float(at_last[piece])))
        by_path.setdefault(row, []).append(
            (float(np.interp(start, along[row], times)), float(np.interp(end, along[row], times)))
        )
    return [(row, sorted(stretches)) for row, stretches in by_path.items()]


def _merged(stretches: Stretches) -> Stretches:
    """Consecutive stretches that meet (one segment's end, the next one's start) as one."""
    merged: Stretches = []
    for start, end in sorted(stretches):
        if merged and start <= merged[-1][1] + 1e-9:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
