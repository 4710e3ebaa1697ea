"""The cycle's tracks in a spatial index, built once per cycle and shared by the checks
that ask "which tracks are near here" — zones and notices — so that each costs what is
near it, not tracks × areas.

Positions are points on the mean sphere, in metres from the Earth's centre, in SciPy's
k-d tree (cKDTree); a chord is never longer than its arc, so "within a chord of d" keeps
every track within a great-circle distance d (and `SCREEN_SLACK` covers the ellipsoid).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from airhotline.core.notices.area import EARTH_M, unit_vectors

__all__ = ["TrackIndex"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class TrackIndex:
    """One cycle's track positions, indexed; immutable once built."""

    def __init__(self, lat_deg: FloatArray, lon_deg: FloatArray) -> None:
        # Imported on first use: SciPy's import costs half a second, which a node
        # without zones or notices, and every CLI command, should not pay.
        from scipy.spatial import cKDTree

        #: Each track's position on the mean sphere (3-D, metres), by row.
        self.here = unit_vectors(lat_deg, lon_deg).reshape(-1, 3) * EARTH_M
        self.tree: Any = cKDTree(self.here)

    def __len__(self) -> int:
        return len(self.here)

    def within(self, centre: FloatArray, distance_m: float) -> IntArray:
        """The rows of the tracks within ``distance_m`` of a point (a unit vector)."""
        rows = self.tree.query_ball_point(centre * EARTH_M, distance_m, return_sorted=True)
        return np.asarray(rows, dtype=np.int64)
