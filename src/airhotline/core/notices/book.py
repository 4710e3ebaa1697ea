"""Every notice as the journal tells it: each one's latest version (cancelled or not)
and all its versions, folded from its notice records. Pure state: the engine keeps one
for the node, ``airhotline notices list`` folds one from a journal it reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace

from airhotline.core.events import decode, kinds
from airhotline.core.notices.events import NoticeCancelled, NoticeEvent
from airhotline.core.notices.model import Notice, notice_from_spec
from airhotline.core.records import Record

__all__ = ["NOTICE_KINDS_JOURNALED", "NoticeBook"]

NOTICE_KINDS_JOURNALED = kinds(family="notice")


class NoticeBook:
    """Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: The latest version of each notice, and every version, oldest first.
        self._notices: dict[str, Notice] = {}
        self._versions: dict[str, list[Notice]] = {}

    def apply(self, records: Iterable[Record]) -> list[Notice]:
        """Fold committed notice records; the notices they changed, as they are now."""
        changed: list[Notice] = []
        with self._lock:
            for record in records:
                if record.kind not in NOTICE_KINDS_JOURNALED:
                    continue
                event = decode(record)
                if not isinstance(event, NoticeEvent):
                    continue  # an overlap: said, nothing to keep
                notice = _notice_of(event, record.time_us)
                if isinstance(event, NoticeCancelled):
                    known = self._notices.get(event.notice_id)
                    notice = replace(known or notice, cancelled_us=record.time_us)
                else:
                    self._versions.setdefault(notice.id, []).append(notice)
                self._notices[notice.id] = notice
                changed.append(notice)
        return changed

    def get(self, notice_id: str) -> Notice | None:
        with self._lock:
            return self._notices.get(notice_id)

    def notices(self) -> list[Notice]:
        """Each notice's latest version, by first publication."""
        with self._lock:
            return list(self._notices.values())

    def versions(self, notice_id: str) -> list[Notice]:
        with self._lock:
            return list(self._versions.get(notice_id, ()))


def _notice_of(event: NoticeEvent, time_us: int) -> Notice:
    # Journaled specs were checked when sent; a later, shorter maximum must not make an
    # old journal unreadable.
    kind, area, band, window = notice_from_spec(event.spec, max_window_s=float("inf"))
    return Notice(
        id=event.notice_id,
        version=event.notice_version,
        owner=event.owner_id,
        owner_name=event.owner,
        kind=kind,
        area=area,
        band=band,
        window=window,
        description=str(event.spec.get("description", "")),
        recipients=event.recipient_ids,
        restricted=event.restricted,
        short_notice=event.short_notice,
        published_us=time_us,
    )
