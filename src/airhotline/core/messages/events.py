"""The message family of journal events: a message, its receipts, its escalation, and
the state of each party's line.

The journal holds a message as data — type, form, parameters and the sender's language
— never as rendered text: each reader gets it rendered in its own language when it
reads it (`JournalEvent.rendered`), with the original beside it, so that a journal
written today reads in any language tomorrow. Audience: the sender and the recipient
(the hotline is neither: the admin reads everything).

A line's state reaches the party itself and every party whose agreement with it is
active: they are the ones who would call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline.core.events import JournalEvent, SharingRules, register, without
from airhotline.core.messages.catalogue import Response
from airhotline.core.messages.model import RESPONSE_TYPE, Message
from airhotline.core.messages.render import render, render_response
from airhotline.core.records import Record
from airhotline.i18n import LANGUAGES

__all__ = [
    "LineDegraded",
    "LineEvent",
    "LineRestored",
    "MessageAnswered",
    "MessageDelivered",
    "MessageEscalated",
    "MessageRead",
    "MessageReceipt",
    "MessageReceived",
    "message_text",
    "text_of",
]

_IDS = ("from_id", "to_id")


def text_of(payload: Mapping[str, Any], lang: str) -> str:
    """A message payload's text as ``lang``'s reader reads it."""
    return message_text(payload["type"], payload["form"], payload["params"], lang)


def message_text(type_id: str, form: str, params: Mapping[str, Any], lang: str) -> str:
    """A message's text as ``lang``'s reader reads it (a response: its word)."""
    if type_id == RESPONSE_TYPE:
        return render_response(Response(form), lang)
    if lang not in LANGUAGES:  # free text tagged with a language the hotline lacks
        lang = "en"
    return render(type_id, form, params, lang)


def _between(sender: int | None, recipient: int | None) -> frozenset[int]:
    return frozenset(p for p in (sender, recipient) if p is not None)


@register
@dataclass(frozen=True, slots=True)
class MessageReceived(JournalEvent):
    """The hotline took a message for its recipient."""

    kind: ClassVar[str] = "message.received"
    family: ClassVar[str] = "message"
    streamed: ClassVar[bool] = True

    message: Message

    def payload(self) -> dict[str, Any]:
        m = self.message
        return {
            "message_id": m.id,
            "type": m.type,
            "form": m.form,
            "params": dict(m.params),
            "lang": m.lang,
            "from": m.sender_name,
            "from_id": m.sender,
            "to": m.recipient_name,
            "to_id": m.recipient,
            "in_reply_to": m.in_reply_to,
            "alert_id": m.alert_id,
            "attribute": m.attribute.value,
            "wants_answer": m.wants_answer,
        }

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return _between(self.message.sender, self.message.recipient)

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(
            Message(
                id=str(p["message_id"]),
                type=str(p["type"]),
                form=str(p["form"]),
                params=dict(p["params"]),
                sender=p["from_id"],
                recipient=p["to_id"],
                sender_name=p["from"],
                recipient_name=p["to"],
                lang=str(p["lang"]),
                sent_us=record.time_us,
                in_reply_to=p["in_reply_to"],
                alert_id=p["alert_id"],
            )
        )

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """Without the hotline's internal party ids."""
        return without(payload, *_IDS)

    @classmethod
    def rendered(cls, payload: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
        """With the text in the reader's language and the original in the sender's."""
        return {
            **payload,
            "text": text_of(payload, lang),
            "text_lang": lang,
            "original": {"lang": payload["lang"], "text": text_of(payload, payload["lang"])},
        }


@dataclass(frozen=True, slots=True)
class MessageReceipt(JournalEvent):
    """Something that happened to one message, told to its sender and its recipient."""

    family: ClassVar[str] = "message"
    streamed: ClassVar[bool] = True

    message_id: str
    sender: int | None
    recipient: int | None
    sender_name: str | None
    recipient_name: str | None

    @classmethod
    def of(cls, message: Message, **extra: Any) -> Self:
        return cls(
            message.id,
            message.sender,
            message.recipient,
            message.sender_name,
            message.recipient_name,
            **extra,
        )

    def payload(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "from": self.sender_name,
            "from_id": self.sender,
            "to": self.recipient_name,
            "to_id": self.recipient,
            **self.extra(),
        }

    def extra(self) -> dict[str, Any]:
        return {}

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return _between(self.sender, self.recipient)

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        extra = {k: v for k, v in p.items() if k not in ("message_id", "from", "to", *_IDS)}
        return cls(str(p["message_id"]), p["from_id"], p["to_id"], p["from"], p["to"], **extra)

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return without(payload, *_IDS)


@register
@dataclass(frozen=True, slots=True)
class MessageDelivered(MessageReceipt):
    """The recipient's event stream took the message."""

    kind: ClassVar[str] = "message.delivered"


@register
@dataclass(frozen=True, slots=True)
class MessageRead(MessageReceipt):
    """An operator of the recipient opened the message."""

    kind: ClassVar[str] = "message.read"


@register
@dataclass(frozen=True, slots=True)
class MessageAnswered(MessageReceipt):
    """An answer closed the message, or STANDBY said one is coming (``standby``)."""

    kind: ClassVar[str] = "message.answered"

    #: The answering message's id; None when an alert's acknowledgement answered.
    answer_id: str | None = None
    #: The response word, or the type of the message that answered.
    answer: str = ""
    standby: bool = False

    def extra(self) -> dict[str, Any]:
        return {"answer_id": self.answer_id, "answer": self.answer, "standby": self.standby}


@register
@dataclass(frozen=True, slots=True)
class MessageEscalated(MessageReceipt):
    """An open message unanswered too long: ``escalated_to`` is ``parties`` (level 1,
    both ends) or ``admin`` (level 2)."""

    kind: ClassVar[str] = "message.escalated"

    level: int = 1
    escalated_to: str = "parties"
    waited_s: float = 0.0

    def extra(self) -> dict[str, Any]:
        return {"level": self.level, "escalated_to": self.escalated_to, "waited_s": self.waited_s}


@dataclass(frozen=True, slots=True)
class LineEvent(JournalEvent):
    family: ClassVar[str] = "line"
    streamed: ClassVar[bool] = True

    party: str
    owner_id: int
    #: The line check that went unanswered, or whose answer restored the line.
    check_id: str

    def payload(self) -> dict[str, Any]:
        return {"party": self.party, "party_id": self.owner_id, "check_id": self.check_id}

    def audience(self, rules: SharingRules) -> frozenset[int]:
        owner = self.owner_id
        return frozenset(
            p for p in rules.party_ids() if p == owner or rules.sharing(owner, p).conflicts
        )

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(str(p["party"]), int(p["party_id"]), str(p["check_id"]))

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return without(payload, "party_id")


@register
@dataclass(frozen=True, slots=True)
class LineDegraded(LineEvent):
    """A party left a line check unanswered past its time."""

    kind: ClassVar[str] = "line.degraded"


@register
@dataclass(frozen=True, slots=True)
class LineRestored(LineEvent):
    """A degraded party answered a line check again."""

    kind: ClassVar[str] = "line.restored"
