"""Review findings on the alert engine, the picture and the node: each test fails on a defect.

Scenarios reuse the planned geometry and the simulated-clock bench of ``tests.test_alerts``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.core.test_alerts import (
    PARTIES,
    START_US,
    TRUSTING,
    Bench,
    State,
    cycle_of,
    head_on,
)
from tests.faults import FaultyJournal

from airhotline import units
from airhotline.bootstrap import build_node
from airhotline.clock import US_PER_S, SimulatedClock
from airhotline.core.access import AgreementMode, AgreementStatus
from airhotline.core.node import HotlineConfig
from airhotline.core.reports import ReportBatch


def open_bench(tmp_path: Path, config: HotlineConfig | None = None) -> Bench:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    clock = SimulatedClock(START_US)
    trusting = replace(config or TRUSTING, plausibility=TRUSTING.plausibility)
    node = build_node(url, clock=clock, config=trusting, journal_layer=FaultyJournal)
    made = {name: node.add_party(name, "en") for name in PARTIES}
    return Bench(url, clock, node, made, config=trusting)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    opened = open_bench(tmp_path)
    try:
        yield opened
    finally:
        opened.node.close()


def records_of(bench: Bench, party: str | None, alert_id: str) -> list[Any]:
    return [r for r in bench.alert_records(party) if r.payload["alert_id"] == alert_id]


def faults_of(bench: Bench) -> FaultyJournal:
    """The fault-injecting layer the bench's node writes through (see `open_bench`)."""
    assert isinstance(bench.node.store, FaultyJournal)
    return bench.node.store


# --- 1. a failed commit of a resolution orphans the alert -------------------------------


def test_alert_whose_resolution_failed_to_commit_still_resolves_later(bench: Bench) -> None:
    """The cycle that resolves an alert fails to write (the cycle loop logs and carries on).

    ``_resolve`` deletes the encounter before the commit; ``_rollback`` brings the alert back
    as active but not its encounter, so no later cycle ever follows (or resolves) it.
    """
    encounter = head_on(entry_s=40.5)
    bench.fly(encounter.resolve_cycle, encounter.states)
    engine = bench.node.alerts
    (alert,) = engine.alerts(party_id=None, active=True)
    faults_of(bench).fail_next("alert.resolved")
    with pytest.raises(OSError, match="disk I/O error"):
        bench.fly(encounter.resolve_cycle + 1, encounter.states)
    bench.clock.advance(1.0)  # the service loop goes on with the next cycle
    bench.fly(encounter.resolve_cycle + 120, encounter.states)

    assert engine.get(alert.id, party_id=None).active is False, "alert stuck active forever"
    kinds = [r.kind for r in records_of(bench, "ATLAS", alert.id)]
    assert kinds[-1] == "alert.resolved"


def test_warning_whose_raise_failed_to_commit_is_raised_at_the_next_cycle(bench: Bench) -> None:
    """The raising cycle fails to write; the next cycle still predicts a warning.

    The encounter keeps the rolled-back alert id, so the next cycle goes to `_follow`,
    which only clears the id: the warning reaches the control centres a cycle late."""
    encounter = head_on(entry_s=20.5)
    faults_of(bench).fail_next("alert.raised")
    with pytest.raises(OSError, match="disk I/O error"):
        bench.fly(1, encounter.states)
    bench.clock.advance(1.0)
    bench.fly(4, encounter.states)
    raised = [cycle_of(r) for r in bench.alert_records("ATLAS") if r.kind == "alert.raised"]
    assert raised == [1]


# --- 2. a restart forgets the separation measured in the raising cycle -----------------------


def test_restart_right_after_raise_keeps_the_minimum_measured_at_the_raise(bench: Bench) -> None:
    """Two aircraft first seen 0.33 NM apart, just past their CPA, diverging: warning at
    once. The raise cycle measures 0.33 NM; nothing is journaled until the resolution.

    After a restart, `_replay_minima` only replays reports journaled *after* the raise
    record, so the raise cycle's measurement (and any report older than the raise) is
    gone: the alert resolves with a larger minimum than was really reached.
    """
    encounter = head_on(entry_s=-30.0, gs_kt=200.0)  # CPA at -3 s, regained at +24 s
    bench.fly(1, encounter.states)
    (alert,) = bench.node.alerts.alerts(party_id=None, active=True)
    assert alert.min_h_m is not None
    at_raise = alert.min_h_m
    bench.reopen()
    bench.fly(encounter.resolve_cycle + 2, encounter.states)

    last = records_of(bench, None, alert.id)[-1].payload
    assert last["state"] == "resolved"
    assert float(units.m_from_nm(last["min_h_sep_nm"])) == pytest.approx(at_raise, abs=1.0)
    assert last["min_h_sep_at_us"] == START_US


