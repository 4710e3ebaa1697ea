"""Prediction: what detection says of each cross-party pair this cycle.

The first stage of a cycle, and the slow one: it runs outside every lock, on a
picture view that nobody else changes, so API reads and acknowledgements never wait for
it. The detector is a parameter (a drill or a test may hand in its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from airhotline.core.alerts.model import PairKey, Tier
from airhotline.core.alerts.policy import AlertPolicy
from airhotline.core.picture import PictureView
from airhotline.detect import Conflicts, TrackStates, detect_conflicts

__all__ = ["Detector", "Prediction", "predict"]

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


def predict(
    view: PictureView,
    *,
    lookahead_s: float,
    policy_for: Callable[[int, int], AlertPolicy],
    detector: Detector = default_detector,
) -> dict[PairKey, Prediction]:
    """Every cross-party pair predicted to lose separation within some tier's time."""
    if len(view) < 2:
        return {}
    conflicts = detector(view.states, lookahead_s)
    predicted: dict[PairKey, Prediction] = {}
    for k in range(len(conflicts)):
        row_a, row_b = int(conflicts.i[k]), int(conflicts.j[k])
        a, b = view.key(row_a), view.key(row_b)
        if b < a:
            a, b, row_a, row_b = b, a, row_b, row_a
        t_in_s, los = float(conflicts.t_in_s[k]), bool(conflicts.los[k])
        tier = policy_for(a[0], b[0]).tier(t_in_s, los)
        if tier is None:
            continue
        predicted[(a, b)] = Prediction(
            tier=tier,
            t_in_s=t_in_s,
            t_out_s=float(conflicts.t_out_s[k]),
            t_cpa_s=float(conflicts.t_cpa_s[k]),
            dcpa_m=float(conflicts.dcpa_m[k]),
            dz_cpa_m=float(conflicts.dz_cpa_m[k]),
            los=los,
            coasting=(bool(view.coasting[row_a]), bool(view.coasting[row_b])),
        )
    return predicted
