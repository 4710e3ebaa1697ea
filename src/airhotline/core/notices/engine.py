"""The notice engine: publish, amend and cancel notices, each version journaled whole,
each announced to the parties told with a ``notice-published`` / ``notice-cancelled``
message in their language.

An amendment names the version it replaces: a stale one is refused (409), so that two
centres can never overwrite each other. A notice published with less lead time than
agreed for its kind is *short notice*: its message wants an acknowledgement and
escalates, like an alert, when nobody answers.

State is folded from the journal's notice records (`apply`, from the node's follower),
and rebuilt from them after a restart; writes take turns under one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from airhotline.clock import US_PER_S, Clock, iso_from_us
from airhotline.core.access import Principal
from airhotline.core.events import JournalEvent, SharingRules, append
from airhotline.core.identifiers import identifier_problem
from airhotline.core.messages.engine import MessageEngine, Parties
from airhotline.core.notices.band import limit_value
from airhotline.core.notices.book import NOTICE_KINDS_JOURNALED, NoticeBook
from airhotline.core.notices.events import (
    NoticeAmended,
    NoticeCancelled,
    NoticeEvent,
    NoticeOverlap,
    NoticePublished,
)
from airhotline.core.notices.model import Notice, NoticePolicy, notice_from_spec
from airhotline.core.notices.overlap import Overlap, OverlapIndex
from airhotline.core.ports import Journal, UnitOfWork
from airhotline.core.records import PartyRow, Record
from airhotline.errors import ConflictError, InputError, NotFoundError
from airhotline.ids import IdSource, RandomIds

__all__ = ["NOTICE_KINDS_JOURNALED", "NoticeEngine"]

_FIELDS = ("kind", "area", "lower", "upper", "window", "description", "to")
MAX_DESCRIPTION = 2_000
_MAX_US = 2**62


class NoticeEngine:
    """Thread-safe."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        parties: Parties,
        rules: SharingRules,
        messages: MessageEngine,
        *,
        policy: NoticePolicy | None = None,
        ids: IdSource | None = None,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._parties = parties
        self._rules = rules
        self._messages = messages
        self.policy = policy or NoticePolicy()
        self._ids = ids or RandomIds()
        self._lock = threading.Lock()
        self._fold_lock = threading.Lock()
        self._book = NoticeBook()
        #: The live notices, for strategic deconfliction.
        self.index = OverlapIndex()
        self.apply(journal.records_in_time(0, _MAX_US, kinds=NOTICE_KINDS_JOURNALED))

    # --- the fold -----------------------------------------------------------------------

    def apply(self, records: Sequence[Record]) -> None:
        """Fold committed notice records (the node's follower calls it)."""
        with self._fold_lock:
            for notice in self._book.apply(records):
                self.index.put(notice)

    # --- reads --------------------------------------------------------------------------

    def get(self, notice_id: str, *, party_id: int | None) -> Notice:
        notice = self._book.get(notice_id)
        if notice is None or not notice.shown_to(party_id):
            raise NotFoundError("notice", notice_id)
        return notice

    def versions(self, notice_id: str) -> list[Notice]:
        return self._book.versions(notice_id)

    def notices(self, *, party_id: int | None, active: bool | None = None) -> list[Notice]:
        """Those the caller may see (the admin: all), by first publication: current and
        future ones, and those ended or cancelled within the retention."""
        now = self._clock.now_us()
        kept = now - round(self.policy.retain_s * US_PER_S)
        found = self._book.notices()
        return [
            n
            for n in found
            if n.shown_to(party_id)
            and (active is None or n.active == active)
            and (n.window.end_us >= kept and (n.cancelled_us or _MAX_US) >= kept)
        ]

    # --- writes -------------------------------------------------------------------------

    def publish(self, caller: Principal, body: Mapping[str, Any]) -> Notice:
        """A new notice, version 1."""
        me = self._me(caller)
        _only(body, _FIELDS)
        with self._lock:
            now = self._clock.now_us()
            notice = self._checked(me, body, notice_id=self._ids.new_id(), version=1, now=now)
            self._commit(NoticePublished, notice, now)
        return self.get(notice.id, party_id=None)

    def amend(self, caller: Principal, notice_id: str, body: Mapping[str, Any]) -> Notice:
        """A new version of the caller's notice; ``body["replaces"]`` must name the
        current version (409 otherwise). Fields left out keep their value."""
        me = self._me(caller)
        _only(body, (*_FIELDS, "replaces"))
        replaces = body.get("replaces")
        if isinstance(replaces, bool) or not isinstance(replaces, int) or replaces < 1:
            raise InputError("replaces", "the version this amendment replaces: a whole number")
        with self._lock:
            now = self._clock.now_us()
            current = self._owned(me, notice_id)
            if not current.active:
                raise ConflictError("notice", "state", message=f"notice {notice_id} is cancelled")
            if replaces != current.version:
                raise ConflictError(
                    "notice",
                    "replaces",
                    message=f"notice {notice_id} is at version {current.version}, not"
                    f" {replaces}: read it again and amend what it now says",
                )
            merged = {**current.spec(), **{k: v for k, v in body.items() if k != "replaces"}}
            if "to" not in body and current.restricted:
                merged["to"] = [self._parties.party(p).name for p in current.recipients]
            notice = self._checked(
                me, merged, notice_id=notice_id, version=current.version + 1, now=now
            )
            self._commit(NoticeAmended, notice, now)
        return self.get(notice_id, party_id=None)

    def cancel(self, caller: Principal, notice_id: str, version: int | None = None) -> Notice:
        """Withdraw the caller's notice (``version``, when given, must be the current)."""
        me = self._me(caller)
        with self._lock:
            now = self._clock.now_us()
            current = self._owned(me, notice_id)
            if not current.active:
                return current
            if version is not None and version != current.version:
                raise ConflictError(
                    "notice",
                    "version",
                    message=f"notice {notice_id} is at version {current.version}, not {version}",
                )
            self._commit(NoticeCancelled, current, now)
        return self.get(notice_id, party_id=None)

    def _me(self, caller: Principal) -> PartyRow:
        if caller.party_id is None:
            raise InputError("party", "only a party's operator publishes notices")
        return self._parties.party(caller.party_id)

    def _owned(self, me: PartyRow, notice_id: str) -> Notice:
        notice = self._book.get(notice_id)
        if notice is None or not notice.shown_to(me.id):
            raise NotFoundError("notice", notice_id)
        if notice.owner != me.id:
            raise ConflictError(
                "notice", "party", message=f"notice {notice_id} is {notice.owner_name}'s to change"
            )
        return notice

    def _checked(
        self, me: PartyRow, body: Mapping[str, Any], *, notice_id: str, version: int, now: int
    ) -> Notice:
        kind, area, band, window = notice_from_spec(body, self.policy.max_window_s)
        description = _description(body.get("description", ""))
        if window.end_us <= now:
            raise InputError("window.end", "the window is already over")
        recipients, restricted = self._recipients(me, body.get("to"))
        first = next(window.intervals(since_us=now), (window.start_us, window.end_us))[0]
        lead_s = (first - now) / US_PER_S
        short = lead_s < self.policy.lead_time_s.get(kind, 0.0)
        notice = Notice(
            id=notice_id,
            version=version,
            owner=me.id,
            owner_name=me.name,
            kind=kind,
            area=area,
            band=band,
            window=window,
            description=description,
            recipients=recipients,
            restricted=restricted,
            short_notice=short,
            published_us=now,
        )
        # What is journaled must read back: the fold rebuilds the notice from it.
        notice_from_spec(notice.spec(), max_window_s=float("inf"))
        return notice

    def _recipients(self, me: PartyRow, to: object) -> tuple[tuple[int, ...], bool]:
        """Every party with an active agreement, or the named ones (each must have one)."""
        if to is None:
            found = [
                p
                for p in sorted(self._parties.party_ids())
                if p != me.id and self._parties.sharing(me.id, p).conflicts
            ]
            return tuple(found), False
        if not isinstance(to, list) or not to or not all(isinstance(n, str) for n in to):
            raise InputError("to", "a list of party names")
        ids: list[int] = []
        for k, name in enumerate(to):
            party = self._parties.find_party(name)
            if party is None:
                raise NotFoundError("party", name, field=f"to[{k}]")
            if party.id == me.id:
                raise InputError(f"to[{k}]", "a notice is told to other parties")
            if not self._parties.sharing(me.id, party.id).conflicts:
                raise ConflictError(
                    "notice", f"to[{k}]", message=f"your agreement with {name} is suspended"
                )
            if party.id not in ids:
                ids.append(party.id)
        return tuple(sorted(ids)), True

    def _commit(self, event_type: type[NoticeEvent], notice: Notice, now: int) -> None:
        names = tuple(self._parties.party(p).name for p in notice.recipients)
        event = event_type(
            notice.id,
            notice.version,
            notice.owner_name,
            notice.owner,
            names,
            notice.recipients,
            notice.restricted,
            notice.short_notice,
            notice.spec(),
        )
        events: list[JournalEvent] = [event]
        if event_type is not NoticeCancelled:
            self.index.forget_ended(now)
            events += [_overlap_event(notice, o) for o in self.index.overlaps(notice)]
        if event_type is NoticeCancelled:
            events += self._messages.from_hotline(
                "notice-cancelled", "cancelled", {"notice": notice.id}, notice.recipients, now=now
            )
        else:
            events += self._messages.from_hotline(
                "notice-published",
                "short" if notice.short_notice else "published",
                {
                    "notice": notice.id,
                    "kind": notice.kind,
                    "lower": limit_value(notice.band.lower),
                    "upper": limit_value(notice.band.upper),
                    "start": notice.window.start_us,
                    "end": notice.window.end_us,
                },
                notice.recipients,
                now=now,
            )

        def unit(tx: UnitOfWork) -> list[Record]:
            return [append(tx, e, time_us=now, rules=self._rules) for e in events]

        self._journal.write(unit)


def _overlap_event(notice: Notice, overlap: Overlap) -> NoticeOverlap:
    other = overlap.other
    return NoticeOverlap(
        (
            (notice.id, notice.version, notice.owner_name, notice.owner),
            (other.id, other.version, other.owner_name, other.owner),
        ),
        limit_value(overlap.band.lower),
        limit_value(overlap.band.upper),
        tuple((iso_from_us(a), iso_from_us(b)) for a, b in overlap.periods),
        overlap.area,
    )


def _only(body: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in body:
        if key not in allowed:
            raise InputError(str(key), "not a field of a notice")


def _description(value: object) -> str:
    if not isinstance(value, str):
        raise InputError("description", "must be a string")
    if len(value) > MAX_DESCRIPTION:
        raise InputError("description", f"at most {MAX_DESCRIPTION} characters")
    problem = identifier_problem(value.replace("\n", " ")) if value else None
    if problem is not None:
        raise InputError("description", problem)
    return value