# --- 3. minima "actually reached" taken from a coasting track's dead reckoning --------------


def test_min_separation_is_not_taken_from_a_long_coasting_track(bench: Bench) -> None:
    """B reports until cycle 3 (about 7 NM from A), then falls silent; A reports on.

    Every cycle `_measure` flies B's last report (up to 60 s old) on to A's time and takes that
    as a separation "actually reached": the resolved alert says the aircraft came within
    half a mile, though no report ever put them closer than about 5.9 NM. Dead reckoning
    beyond the coast limit is a guess, not a reached separation.
    """
    encounter = head_on(entry_s=40.5, gs_kt=200.0)  # CPA at 67.5 s

    def states(k: int) -> dict[str, list[State]]:
        made = encounter.states(k)
        if k > 3:
            made["BOREAS"] = []
        return made

    bench.fly(70, states)
    (alert,) = bench.node.alerts.alerts(party_id=None)
    assert alert.resolution == "track-lost"
    # B's last report flown at most coast_after_s (10 s) on: A and B were then
    # (67.5 - 13) s * 2 * 200 kt apart, about 6 NM.
    coast = bench.node.config.coast_after_s
    bound_m = (67.5 - 3 - coast) * 2 * float(units.mps_from_kt(200.0))
    assert alert.min_h_m is not None
    assert alert.min_h_m >= bound_m - 1.0, (
        f"claims {units.nm_from_m(alert.min_h_m):.2f} NM reached, "
        f"reports support no less than {units.nm_from_m(bound_m):.2f} NM"
    )


# --- 4. agreements switched mid-alert ---------------------------------------------------------


def set_status(bench: Bench, status: AgreementStatus) -> None:
    bench.node.set_agreement("ATLAS", "BOREAS", AgreementMode.CONFLICTS_ONLY, status)


def test_agreement_suspended_mid_alert_leaves_it_open_in_the_parties_streams(
    bench: Bench,
) -> None:
    """Both parties were told "raised"; the agreement is then suspended. The resolution is
    journaled for the admin only (audience computed at each transition), so both control
    centres' streams end on an alert that is, for them, still active: nothing ever closes
    it, also not after the agreement is made active again."""
    encounter = head_on(entry_s=40.5)
    bench.fly(5, encounter.states)
    (alert,) = bench.node.alerts.alerts(party_id=bench.id("ATLAS"), active=True)
    set_status(bench, AgreementStatus.SUSPENDED)
    bench.fly(encounter.resolve_cycle + 2, encounter.states)
    set_status(bench, AgreementStatus.ACTIVE)
    assert bench.node.alerts.get(alert.id, party_id=None).active is False

    for party in ("ATLAS", "BOREAS"):
        seen = records_of(bench, party, alert.id)
        assert seen[0].kind == "alert.raised"
        assert seen[-1].kind == "alert.resolved", (
            f"{party}'s last word on the alert: {seen[-1].kind} ({seen[-1].payload['state']})"
        )


def test_agreement_activated_mid_alert_gives_the_parties_the_whole_alert(bench: Bench) -> None:
    """Raised while suspended (admin only), then the agreement becomes active: the parties'
    first record of it is not an ``alert.raised`` (that was the admin's), but every alert
    record carries the alert's whole state, so a console places it by its id from any of
    them (a deliberate choice: a second ``alert.raised`` would duplicate the journal's)."""
    set_status(bench, AgreementStatus.SUSPENDED)
    encounter = head_on(entry_s=40.5)
    bench.fly(10, encounter.states)
    set_status(bench, AgreementStatus.ACTIVE)
    bench.fly(11, encounter.states)  # the next cycle discloses it to both parties
    (alert,) = bench.node.alerts.alerts(party_id=bench.id("ATLAS"), active=True)
    bench.fly(encounter.resolve_cycle + 2, encounter.states)

    seen = records_of(bench, "ATLAS", alert.id)
    assert seen, "ATLAS sees nothing at all"
    first = seen[0].payload
    assert (first["alert_id"], first["state"], first["tier"]) == (alert.id, "active", "warning")
    assert {t["track_id"] for t in first["tracks"]} == {"A1", "B1"}
    assert seen[-1].kind == "alert.resolved"


