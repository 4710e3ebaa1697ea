"""A restart reads the alert records of the last two retention periods, not the journal
since seq 0: restart time does not grow with the journal's age."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from tests.core.test_alerts import PARTIES, START_US, TRUSTING, Bench, head_on

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.alerts import ALERT_KINDS
from airhotline.store import Store


class Counting:
    """A journal layer that counts the alert records a node reads."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.alert_records_read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _count(self, records: Any, kinds: Collection[str] | None) -> Any:
        found = list(records)
        self.alert_records_read += sum(1 for r in found if r.kind in ALERT_KINDS)
        return found

    def records_in_time(self, *args: Any, kinds: Collection[str] | None = None) -> Any:
        return self._count(self._store.records_in_time(*args, kinds=kinds), kinds)

    def iter_records_after(
        self, *args: Any, kinds: Collection[str] | None = None, **kw: Any
    ) -> Any:
        return iter(self._count(self._store.iter_records_after(*args, kinds=kinds, **kw), kinds))


def test_a_restart_days_later_reads_no_old_alert_records(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    clock = SimulatedClock(START_US)
    node = build_node(url, clock=clock, config=TRUSTING)
    bench = Bench(url, clock, node, {p: node.add_party(p, "en") for p in PARTIES})
    encounter = head_on(entry_s=40.5)
    bench.fly(encounter.resolve_cycle + 2, encounter.states)
    (old,) = bench.node.alerts.alerts(party_id=None)
    assert not old.active
    written = len(bench.alert_records(None))
    bench.node.close()

    def reopen() -> tuple[Any, Counting]:
        layers: list[Counting] = []

        def layer(store: Store) -> Any:
            layers.append(Counting(store))
            return layers[-1]

        return build_node(url, clock=clock, config=TRUSTING, journal_layer=layer), layers[0]

    clock.advance(3600.0)  # within the retention: the resolved alert comes back
    node, counting = reopen()
    try:
        assert [a.id for a in node.alerts.alerts(party_id=None)] == [old.id]
        assert counting.alert_records_read == written
    finally:
        node.close()
    clock.advance(3 * 86_400.0)  # days later: nothing of it is read
    node, counting = reopen()
    try:
        assert node.alerts.alerts(party_id=None) == []
        assert counting.alert_records_read == 0
        assert len(node.store.records_after(0, kinds=ALERT_KINDS)) == written  # still kept
    finally:
        node.close()
