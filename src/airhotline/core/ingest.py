"""Ingest: a party's batch of state reports into the journal, once, whatever the retries.

A batch is refused whole if any report is too far ahead of the hotline's clock
(``future_tolerance_s``: clock skew) or too far behind it (``past_tolerance_s``: a
report that old says nothing about where the aircraft is, and a time far in the past is
a unit mistake or a replay). A retry with the same ``Idempotency-Key`` and body gets the
first answer again, however old its reports have become since; the same key with
another body is a conflict. Keys are forgotten after ``retention_s``.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from airhotline.clock import US_PER_S, Clock
from airhotline.core.events import SharingRules, append
from airhotline.core.picture import Picture
from airhotline.core.ports import Journal, UnitOfWork
from airhotline.core.quotas import Quotas, ReportRate
from airhotline.core.records import IdempotentAnswer, receipt_json
from airhotline.core.reports import ReportBatch
from airhotline.core.track_events import TracksReported
from airhotline.errors import InputError, QuotaError

__all__ = ["Ingest", "IngestAnswer"]

#: How often old Idempotency-Keys are purged, at most.
PURGE_EVERY_US = 3_600 * US_PER_S


@dataclass(frozen=True, slots=True)
class IngestAnswer:
    status: int
    body_json: str
    replayed: bool


class Ingest:
    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        rules: SharingRules,
        *,
        future_tolerance_s: float,
        past_tolerance_s: float,
        retention_s: float,
        picture: Picture,
        quotas: Quotas,
        lost_after_s: float,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._rules = rules
        self._future_tolerance_s = future_tolerance_s
        self._past_tolerance_s = past_tolerance_s
        self._retention_us = round(retention_s * US_PER_S)
        self._next_purge_us = 0
        self._picture = picture
        self._quotas = quotas
        self._rate = ReportRate(quotas)
        self._lost_after_s = lost_after_s

    def submit(
        self,
        party_id: int,
        batch: ReportBatch,
        *,
        idempotency_key: str | None,
        body_sha256: str,
    ) -> Future[IngestAnswer]:
        """Queue a batch for the journal; the future resolves once it is committed."""
        now = self._clock.now_us()
        # A known key first: its batch was in bounds when it was committed, and a retry
        # after the past bound must still get that answer, not a refusal.
        if idempotency_key is not None:
            known = self._journal.idempotent_answer(party_id, idempotency_key)
            if known is not None:
                done: Future[IngestAnswer] = Future()
                done.set_result(_replay(known, body_sha256, idempotency_key))
                return done
        self._check_times(batch, now)
        self._check_quotas(party_id, batch, now)
        event = TracksReported(party_id, batch)

        def unit(tx: UnitOfWork) -> IngestAnswer:
            if idempotency_key is not None:
                raced = tx.idempotency_get(party_id, idempotency_key)
                if raced is not None:
                    return _replay(raced, body_sha256, idempotency_key)
            record = append(tx, event, time_us=now, rules=self._rules)
            body = receipt_json(record, accepted=len(batch))
            if idempotency_key is not None:
                tx.idempotency_put(
                    party_id, idempotency_key, IdempotentAnswer(body_sha256, 200, body)
                )
            return IngestAnswer(status=200, body_json=body, replayed=False)

        return self._journal.submit(unit)

    def _check_times(self, batch: ReportBatch, now_us: int) -> None:
        """Refuse the batch, naming its first report out of bounds."""
        latest = now_us + round(self._future_tolerance_s * US_PER_S)
        earliest = now_us - round(self._past_tolerance_s * US_PER_S)
        out = np.flatnonzero((batch.time_us > latest) | (batch.time_us < earliest))
        if not out.size:
            return
        first = int(out[0])
        if batch.time_us[first] > latest:
            reason = f"more than {self._future_tolerance_s:g} s ahead of the hotline's clock"
        else:
            reason = f"more than {self._past_tolerance_s:g} s behind the hotline's clock"
        raise InputError(f"[{first}].time", reason)

    def _check_quotas(self, party_id: int, batch: ReportBatch, now_us: int) -> None:
        """Refuse a batch that would take the party past its live tracks or report rate."""
        limit = self._quotas.max_live_tracks
        new = self._picture.new_tracks(party_id, batch.track_id)
        if new and self._picture.live_tracks(party_id) + new > limit:
            raise QuotaError(
                "max_live_tracks",
                limit,
                self._lost_after_s,
                f"over {limit} live tracks: {new} new ones in this batch would pass it;"
                f" tracks leave the picture {self._lost_after_s:g} s after their last report",
            )
        self._rate.take(party_id, len(batch), now_us)

    def purge(self, now_us: int) -> None:
        """Forget old Idempotency-Keys, at most once an hour, so the table stays small."""
        if now_us < self._next_purge_us:
            return
        self._next_purge_us = now_us + PURGE_EVERY_US
        before = now_us - self._retention_us
        self._journal.write(lambda tx: tx.idempotency_purge(before))


def _replay(known: IdempotentAnswer, body_sha256: str, key: str) -> IngestAnswer:
    answer = known.for_retry(body_sha256, key)
    return IngestAnswer(status=answer.status, body_json=answer.response_json, replayed=True)
