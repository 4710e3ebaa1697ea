"""A debrief's figures, pure: per encounter the least separations reached, the warning
time and each party's time to acknowledge; per pair of parties what a tuning officer
needs; and each encounter's separation against time, computed on the recorded reports
exactly as the alert engine measures it (`airhotline.core.alerts.separation`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airhotline import units
from airhotline.core.alerts.model import INCURSION
from airhotline.core.alerts.separation import separations
from airhotline.debrief.collect import DEFAULT_MINIMA, AlertStory, DebriefData, TrackSeries

__all__ = [
    "DEFAULT_MINIMA",
    "NUISANCE_MARGIN",
    "Encounter",
    "PairStats",
    "Separation",
    "encounters",
    "pair_stats",
    "separation_series",
]

US_PER_S = 1_000_000
FloatArray = npt.NDArray[np.float64]
#: An alert whose least separation stayed this much above the minima (in either
#: dimension) never came close: a nuisance alert, for whoever tunes the thresholds.
NUISANCE_MARGIN = 1.2
#: A report older than this beside the other's is not a separation "reached" (s).
COAST_S = 10.0


@dataclass(frozen=True, slots=True)
class Encounter:
    alert_id: str
    kind: str
    parties: tuple[str, str]
    #: The two tracks (an incursion: the track and the notice).
    sides: tuple[str, str]
    tier: str
    raised_us: int
    resolved_us: int | None
    min_h_nm: float | None
    min_v_ft: float | None
    #: From the first alert to the loss of separation or, if none, the closest approach.
    warning_s: float | None
    #: Each party's time from being told to acknowledging (None: never).
    to_acknowledge_s: dict[str, float | None]
    escalations: int
    nuisance: bool
    #: The minima the pair was held to at its closest: its agreement's, or a zone's.
    minima: tuple[float, float] = DEFAULT_MINIMA


@dataclass(frozen=True, slots=True)
class PairStats:
    parties: tuple[str, str]
    alerts: int
    warnings: int
    nuisance: int
    escalations: int
    median_acknowledge_s: float | None


@dataclass(frozen=True, slots=True)
class Separation:
    """One encounter's separation against time, on the recorded reports."""

    time_us: npt.NDArray[np.int64]
    h_nm: FloatArray
    v_ft: FloatArray


def minima_of(data: DebriefData, parties: tuple[str, str]) -> tuple[float, float]:
    return data.minima.get(frozenset(parties), DEFAULT_MINIMA)


def encounters(data: DebriefData) -> list[Encounter]:
    return [_encounter(data, story) for story in data.alerts]


def _encounter(data: DebriefData, story: AlertStory) -> Encounter:
    last = story.last
    kind = str(last.get("kind", "conflict"))
    tracks = last["tracks"]
    if kind == INCURSION:
        notice = last["notice"]
        parties = (str(tracks[0]["party"]), str(notice["party"]))
        sides = (str(tracks[0]["track_id"]), f"notice {notice['notice_id']}")
    else:
        parties = (str(tracks[0]["party"]), str(tracks[1]["party"]))
        sides = (str(tracks[0]["track_id"]), str(tracks[1]["track_id"]))
    first_us = story.records[0].time_us
    lost = [r.time_us for r, p in zip(story.records, story.payloads, strict=True) if p["los"]]
    closest = last.get("min_h_sep_at_us")
    warned_until = lost[0] if lost else closest
    acks: dict[str, float | None] = {}
    # Acknowledgements as the alert's latest state lists them: the reader may not have
    # been told yet when the other party acknowledged.
    done = {str(a["party"]): int(a["time_us"]) for a in last.get("acknowledgements", [])}
    for name in parties:
        told = story.told_us.get(name)
        acks[name] = (
            max(0.0, (done[name] - told) / US_PER_S) if told is not None and name in done else None
        )
    tiers = [str(p["tier"]) for p in story.payloads]
    top = max(tiers, key=["advisory", "caution", "warning"].index)
    h, v = last.get("min_h_sep_nm"), last.get("min_v_sep_ft")
    # The least separation reached, on the recorded reports over the alert's life: an
    # alert's records carry its minima only as of its last transition.
    sep = _series(data, kind, parties, sides)
    h_min, v_min = minima_of(data, parties)
    if sep is not None:
        ended = last.get("resolved_us") or data.end_us
        life = (sep.time_us >= first_us) & (sep.time_us <= ended)
        if life.any():
            h = round(float(sep.h_nm[life].min()), 4)
            v = round(float(sep.v_ft[life].min()), 1)
            closest_us = int(sep.time_us[life][np.argmin(sep.h_nm[life])])
            h_min, v_min = _with_zones(data, parties, sides, closest_us, (h_min, v_min))
    nuisance = (
        last.get("state") == "resolved"
        and kind != INCURSION
        and h is not None
        and v is not None
        and (h > h_min * NUISANCE_MARGIN or v > v_min * NUISANCE_MARGIN)
    )
    return Encounter(
        alert_id=story.alert_id,
        kind=kind,
        parties=parties,
        sides=sides,
        tier=top,
        raised_us=int(last.get("raised_us", first_us)),
        resolved_us=last.get("resolved_us"),
        min_h_nm=h,
        min_v_ft=v,
        warning_s=(
            None if warned_until is None else max(0.0, (int(warned_until) - first_us) / US_PER_S)
        ),
        to_acknowledge_s=acks,
        escalations=sum(r.kind == "alert.escalated" for r in story.records),
        nuisance=bool(nuisance),
        minima=(h_min, v_min),
    )


