"""Plausibility: whether a track's reports could come from an aircraft, and do agree.

The parties may be adversaries. A party that reports invented "aircraft" — stationary
columns climbing at 60 000 fpm without ever moving, tracks that jump across the map —
would conflict with whatever flies nearby and, through its alerts, learn where the
other party's aircraft are. So a track is *established* only once its reports have
been possible for an aircraft and consistent with each other (each position where the
last one, flown on at its reported velocity, says it should be) for a few reports over
some seconds; nothing of another party is disclosed to the owner of a track that is not.

Each check is a vectorised function of the previous accepted state and the new report
of each track; `assess` returns the new *streak* of consistent reports. Pure NumPy, no
state: the picture keeps the streaks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airhotline import geo, units

__all__ = ["PlausibilityRules", "Reports", "assess", "drift", "follows", "possible"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class PlausibilityRules:
    """What an aircraft can do, and how closely successive reports must agree."""

    #: Faster than anything the hotline deconflicts (Mach 2.3 at altitude).
    max_gs_kt: float = 1_500.0
    #: Steeper than any sustained climb or descent (a fighter's zoom climb included).
    max_vrate_fpm: float = 40_000.0
    #: How far a position may lie from where the last report, flown on, puts it: a fixed
    #: allowance (feed noise, rounding) plus a share of the distance flown (turns,
    #: speed changes between reports).
    position_slack_m: float = float(units.m_from_nm(0.5))
    position_slack_share: float = 0.25
    #: How far the altitudes may drift from what the reported vertical rates say. The
    #: drift adds up from report to report, fading with ``drift_memory_s``: a vertical
    #: rate that the altitudes never follow (a "column" that claims to climb and does
    #: not) shows after a few seconds even when each step alone is small.
    altitude_slack_ft: float = 250.0
    drift_memory_s: float = 10.0
    #: A track is established after this many consistent reports spanning this long:
    #: long enough for the drift to expose a vertical rate of 5 000 fpm or more that the
    #: altitudes do not follow (slower lies sweep few levels, and the exposure budget
    #: bounds what they can learn).
    establish_reports: int = 3
    establish_s: float = 5.0

    def __post_init__(self) -> None:
        if self.establish_reports < 1:
            raise ValueError("establish_reports must be at least 1")
        numbers = (
            self.max_gs_kt,
            self.max_vrate_fpm,
            self.position_slack_m,
            self.position_slack_share,
            self.altitude_slack_ft,
            self.drift_memory_s,
            self.establish_s,
        )
        if not all(np.isfinite(n) and n >= 0 for n in numbers):
            raise ValueError("plausibility limits must be finite and not negative")


@dataclass(frozen=True, slots=True)
class Reports:
    """One report per track, in aviation units as reported, with its time."""

    time_us: IntArray
    lat: FloatArray
    lon: FloatArray
    alt_ft: FloatArray
    gs_kt: FloatArray
    track_deg: FloatArray
    vrate_fpm: FloatArray


def possible(new: Reports, rules: PlausibilityRules) -> BoolArray:
    """Whether each report's velocity is one an aircraft can have."""
    return (np.abs(new.gs_kt) <= rules.max_gs_kt) & (np.abs(new.vrate_fpm) <= rules.max_vrate_fpm)


def follows(old: Reports, new: Reports, rules: PlausibilityRules) -> BoolArray:
    """Whether each new position is where its track's previous report, flown on, puts it.

    The previous state is flown along its reported track at the mean of the two reported
    speeds — a straight-line estimate, checked with a slack that grows with the distance
    flown (turns and speed changes between reports).
    """
    dt_s = (new.time_us - old.time_us) / 1e6
    flown_m = units.mps_from_kt(0.5 * (old.gs_kt + new.gs_kt)) * dt_s
    lat, lon, _ = geo.geodesic_forward(old.lat, old.lon, units.rad_from_deg(old.track_deg), flown_m)
    off_m = geo.distance_m(lat, lon, new.lat, new.lon)
    result: BoolArray = off_m <= rules.position_slack_m + rules.position_slack_share * flown_m
    return result


def drift(
    old: Reports, new: Reports, old_drift_ft: FloatArray, rules: PlausibilityRules
) -> FloatArray:
    """The altitude drift after ``new``: the previous drift, faded, plus how far this
    step's altitude change differs from the mean reported vertical rate's."""
    dt_s = (new.time_us - old.time_us) / 1e6
    climbed_ft = 0.5 * (old.vrate_fpm + new.vrate_fpm) * dt_s / 60.0
    step_ft = (new.alt_ft - old.alt_ft) - climbed_ft
    faded: FloatArray = old_drift_ft * np.exp(-dt_s / max(rules.drift_memory_s, 1e-9)) + step_ft
    return faded


def assess(
    old: Reports,
    new: Reports,
    has_old: BoolArray,
    old_streak: IntArray,
    old_drift_ft: FloatArray,
    rules: PlausibilityRules,
) -> tuple[IntArray, FloatArray]:
    """Each track's streak of consistent reports, and its altitude drift, once ``new``
    is taken.

    A report an aircraft cannot make ends the streak (0); one that does not follow from
    the previous report — a position off the estimate, or altitudes that have drifted
    from the vertical rates — starts a new streak (1); one that does extends it. The
    drift is kept across streaks: a lie in the vertical rate cannot be washed out by
    starting again.
    """
    ok = possible(new, rules)
    drifted = np.where(has_old, drift(old, new, old_drift_ft, rules), 0.0)
    agrees = has_old & (old_streak > 0) & follows(old, new, rules)
    agrees &= np.abs(drifted) <= rules.altitude_slack_ft
    streak: IntArray = np.where(ok, np.where(agrees, old_streak + 1, 1), 0).astype(np.int64)
    return streak, drifted
