"""Prediction: what detection says of each cross-party pair this cycle.

The first stage of a cycle, and the slow one: it runs outside every lock, on a
picture view that nobody else changes, so API reads and acknowledgements never wait for
it. The detector is a parameter (a drill or a test may hand in its own).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields, replace

import numpy as np
import numpy.typing as npt

from airhotline.core.alerts.minima import PairMinima, raised, rechecked
from airhotline.core.alerts.model import PairKey, Tier
from airhotline.core.alerts.policy import AlertPolicy
from airhotline.core.notices.zones import ZoneMinima
from airhotline.core.picture import PictureView
from airhotline.detect import Conflicts, TrackStates, detect_conflicts

__all__ = ["Detector", "Parties", "Prediction", "predict"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Conflicts among ``states`` within ``lookahead_s`` (`airhotline.detect.detect_conflicts`).
Detector = Callable[[TrackStates, float], Conflicts]


def default_detector(states: TrackStates, lookahead_s: float) -> Conflicts:
    return detect_conflicts(states, lookahead_s=lookahead_s)


@dataclass(frozen=True, slots=True)
class Prediction:
    """What detection says of a pair this cycle, in the alert's own fields."""

    tier: Tier
    t_in_s: float
    t_out_s: float
    t_cpa_s: float
    dcpa_m: float
    dz_cpa_m: float
    los: bool
    coasting: tuple[bool, bool]
    #: An incursion's notice kind (`incursions`); None for a conflict.
    notice_kind: str | None = None


#: A pair of parties, the lesser id first.
Parties = tuple[int, int]


def urgency(pair: PairKey, guess: Prediction) -> tuple[int, float, PairKey]:
    """Most urgent first: the highest tier, then the soonest loss of separation (the
    order `_within_limit` ranks new pairs in, there with arrays)."""
    return (-guess.tier, guess.t_in_s, pair)


def predict(
    view: PictureView,
    *,
    lookahead_s: float,
    policy_for: Callable[[int, int], AlertPolicy],
    detector: Detector = default_detector,
    followed: Collection[PairKey] = (),
    limit: int | None = None,
    pair_minima: PairMinima | None = None,
    zones: ZoneMinima | None = None,
    name_of: Callable[[int], str | None] | None = None,
) -> tuple[dict[PairKey, Prediction], Counter[Parties]]:
    """Every cross-party pair predicted to lose separation within some tier's time; and,
    with ``limit``, how many new pairs were held back per pair of parties.

    Vectorised over the conflicts: a flood of tens of thousands of them costs arrays,
    not Python objects. With ``limit``, the pairs already ``followed`` are always kept,
    and of the new ones only the most urgent (highest tier, then soonest loss of
    separation) while a pair of parties follows fewer than ``limit`` (`flood`).
    """
    if len(view) < 2:
        return {}, Counter()
    states = view.states
    if zones is not None:
        # What each track's position calls for (`airhotline.core.notices.zones`).
        states = replace(
            states,
            h_sep_m=np.maximum(states.h_sep_m, zones.h_m),
            v_sep_m=np.maximum(states.v_sep_m, zones.v_m),
        )
    if pair_minima:
        # Agreements' own minima: one detection with each party's largest (`minima`).
        used = raised(states, view.party_id, pair_minima)
        conflicts = detector(used, lookahead_s)
        conflicts = rechecked(
            view.states,
            used,
            view.party_id,
            conflicts,
            pair_minima,
            detector,
            lookahead_s,
            zone_h=None if zones is None else zones.h_m,
            zone_v=None if zones is None else zones.v_m,
        )
    else:
        conflicts = detector(states, lookahead_s)
    if zones is not None and zones.quiet and name_of is not None:
        conflicts = _without_joint_activity(view, conflicts, zones, name_of)
    # Each pair as (track of the lesser party, track of the other): the alert's order.
    swap = view.party_id[conflicts.i] > view.party_id[conflicts.j]
    a = np.where(swap, conflicts.j, conflicts.i)
    b = np.where(swap, conflicts.i, conflicts.j)
    party_a, party_b = view.party_id[a], view.party_id[b]
    tier = _tiers(conflicts, party_a, party_b, policy_for)
    keep = (party_a != party_b) & (tier > 0)
    held: Counter[Parties] = Counter()
    if limit is not None:
        keep, held = _within_limit(view, a, b, tier, conflicts.t_in_s, keep, followed, limit)
    predicted: dict[PairKey, Prediction] = {}
    for k in np.flatnonzero(keep).tolist():
        row_a, row_b = int(a[k]), int(b[k])
        key = ((int(party_a[k]), view.track_id[row_a]), (int(party_b[k]), view.track_id[row_b]))
        predicted[key] = Prediction(
            tier=Tier(int(tier[k])),
            t_in_s=float(conflicts.t_in_s[k]),
            t_out_s=float(conflicts.t_out_s[k]),
            t_cpa_s=float(conflicts.t_cpa_s[k]),
            dcpa_m=float(conflicts.dcpa_m[k]),
            dz_cpa_m=float(conflicts.dz_cpa_m[k]),
            los=bool(conflicts.los[k]),
            coasting=(bool(view.coasting[row_a]), bool(view.coasting[row_b])),
        )
    return predicted, held