def _with_zones(
    data: DebriefData,
    parties: tuple[str, str],
    sides: tuple[str, str],
    at_us: int,
    minima: tuple[float, float],
) -> tuple[float, float]:
    """The largest of ``minima`` and those of the zones either aircraft was in at
    ``at_us`` (as the cycle holds a pair: `airhotline.core.alerts.minima`)."""
    h_min, v_min = minima
    for party, side in zip(parties, sides, strict=True):
        series = data.tracks.get((party, side))
        if series is None or series.time_us.size == 0:
            continue
        row = int(np.clip(np.searchsorted(series.time_us, at_us), 0, series.time_us.size - 1))
        lat, lon, alt = series.lat[row], series.lon[row], series.alt_ft[row]
        for zone, since, until in data.zones:
            if not since <= at_us < (until if until is not None else 2**62):
                continue
            inside = zone.band.lower_ft <= alt <= zone.band.upper_ft and bool(
                zone.area.contains([lat], [lon])[0]
            )
            if inside:
                h_min = max(h_min, zone.h_sep_nm or 0.0)
                v_min = max(v_min, zone.v_sep_ft or 0.0)
    return h_min, v_min


def pair_stats(found: list[Encounter]) -> list[PairStats]:
    by_pair: dict[tuple[str, str], list[Encounter]] = {}
    for e in found:
        by_pair.setdefault(tuple(sorted(e.parties)), []).append(e)  # type: ignore[arg-type]
    out = []
    for pair, group in sorted(by_pair.items()):
        times = [t for e in group for t in e.to_acknowledge_s.values() if t is not None]
        out.append(
            PairStats(
                parties=pair,
                alerts=len(group),
                warnings=sum(e.tier == "warning" for e in group),
                nuisance=sum(e.nuisance for e in group),
                escalations=sum(e.escalations for e in group),
                median_acknowledge_s=statistics.median(times) if times else None,
            )
        )
    return out


def by_tier_and_kind(found: list[Encounter]) -> Counter[tuple[str, str]]:
    return Counter((e.kind, e.tier) for e in found)


def separation_series(a: TrackSeries, b: TrackSeries) -> Separation | None:
    """At each report of either aircraft, the separation from the other's latest report
    (fresh within `COAST_S`), the older flown to the newer's time — as a cycle measures."""
    times = np.union1d(a.time_us, b.time_us)
    ia = np.searchsorted(a.time_us, times, side="right") - 1
    ib = np.searchsorted(b.time_us, times, side="right") - 1
    ok = (ia >= 0) & (ib >= 0)
    times, ia, ib = times[ok], ia[ok], ib[ok]
    fresh = np.abs(a.time_us[ia] - b.time_us[ib]) <= round(COAST_S * US_PER_S)
    times, ia, ib = times[fresh], ia[fresh], ib[fresh]
    if times.size == 0:
        return None
    h_m, v_m, _ = separations(
        a.reports.states(ia), a.time_us[ia], b.reports.states(ib), b.time_us[ib]
    )
    return Separation(times, np.asarray(units.nm_from_m(h_m)), np.asarray(units.ft_from_m(v_m)))


def pair_series(data: DebriefData, e: Encounter) -> Separation | None:
    return _series(data, e.kind, e.parties, e.sides)


def _series(
    data: DebriefData, kind: str, parties: tuple[str, str], sides: tuple[str, str]
) -> Separation | None:
    if kind == INCURSION:
        return None
    a = data.tracks.get((parties[0], sides[0]))
    b = data.tracks.get((parties[1], sides[1]))
    return None if a is None or b is None else separation_series(a, b)


def below_minima(sep: Separation, minima: tuple[float, float]) -> npt.NDArray[np.bool_]:
    return np.asarray((sep.h_nm < minima[0]) & (sep.v_ft < minima[1]), dtype=bool)


def as_mapping(e: Encounter) -> Mapping[str, object]:
    return {
        "alert_id": e.alert_id,
        "kind": e.kind,
        "parties": list(e.parties),
        "sides": list(e.sides),
        "tier": e.tier,
        "raised_us": e.raised_us,
        "resolved_us": e.resolved_us,
        "min_h_sep_nm": e.min_h_nm,
        "min_v_sep_ft": e.min_v_ft,
        "warning_s": e.warning_s,
        "to_acknowledge_s": e.to_acknowledge_s,
        "escalations": e.escalations,
        "nuisance": e.nuisance,
    }
