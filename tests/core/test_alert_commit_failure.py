"""A cycle whose commit fails leaves the alert engine exactly as it was before the cycle.

For every transition kind — raise, numbers update, tier change, escalation, resolution,
acknowledgement — the journal write is made to fail once (a database blip, injected as
a journal layer through bootstrap). The engine's book must be the very same value as
before the failed cycle, and the next cycle must say the transition again: nothing was
said that the journal does not hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.core.test_alerts import (
    PARTIES,
    START_US,
    TRUSTING,
    Bench,
    Encounter,
    State,
    cycle_of,
    head_on,
)
from tests.faults import FaultyJournal

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock

#: Raise at 1, caution at 11, warning and escalation to both at 71, to the admin at
#: 131, loss of separation at 130.5, resolution at 157 (see `Encounter`).
ENCOUNTER = head_on(entry_s=130.5)


def open_bench(tmp_path: Path, name: str) -> Bench:
    url = f"sqlite:///{tmp_path / name}"
    clock = SimulatedClock(START_US)
    node = build_node(url, clock=clock, config=TRUSTING, journal_layer=FaultyJournal)
    return Bench(url, clock, node, {p: node.add_party(p, "en") for p in PARTIES}, config=TRUSTING)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    opened = open_bench(tmp_path, "failing.db")
    try:
        yield opened
    finally:
        opened.node.close()


def faults(bench: Bench) -> FaultyJournal:
    assert isinstance(bench.node.store, FaultyJournal)
    return bench.node.store


def kinds_at(bench: Bench) -> list[tuple[int, str, Any]]:
    """(cycle, kind, tier) of every alert record ATLAS saw."""
    return [(cycle_of(r), r.kind, r.payload["tier"]) for r in bench.alert_records("ATLAS")]


def first_cycle_of(kind: str, encounter: Encounter, tmp_path: Path) -> int:
    """When ``kind`` is first journaled in a run that nothing disturbs."""
    clean = open_bench(tmp_path, f"clean-{kind}.db")
    try:
        clean.fly(encounter.resolve_cycle + 2, encounter.states)
        return min(k for k, found, _ in kinds_at(clean) if found == kind)
    finally:
        clean.node.close()


@pytest.mark.parametrize(
    "kind", ["alert.raised", "alert.updated", "alert.escalated", "alert.resolved"]
)
def test_a_failed_commit_changes_nothing_and_the_next_cycle_says_it(
    bench: Bench, kind: str, tmp_path: Path
) -> None:
    cycle = first_cycle_of(kind, ENCOUNTER, tmp_path)
    bench.fly(cycle, ENCOUNTER.states)
    engine = bench.node.alerts
    before = engine.book
    faults(bench).fail_next(kind)
    with pytest.raises(OSError, match="disk I/O error"):
        bench.fly(cycle + 1, ENCOUNTER.states)
    assert engine.book is before, "the failed cycle left something behind"
    assert faults(bench).failed == [kind]
    bench.clock.advance(1.0)  # the service loop goes on with the next cycle
    bench.fly(cycle + 2, ENCOUNTER.states)
    assert kind in [found for k, found, _ in kinds_at(bench) if k == cycle + 1]
    assert not [r for r in kinds_at(bench) if r[0] == cycle], "nothing of the failed cycle"


def test_a_failed_tier_change_is_said_at_the_next_cycle(bench: Bench) -> None:
    bench.fly(ENCOUNTER.caution_cycle, ENCOUNTER.states)
    before = bench.node.alerts.book
    faults(bench).fail_next("alert.updated")
    with pytest.raises(OSError, match="disk I/O error"):
        bench.fly(ENCOUNTER.caution_cycle + 1, ENCOUNTER.states)
    assert bench.node.alerts.book is before
    bench.clock.advance(1.0)
    bench.fly(ENCOUNTER.caution_cycle + 2, ENCOUNTER.states)
    changes = [r for r in kinds_at(bench) if r[1] == "alert.updated"]
    assert changes[0] == (ENCOUNTER.caution_cycle + 1, "alert.updated", "caution")


def test_a_failed_acknowledgement_changes_nothing_and_can_be_made_again(bench: Bench) -> None:
    bench.fly(ENCOUNTER.raise_cycle + 1, ENCOUNTER.states)
    engine = bench.node.alerts
    before = engine.book
    faults(bench).fail_next("alert.acknowledged")
    with pytest.raises(OSError, match="disk I/O error"):
        bench.acknowledge("BOREAS")
    assert engine.book is before
    (alert,) = engine.alerts(party_id=None, active=True)
    assert alert.acknowledgements == ()
    bench.acknowledge("BOREAS")
    (alert,) = engine.alerts(party_id=None, active=True)
    assert [a.party for _, a in alert.acknowledgements] == ["BOREAS"]


def speeding(encounter: Encounter, from_cycle: int, gs_kt: float) -> Any:
    """The encounter's reports, with BOREAS reporting ``gs_kt`` from ``from_cycle`` on."""

    def states(k: int) -> dict[str, list[State]]:
        made = encounter.states(k)
        if k >= from_cycle:
            made["BOREAS"] = [{**row, "gs_kt": gs_kt} for row in made["BOREAS"]]
        return made

    return states


def test_a_failed_numbers_update_is_said_at_the_next_cycle_with_todays_numbers(
    bench: Bench,
) -> None:
    """The review's defect: the engine recorded what it had said before the commit, so
    after a failed ``alert.updated`` it stayed silent for a minimum interval and more —
    both centres kept a t_in some 40-50 s too long.

    BOREAS doubles its speed at cycle 20 (an advisory, t_in 230 s): t_in drops to about
    150 s, a material change within the advisory tier."""
    encounter = head_on(entry_s=250.5)
    states = speeding(encounter, 20, 900.0)
    bench.fly(20, states)
    faults(bench).fail_next("alert.updated")
    with pytest.raises(OSError, match="disk I/O error"):
        bench.fly(21, states)
    bench.clock.advance(1.0)
    bench.fly(22, states)
    updates = [r for r in bench.alert_records("ATLAS") if r.kind == "alert.updated"]
    assert [cycle_of(r) for r in updates] == [21], "the update must be said again at once"
    (update,) = updates
    assert update.payload["tier"] == "advisory"
    assert update.payload["tier_changed"] is False
    # The geometry: 250.5 s at 900 kt closing; from cycle 20, 1350 kt closing.
    expected_t_in = (250.5 - 21) * 900.0 / 1350.0
    assert update.payload["t_in_s"] == pytest.approx(expected_t_in, abs=1.0)
