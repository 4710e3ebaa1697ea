"""The per-cycle incursion screen: which tracks are inside, or about to enter, a live
notice of another party (issue 11, items 3 and 7).

Checking every track against every notice costs tracks × notices; this costs what is
near. Each cycle:

1. the notices live within the look-ahead come from the overlap index as columns
   (`OverlapIndex.live_between`): centres as unit vectors, reaches, bands, owners;
2. the cycle's tracks are in a k-d tree of positions on the mean sphere (`nearby`,
   shared with the zones), the notices (by classes of reach) go into another; the pairs
   within a notice's reach plus the longest path any track flies in the look-ahead come
   out in C;
3. the candidate pairs are narrowed in NumPy columns: another party's track, whose
   path — the chord from where it is to where it will be — passes within the notice's
   reach, and whose altitude over the look-ahead meets the notice's band;
4. the few pairs left get the exact answer, all at once (`incursion.entries`): when the track enters
   the area, the band and the window, and leaves.

The screens only ever keep too much, never too little: a chord runs below the arc it
spans by at most its sagitta, a chord is never longer than its arc, and the mean sphere
is within `SCREEN_SLACK` of the ellipsoid's distances; each bound is added back.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airhotline import units
from airhotline.core.notices.area import EARTH_M, SCREEN_SLACK, unit_vectors
from airhotline.core.notices.incursion import Entry, entries
from airhotline.core.notices.model import Notice
from airhotline.core.notices.nearby import TrackIndex
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
    nearby: TrackIndex | None = None,
) -> list[Incursion]:
    """Every (track, notice) of different parties, the track's party told of the notice,
    where the track is inside the notice's volume now or enters it within the
    look-ahead; each pair with its entry. ``nearby`` is the cycle's index of the same
    tracks (built here when not given)."""
    n_tracks = len(party_id)
    if not live.notices or n_tracks == 0:
        return []
    path_m = states.gs_mps * lookahead_s
    nearby = nearby if nearby is not None else TrackIndex(states.lat_deg, states.lon_deg)
    notice, track = _near(live, nearby, float(path_m.max()))
    here, there = nearby.here, _path_ends(states, path_m)
    keep = live.owner[notice] != party_id[track]
    notice, track = notice[keep], track[keep]
    # The path's chord against the notice's reach (the chord's sagitta added back).
    sagitta = path_m[track] ** 2 / (8.0 * EARTH_M)
    reach = live.reach[notice] * SCREEN_SLACK + path_m[track] * (SCREEN_SLACK - 1.0)
    centre = live.centres[notice] * EARTH_M
    near = _to_segment_m(centre, here[track], there[track]) <= reach + sagitta + _MARGIN_M
    notice, track = notice[near], track[near]
    # The altitudes flown over the look-ahead against the band.
    alt_ft = units.ft_from_m(states.alt_m[track])
    climb_ft = units.ft_from_m(states.vrate_mps[track]) * lookahead_s
    low, high = np.minimum(alt_ft, alt_ft + climb_ft), np.maximum(alt_ft, alt_ft + climb_ft)
    meets = (high >= live.lower[notice]) & (low <= live.upper[notice])
    notice, track = notice[meets], track[meets]
    told = np.array(
        [
            int(party_id[row]) in live.notices[k].recipients
            for k, row in zip(notice.tolist(), track.tolist(), strict=True)
        ],
        dtype=bool,
    )
    # Never told of it: not an incursion its party could have avoided.
    notice, track = notice[told], track[told]
    pairs = [live.notices[k] for k in notice.tolist()]
    hits = entries(
        pairs,
        lat_deg=states.lat_deg[track],
        lon_deg=states.lon_deg[track],
        alt_ft=units.ft_from_m(states.alt_m[track]),
        gs_mps=states.gs_mps[track],
        track_rad=states.track_rad[track],
        vrate_fpm=units.fpm_from_mps(states.vrate_mps[track]),
        now_us=now_us,
        lookahead_s=lookahead_s,
    )
    return [
        Incursion(row, candidate, hit)
        for row, candidate, hit in zip(track.tolist(), pairs, hits, strict=True)
        if hit is not None
    ]


def _path_ends(states: TrackStates, path_m: FloatArray) -> FloatArray:
    """Where each track will be at the look-ahead, on the mean sphere (3-D, metres): along
    the great circle of its track — within `SCREEN_SLACK` of the geodesic, which the
    screen allows for."""
    lat, lon = np.radians(states.lat_deg), np.radians(states.lon_deg)
    here = unit_vectors(states.lat_deg, states.lon_deg).reshape(-1, 3)
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], axis=-1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], axis=-1)
    ahead = east * np.sin(states.track_rad)[:, None] + north * np.cos(states.track_rad)[:, None]
    angle = (path_m / EARTH_M)[:, None]
    return np.asarray((here * np.cos(angle) + ahead * np.sin(angle)) * EARTH_M)


#: Notices are screened in classes of reach (m), so that one country-wide notice does
#: not widen every small notice's search; fixed, so that each class's tree is built once
#: per set of live notices.
_REACH_CLASSES = (0.0, 60_000.0, 240_000.0, np.inf)


def _near(live: LiveNotices, nearby: TrackIndex, longest_m: float) -> tuple[IntArray, IntArray]:
    """(notice, track) pairs whose distance apart could let the track reach the notice
    within the look-ahead: the cycle's tree of the tracks against each class's tree of
    centres, all pairs within the class's widest reach and the longest path (in C)."""
    notice_parts, track_parts = [], []
    for low, high in itertools.pairwise(_REACH_CLASSES):
        if (low, high) not in live.trees:
            from scipy.spatial import cKDTree  # with the track index's (`nearby`)

            members = np.flatnonzero((live.reach >= low) & (live.reach < high))
            live.trees[(low, high)] = (members, cKDTree(live.centres[members] * EARTH_M))
        members, tree = live.trees[(low, high)]
        if members.size == 0:
            continue
        widest = float(live.reach[members].max())
        pairs = tree.sparse_distance_matrix(
            nearby.tree, (widest + longest_m) * SCREEN_SLACK + _MARGIN_M, output_type="ndarray"
        )
        notice_parts.append(members[pairs["i"]])
        track_parts.append(pairs["j"].astype(np.int64))
    if not notice_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(notice_parts), np.concatenate(track_parts)


def _to_segment_m(point: FloatArray, start: FloatArray, end: FloatArray) -> FloatArray:
    """Distance from each point to each segment, row by row (3-D, metres)."""
    d = end - start
    length2 = np.einsum("ij,ij->i", d, d)
    along = np.einsum("ij,ij->i", point - start, d)
    t = np.clip(np.divide(along, length2, out=np.zeros_like(along), where=length2 > 0), 0.0, 1.0)
    closest = start + t[:, None] * d
    return np.asarray(np.linalg.norm(point - closest, axis=1))
