"""Pure conflict detection on arrays: no I/O, no clocks, no service types.

Imports nothing of airhotline but `airhotline.geo` and `airhotline.units`.
"""

from airhotline.detect.broadphase import Boxes, overlapping_pairs
from airhotline.detect.exhaustive import all_pairs, detect_conflicts_exhaustive
from airhotline.detect.states import (
    DEFAULT_H_SEP_M,
    DEFAULT_LOOKAHEAD_S,
    DEFAULT_V_SEP_M,
    TrackStates,
)
from airhotline.detect.tactical import (
    BOUNDARY_TOLERANCE_M,
    Conflicts,
    PairSelection,
    detect_conflicts,
    narrow_phase,
)

__all__ = [
    "BOUNDARY_TOLERANCE_M",
    "DEFAULT_H_SEP_M",
    "DEFAULT_LOOKAHEAD_S",
    "DEFAULT_V_SEP_M",
    "Boxes",
    "Conflicts",
    "PairSelection",
    "TrackStates",
    "all_pairs",
    "detect_conflicts",
    "detect_conflicts_exhaustive",
    "narrow_phase",
    "overlapping_pairs",
]
