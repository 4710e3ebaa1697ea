"""The message book: the messages of the retention window and each party's line, folded
from the journal's message and line records.

Every writer — a party's message, the alert engine's word on an alert, a stream's
delivery receipt, the line checks — only journals; the book changes from what was
committed, in seq order (the node's follower calls `apply` from the journal writer's
commit listener, before the writers hear "committed"), so that it can never hold what
the journal does not, and a restart rebuilds it by folding the same records again.

Unlike the alert book this one is mutable under a lock: a day of messages at 50 a
second is millions, too many to copy on every commit. Reads take the lock briefly and
get immutable `Message` values.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from airhotline.core.events import decode, kinds
from airhotline.core.messages.events import (
    LineDegraded,
    LineRestored,
    MessageAnswered,
    MessageDelivered,
    MessageEscalated,
    MessageRead,
    MessageReceived,
)
from airhotline.core.messages.model import Message
from airhotline.core.records import Record

__all__ = ["FOLDED_KINDS", "LINE_CHECK", "Line", "LineState", "MessageBook"]

LINE_CHECK = "line-check"
#: The journal kinds the book folds.
FOLDED_KINDS = kinds(family="message") | kinds(family="line")


class LineState(StrEnum):
    UNCHECKED = "unchecked"  # no line check answered yet
    CHECKED = "checked"  # the last line check due was answered
    DEGRADED = "degraded"  # a line check went unanswered past its time


@dataclass(frozen=True, slots=True)
class Line:
    state: LineState = LineState.UNCHECKED
    since_us: int | None = None
    #: The newest line check sent to the party, and when.
    check_id: str | None = None
    check_us: int | None = None
    #: Whether that check has been answered.
    answered: bool = False


class MessageBook:
    """Thread-safe: `apply` from the commit listener, reads from anywhere."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, Message] = {}  # in the order they were sent
        self._open: dict[str, None] = {}  # an ordered set
        self._by_alert: dict[tuple[str, int | None], list[str]] = {}
        self._lines: dict[int, Line] = {}
        self.last_line_check_us: int | None = None

    def apply(self, records: Iterable[Record]) -> None:
        with self._lock:
            for record in records:
                if record.kind in FOLDED_KINDS:
                    self._fold(record)

    def _fold(self, record: Record) -> None:
        event = decode(record)
        now = record.time_us
        if isinstance(event, MessageReceived):
            message = event.message
            self._messages[message.id] = message
            if message.open:
                self._open[message.id] = None
            if message.alert_id is not None:
                self._by_alert.setdefault((message.alert_id, message.recipient), []).append(
                    message.id
                )
            if message.type == LINE_CHECK and message.recipient is not None:
                line = self._lines.get(message.recipient, Line())
                self._lines[message.recipient] = replace(
                    line, check_id=message.id, check_us=now, answered=False
                )
                self.last_line_check_us = max(self.last_line_check_us or now, now)
            return
        if isinstance(event, LineDegraded | LineRestored):
            line = self._lines.get(event.owner_id, Line())
            state = LineState.DEGRADED if isinstance(event, LineDegraded) else LineState.CHECKED
            self._lines[event.owner_id] = replace(line, state=state, since_us=now)
            return
        message_id = getattr(event, "message_id", None)
        known = self._messages.get(message_id) if isinstance(message_id, str) else None
        if known is None:
            return  # older than the retention window
        if isinstance(event, MessageDelivered) and known.delivered_us is None:
            self._messages[known.id] = replace(known, delivered_us=now)
        elif isinstance(event, MessageRead) and known.read_us is None:
            self._messages[known.id] = replace(known, read_us=now)
        elif isinstance(event, MessageEscalated):
            self._messages[known.id] = replace(known, escalation=max(known.escalation, event.level))
        elif isinstance(event, MessageAnswered):
            if event.standby:
                self._messages[known.id] = replace(known, standby_us=now)
            elif known.answered_us is None:
                self._messages[known.id] = replace(
                    known, answered_us=now, answer_id=event.answer_id, answer=event.answer
                )
                self._open.pop(known.id, None)
                self._answered_check(known, now)

    def _answered_check(self, message: Message, now: int) -> None:
        if message.type != LINE_CHECK or message.recipient is None:
            return
        line = self._lines.get(message.recipient, Line())
        if line.check_id == message.id:
            line = replace(line, answered=True)
        if line.state is LineState.UNCHECKED:
            line = replace(line, state=LineState.CHECKED, since_us=now)
        self._lines[message.recipient] = line

    # --- reads ------------------------------------------------------------------------

    def get(self, message_id: str) -> Message | None:
        with self._lock:
            return self._messages.get(message_id)

    def messages(self) -> list[Message]:
        """Every message in the window, in the order they were sent."""
        with self._lock:
            return list(self._messages.values())

    def open_messages(self) -> list[Message]:
        with self._lock:
            return [self._messages[i] for i in self._open]

    def about_alert(self, alert_id: str, party_id: int) -> list[Message]:
        """The messages the hotline sent ``party_id`` about an alert, oldest first."""
        with self._lock:
            found = (self._messages.get(i) for i in self._by_alert.get((alert_id, party_id), ()))
            return [m for m in found if m is not None]

    def line(self, party_id: int) -> Line:
        with self._lock:
            return self._lines.get(party_id, Line())

    def lines(self) -> dict[int, Line]:
        with self._lock:
            return dict(self._lines)

    # --- retention --------------------------------------------------------------------

    def forget(self, before_us: int) -> int:
        """Drop messages sent before ``before_us`` (they live on in the journal)."""
        dropped = 0
        with self._lock:
            while self._messages:
                message_id, message = next(iter(self._messages.items()))
                if message.sent_us >= before_us:
                    break
                del self._messages[message_id]
                self._open.pop(message_id, None)
                if message.alert_id is not None:
                    key = (message.alert_id, message.recipient)
                    # Only this one: the later messages about the alert stay indexed.
                    rest = [i for i in self._by_alert.get(key, ()) if i != message_id]
                    if rest:
                        self._by_alert[key] = rest
                    else:
                        self._by_alert.pop(key, None)
                dropped += 1
        return dropped