# --- 5. reports stamped ahead of the clock (within the 30 s tolerance) -----------------------


def report_at(bench: Bench, party: str, time_us: int, lon: float) -> None:
    row = {
        "track_id": f"{party[0]}1",
        "time_us": time_us,
        "lat": 10.0,
        "lon": lon,
        "alt_ft": 20_000.0,
        "gs_kt": 300.0,
        "track_deg": 90.0,
        "vrate_fpm": 0.0,
    }
    bench.node.submit_reports(
        bench.id(party), ReportBatch.from_rows([row]), idempotency_key=None, body_sha256="-"
    ).result()


def test_a_future_stamped_report_does_not_keep_a_silent_track_live(bench: Bench) -> None:
    """A feed whose clock runs 30 s fast (accepted: within the tolerance) sends one report
    and falls silent. Coasting and loss are measured from the report's own time, so the
    track shows as live (not coasting) for 40 s of silence instead of 10 s, and stays in
    the picture (and in detection, and in its alerts) 90 s instead of 60 s."""
    now = bench.clock.now_us()
    report_at(bench, "ATLAS", now + 30 * US_PER_S, 0.0)
    bench.clock.advance(20.0)  # 20 s without a word from A1
    cycle = bench.node.run_cycle()
    assert (cycle.tracks, cycle.coasting) == (1, 1), "silent for 20 s yet not coasting"


def test_a_future_stamped_report_does_not_outlive_the_lost_limit(bench: Bench) -> None:
    now = bench.clock.now_us()
    report_at(bench, "ATLAS", now + 30 * US_PER_S, 0.0)
    bench.clock.advance(75.0)  # 75 s without a word: more than lost_after_s (60 s)
    cycle = bench.node.run_cycle()
    assert cycle.tracks == 0, "a track silent for 75 s is still in the picture"


# --- 6. a feed slower than the coast limit makes the alert chatter -------------------------


def test_a_track_reporting_every_12_s_does_not_flood_updates(bench: Bench) -> None:
    """B's feed reports every 12 s (OpenSky-like polling); A every second. B turns coasting
    11 s after each report and back at the next: every report brings two numbers-free
    ``alert.updated`` events to both control centres, bypassing ``min_update_interval_s``
    (coasting changes are "news at once"). The alert's tier never changes here."""
    encounter = head_on(entry_s=30.5, gs_kt=120.0)  # LoS from 30.5 s to about 76 s

    def states(k: int) -> dict[str, list[State]]:
        made = encounter.states(k)
        if k % 12:
            made["BOREAS"] = []
        return made

    bench.fly(encounter.resolve_cycle + 12, states)
    (alert,) = bench.node.alerts.alerts(party_id=None)
    records = records_of(bench, "ATLAS", alert.id)
    chatter = [
        (cycle_of(r), [t["coasting"] for t in r.payload["tracks"]])
        for r in records
        if r.kind == "alert.updated" and not r.payload["tier_changed"]
    ]
    interval = bench.node.alerts.policy.min_update_interval_s
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(chatter)]
    assert all(gap >= interval for gap in gaps), chatter


# --- 7. a report far in the past -------------------------------------------------------------


def test_a_late_report_is_not_lost_again_after_a_restart(bench: Bench) -> None:
    """A store-and-forward feed delivers a report 50 s late; the track is lost 11 s later.
    A restart within the next minute rebuilds the picture by *arrival* time, brings the
    track back and loses it a second time: a second ``track.lost`` for the same aircraft
    (and, for a report older than the lost limit, a track that was never live is "lost"
    at every restart within a minute of its arrival)."""
    now = bench.clock.now_us()
    report_at(bench, "ATLAS", now - 50 * US_PER_S, 0.0)
    bench.clock.advance(12.0)
    assert bench.node.run_cycle().lost == 1
    bench.clock.advance(5.0)
    bench.reopen()
    bench.node.run_cycle()
    lost = bench.node.store.records_after(0, kinds=["track.lost"])
    assert len(lost) == 1, [(r.payload["tracks"], r.time_us) for r in lost]
