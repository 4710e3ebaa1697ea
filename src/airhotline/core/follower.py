"""The node's follower of the journal: what was committed, applied to memory, then fanned out.

The picture and the directory change only from committed records, in seq order: the
node's own, heard from the journal writer's commit listener (before the writers'
futures resolve, so by the time a client hears "accepted" the picture holds its
reports), and those another process appended (a command-line ``party add`` beside a
running node), caught up by `catch_up` once a cycle. Then the streamed ones go to the
bus. The listener runs in the writer thread: it only decodes, applies and publishes —
the directory is folded from the records themselves, with no database read. The one
exception is a gap, when another process wrote between two of this node's groups:
those records are read first so that streams see every record in seq order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from airhotline.clock import US_PER_S
from airhotline.core.directory import ACCESS_KINDS, Directory
from airhotline.core.events import decode, kinds
from airhotline.core.picture import Picture
from airhotline.core.ports import EventBus, Journal
from airhotline.core.records import Record
from airhotline.core.reports import ReportBatch
from airhotline.core.track_events import TracksReported

__all__ = ["JournalFollower"]


class JournalFollower:
    """Applies committed records to the picture and the directory; thread-safe."""

    def __init__(self, journal: Journal, bus: EventBus, picture: Picture) -> None:
        self._journal = journal
        self._bus = bus
        self.picture = picture
        self._lock = threading.Lock()
        self._stream_kinds = kinds(streamed=True)
        self._folds: list[Callable[[Sequence[Record]], None]] = []
        self.reports_accepted = 0
        self._applied_seq = journal.head().seq
        self.directory = Directory.replay(
            journal.iter_records_after(0, kinds=ACCESS_KINDS, before=self._applied_seq + 1)
        )

    def add_fold(self, fold: Callable[[Sequence[Record]], None]) -> None:
        """Also apply committed records to ``fold`` (before they are published)."""
        self._folds.append(fold)

    @property
    def stream_kinds(self) -> frozenset[str]:
        """The journal kinds that reach event streams (derived from the event types)."""
        return self._stream_kinds

    def on_commit(self, records: Sequence[Record]) -> None:
        """The journal writer's commit listener (runs in the writer thread)."""
        with self._lock:
            if records and records[0].seq > self._applied_seq + 1:
                self._apply(
                    list(self._journal.iter_records_after(self._applied_seq, before=records[0].seq))
                )
            self._apply(records)

    def catch_up(self) -> int:
        """Apply records that another process appended to the journal; return how many."""
        with self._lock:
            head = self._journal.head().seq
            if head <= self._applied_seq:
                return 0
            missed = list(self._journal.iter_records_after(self._applied_seq, before=head + 1))
            self._apply(missed)
            return len(missed)

    def rebuild_picture(self, now_us: int, future_tolerance_s: float) -> None:
        """The picture from the journal's recent reports, after a restart."""
        since = now_us - self.picture.lost_after_us
        horizon = now_us + round(future_tolerance_s * US_PER_S)
        last_us = since
        for record in self._journal.records_in_time(since, horizon, kinds=[TracksReported.kind]):
            if record.party_id is not None:
                self._apply_reports(record)
        head = self._journal.head()
        if head.seq:
            (last,) = self._journal.records_after(head.seq - 1, limit=1)
            last_us = last.time_us
        # Tracks already lost by the journal's last moment were announced lost then (or,
        # arriving late, were never live): drop them quietly rather than announce twice.
        self.picture.expire(last_us)

    def _apply(self, records: Sequence[Record]) -> None:
        fresh = [r for r in records if r.seq > self._applied_seq]
        if not fresh:
            return
        # A group's batches (one per feed, say) are applied to the picture together.
        reported = [
            self._reports(r)
            for r in fresh
            if r.kind == TracksReported.kind and r.party_id is not None
        ]
        if reported:
            self.picture.apply_many(reported)
            self.reports_accepted += sum(len(batch) for _, batch, _ in reported)
        self.directory = self.directory.applying(fresh)  # one assignment, read whole
        for fold in self._folds:
            fold(fresh)
        self._applied_seq = fresh[-1].seq
        self._bus.publish([r for r in fresh if r.kind in self._stream_kinds])

    def _apply_reports(self, record: Record) -> int:
        owner, batch, received = self._reports(record)
        self.picture.apply(owner, batch, received)
        return len(batch)

    @staticmethod
    def _reports(record: Record) -> tuple[int, ReportBatch, int]:
        """A report batch's owner, reports and journal time (when it arrived)."""
        event = decode(record)
        assert isinstance(event, TracksReported)
        return event.owner_id, event.batch, record.time_us
