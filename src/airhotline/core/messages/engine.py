"""The message engine: parties talk over the hotline, and the hotline talks to them.

What it does, each in one place:

- `send` — a party's message or response, checked whole before anything is journaled
  (the form and its parameters, the tracks it names, who it goes to, what it answers),
  then journaled in one unit of work with the answer it gives, if any;
- `speak` — the alert engine's companion: for each alert raised, escalated or resolved,
  a ``conflict-alert`` message to each party told of it, journaled in the alert's own
  unit of work; an acknowledgement of the alert answers those messages, and a ROGER to
  one of them acknowledges the alert (`send`);
- `delivered` and `mark_read` — the receipts;
- `run` — on every picture cycle: escalate messages left unanswered, send the line
  checks when due, mark a line degraded when its check goes unanswered.

State is the `MessageBook`, folded from what was committed; writes take turns under
one lock, so that two answers to one message cannot both close it.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol

from airhotline import units
from airhotline.clock import US_PER_S, Clock
from airhotline.core.access import Principal, Sharing
from airhotline.core.alerts.events import (
    AlertAcknowledged,
    AlertEscalated,
    AlertEvent,
    AlertRaised,
    AlertResolved,
    AlertUpdated,
)
from airhotline.core.alerts.model import Alert, Tier
from airhotline.core.events import JournalEvent, SharingRules, append, decode, kinds
from airhotline.core.messages.book import LINE_CHECK, Line, LineState, MessageBook
from airhotline.core.messages.catalogue import (
    CATALOGUE,
    Attribute,
    Form,
    ParamKind,
    Response,
    allowed,
    closes,
)
from airhotline.core.messages.events import (
    LineDegraded,
    LineRestored,
    MessageAnswered,
    MessageDelivered,
    MessageEscalated,
    MessageRead,
    MessageReceived,
)
from airhotline.core.messages.model import RESPONSE_TYPE, Message
from airhotline.core.messages.params import checked_params, form_of
from airhotline.core.picture import PictureView, TrackKey
from airhotline.core.ports import Journal, UnitOfWork
from airhotline.core.records import IdempotentAnswer, PartyRow, Record, receipt_json
from airhotline.errors import ConflictError, IdempotencyConflictError, InputError, NotFoundError
from airhotline.ids import IdSource, RandomIds

__all__ = ["ALERT_ANSWER", "MessageEngine", "MessagePolicy", "Outgoing", "Parties"]

#: What a message says answered it when an alert's acknowledgement did.
ALERT_ANSWER = "acknowledged"
CONFLICT_ALERT = "conflict-alert"
#: A language tag of free text (BCP 47's shape: "en", "pt-BR").
_LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")
#: Later than any record's time.
_MAX_US = 2**62


@dataclass(frozen=True, slots=True)
class MessagePolicy:
    #: An open message unanswered this long escalates to both ends ...
    escalate_s: float = 60.0
    #: ... and this much longer, to the admin.
    escalate_admin_s: float = 120.0
    line_check_every_s: float = 900.0
    #: A line check unanswered this long marks the party's line degraded.
    line_check_timeout_s: float = 60.0
    #: Messages kept in memory for `GET /v1/messages` (all stay in the journal).
    retain_s: float = 86_400.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message as a party asks to send it (the API's body, not yet checked)."""

    type: str | None = None
    form: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    #: A party's name; None: every party the sender has an active agreement with (or,
    #: for an answer, the sender of the message answered).
    to: str | None = None
    #: Free text's language tag (default: the sender's language).
    lang: str | None = None
    in_reply_to: str | None = None
    #: A response word (``wilco``, ``roger``, ...), instead of a type.
    response: str | None = None


class Parties(Protocol):
    """What the engine needs of the parties and the picture (the node provides it)."""

    def party(self, party_id: int) -> PartyRow: ...

    def party_ids(self) -> Collection[int]: ...

    def sharing(self, owner: int, viewer: int) -> Sharing: ...

    def find_party(self, name: str) -> PartyRow | None: ...

    def may_see(self, viewer: int, key: TrackKey) -> bool:
        """Whether the track is live and ``viewer`` may see it now."""
        ...


