"""When a track enters a notice's volume: the geometry of incursion alerts (issue 11,
item 3), pure and not yet wired into the alert engine.

A track flies on along its geodesic at its ground speed and vertical rate; the notice is
its area, between its band's limits, during its window. Within the look-ahead, the
track's path is carried into the notice's own plane (`area`), where it is straight to
within metres over a few minutes of flight, and cut by the area (Shapely), by the band
(a linear altitude) and by the window's periods. The first moment all three hold is the
time to entry; the end of that stretch, the time to exit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from airhotline import geo
from airhotline.core.notices.model import Notice

__all__ = ["Entry", "entry"]

FloatArray = npt.NDArray[np.float64]

US_PER_S = 1_000_000
#: The path is carried into the plane at this many points (ends included): a geodesic
#: bends in the plane, so a few vertices keep it within metres of the truth.
_PATH_POINTS = 9


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
    periods = [
        ((a - now_us) / US_PER_S, (b - now_us) / US_PER_S)
        for a, b in notice.window.intervals(now_us, now_us + round(lookahead_s * US_PER_S))
    ]
    if not periods:
        return None
    vertical = _band_interval(notice, alt_ft, vrate_fpm, lookahead_s)
    if vertical is None:
        return None
    horizontal = _area_intervals(notice, lat_deg, lon_deg, gs_mps, track_rad, lookahead_s)
    for h_start, h_end in horizontal:
        low, high = max(h_start, vertical[0]), min(h_end, vertical[1])
        if low > high:
            continue
        for p_start, p_end in periods:
            start, end = max(low, p_start), min(high, p_end)
            if start <= end:
                return Entry(start, end, inside=start <= 0.0)
    return None


def _band_interval(
    notice: Notice, alt_ft: float, vrate_fpm: float, lookahead_s: float
) -> tuple[float, float] | None:
    """When, within the look-ahead, the altitude is within the band."""
    lower, upper = notice.band.lower_ft, notice.band.upper_ft
    rate = vrate_fpm / 60.0  # ft/s
    if rate == 0.0:
        return (0.0, lookahead_s) if lower <= alt_ft <= upper else None
    times = sorted(((lower - alt_ft) / rate, (upper - alt_ft) / rate))
    start, end = max(0.0, times[0]), min(lookahead_s, times[1])
    return (start, end) if start <= end else None


def _area_intervals(
    notice: Notice,
    lat_deg: float,
    lon_deg: float,
    gs_mps: float,
    track_rad: float,
    lookahead_s: float,
) -> list[tuple[float, float]]:
    """When, within the look-ahead, the track is over the area, in order."""
    area = notice.area
    if gs_mps * lookahead_s < 1.0:  # hovering (within a metre): inside all along, or never
        inside = bool(area.contains([lat_deg], [lon_deg])[0])
        return [(0.0, lookahead_s)] if inside else []
    times = np.linspace(0.0, lookahead_s, _PATH_POINTS)
    lat, lon, _ = geo.geodesic_forward(
        np.full(_PATH_POINTS, lat_deg),
        np.full(_PATH_POINTS, lon_deg),
        np.full(_PATH_POINTS, track_rad),
        gs_mps * times,
    )
    x, y = area.to_plane(lat, lon)
    # Distance along the path, as the plane measures it, to map points back to times.
    steps = np.hypot(np.diff(x), np.diff(y))
    along = np.concatenate([[0.0], np.cumsum(steps)])
    path = shapely.LineString(np.column_stack([x, y]))
    plane = area.plane
    if area.radius_m is not None:  # exact circle: the polygon is within 1.5 m of it
        plane = shapely.Point(0.0, 0.0).buffer(area.radius_m, quad_segs=256)
    pieces = shapely.get_parts(shapely.intersection(path, plane))
    found: list[tuple[float, float]] = []
    for piece in pieces:
        if piece.is_empty:
            continue
        coords = shapely.get_coordinates(piece)
        first = shapely.line_locate_point(path, shapely.Point(coords[0]))
        last = shapely.line_locate_point(path, shapely.Point(coords[-1]))
        start, end = sorted((float(first), float(last)))
        found.append((float(np.interp(start, along, times)), float(np.interp(end, along, times))))
    return sorted(found)