def _without_joint_activity(
    view: PictureView,
    conflicts: Conflicts,
    zones: ZoneMinima,
    name_of: Callable[[int], str | None],
) -> Conflicts:
    """Drop the pairs of parties of a declared joint activity, both inside its zone."""
    i, j = conflicts.i, conflicts.j
    names = {int(p): name_of(int(p)) for p in np.unique(view.party_id).tolist()}
    first = np.array([names[int(p)] for p in view.party_id[i]], dtype=object)
    second = np.array([names[int(p)] for p in view.party_id[j]], dtype=object)
    drop = np.zeros(len(conflicts), dtype=bool)
    for inside, parties in zones.quiet:
        joint = np.isin(first, parties) & np.isin(second, parties)
        drop |= inside[i] & inside[j] & joint
    if not drop.any():
        return conflicts
    keep = ~drop
    return Conflicts(**{f.name: getattr(conflicts, f.name)[keep] for f in fields(conflicts)})


def _tiers(
    conflicts: Conflicts,
    party_a: IntArray,
    party_b: IntArray,
    policy_for: Callable[[int, int], AlertPolicy],
) -> IntArray:
    """Each conflict's tier (0: none yet), under its pair of parties' policy."""
    if not len(conflicts):
        return np.zeros(0, dtype=np.int64)
    pairs, group = _party_pairs(party_a, party_b)
    # Each pair of parties' limits, then each conflict's: one comparison for them all.
    limits = [policy_for(first, second) for first, second in pairs]
    warning = np.array([p.warning_s for p in limits], dtype=np.float64)[group]
    caution = np.array([p.caution_s for p in limits], dtype=np.float64)[group]
    advisory = np.array([p.advisory_s for p in limits], dtype=np.float64)[group]
    t_in, los = conflicts.t_in_s, conflicts.los
    tier: IntArray = np.select(
        [los | (t_in <= warning), t_in <= caution, t_in <= advisory],
        [int(Tier.WARNING), int(Tier.CAUTION), int(Tier.ADVISORY)],
        default=0,
    ).astype(np.int64)
    return tier


def _party_pairs(party_a: IntArray, party_b: IntArray) -> tuple[list[tuple[int, int]], IntArray]:
    """The distinct pairs of parties, in order, and which of them each element is (a
    `np.unique` over rows, without its cost: each pair coded as one number)."""
    low = int(min(party_a.min(), party_b.min()))
    base = int(max(party_a.max(), party_b.max())) - low + 1
    codes, group = np.unique((party_a - low) * base + (party_b - low), return_inverse=True)
    pairs = [(code // base + low, code % base + low) for code in codes.tolist()]
    return pairs, group.reshape(-1)


def _within_limit(
    view: PictureView,
    a: IntArray,
    b: IntArray,
    tier: IntArray,
    t_in_s: FloatArray,
    keep: BoolArray,
    followed: Collection[PairKey],
    limit: int,
) -> tuple[BoolArray, Counter[Parties]]:
    """``keep`` narrowed to the followed pairs and the most urgent new ones, per pair of
    parties within ``limit``; and how many new ones were held back per pair of parties."""
    n = len(view)
    rows = view.rows()
    followed_codes = np.array(
        [rows[x] * n + rows[y] for x, y in followed if x in rows and y in rows], dtype=np.int64
    )
    is_followed = np.isin(a * n + b, followed_codes)
    count: Counter[Parties] = Counter((x[0], y[0]) for x, y in followed)
    fresh = np.flatnonzero(keep & ~is_followed)
    party_a, party_b = view.party_id[a[fresh]], view.party_id[b[fresh]]
    order = np.lexsort((b[fresh], a[fresh], t_in_s[fresh], -tier[fresh], party_b, party_a))
    admitted = np.zeros(len(keep), dtype=np.bool_)
    held: Counter[Parties] = Counter()
    if not fresh.size:
        return keep & is_followed, held
    # Within each pair of parties (contiguous once sorted), the k-th most urgent new pair
    # is admitted while the pair of parties follows fewer than ``limit``.
    pairs, group = _party_pairs(party_a[order], party_b[order])
    position = np.arange(order.size)
    first_of_group = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    rank = position - first_of_group[group]
    room = np.array([max(0, limit - count[(int(x), int(y))]) for x, y in pairs], dtype=np.int64)
    chosen = rank < room[group]
    admitted[fresh[order[chosen]]] = True
    refused = np.bincount(group[~chosen], minlength=len(pairs))
    for (x, y), n_held in zip(pairs, refused.tolist(), strict=True):
        if n_held:
            held[(x, y)] = n_held
    return (keep & is_followed) | admitted, held
