"""The exhaustive check: every pair through the same narrow phase, no broad phase.

O(N²) by design — it exists to prove that the broad phase drops nothing (tests) and to
show what the broad phase saves (benchmarks). Pairs are produced in chunks, so memory
stays bounded even though time does not.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from airhotline.detect.broadphase import DEFAULT_CHUNK_PAIRS
from airhotline.detect.states import DEFAULT_LOOKAHEAD_S, TrackStates
from airhotline.detect.tactical import Conflicts, PairSelection, narrow_phase

__all__ = ["all_pairs", "detect_conflicts_exhaustive"]

IntArray = npt.NDArray[np.int64]


def all_pairs(
    party: IntArray, pairs: PairSelection = "cross-party", *, chunk_pairs: int = DEFAULT_CHUNK_PAIRS
) -> Iterator[tuple[IntArray, IntArray]]:
    """Yield every pair ``i < j`` (of different parties unless ``pairs="all"``), in chunks."""
    n = party.shape[0]
    rows_per_chunk = max(1, chunk_pairs // max(n, 1))
    for first in range(0, n, rows_per_chunk):
        rows = np.arange(first, min(first + rows_per_chunk, n), dtype=np.int64)
        i = np.repeat(rows, n - rows - 1)
        j = np.concatenate([np.arange(r + 1, n, dtype=np.int64) for r in rows])
        if pairs == "cross-party":
            keep = party[i] != party[j]
            i, j = i[keep], j[keep]
        yield i, j


def detect_conflicts_exhaustive(
    states: TrackStates,
    *,
    lookahead_s: float = DEFAULT_LOOKAHEAD_S,
    pairs: PairSelection = "cross-party",
) -> Conflicts:
    """Same answer as `detect_conflicts`, found by checking all N(N−1)/2 pairs."""
    return narrow_phase(states, all_pairs(states.party, pairs), lookahead_s=lookahead_s)
