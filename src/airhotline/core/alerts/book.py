"""The alert book: every alert in memory, their encounters and their journal history.

One immutable value. A cycle or an acknowledgement builds the next book beside the
current one and, once its records are committed, swaps it in with one assignment, so
readers always see one whole book — never a cycle half-applied — and a commit that
fails leaves the current book exactly as it was.

Retention: active alerts stay until they resolve; resolved ones stay for
``retain_resolved_s`` (for ``GET /v1/alerts``), then live on in the journal only.
Per-cycle work follows the active ones only, so it grows with today's traffic, not
with history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from airhotline.core.alerts.encounters import Encounter
from airhotline.core.alerts.events import AlertEvent
from airhotline.core.alerts.exposure import ExposureLedger
from airhotline.core.alerts.flood import FloodState
from airhotline.core.alerts.model import Alert, PairKey
from airhotline.core.alerts.safety import SafetyAlert
from airhotline.core.events import JournalEvent
from airhotline.core.records import Record

__all__ = ["AlertBook"]


@dataclass(frozen=True, slots=True)
class AlertBook:
    active: Mapping[str, Alert] = field(default_factory=dict)
    #: Resolved alerts still in memory, in the order they resolved.
    resolved: Mapping[str, Alert] = field(default_factory=dict)
    encounters: Mapping[PairKey, Encounter] = field(default_factory=dict)
    #: Each alert's journal records, oldest first.
    history: Mapping[str, tuple[Record, ...]] = field(default_factory=dict)
    #: Parties each alert was journaled to so far: they hear how it ends, whatever
    #: happens to their agreement meanwhile.
    told: Mapping[str, frozenset[int]] = field(default_factory=dict)
    exposures: ExposureLedger = field(default_factory=ExposureLedger)
    #: Parties warned of each alert by safety alerts (`safety`): they hear how it ends.
    warned: Mapping[str, frozenset[int]] = field(default_factory=dict)
    #: Floods going on, per pair of parties (`flood`).
    floods: Mapping[tuple[int, int], FloodState] = field(default_factory=dict)

    def get(self, alert_id: str) -> Alert | None:
        return self.active.get(alert_id) or self.resolved.get(alert_id)

    def __iter__(self) -> Iterator[Alert]:
        yield from self.active.values()
        yield from self.resolved.values()

    def with_alerts(self, alerts: Iterable[Alert]) -> AlertBook:
        """This book with these alerts' new states (an alert that resolved moves over)."""
        active = dict(self.active)
        resolved: dict[str, Alert] | None = None
        for alert in alerts:
            if alert.active:
                active[alert.id] = alert
                continue
            active.pop(alert.id, None)
            resolved = resolved if resolved is not None else dict(self.resolved)
            resolved[alert.id] = alert
        return replace(
            self, active=active, resolved=self.resolved if resolved is None else resolved
        )

    def with_records(self, events: Sequence[JournalEvent], records: Sequence[Record]) -> AlertBook:
        """This book once ``events`` were committed as ``records`` (alert events go into
        the alerts' histories)."""
        if not records:
            return self
        history = dict(self.history)
        told = dict(self.told)
        warned = dict(self.warned)
        for event, record in zip(events, records, strict=True):
            if isinstance(event, SafetyAlert):
                warned[event.alert_id] = warned.get(event.alert_id, frozenset()) | record.audience
            if not isinstance(event, AlertEvent):
                continue
            alert_id = event.alert.id
            history[alert_id] = (*history.get(alert_id, ()), record)
            told[alert_id] = told.get(alert_id, frozenset()) | record.audience
        return replace(self, history=history, told=told, warned=warned)

    def forgetting(self, before_us: int) -> AlertBook:
        """This book without the alerts that resolved before ``before_us``."""
        old = []
        for alert_id, alert in self.resolved.items():
            if (alert.resolved_us or 0) >= before_us:
                break  # resolved in order: the rest are newer
            old.append(alert_id)
        if not old:
            return self
        resolved = dict(self.resolved)
        history = dict(self.history)
        told = dict(self.told)
        warned = dict(self.warned)
        for alert_id in old:
            del resolved[alert_id]
            history.pop(alert_id, None)
            told.pop(alert_id, None)
            warned.pop(alert_id, None)
        return replace(self, resolved=resolved, history=history, told=told, warned=warned)
