"""The alert book rebuilt from the journal, after a restart.

Only alert records of the last two retention periods are read (by time, on the
journal's index): an alert still active without any record in that long — possible
only for an encounter whose numbers never change for two days — is raised again, with
a new id, at the first cycle.

Every alert record carries the alert's whole state: the last record of each alert is
its state. Active alerts get their encounter back (confirmed, with what was last said),
and their minima are measured again on the reports journaled since they were raised —
minima reach the journal only with a transition, so a closer approach reported after an
alert's last record would otherwise be forgotten by a restart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from airhotline.core.alerts.book import AlertBook
from airhotline.core.alerts.codec import alert_from_payload, pair_in
from airhotline.core.alerts.encounters import Encounter
from airhotline.core.alerts.exposure import ExposureLedger, ExposureLimited
from airhotline.core.alerts.model import Alert, notice_in
from airhotline.core.alerts.separation import separations
from airhotline.core.events import decode, kinds
from airhotline.core.picture import TrackKey
from airhotline.core.ports import Journal
from airhotline.core.records import Record
from airhotline.core.reports import ReportBatch
from airhotline.core.track_events import TracksReported

__all__ = ["first_disclosures", "restore"]

#: Later than any record's time.
MAX_US = 2**62


def restore(
    journal: Journal,
    *,
    now_us: int,
    retain_us: int,
    coast_us: int,
    exposures: ExposureLedger,
) -> AlertBook:
    latest: dict[str, Record] = {}
    history: dict[str, list[Record]] = {}
    # Not the whole journal: a restart after years must take no longer than after a day.
    # What is needed are the alerts resolved within the retention and the active ones,
    # which have a record within a retention and more (every transition writes one).
    since = now_us - 2 * retain_us
    for record in journal.records_in_time(since, MAX_US, kinds=kinds(family="alert")):
        alert_id = str(record.payload["alert_id"])
        latest[alert_id] = record
        history.setdefault(alert_id, []).append(record)
    told = {i: frozenset().union(*(r.audience for r in h)) for i, h in history.items()}
    alerts: list[Alert] = []
    for alert_id, record in sorted(latest.items(), key=lambda item: item[1].seq):
        alert = alert_from_payload(record.payload)
        if alert.active or (alert.resolved_us or 0) >= now_us - retain_us:
            # Disclosed to whoever the journal told: the audience is the record of it.
            disclosed = tuple(p in told[alert_id] for p in alert.parties)
            alerts.append(replace(alert, disclosed=(disclosed[0], disclosed[1])))
    kept = {a.id for a in alerts}
    encounters = {
        alert.pair: Encounter(seen=(True,), alert_id=alert.id).saying(alert, alert.updated_us)
        for alert in alerts
        if alert.active
    }
    book = AlertBook(
        # A restored encounter starts its window with one hit: it was confirmed.
        encounters=encounters,
        history={i: tuple(h) for i, h in history.items() if i in kept},
        told={i: t for i, t in told.items() if i in kept},
        exposures=_limited(journal, _spent(history, exposures, now_us), now_us),
    )
    book = book.with_alerts(_exposed(alerts, book.exposures))
    return book.with_alerts(_replay_minima(journal, book, coast_us))


def _exposed(alerts: list[Alert], ledger: ExposureLedger) -> list[Alert]:
    """The alerts with what the ledger says each party was shown."""
    shown = {(party, key) for party, entries in ledger.shown.items() for _, key in entries}
    return [
        replace(
            alert,
            exposed=(
                alert.disclosed[0]
                and (
                    notice_in(alert.track_b) is not None
                    or (alert.track_a[0], alert.track_b) in shown
                ),
                alert.disclosed[1] and (alert.track_b[0], alert.track_a) in shown,
            ),
        )
        for alert in alerts
    ]


def _limited(journal: Journal, ledger: ExposureLedger, now_us: int) -> ExposureLedger:
    """The ledger knowing whom the admin was told of within the window."""
    since = now_us - ledger.window_us
    for record in journal.records_in_time(since, now_us + 1, kinds=[ExposureLimited.kind]):
        ledger = ledger.told_admin(int(record.payload["party_id"]), record.time_us)
    return ledger


def first_disclosures(
    history: Mapping[str, Sequence[Record]], since_us: int
) -> list[tuple[int, int, TrackKey, str]]:
    """When each party was first told of each alert after ``since_us``, and the other
    party's track that disclosed to it — what its exposure budget spends (a notice's
    side is nothing to spend) — as (time, party, track, alert id), in time order."""
    firsts: list[tuple[int, int, TrackKey, str]] = []
    for alert_id, records in history.items():
        heard: set[int] = set()
        track_a, track_b = pair_in(records[0].payload)
        for record in records:
            for party in sorted(record.audience - heard):
                if record.time_us <= since_us:
                    continue
                if party == track_a[0] and notice_in(track_b) is None:
                    firsts.append((record.time_us, party, track_b, alert_id))
                elif party == track_b[0]:
                    firsts.append((record.time_us, party, track_a, alert_id))
            heard |= record.audience
    return sorted(firsts)


def _spent(
    history: Mapping[str, Sequence[Record]], ledger: ExposureLedger, now_us: int
) -> ExposureLedger:
    """The exposure budget spent within the window, from when each party first heard of
    each alert (the other track was disclosed to it then)."""
    for time_us, party, track, _ in first_disclosures(history, now_us - ledger.window_us):
        ledger, _ = ledger.admit(party, track, time_us)
    return ledger


def _replay_minima(journal: Journal, book: AlertBook, coast_us: int) -> list[Alert]:
    """Measure again, on the journaled reports, what active alerts saw since raised.

    Each report moves its track's latest state forward (never back, as in the picture);
    each pair of latest states is measured as in a cycle, the older flown to the newer's
    time.
    """
    active = dict(book.active)
    if not active:
        return []
    raised_seq = {i: book.history[i][0].seq for i in active}
    keys = {key for a in active.values() for key in a.pair}
    states: dict[TrackKey, tuple[int, ReportBatch, int]] = {}
    for record in journal.iter_records_after(min(raised_seq.values()), kinds=[TracksReported.kind]):
        if record.party_id is None:
            continue
        event = decode(record)
        assert isinstance(event, TracksReported)
        batch = event.batch
        moved: set[TrackKey] = set()
        for row, track_id in enumerate(batch.track_id):
            key = (event.owner_id, track_id)
            time_us = int(batch.time_us[row])
            if key in keys and (key not in states or time_us > states[key][0]):
                states[key] = (time_us, batch, row)
                moved.add(key)
        for alert_id, alert in active.items():
            pair = alert.pair
            if record.seq <= raised_seq[alert_id] or not moved.intersection(pair):
                continue
            if pair[0] in states and pair[1] in states:
                first, second = states[pair[0]], states[pair[1]]
                if abs(first[0] - second[0]) > coast_us:
                    continue  # one of them is a guess by now, as in a cycle
                (h,), (v,), (at,) = separations(
                    first[1].states([first[2]]),
                    np.array([first[0]]),
                    second[1].states([second[2]]),
                    np.array([second[0]]),
                )
                active[alert_id] = alert.with_separation(float(h), float(v), int(at))
    return list(active.values())