class AlertDesk(Protocol):
    def acknowledge(self, alert_id: str, *, party_id: int, token_id: int) -> Alert: ...


class MessageEngine:
    """Thread-safe; a cycle step (`run`) of the node."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        parties: Parties,
        rules: SharingRules,
        *,
        policy: MessagePolicy | None = None,
        ids: IdSource | None = None,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._parties = parties
        self._rules = rules
        self.policy = policy or MessagePolicy()
        self._ids = ids or RandomIds()
        self._lock = threading.Lock()
        # Its own lock, never held across a journal write: the receipt's done callback
        # runs in the journal writer's thread, which a `send` holding ``_lock`` waits on.
        self._delivering_lock = threading.Lock()
        self._delivering: set[str] = set()
        self._started_us = clock.now_us()
        #: The alert engine, set by the node once built (it is built after this one).
        self.alerts: AlertDesk | None = None
        self.book = MessageBook()
        self._restore()

    def _restore(self) -> None:
        """The book from the journal: every line record (they are few: one per change
        of a line's state) and the messages of the retention window, in seq order."""
        now = self._clock.now_us()
        since = now - round(self.policy.retain_s * US_PER_S)
        lines = self._journal.records_in_time(0, _MAX_US, kinds=_LINE_KINDS)
        messages = self._journal.records_in_time(since, _MAX_US, kinds=_MESSAGE_KINDS)
        self.book.apply(sorted([*lines, *messages], key=lambda r: r.seq))

    # --- reads --------------------------------------------------------------------------

    def get(self, message_id: str, *, party_id: int | None) -> Message:
        """A message the caller sent or received (the admin: any); 404 otherwise."""
        message = self.book.get(message_id)
        if message is None or (party_id is not None and not message.involves(party_id)):
            raise NotFoundError("message", message_id)
        return message

    def messages(
        self,
        *,
        party_id: int | None,
        other: int | None = None,
        open_only: bool | None = None,
        since_us: int | None = None,
        type_id: str | None = None,
    ) -> list[Message]:
        """The caller's messages (the admin: all), in the order they were sent."""
        return [
            m
            for m in self.book.messages()
            if (party_id is None or m.involves(party_id))
            and (other is None or m.involves(other))
            and (open_only is None or m.open == open_only)
            and (since_us is None or m.sent_us >= since_us)
            and (type_id is None or m.type == type_id)
        ]

    def line(self, party_id: int) -> Line:
        return self.book.line(party_id)

    # --- a party speaks -----------------------------------------------------------------

    def send(self, sender: Principal, outgoing: Outgoing) -> list[Message]:
        """Journal a party's message (one per recipient) or response; `InputError`,
        `NotFoundError` or `ConflictError` naming the field, and nothing journaled, if
        any part of it is wrong."""
        sent, _ = self.send_once(sender, outgoing, idempotency_key=None, body_sha256="")
        return sent

    def send_once(
        self,
        sender: Principal,
        outgoing: Outgoing,
        *,
        idempotency_key: str | None,
        body_sha256: str,
    ) -> tuple[list[Message], bool]:
        """`send`, once per ``idempotency_key``: a retry with the key (and the same body,
        ``body_sha256``) gets the messages the first sent, as they are now, and True;
        with another body, `IdempotencyConflictError`. The key's answer is written in
        the very transaction that journals the messages."""
        party_id = sender.party_id
        if party_id is None:
            raise InputError("from", "only a party's operator sends messages")
        with self._lock:
            if idempotency_key is not None:
                known = self._journal.idempotent_answer(party_id, idempotency_key)
                if known is not None:
                    # A party's keys are one namespace: one its feed used for a batch
                    # of reports answers no message.
                    replay = known.for_retry(body_sha256, idempotency_key)
                    ids = json.loads(replay.response_json).get("message_ids")
                    if not isinstance(ids, list):
                        raise IdempotencyConflictError(idempotency_key)
                    return [m for m in (self.book.get(str(i)) for i in ids) if m], True
            now = self._clock.now_us()
            me = self._parties.party(party_id)
            # The word first: it needs no lookup.
            word = None if outgoing.response is None else _response_word(outgoing.response)
            original = self._answered(outgoing.in_reply_to, party_id)
            if word is not None:
                sent, events = self._response(me, word, outgoing, original, now)
            else:
                sent, events = self._message(me, outgoing, original, now)
            answer = None
            if idempotency_key is not None:
                answer = (party_id, idempotency_key, body_sha256, [m.id for m in sent])
            self._commit(events, now, answer=answer)
        if original is not None and original.type == CONFLICT_ALERT and original.alert_id:
            self._acknowledge_alert(original, sent[0], sender)
        return sent, False

    def _answered(self, message_id: str | None, party_id: int) -> Message | None:
        """The open message ``message_id`` names, addressed to the party."""
        if message_id is None:
            return None
        original = self.book.get(message_id)
        if original is None or original.recipient != party_id:
            raise NotFoundError("message", message_id, field="in_reply_to")
        if not original.wants_answer:
            raise ConflictError(
                "message",
                "in_reply_to",
                message=f"message {message_id} wants no answer ({original.attribute.value})",
            )
        if not original.open:
            raise ConflictError(
                "message", "in_reply_to", message=f"message {message_id} is already answered"
            )
        return original

    def _response(
        self,
        me: PartyRow,
        word: Response,
        outgoing: Outgoing,
        original: Message | None,
        now: int,
    ) -> tuple[list[Message], list[JournalEvent]]:
        if outgoing.type is not None or outgoing.form is not None or outgoing.params:
            raise InputError("response", "a response is a word alone: no type, form or params")
        if original is None:
            raise InputError("in_reply_to", "a response names the message it answers")
        attribute = original.attribute
        if not allowed(attribute, word):
            words = ", ".join(r.name for r in Response if allowed(attribute, r))
            raise InputError(
                "response",
                f"{word.name} cannot answer {original.type} ({attribute.value}): {words}",
            )
        self._check_to(outgoing.to, original)
        response = Message(
            id=self._ids.new_id(),
            type=RESPONSE_TYPE,
            form=word.value,
            params={},
            sender=me.id,
            recipient=original.sender,
            sender_name=me.name,
            recipient_name=original.sender_name,
            lang=me.lang,
            sent_us=now,
            in_reply_to=original.id,
            alert_id=original.alert_id,
        )
        events: list[JournalEvent] = [MessageReceived(response)]
        events += self._answering(
            original, response, word.value, standby=not closes(attribute, word)
        )
        return [response], events

    def _message(
        self, me: PartyRow, outgoing: Outgoing, original: Message | None, now: int
    ) -> tuple[list[Message], list[JournalEvent]]:
        form = form_of(outgoing.type, outgoing.form)
        message_type = CATALOGUE[str(outgoing.type)]
        if message_type.system:
            raise InputError("type", f"{message_type.id} is sent by the hotline only")
        params = checked_params(form, outgoing.params)
        lang = me.lang
        if outgoing.lang is not None:
            if not message_type.verbatim:
                raise InputError("lang", "only free text carries a language of its own")
            if not _LANG_TAG.match(outgoing.lang):
                raise InputError("lang", "a language tag such as 'en' or 'ru'")
            lang = outgoing.lang
        if original is not None:
            if original.attribute is not Attribute.ANY:
                words = ", ".join(r.value for r in Response if allowed(original.attribute, r))
                raise InputError(
                    "in_reply_to",
                    f"{original.type} ({original.attribute.value}) is answered with a"
                    f" response: {words}",
                )
            self._check_to(outgoing.to, original)
            recipients = [(original.sender_name, original.sender)]
        else:
            recipients = [
                (p.name, p.id) for p in self._recipients(me, outgoing.to, message_type.id)
            ]
        self._check_tracks(me, form, params, [r for _, r in recipients], message_type.about_reader)
        sent = [
            Message(
                id=self._ids.new_id(),
                type=message_type.id,
                form=form.name.split("/", 1)[1],
                params=params,
                sender=me.id,
                recipient=recipient,
                sender_name=me.name,
                recipient_name=name,
                lang=lang,
                sent_us=now,
                in_reply_to=original.id if original else None,
            )
            for name, recipient in recipients
        ]
        events: list[JournalEvent] = [MessageReceived(m) for m in sent]
        if original is not None:
            events += self._answering(original, sent[0], message_type.id, standby=False)
        return sent, events

    def _answering(
        self, original: Message, answer: Message, word: str, *, standby: bool
    ) -> list[JournalEvent]:
        """The events an answer to ``original`` journals with it."""
        events: list[JournalEvent] = [
            MessageAnswered.of(original, answer_id=answer.id, answer=word, standby=standby)
        ]
        if original.type == LINE_CHECK and not standby and original.recipient is not None:
            line = self.book.line(original.recipient)
            if line.state is LineState.DEGRADED:
                events.append(
                    LineRestored(str(original.recipient_name), original.recipient, original.id)
                )
        return events

    @staticmethod
    def _check_to(to: str | None, original: Message) -> None:
        if to is not None and to != original.sender_name:
            shown = original.sender_name or "the hotline"
            raise InputError("to", f"an answer goes to the sender of the message: {shown}")

    def _recipients(self, me: PartyRow, to: str | None, type_id: str) -> list[PartyRow]:
        if to is None:
            found = [
                self._parties.party(p)
                for p in sorted(self._parties.party_ids())
                if p != me.id and self._parties.sharing(me.id, p).conflicts
            ]
            if not found:
                raise ConflictError(
                    "message", "to", message="no party has an active agreement with you"
                )
            return found
        party = self._parties.find_party(to)
        if party is None:
            raise NotFoundError("party", to, field="to")
        if party.id == me.id:
            raise InputError("to", "a party does not message itself")
        # Distress is called to anyone; the rest of the line runs by agreement.
        if type_id != "emergency" and not self._parties.sharing(me.id, party.id).conflicts:
            raise ConflictError("message", "to", message=f"your agreement with {to} is suspended")
        return [party]

    def _check_tracks(
        self,
        me: PartyRow,
        form: Form,
        params: Mapping[str, object],
        recipients: Sequence[int | None],
        about_reader: bool,
    ) -> None:
        """A message about one of the reader's tracks names one the sender may see now
        (one of the sender's own aircraft is the sender's to name)."""
        if not about_reader:
            return
        for param in form.params:
            if param.kind is not ParamKind.TRACK:
                continue
            track = str(params[param.name])
            for recipient in recipients:
                if recipient is None or not self._parties.may_see(me.id, (recipient, track)):
                    name = self._parties.party(recipient).name if recipient else "the hotline"
                    raise InputError(
                        f"params.{param.name}", f"no track {track!r} of {name} that you may see"
                    )

    # --- receipts ---------------------------------------------------------------------

    def delivered(self, party_id: int, record: Record) -> None:
        """A party's stream took ``record``: if it is a message to that party not yet
        delivered, journal that it is (without waiting: streams never block on it)."""
        if record.kind != MessageReceived.kind or record.payload.get("to_id") != party_id:
            return
        message_id = str(record.payload["message_id"])
        message = self.book.get(message_id)
        if message is None:
            # Read from the journal a moment before its commit reached the book, or
            # older than the book's window (whose receipts are long settled).
            if record.time_us < self._clock.now_us() - round(self.policy.retain_s * US_PER_S):
                return
            received = decode(record)
            assert isinstance(received, MessageReceived)
            message = received.message
        elif message.delivered_us is not None:
            return
        with self._delivering_lock:
            if message_id in self._delivering:
                return  # another stream of the party took it a moment ago
            self._delivering.add(message_id)
        now = self._clock.now_us()
        event = MessageDelivered.of(message)
        future: Future[Record] = self._journal.submit(
            lambda tx: append(tx, event, time_us=now, rules=self._rules)
        )
        future.add_done_callback(lambda _: self._delivered(message_id))

    def _delivered(self, message_id: str) -> None:
        with self._delivering_lock:
            self._delivering.discard(message_id)

    def mark_read(self, reader: Principal, message_id: str) -> Message:
        """An operator of the recipient opened the message; again is harmless."""
        party_id = reader.party_id
        message = self.book.get(message_id)
        if message is None or party_id is None or message.recipient != party_id:
            raise NotFoundError("message", message_id)
        with self._lock:
            message = self.book.get(message_id) or message
            if message.read_us is None:
                now = self._clock.now_us()
                self._commit([MessageRead.of(message)], now)
        return self.book.get(message_id) or message

    # --- the hotline speaks of alerts -------------------------------------------------

    def speak(self, events: Sequence[JournalEvent]) -> list[JournalEvent]:
        """What the hotline says of these alert events, to journal with them: to each
        party told of an alert, a ``conflict-alert`` message when it is first told and
        when the alert grows more urgent; to each party still silent, when it
        escalates; to each party told, when it resolves. An acknowledgement answers the
        party's open messages about the alert."""
        now = self._clock.now_us()
        said: list[JournalEvent] = []
        tiers: dict[tuple[str, int], str | None] = {}  # what each party was last told

        def last_tier(alert_id: str, party: int) -> str | None:
            if (alert_id, party) not in tiers:
                raised = [
                    m for m in self.book.about_alert(alert_id, party) if m.form in _RAISED_FORMS
                ]
                tiers[(alert_id, party)] = str(raised[-1].params["tier"]) if raised else None
            return tiers[(alert_id, party)]

        for event in events:
            if not isinstance(event, AlertEvent):
                continue
            alert = event.alert
            if isinstance(event, AlertAcknowledged):
                party = alert.acknowledgements[-1][0]
                said += [
                    MessageAnswered.of(m, answer_id=None, answer=ALERT_ANSWER)
                    for m in self.book.about_alert(alert.id, party)
                    if m.open
                ]
                continue
            for party in sorted(event.audience(self._rules)):
                form = self._alert_form(event, alert, party, last_tier(alert.id, party))
                if form is None:
                    continue
                if form == "raised":
                    tiers[(alert.id, party)] = alert.tier.label
                said.append(MessageReceived(self._alert_message(alert, form, party, now)))
        return said

    @staticmethod
    def _alert_form(event: AlertEvent, alert: Alert, party: int, told: str | None) -> str | None:
        """Which ``conflict-alert`` form, if any, ``event`` says to ``party``."""
        if isinstance(event, AlertResolved):
            return "resolved"
        if isinstance(event, AlertEscalated):
            return None if alert.acknowledged_by(party) else "escalated"
        rising = told is None or Tier[told.upper()] < alert.tier
        if isinstance(event, AlertRaised | AlertUpdated) and alert.active and rising:
            return "raised"
        return None

    def _alert_message(self, alert: Alert, form: str, party: int, now: int) -> Message:
        if alert.notice_id is not None:
            return self._hotline_says(alert, *_incursion_words(alert, form, party, now), party, now)
        own, other = (
            (alert.track_a, alert.track_b)
            if alert.track_a[0] == party
            else (alert.track_b, alert.track_a)
        )
        params: dict[str, object] = {
            "alert": alert.id,
            "own": own[1],
            "other": other[1],
            "party": self._parties.party(other[0]).name,
        }
        if form == "raised":
            params |= {"tier": alert.tier.label, "seconds": max(0, round(alert.t_in_s))}
        elif form == "escalated":
            params["seconds"] = _unacknowledged_s(alert, now)
        else:
            horizontal = alert.min_h_m if alert.min_h_m is not None else alert.dcpa_m
            vertical = alert.min_v_m if alert.min_v_m is not None else alert.dz_cpa_m
            params |= {
                "distance": round(float(units.nm_from_m(horizontal)), 1),
                "vertical": round(float(units.ft_from_m(abs(vertical)))),
            }
        return self._hotline_says(alert, form, params, party, now)

    def _hotline_says(
        self, alert: Alert, form: str, params: dict[str, object], party: int, now: int
    ) -> Message:
        recipient = self._parties.party(party)
        return Message(
            id=self._ids.new_id(),
            type=CONFLICT_ALERT,
            form=form,
            params=params,
            sender=None,
            recipient=party,
            sender_name=None,
            recipient_name=recipient.name,
            lang="en",
            sent_us=now,
            alert_id=alert.id,
        )

    def _acknowledge_alert(self, original: Message, answer: Message, sender: Principal) -> None:
        """A ROGER to the hotline's word on an alert acknowledges the alert (once it is
        resolved, there is nothing left to acknowledge: the ROGER closes the message)."""
        if answer.response is not Response.ROGER or self.alerts is None:
            return
        assert original.alert_id is not None
        assert sender.party_id is not None
        with contextlib.suppress(ConflictError, NotFoundError):
            self.alerts.acknowledge(
                original.alert_id, party_id=sender.party_id, token_id=sender.token_id
            )

    # --- the cycle --------------------------------------------------------------------

    def run(self, view: PictureView) -> None:
        """Escalations, line checks and retention, at the cycle's time."""
        now = view.time_us
        with self._lock:
            events: list[JournalEvent] = [*self._escalations(now), *self._degraded(now)]
            events += self._line_checks(now, None) if self._checks_due(now) else []
            if events:
                self._commit(events, now)
        self.book.forget(now - round(self.policy.retain_s * US_PER_S))

    def check_lines(self, party: str | None = None) -> list[Message]:
        """Send a line check now, to one party or to every party (the admin's)."""
        with self._lock:
            now = self._clock.now_us()
            if party is not None:
                row = self._parties.find_party(party)
                if row is None:
                    raise NotFoundError("party", party)
                events = self._line_checks(now, [row.id])
            else:
                events = self._line_checks(now, None)
            self._commit(events, now)
        return [e.message for e in events if isinstance(e, MessageReceived)]

    def _checks_due(self, now: int) -> bool:
        last = self.book.last_line_check_us or self._started_us
        return now >= last + round(self.policy.line_check_every_s * US_PER_S)

    def from_hotline(
        self,
        type_id: str,
        form: str,
        params: Mapping[str, object],
        recipients: Collection[int],
        *,
        now: int,
        about: str | None = None,
    ) -> list[JournalEvent]:
        """The hotline's own message to each recipient, to journal in the caller's unit
        of work (a notice's, say); ``about`` is the alert it concerns, if any."""
        return [
            MessageReceived(
                Message(
                    id=self._ids.new_id(),
                    type=type_id,
                    form=form,
                    params=dict(params),
                    sender=None,
                    recipient=p,
                    sender_name=None,
                    recipient_name=self._parties.party(p).name,
                    lang="en",
                    sent_us=now,
                    alert_id=about,
                )
            )
            for p in sorted(recipients)
        ]

    def _line_checks(self, now: int, party_ids: Collection[int] | None) -> list[JournalEvent]:
        targets = sorted(self._parties.party_ids() if party_ids is None else party_ids)
        if not targets and party_ids is None:
            # Nobody to check yet: the clock still starts, so that the first party
            # created is checked within one interval, not at once.
            self._started_us = now
        return self.from_hotline(LINE_CHECK, "check", {"time": now}, targets, now=now)

    def _escalations(self, now: int) -> list[JournalEvent]:
        first = round(self.policy.escalate_s * US_PER_S)
        second = first + round(self.policy.escalate_admin_s * US_PER_S)
        events: list[JournalEvent] = []
        for message in self.book.open_messages():
            if message.type in _SELF_ESCALATING:
                continue
            waited = now - max(message.sent_us, message.standby_us or 0)
            level = 2 if waited >= second else 1 if waited >= first else 0
            if level > message.escalation:
                events.append(
                    MessageEscalated.of(
                        message,
                        level=level,
                        escalated_to="admin" if level == 2 else "parties",
                        waited_s=round(waited / US_PER_S, 3),
                    )
                )
        return events

    def _degraded(self, now: int) -> list[JournalEvent]:
        timeout = round(self.policy.line_check_timeout_s * US_PER_S)
        events: list[JournalEvent] = []
        for party_id, line in sorted(self.book.lines().items()):
            if (
                line.check_id is not None
                and line.check_us is not None
                and not line.answered
                and line.state is not LineState.DEGRADED
                and now >= line.check_us + timeout
            ):
                name = self._parties.party(party_id).name
                events.append(LineDegraded(name, party_id, line.check_id))
        return events

    def _commit(
        self,
        events: Sequence[JournalEvent],
        now: int,
        *,
        answer: tuple[int, str, str, list[str]] | None = None,
    ) -> list[Record]:
        """Journal ``events``; with ``answer`` (party, idempotency key, body hash, the
        messages' ids), the key's answer in the same transaction, a receipt naming the
        first record."""

        def unit(tx: UnitOfWork) -> list[Record]:
            records = [append(tx, event, time_us=now, rules=self._rules) for event in events]
            if answer is not None and records:
                party_id, key, body_sha256, ids = answer
                text = receipt_json(records[0], message_ids=ids)
                tx.idempotency_put(party_id, key, IdempotentAnswer(body_sha256, 201, text))
            return records

        return self._journal.write(unit)


#: Messages whose silence has its own consequence: the alert escalates itself, an
#: unanswered line check degrades the line.
def _response_word(text: str) -> Response:
    try:
        return Response(text)
    except ValueError:
        raise InputError("response", f"one of {', '.join(r.value for r in Response)}") from None


_SELF_ESCALATING = frozenset({CONFLICT_ALERT, LINE_CHECK})
_LINE_KINDS = kinds(family="line")
_MESSAGE_KINDS = kinds(family="message")


#: The forms that first tell a party of an alert (or of a higher tier).
_RAISED_FORMS = frozenset(
    {"raised", "incursion", "incursion-inside", "intrusion", "intrusion-inside"}
)


def _incursion_words(
    alert: Alert, form: str, party: int, now: int
) -> tuple[str, dict[str, object]]:
    """The ``conflict-alert`` form and parameters of an incursion's ``form`` (raised,
    escalated, resolved) to ``party``: the track's party hears of its own aircraft, the
    notice's party of the other party's aircraft in its notice."""
    aircraft = alert.track_a[1]
    params: dict[str, object] = {"alert": alert.id, "notice": alert.notice_id}
    if form == "raised":
        own = alert.track_a[0] == party
        named = {"own": aircraft} if own else {"other": aircraft}
        params |= {"tier": alert.tier.label, "kind": alert.notice_kind or "other", **named}
        if alert.los:
            return ("incursion-inside" if own else "intrusion-inside"), params
        params["seconds"] = max(0, round(alert.t_in_s))
        return ("incursion" if own else "intrusion"), params
    params["aircraft"] = aircraft
    if form == "escalated":
        params["seconds"] = _unacknowledged_s(alert, now)
        return "incursion-escalated", params
    horizontal, vertical = alert.min_h_m, alert.min_v_m
    if horizontal is None or vertical is None:
        # Never the prediction's zeros: an aircraft not measured did not "enter".
        return "incursion-unseen", params
    if horizontal == 0.0 and vertical == 0.0:
        return "incursion-entered", params
    params |= {
        "distance": round(float(units.nm_from_m(horizontal)), 1),
        "vertical": round(float(units.ft_from_m(vertical))),
    }
    return "incursion-resolved", params


def _unacknowledged_s(alert: Alert, now: int) -> int:
    """How long the alert has waited for an acknowledgement at caution or above: the
    escalation's own clock (a caution escalation that fires as the alert turns to a
    warning has waited its minute, not zero seconds)."""
    since = alert.caution_since_us or alert.warning_since_us or alert.raised_us
    return max(0, round((now - since) / US_PER_S))
