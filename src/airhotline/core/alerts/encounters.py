"""Encounter tracking as a pure step: one pair's bookkeeping, one cycle further.

An encounter is what the hotline remembers of two tracks that detection paired up:
the hits of the last cycles (confirmation), the cycles without prediction (clearing),
the cycles below the alert's tier (downgrading), and what was last *said* to the
control centres (so that an update goes out only when the numbers moved materially).
`step` takes the encounter, its alert and this cycle's prediction and returns the new
values and what happened; it changes nothing, so a cycle whose commit fails simply
drops what it computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from airhotline.clock import US_PER_S
from airhotline.core.alerts.model import Alert, PairKey, Tier
from airhotline.core.alerts.policy import AlertPolicy
from airhotline.core.alerts.prediction import Prediction

__all__ = ["Change", "Encounter", "Step", "step"]


@dataclass(frozen=True, slots=True)
class Encounter:
    """Per-pair bookkeeping the journal does not need."""

    #: Whether the pair was predicted, for the last ``confirm_window`` cycles, newest last.
    seen: tuple[bool, ...] = ()
    absent: int = 0
    below_tier: int = 0
    alert_id: str | None = None
    said_t_in_s: float = 0.0
    said_at_us: int = 0
    said_dcpa_m: float = 0.0
    said_coasting: tuple[bool, bool] = (False, False)

    def saying(self, alert: Alert, now_us: int) -> Encounter:
        """This encounter once ``alert`` was told to the control centres at ``now_us``."""
        return replace(
            self,
            said_t_in_s=alert.t_in_s,
            said_at_us=now_us,
            said_dcpa_m=alert.dcpa_m,
            said_coasting=alert.coasting,
        )


class Change(Enum):
    """What a step did to the encounter's alert, as the journal will say it."""

    NONE = "none"  # nothing worth an event (the alert may still hold fresher numbers)
    RAISED = "alert.raised"
    UPDATED = "alert.updated"
    RESOLVED = "alert.resolved"


@dataclass(frozen=True, slots=True)
class Step:
    #: The encounter after the cycle; None once it is over (forget it).
    encounter: Encounter | None
    #: The alert after the cycle; None when the encounter has none.
    alert: Alert | None
    change: Change = Change.NONE
    tier_changed: bool = False


def step(
    pair: PairKey,
    encounter: Encounter,
    alert: Alert | None,
    guess: Prediction | None,
    *,
    now_us: int,
    policy: AlertPolicy,
    tracks_live: bool,
    new_id: Callable[[], str],
) -> Step:
    """One cycle of an encounter. ``alert`` is its active alert (None before a raise),
    ``tracks_live`` whether both tracks are still in the picture, ``new_id`` gives the
    id of a raise (called only then)."""
    encounter = replace(
        encounter, seen=(*encounter.seen, guess is not None)[-policy.confirm_window :]
    )
    if alert is None:
        return _maybe_raise(pair, encounter, guess, now_us, policy, new_id)
    return _follow(encounter, alert, guess, now_us, policy, tracks_live)


def _maybe_raise(
    pair: PairKey,
    encounter: Encounter,
    guess: Prediction | None,
    now: int,
    policy: AlertPolicy,
    new_id: Callable[[], str],
) -> Step:
    confirmed = guess is not None and (
        guess.tier is Tier.WARNING or sum(encounter.seen) >= policy.confirm_hits
    )
    if guess is None or not confirmed:
        return Step(encounter if any(encounter.seen) else None, None)
    tier = guess.tier
    alert = Alert(
        id=new_id(),
        track_a=pair[0],
        track_b=pair[1],
        tier=tier,
        raised_us=now,
        updated_us=now,
        tier_since_us=now,
        caution_since_us=now if tier >= Tier.CAUTION else None,
        warning_since_us=now if tier is Tier.WARNING else None,
        **_fields(guess),
    )
    raised = replace(encounter, alert_id=alert.id).saying(alert, now)
    return Step(raised, alert, Change.RAISED)


def _follow(
    encounter: Encounter,
    alert: Alert,
    guess: Prediction | None,
    now: int,
    policy: AlertPolicy,
    tracks_live: bool,
) -> Step:
    if not tracks_live:
        return Step(None, _resolved(alert, now, "track-lost"), Change.RESOLVED)
    if guess is None:
        absent = encounter.absent + 1
        if absent >= policy.clear_cycles:
            return Step(None, _resolved(alert, now, "clear"), Change.RESOLVED)
        return Step(replace(encounter, absent=absent), alert)
    tier = guess.tier
    below = 0
    changed_tier = False
    if tier > alert.tier:
        changed_tier = True
    elif tier < alert.tier:
        below = encounter.below_tier + 1
        changed_tier = below >= policy.clear_cycles
        if changed_tier:
            below = 0
    encounter = replace(encounter, absent=0, below_tier=below)
    new_tier = tier if changed_tier else alert.tier
    updated = replace(
        alert,
        tier=new_tier,
        tier_since_us=now if changed_tier else alert.tier_since_us,
        caution_since_us=alert.caution_since_us or (now if new_tier >= Tier.CAUTION else None),
        warning_since_us=alert.warning_since_us or (now if new_tier is Tier.WARNING else None),
        **_fields(guess),
    )
    if changed_tier or _material(encounter, updated, now, policy):
        updated = replace(updated, updated_us=now)
        return Step(encounter.saying(updated, now), updated, Change.UPDATED, changed_tier)
    return Step(encounter, updated)  # fresher numbers, nothing worth an event


def _material(encounter: Encounter, updated: Alert, now: int, policy: AlertPolicy) -> bool:
    """Whether the numbers moved enough, against what was last said, to say them again."""
    expected_t_in = max(encounter.said_t_in_s - (now - encounter.said_at_us) / US_PER_S, 0.0)
    # Once the closest approach is behind (t_cpa 0), dCPA is just today's distance
    # growing: no news for a controller, who hears "resolved" soon enough.
    cpa_ahead = updated.t_cpa_s > 0.0
    # A track starting or stopping to coast is news too (its position is now, or no
    # longer, a guess) — but a feed slower than the coast limit flips it on every
    # report, so it waits for the same minimum interval as the numbers.
    moved = (
        abs(updated.t_in_s - expected_t_in) > policy.material_t_in_s
        or (cpa_ahead and abs(updated.dcpa_m - encounter.said_dcpa_m) > policy.material_dcpa_m)
        or updated.coasting != encounter.said_coasting
    )
    return moved and now - encounter.said_at_us >= round(policy.min_update_interval_s * US_PER_S)


def _resolved(alert: Alert, now: int, reason: str) -> Alert:
    return replace(alert, resolved_us=now, updated_us=now, resolution=reason)


def _fields(guess: Prediction) -> dict[str, Any]:
    """The fields an `Alert` takes from a prediction."""
    return {
        "t_in_s": guess.t_in_s,
        "t_out_s": guess.t_out_s,
        "t_cpa_s": guess.t_cpa_s,
        "dcpa_m": guess.dcpa_m,
        "dz_cpa_m": guess.dz_cpa_m,
        "los": guess.los,
        "coasting": guess.coasting,
        "notice_kind": guess.notice_kind,
    }
