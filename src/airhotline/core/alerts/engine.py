"""The alert engine: each picture cycle's conflicts as both control centres live them.

A cycle runs in pure stages, then commits, then swaps:

1. **predict** — detection on the cycle's picture view, outside any lock (`prediction`);
2. **measure** the separation the active alerts' tracks now show (`separation`);
3. **step** every encounter on immutable values: confirm, raise, update, downgrade,
   resolve (`encounters`), and measure the raised alerts at once, so that the raise
   record itself holds the first separation;
4. **escalate** what a party leaves unacknowledged (`escalation`);
5. **commit** the transitions as journal records (`events`), in one unit of work;
6. **swap** the new book in with one assignment (`book`).

A failed commit raises out of `run` and leaves the book exactly as it was: nothing is
undone by hand, and the next cycle says everything again. Reads (`alerts`, `get`,
`history`, `exposed_to`) take the current book and never wait for a cycle; writes (a
cycle's stages 2–6, an acknowledgement) take turns under one lock.

An alert between parties whose agreement is suspended is still computed and journaled,
for the admin only: a suspended agreement shares nothing.

Notice incursions (`incursions`) join the conflicts at stage 1: a track of one party
inside, or about to enter, a live notice of another party that it was told of, found by
the per-cycle screen (`airhotline.core.notices.screen`); from there on they are pairs
like any other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from airhotline import units
from airhotline.clock import US_PER_S, Clock
from airhotline.core.access import Minima, Sharing
from airhotline.core.alerts.book import AlertBook
from airhotline.core.alerts.codec import alert_payload
from airhotline.core.alerts.disclosure import Disclosure, disclose
from airhotline.core.alerts.encounters import Change, Encounter, step
from airhotline.core.alerts.escalation import ADMIN, escalation_due, silent_parties
from airhotline.core.alerts.events import (
    AlertAcknowledged,
    AlertEscalated,
    AlertEvent,
    AlertRaised,
    AlertResolved,
    AlertUpdated,
)
from airhotline.core.alerts.exposure import ExposureLedger, ExposureLimited
from airhotline.core.alerts.flood import flood_reports
from airhotline.core.alerts.incursions import incursion_predictions, measure_incursions
from airhotline.core.alerts.model import Acknowledgement, Alert, PairKey, notice_in
from airhotline.core.alerts.policy import AlertPolicy, PolicyBook
from airhotline.core.alerts.prediction import (
    Detector,
    Prediction,
    default_detector,
    predict,
    urgency,
)
from airhotline.core.alerts.restore import restore
from airhotline.core.alerts.safety import SafetyAlert, intruder_seen_from
from airhotline.core.alerts.separation import measure
from airhotline.core.events import JournalEvent, append
from airhotline.core.exemptions import ExemptionBook, ExemptionSuppressed
from airhotline.core.notices.model import Notice
from airhotline.core.notices.nearby import TrackIndex
from airhotline.core.notices.overlap import LiveNotices
from airhotline.core.notices.screen import incursions
from airhotline.core.notices.zones import ZoneBook
from airhotline.core.picture import PictureView, TrackKey
from airhotline.core.ports import Journal, UnitOfWork
from airhotline.core.records import Record
from airhotline.errors import ConflictError, NotFoundError
from airhotline.ids import IdSource, RandomIds

__all__ = ["AlertEngine", "LiveNoticeSource", "PartyDirectory"]

#: The transitions a safety alert follows (acknowledgements are the parties' own).
_TRANSITIONS: dict[type[JournalEvent], str] = {
    AlertRaised: "raised",
    AlertUpdated: "updated",
    AlertResolved: "resolved",
}


class PartyDirectory(Protocol):
    """What the engine needs to know of parties (the node provides it)."""

    def party_name(self, party_id: int | None) -> str | None: ...

    def sharing(self, owner: int, viewer: int) -> Sharing: ...

    def party_ids(self) -> Collection[int]: ...

    def agreement_minima(self) -> Mapping[tuple[int, int], Minima]:
        """The agreements that set minima of their own, by pair of party ids."""
        ...


class LiveNoticeSource(Protocol):
    """Where the engine finds the notices live in a time span (the notice engine's
    overlap index provides it)."""

    def live_between(self, start_us: int, end_us: int) -> LiveNotices: ...


class AlertEngine:
    """Runs on every cycle (`run`); thread-safe against acknowledgements and reads."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        directory: PartyDirectory,
        *,
        policies: PolicyBook | None = None,
        ids: IdSource | None = None,
        detector: Detector = default_detector,
        retain_resolved_s: float = 86_400.0,
        coast_after_s: float = 10.0,
        exposure_limit: int = 100,
        exposure_window_s: float = 3_600.0,
        flood_limit: int = 50,
        flood_every_s: float = 60.0,
        speak: Callable[[Sequence[JournalEvent]], list[JournalEvent]] | None = None,
        zones: ZoneBook | None = None,
        exemptions: ExemptionBook | None = None,
        notices: LiveNoticeSource | None = None,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._directory = directory
        self._policies = policies or PolicyBook()
        self._ids = ids or RandomIds()
        self._detector = detector
        self._retain_us = round(retain_resolved_s * US_PER_S)
        self._coast_us = round(coast_after_s * US_PER_S)
        self._flood_limit = flood_limit
        self._flood_every_us = round(flood_every_s * US_PER_S)
        self._write_lock = threading.Lock()
        #: What else the journal says with the alert events, in their unit of work
        #: (the hotline's messages to the parties: `airhotline.core.messages`).
        self._speak = speak
        #: Designated zones: minima of their own, joint activities.
        self._zones = zones
        #: Cleared proximities, and the encounters each has held back so far.
        self._exemptions = exemptions
        #: Notices, for incursions; and those live in the current cycle, by id.
        self._notices = notices
        self._live_notices: dict[str, Notice] = {}
        self._suppressed = _suppressed_before(journal, clock.now_us() - 2 * self._retain_us)
        self._book = restore(
            journal,
            now_us=clock.now_us(),
            retain_us=self._retain_us,
            coast_us=self._coast_us,
            exposures=ExposureLedger(exposure_limit, round(exposure_window_s * US_PER_S)),
        )

    @property
    def policy(self) -> AlertPolicy:
        """The deployment's policy (agreements may have their own: `policy_for`)."""
        return self._policies.default

    @property
    def book(self) -> AlertBook:
        """The current book, whole (for tests and the metrics)."""
        return self._book

    def payload(self, alert: Alert) -> dict[str, Any]:
        """The alert as journaled and served (`codec`)."""
        return alert_payload(alert, self._names(alert))

    def policy_for(self, party_a: int, party_b: int) -> AlertPolicy:
        """The policy of the two parties' agreement, or the deployment's; an agreement's
        own look-ahead is its advisory time (the shorter tiers kept within it)."""
        name = self._directory.party_name
        policy = self._policies.for_names(name(party_a), name(party_b))
        lookahead = self._directory.sharing(party_a, party_b).minima.lookahead_s
        if lookahead is None:
            return policy
        return replace(
            policy,
            advisory_s=lookahead,
            caution_s=min(policy.caution_s, lookahead),
            warning_s=min(policy.warning_s, lookahead),
        )

    # --- queries: the current book, no waiting -----------------------------------------

    def alerts(self, *, party_id: int | None, active: bool | None = None) -> list[Alert]:
        """Alerts a party is involved in (the admin: ``party_id`` None sees all)."""
        book = self._book
        # Only the part of the book asked for: the resolved alerts of the last hours
        # outnumber the active ones, and a console asks for these every few seconds.
        if active is None:
            kept: Iterable[Alert] = book
        else:
            kept = (book.active if active else book.resolved).values()
        found = [a for a in kept if self._shown(a, party_id)]
        return sorted(found, key=lambda a: (a.raised_us, a.id))

    def get(self, alert_id: str, *, party_id: int | None) -> Alert:
        alert = self._book.get(alert_id)
        if alert is None or not self._shown(alert, party_id):
            raise NotFoundError("alert", alert_id)
        return alert

    def history(self, alert_id: str) -> list[Record]:
        return list(self._book.history.get(alert_id, ()))

    def exposed_to(self, party_id: int) -> set[TrackKey]:
        """The other party's tracks in this party's active alerts (visible while they last)."""
        return {
            alert.other_track(party_id)
            for alert in self._book.active.values()
            if alert.exposed_to(party_id) and notice_in(alert.other_track(party_id)) is None
        }

    def _shown(self, alert: Alert, party_id: int | None) -> bool:
        """The admin sees every alert; a party those disclosed to it, unless the agreement
        is suspended."""
        if party_id is None:
            return True
        return alert.disclosed_to(party_id) and self._directory.sharing(*alert.parties).conflicts

    # --- acknowledgement ----------------------------------------------------------------

    def acknowledge(self, alert_id: str, *, party_id: int, token_id: int) -> Alert:
        """Record that ``party_id`` has seen the alert; repeating it changes nothing."""
        with self._write_lock:
            book = self._book
            alert = book.get(alert_id)
            if alert is None or not self._shown(alert, party_id):
                raise NotFoundError("alert", alert_id)
            if not alert.active:
                raise ConflictError("alert", "state", "resolved", message="the alert is resolved")
            if alert.acknowledged_by(party_id):
                return alert
            now = self._clock.now_us()
            name = self._directory.party_name(party_id) or str(party_id)
            acknowledged = replace(
                alert,
                acknowledgements=(
                    *alert.acknowledgements,
                    (party_id, Acknowledgement(name, token_id, now)),
                ),
                updated_us=now,
            )
            event = AlertAcknowledged(acknowledged, self._names(acknowledged), by=name)
            records = self._commit([event], now)
            self._book = book.with_alerts([acknowledged]).with_records([event], records)
            return acknowledged

    # --- the cycle ----------------------------------------------------------------------

    def run(self, view: PictureView) -> None:
        """Detect, confirm, raise, update, escalate and resolve: one picture cycle."""
        now = view.time_us
        agreed = self._directory.agreement_minima()
        pair_minima = {
            pair: (
                None if m.h_sep_nm is None else float(units.m_from_nm(m.h_sep_nm)),
                None if m.v_sep_ft is None else float(units.m_from_ft(m.v_sep_ft)),
            )
            for pair, m in agreed.items()
            if m.h_sep_nm is not None or m.v_sep_ft is not None
        }
        lookahead_s = max(
            [self._policies.lookahead_s, *(m.lookahead_s for m in agreed.values() if m.lookahead_s)]
        )
        live = (
            self._notices.live_between(now, now + round(lookahead_s * US_PER_S))
            if self._notices is not None
            else None
        )
        # Cycles take turns (the node's cycle lock): only this cycle's stages read it.
        self._live_notices = {n.id: n for n in live.notices} if live is not None else {}
        # The cycle's tracks, indexed once for the zones and the notices (`nearby`), when
        # there is any of either.
        zoned = self._zones is not None and bool(self._zones.zones())
        nearby = (
            TrackIndex(view.states.lat_deg, view.states.lon_deg)
            if len(view) and (zoned or self._live_notices)
            else None
        )
        zone_minima = (
            self._zones.minima_of(
                view.states.lat_deg,
                view.states.lon_deg,
                units.ft_from_m(view.states.alt_m),
                nearby,
            )
            if self._zones is not None
            else None
        )
        predicted, held = predict(
            view,
            lookahead_s=lookahead_s,
            pair_minima=pair_minima,
            zones=zone_minima,
            name_of=self._directory.party_name,
            policy_for=self.policy_for,
            detector=self._detector,
            # Cycles take turns (the node's cycle lock): no other cycle changes these.
            # Conflicts only: an incursion does not count against a flood of conflicts.
            followed=[p for p in self._book.encounters if notice_in(p[1]) is None],
            limit=self._flood_limit,
        )
        if live is not None and nearby is not None and self._live_notices:
            found = incursions(
                live,
                view.states,
                view.party_id,
                now_us=now,
                lookahead_s=lookahead_s,
                nearby=nearby,
            )
            predicted.update(incursion_predictions(view, found, self.policy_for))
        suppressed = self._suppress(predicted, now)
        rows = view.rows()

        def established(key: TrackKey) -> bool:
            if notice_in(key) is not None:
                return True  # a notice's party is told at once: it shows nothing of its own
            return key in rows and bool(view.established[rows[key]])

        with self._write_lock:
            book = self._book
            alerts, encounters, said = self._step(book, predicted, view, rows)
            disclosure = disclose(
                alerts.values(),
                established=established,
                shares=lambda a, b: self._directory.sharing(a, b).conflicts,
                ledger=book.exposures,
                now_us=now,
            )
            alerts.update((a.id, a) for a in disclosure.changed)
            # A party newly told of an alert raised before hears of it as an update.
            spoken = {i for _, i, _ in said}
            said += [
                (Change.UPDATED, a.id, False)
                for a in disclosure.changed
                if a.id not in spoken and a.disclosed != book.active.get(a.id, a).disclosed
            ]
            events: list[JournalEvent] = [
                self._event(change, alerts[i], tier_changed, book)
                for change, i, tier_changed in said
            ]
            events += suppressed
            events += self._escalations(alerts, now)
            events += self._safety(events, alerts, book, view, rows, established)
            ledger, limited = self._limits(disclosure, now)
            events += limited
            floods, going = flood_reports(
                held,
                book.floods,
                now_us=now,
                every_us=self._flood_every_us,
                limit=self._flood_limit,
                name=self._directory.party_name,
            )
            events += floods
            records = self._commit(events, now) if events else []
            self._book = (
                replace(book, active={}, encounters=encounters, exposures=ledger, floods=going)
                .with_alerts(alerts.values())
                .with_records(events, records)
                .forgetting(now - self._retain_us)
            )

    def _measured(
        self, view: PictureView, rows: Mapping[TrackKey, int], alerts: Collection[Alert]
    ) -> dict[str, Alert]:
        """The separations reached: between two tracks, and a track's from its notice."""
        measured = measure(view, rows, alerts, coast_us=self._coast_us)
        if self._live_notices:
            measured |= measure_incursions(view, rows, alerts, self._live_notices)
        return measured

    def _suppress(self, predicted: dict[PairKey, Prediction], now: int) -> list[JournalEvent]:
        """Take the pairs a cleared proximity holds out of ``predicted``; journal each
        encounter held back, once."""
        holding = self._exemptions.holding(now) if self._exemptions is not None else {}
        if not holding:
            return []
        said: list[JournalEvent] = []
        for pair in [p for p in predicted if frozenset(p) in holding]:
            guess = predicted.pop(pair)
            exemption = holding[frozenset(pair)]
            if (pair, exemption.id) in self._suppressed:
                continue
            self._suppressed.add((pair, exemption.id))
            said.append(
                ExemptionSuppressed(
                    exemption.id,
                    (exemption.proposer[0], exemption.other[0]),
                    (pair[0][1], pair[1][1]),
                    guess.tier.label,
                    round(guess.t_in_s, 1),
                    round(float(units.nm_from_m(guess.dcpa_m)), 2),
                )
            )
        return said

    def _step(
        self,
        book: AlertBook,
        predicted: Mapping[PairKey, Prediction],
        view: PictureView,
        rows: Mapping[TrackKey, int],
    ) -> tuple[dict[str, Alert], dict[PairKey, Encounter], list[tuple[Change, str, bool]]]:
        """Every encounter one cycle on: the alerts and encounters after it, and what the
        journal will say, in order (change, alert id, tier changed)."""
        now = view.time_us
        measured = self._measured(view, rows, list(book.active.values()))
        alerts = {**book.active, **measured}
        encounters: dict[PairKey, Encounter] = {}
        said: list[tuple[Change, str, bool]] = []
        # New pairs, the most urgent first (the flood limit chose them so, `prediction`).
        fresh = sorted(
            (pair for pair in predicted if pair not in book.encounters),
            key=lambda p: urgency(p, predicted[p]),
        )
        for pair in [*book.encounters, *fresh]:
            encounter = book.encounters.get(pair, Encounter())
            current = alerts.get(encounter.alert_id) if encounter.alert_id else None
            moved = step(
                pair,
                encounter,
                current,
                predicted.get(pair),
                now_us=now,
                policy=self.policy_for(pair[0][0], pair[1][0]),
                # A notice's end or cancellation ends its prediction: it clears.
                tracks_live=pair[0] in rows and (pair[1] in rows or notice_in(pair[1]) is not None),
                new_id=self._ids.new_id,
            )
            if moved.encounter is not None:
                encounters[pair] = moved.encounter
            if moved.alert is not None:
                alerts[moved.alert.id] = moved.alert
                if moved.change is not Change.NONE:
                    said.append((moved.change, moved.alert.id, moved.tier_changed))
        # Measured at once, so that the raise record itself holds the first separation.
        raised = [alerts[i] for change, i, _ in said if change is Change.RAISED]
        alerts.update(self._measured(view, rows, raised))
        return alerts, encounters, said

    def _event(
        self, change: Change, alert: Alert, tier_changed: bool, book: AlertBook
    ) -> AlertEvent:
        names = self._names(alert)
        if change is Change.RAISED:
            return AlertRaised(alert, names)
        if change is Change.UPDATED:
            return AlertUpdated(alert, names, tier_changed=tier_changed)
        return AlertResolved(alert, names, told=book.told.get(alert.id, frozenset()))

    def _escalations(self, alerts: dict[str, Alert], now: int) -> list[AlertEvent]:
        """Escalate the active alerts a party leaves unacknowledged (in ``alerts``)."""
        events: list[AlertEvent] = []
        for alert in list(alerts.values()):
            if not alert.active:
                continue
            level = escalation_due(alert, self.policy_for(*alert.parties), now)
            if level <= alert.escalation:
                continue
            escalated = replace(alert, escalation=level, updated_us=now)
            alerts[alert.id] = escalated
            silent = tuple(self._directory.party_name(p) for p in silent_parties(alert))
            to = "admin" if level == ADMIN else "parties"
            events.append(AlertEscalated(escalated, self._names(escalated), silent=silent, to=to))
        return events

    def _safety(
        self,
        events: Sequence[JournalEvent],
        alerts: Mapping[str, Alert],
        book: AlertBook,
        view: PictureView,
        rows: Mapping[TrackKey, int],
        established: Callable[[TrackKey], bool],
    ) -> list[JournalEvent]:
        """Safety alerts for the alerts whose agreement shares nothing (`safety`): a
        party is first warned once its own track is established, then hears of each
        update and of the end."""
        said = {
            e.alert.id: _TRANSITIONS[type(e)]
            for e in events
            if isinstance(e, AlertEvent) and type(e) in _TRANSITIONS
        }
        safety: list[JournalEvent] = []
        for alert in alerts.values():
            transition = said.get(alert.id)
            if not alert.active and transition is None:
                continue
            if self._directory.sharing(*alert.parties).conflicts or alert.notice_id is not None:
                # An incursion under a suspended agreement: for the admin only (the
                # track's party cannot be told of a notice it shares nothing of).
                continue
            warned = book.warned.get(alert.id, frozenset())
            for own, other in ((alert.track_a, alert.track_b), (alert.track_b, alert.track_a)):
                if own[0] in warned:
                    if transition in ("updated", "resolved"):
                        seen = intruder_seen_from(view, rows, own, other)
                        safety.append(SafetyAlert.of(transition, alert, own, seen))
                elif alert.active and established(own):
                    seen = intruder_seen_from(view, rows, own, other)
                    safety.append(SafetyAlert.of("raised", alert, own, seen))
        return safety

    def _limits(
        self, disclosure: Disclosure, now: int
    ) -> tuple[ExposureLedger, list[JournalEvent]]:
        """Tell the admin, once a window, of each party whose budget refused a disclosure."""
        ledger = disclosure.ledger
        events: list[JournalEvent] = []
        for party_id in sorted(disclosure.refused):
            if ledger.must_tell_admin(party_id, now):
                ledger = ledger.told_admin(party_id, now)
                name = self._directory.party_name(party_id) or str(party_id)
                events.append(
                    ExposureLimited(name, party_id, ledger.limit, ledger.window_us / US_PER_S)
                )
        return ledger, events

    def _names(self, alert: Alert) -> tuple[str | None, str | None]:
        name = self._directory.party_name
        return (name(alert.track_a[0]), name(alert.track_b[0]))

    def _commit(self, events: Sequence[JournalEvent], now: int) -> list[Record]:
        """Journal the events (and what is said with them); return their records."""
        said = self._speak(events) if self._speak is not None else []

        def unit(tx: UnitOfWork) -> list[Record]:
            return [
                append(tx, event, time_us=now, rules=self._directory) for event in (*events, *said)
            ]

        return self._journal.write(unit)[: len(events)]


def _suppressed_before(journal: Journal, since_us: int) -> set[tuple[PairKey, str]]:
    """The encounters cleared proximities held back already, from the journal: a restart
    must not journal them again. Each record names the pair's tracks in the pair's order
    (the lesser party id first)."""
    held: set[tuple[PairKey, str]] = set()
    for record in journal.records_in_time(since_us, 2**62, kinds=[ExemptionSuppressed.kind]):
        p = record.payload
        low, high = sorted(int(x) for x in p["party_ids"])
        first, second = (str(t) for t in p["tracks"])
        held.add((((low, first), (high, second)), str(p["exemption_id"])))
    return held
