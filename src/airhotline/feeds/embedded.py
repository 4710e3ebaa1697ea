"""Replay into an in-process node: the very core a hotline runs, built by the
composition root (`airhotline.bootstrap.build_node`) on a simulated clock, so that
``--speed max`` never sleeps and a week of traffic replays in seconds.

The clock steps to the end of each recorded second, that second's reports are
submitted party by party, and a picture cycle runs. Between seconds with reports, the
cycle keeps its one-second beat only while tracks of two parties or more are live (only
then can an alert be raised, confirmed, updated or cleared); otherwise the clock jumps
to the next report, and that cycle drops what went silent meanwhile.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.alerts import ALERT_KINDS
from airhotline.core.alerts.model import Tier
from airhotline.core.node import HotlineConfig, HotlineNode
from airhotline.core.reports import ReportBatch
from airhotline.errors import AirhotlineError
from airhotline.feeds._rows import Row
from airhotline.feeds.replay import US_PER_S, Pacer

__all__ = ["AlertSummary", "EmbeddedResult", "replay_embedded"]

Split = Callable[[list[Row]], Mapping[str, list[Row]]]


@dataclass(frozen=True, slots=True)
class AlertSummary:
    alert_id: str
    kind: str
    #: The highest tier the alert reached, and how it ended.
    tier: str
    state: str
    tracks: tuple[str, str]
    raised_us: int
    #: Least separation reached between the reported positions (None: not measured).
    min_h_sep_nm: float | None
    min_v_sep_ft: float | None
    #: Least predicted horizontal distance at closest approach the alert announced.
    min_dcpa_nm: float


@dataclass(frozen=True, slots=True)
class EmbeddedResult:
    reports: int
    accepted: int
    refused: Counter[str]
    parties: tuple[str, ...]
    cycles: int
    alerts: list[AlertSummary]
    simulated_s: float
    wall_s: float

    def by_tier(self) -> dict[str, int]:
        counts = Counter(a.tier for a in self.alerts)
        return {tier.label: counts[tier.label] for tier in Tier}


def replay_embedded(
    seconds: Iterable[tuple[int, list[Row]]],
    split: Split,
    url: str,
    *,
    start_us: int,
    pacer: Pacer | None = None,
    config: HotlineConfig | None = None,
) -> EmbeddedResult:
    """Replay the recorded ``seconds`` (see `airhotline.feeds.replay.seconds`) into a
    fresh node on ``url``, each second's rows given to parties by ``split``."""
    started = time.perf_counter()
    clock = SimulatedClock(start_us)
    node = build_node(url, clock=clock, config=config)
    parties: dict[str, int] = {}
    refused: Counter[str] = Counter()
    reports = accepted = cycles = 0
    try:
        last_us = start_us
        for end_us, rows in seconds:
            cycles += _beat(node, clock, last_us, end_us)
            if pacer is not None:
                pacer.wait(end_us)
            clock.set(end_us)
            for party, share in split(rows).items():
                reports += len(share)
                if party not in parties:
                    parties[party] = node.add_party(party, "en").party.id
                try:
                    node.submit_reports(
                        parties[party],
                        # A row's own party key is ignored: the caller's party decides.
                        ReportBatch.from_rows(share),
                        idempotency_key=None,
                        body_sha256=f"replay-{party}-{end_us}",
                    ).result()
                    accepted += len(share)
                except AirhotlineError as error:
                    refused[type(error).__name__] += len(share)
            node.run_cycle()
            cycles += 1
            last_us = end_us
        # Play on until the last encounters have cleared or their tracks are lost.
        lost_us = round(node.config.lost_after_s * US_PER_S) + US_PER_S
        cycles += _beat(node, clock, last_us, last_us + lost_us)
        alerts = _alerts(node)
        simulated_s = (clock.now_us() - start_us) / US_PER_S
    finally:
        node.close()
    return EmbeddedResult(
        reports,
        accepted,
        refused,
        tuple(parties),
        cycles,
        alerts,
        simulated_s,
        time.perf_counter() - started,
    )


def _beat(node: HotlineNode, clock: SimulatedClock, from_us: int, to_us: int) -> int:
    """Cycles every second after ``from_us`` and before ``to_us`` while two parties or
    more have live tracks; how many ran."""
    ran = 0
    now = from_us + US_PER_S
    while now < to_us and _parties_live(node) >= 2:
        clock.set(now)
        node.run_cycle()
        ran += 1
        now += US_PER_S
    return ran


def _parties_live(node: HotlineNode) -> int:
    return sum(1 for party in node.party_ids() if node.picture.live_tracks(party) > 0)


def _alerts(node: HotlineNode) -> list[AlertSummary]:
    """Every alert the replay raised, from the journal: its highest tier, last state."""
    highest: dict[str, int] = {}
    least_dcpa: dict[str, float] = {}
    last: dict[str, Mapping[str, object]] = {}
    for record in node.store.iter_records_after(0, kinds=ALERT_KINDS):
        payload = record.payload
        if "tier" not in payload:
            continue  # an alert-family record without an alert's state (a flood report)
        key = str(payload["alert_id"])
        tier = Tier[str(payload["tier"]).upper()]
        highest[key] = max(highest.get(key, 0), int(tier))
        dcpa = payload.get("dcpa_nm")
        if isinstance(dcpa, int | float):
            least_dcpa[key] = min(least_dcpa.get(key, float("inf")), float(dcpa))
        last[key] = payload
    summaries = []
    for key, payload in last.items():
        tracks = payload["tracks"]
        assert isinstance(tracks, list)
        names = [f"{t['party']}/{t['track_id']}" for t in tracks]
        notice = payload.get("notice")
        if isinstance(notice, dict):
            names.append(f"{notice['party']}/notice {notice['notice_id']}")
        min_h, min_v = payload.get("min_h_sep_nm"), payload.get("min_v_sep_ft")
        raised = payload["raised_us"]
        assert isinstance(raised, int)
        summaries.append(
            AlertSummary(
                key,
                str(payload.get("kind", "conflict")),
                Tier(highest[key]).label,
                str(payload["state"]),
                (names[0], names[1]),
                raised,
                float(min_h) if isinstance(min_h, int | float) else None,
                float(min_v) if isinstance(min_v, int | float) else None,
                least_dcpa.get(key, float("nan")),
            )
        )
    summaries.sort(key=lambda a: (a.raised_us, a.alert_id))
    return summaries
