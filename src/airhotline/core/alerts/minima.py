"""Agreements' own minima in the cycle: detection once, with each track's minima raised
to the largest its party agreed anywhere, then the few conflicts whose pair agreed
less checked again, exactly, with their own.

Raising minima only grows the set of conflicts (a pair closer than a smaller minimum is
closer than a larger one), so the one detection finds every pair's conflict; the second
look drops what the pair's own minima clear and measures the rest with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from airhotline.detect import Conflicts, TrackStates

__all__ = ["PairMinima", "raised", "rechecked"]

IntArray = npt.NDArray[np.int64]

#: A pair of parties (lesser id first) → its agreed minima in metres (None: the
#: tracks' own).
PairMinima = Mapping[tuple[int, int], tuple[float | None, float | None]]


def raised(states: TrackStates, party: IntArray, minima: PairMinima) -> TrackStates:
    """``states`` with each track's minima raised to its party's largest agreed ones."""
    h = states.h_sep_m.copy()
    v = states.v_sep_m.copy()
    for (low, high), (h_m, v_m) in minima.items():
        mine = (party == low) | (party == high)
        if h_m is not None:
            h[mine] = np.maximum(h[mine], h_m)
        if v_m is not None:
            v[mine] = np.maximum(v[mine], v_m)
    return replace(states, h_sep_m=h, v_sep_m=v)


def rechecked(
    states: TrackStates,
    used: TrackStates,
    party: IntArray,
    conflicts: Conflicts,
    minima: PairMinima,
    detect: Callable[[TrackStates, float], Conflicts],
    lookahead_s: float,
) -> Conflicts:
    """The conflicts found with ``used`` minima, as each pair's own minima see them."""
    keep = np.ones(len(conflicts), dtype=bool)
    fields = {
        name: getattr(conflicts, name).copy()
        for name in ("t_in_s", "t_out_s", "t_cpa_s", "dcpa_m", "dz_cpa_m", "los")
    }
    for k in range(len(conflicts)):
        i, j = int(conflicts.i[k]), int(conflicts.j[k])
        pair = (min(int(party[i]), int(party[j])), max(int(party[i]), int(party[j])))
        agreed = minima.get(pair, (None, None))
        h = agreed[0] if agreed[0] is not None else max(states.h_sep_m[i], states.h_sep_m[j])
        v = agreed[1] if agreed[1] is not None else max(states.v_sep_m[i], states.v_sep_m[j])
        if h == max(used.h_sep_m[i], used.h_sep_m[j]) and v == max(
            used.v_sep_m[i], used.v_sep_m[j]
        ):
            continue
        two = states.take([i, j])
        two = replace(two, h_sep_m=np.full(2, h), v_sep_m=np.full(2, v))
        again = detect(two, lookahead_s)
        if len(again) == 0:
            keep[k] = False
            continue
        for name, column in fields.items():
            column[k] = getattr(again, name)[0]
    return Conflicts(
        i=conflicts.i[keep], j=conflicts.j[keep], **{n: c[keep] for n, c in fields.items()}
    )
