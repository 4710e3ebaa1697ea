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
FloatArray = npt.NDArray[np.float64]

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
    zone_h: FloatArray | None = None,
    zone_v: FloatArray | None = None,
) -> Conflicts:
    """The conflicts found with ``used`` minima, as each pair's own minima see them —
    its agreement's (else the tracks' own), raised to what either track's zone calls
    for: one more detection per distinct pair of minima, on those pairs' tracks only."""
    i, j = conflicts.i, conflicts.j
    low = np.minimum(party[i], party[j])
    high = np.maximum(party[i], party[j])
    want_h = np.maximum(states.h_sep_m[i], states.h_sep_m[j])
    want_v = np.maximum(states.v_sep_m[i], states.v_sep_m[j])
    for (a, b), (h_m, v_m) in minima.items():
        mine = (low == a) & (high == b)
        if h_m is not None:
            want_h[mine] = h_m
        if v_m is not None:
            want_v[mine] = v_m
    if zone_h is not None and zone_v is not None:
        want_h = np.maximum(want_h, np.maximum(zone_h[i], zone_h[j]))
        want_v = np.maximum(want_v, np.maximum(zone_v[i], zone_v[j]))
    differ = (want_h != np.maximum(used.h_sep_m[i], used.h_sep_m[j])) | (
        want_v != np.maximum(used.v_sep_m[i], used.v_sep_m[j])
    )
    keep = np.ones(len(conflicts), dtype=bool)
    names = ("t_in_s", "t_out_s", "t_cpa_s", "dcpa_m", "dz_cpa_m", "los")
    fields = {name: getattr(conflicts, name).copy() for name in names}
    ks_all = np.flatnonzero(differ)
    if ks_all.size:
        pairs = np.stack([want_h[ks_all], want_v[ks_all]], axis=1)
        for h, v in np.unique(pairs, axis=0).tolist():
            ks = ks_all[(pairs[:, 0] == h) & (pairs[:, 1] == v)]
            rows = np.unique(np.concatenate([i[ks], j[ks]]))
            subset = states.take(rows)
            subset = replace(subset, h_sep_m=np.full(len(rows), h), v_sep_m=np.full(len(rows), v))
            again = detect(subset, lookahead_s)
            found = {
                (int(rows[a]), int(rows[b])): n
                for n, (a, b) in enumerate(zip(again.i.tolist(), again.j.tolist(), strict=True))
            }
            for k in ks.tolist():
                n = found.get((int(i[k]), int(j[k])))
                if n is None:
                    keep[k] = False
                    continue
                for name, column in fields.items():
                    column[k] = getattr(again, name)[n]
    return Conflicts(i=i[keep], j=j[keep], **{n: c[keep] for n, c in fields.items()})
