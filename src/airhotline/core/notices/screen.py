"""The per-cycle incursion screen: which tracks are inside, or about to enter, a live
notice of another party (issue 11, items 3 and 7).

Checking every track against every notice costs tracks × notices; this costs what is
near. Each cycle:

1. the notices live within the look-ahead come from the overlap index as columns
   (`OverlapIndex.live_between`): centres as unit vectors, reaches, bands, owners;
2. the cycle's tracks go into a k-d tree (SciPy's cKDTree) of positions on the mean
   sphere; each notice asks it for the tracks within its reach plus the longest path
   any track flies in the look-ahead (a ball query, in C);
3. the candidate pairs are narrowed in NumPy columns: another party's track, whose
   path — the chord from where it is to where it will be — passes within the notice's
   reach, and whose altitude over the look-ahead meets the notice's band;
4. the few pairs left get the exact answer (`incursion.entry`): when the track enters
   the area, the band and the window, and leaves.

The screens only ever keep too much, never too little: a chord runs below the arc it
spans by at most its sagitta, a chord is never longer than its arc, and the mean sphere
is within `SCREEN_SLACK` of the ellipsoid's distances; each bound is added back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from airhotline import geo, units
from airhotline.core.notices.area import EARTH_M, SCREEN_SLACK, unit_vectors
from airhotline.core.notices.incursion import Entry, entry
from airhotline.core.notices.model import Notice
from airhotline.core.notices.overlap import LiveNotices
from airhotline.detect import TrackStates

__all__ = ["Incursion", "incursions"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Added to every screen distance (m): rounding, and the geodesic's few metres off the
#: great circle over a look-ahead's flight.
_MARGIN_M = 200.0


@dataclass(frozen=True, slots=True)
class Incursion:
    """A track (its row in the cycle's states) predicted inside a notice."""

    row: int
    notice: Notice
    entry: Entry


def incursions(
    live: LiveNotices,
    states: TrackStates,
    party_id: IntArray,
    *,
    now_us: int,
    lookahead_s: float,
) -> list[Incursion]:
    """Every (track, notice) of different parties, the track's party told of the notice,
    where the track is inside the notice's volume now or enters it within the
    look-ahead; each pair with its entry."""
    n_tracks = len(party_id)
    if not live.notices or n_tracks == 0:
        return []
    path_m = states.gs_mps * lookahead_s
    here = unit_vectors(states.lat_deg, states.lon_deg) * EARTH_M
    lat1, lon1, _ = geo.geodesic_forward(states.lat_deg, states.lon_deg, states.track_rad, path_m)
    there = unit_vectors(lat1, lon1) * EARTH_M
    longest = float(path_m.max())
    tree = cKDTree(here)
    centres = live.centres * EARTH_M
    found = tree.query_ball_point(
        centres, (live.reach + longest) * SCREEN_SLACK + _MARGIN_M, return_sorted=False
    )
    counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    if not counts.any():
        return []
    notice = np.repeat(np.arange(len(found), dtype=np.int64), counts)
    track = np.fromiter((t for f in found for t in f), dtype=np.int64, count=int(counts.sum()))
    keep = live.owner[notice] != party_id[track]
    notice, track = notice[keep], track[keep]
    # The path's chord against the notice's reach (the chord's sagitta added back).
    sagitta = path_m[track] ** 2 / (8.0 * EARTH_M)
    reach = live.reach[notice] * SCREEN_SLACK + path_m[track] * (SCREEN_SLACK - 1.0)
    near = _to_segment_m(centres[notice], here[track], there[track]) <= reach + sagitta + _MARGIN_M
    notice, track = notice[near], track[near]
    # The altitudes flown over the look-ahead against the band.
    alt_ft = units.ft_from_m(states.alt_m[track])
    climb_ft = units.ft_from_m(states.vrate_mps[track]) * lookahead_s
    low, high = np.minimum(alt_ft, alt_ft + climb_ft), np.maximum(alt_ft, alt_ft + climb_ft)
    meets = (high >= live.lower[notice]) & (low <= live.upper[notice])
    notice, track = notice[meets], track[meets]
    found_incursions: list[Incursion] = []
    for k, row in zip(notice.tolist(), track.tolist(), strict=True):
        candidate = live.notices[k]
        if int(party_id[row]) not in candidate.recipients:
            continue  # never told of it: not an incursion it could have avoided
        hit = entry(
            candidate,
            lat_deg=float(states.lat_deg[row]),
            lon_deg=float(states.lon_deg[row]),
            alt_ft=float(units.ft_from_m(states.alt_m[row])),
            gs_mps=float(states.gs_mps[row]),
            track_rad=float(states.track_rad[row]),
            vrate_fpm=float(units.fpm_from_mps(states.vrate_mps[row])),
            now_us=now_us,
            lookahead_s=lookahead_s,
        )
        if hit is not None:
            found_incursions.append(Incursion(row, candidate, hit))
    return found_incursions


def _to_segment_m(point: FloatArray, start: FloatArray, end: FloatArray) -> FloatArray:
    """Distance from each point to each segment, row by row (3-D, metres)."""
    d = end - start
    length2 = np.einsum("ij,ij->i", d, d)
    along = np.einsum("ij,ij->i", point - start, d)
    t = np.clip(np.divide(along, length2, out=np.zeros_like(along), where=length2 > 0), 0.0, 1.0)
    closest = start + t[:, None] * d
    return np.asarray(np.linalg.norm(point - closest, axis=1))
