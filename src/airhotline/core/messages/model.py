"""A hotline message and where it stands: an immutable value, replaced on every change.

A message goes from one party (or the hotline itself) to one party (or, for an answer
to a hotline message, back to the hotline): a message to several parties is one
message per recipient, so that each has its own receipts and its own answer. A
*response* (WILCO, ROGER, ...) is a message too, of the reserved type ``response``,
naming the message it answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airhotline.core.messages.catalogue import CATALOGUE, Attribute, Response

__all__ = ["RESPONSE_TYPE", "Message", "wants_answer"]

#: The type of a message that is a response word (its ``form`` is the word).
RESPONSE_TYPE = "response"


def wants_answer(type_id: str, form_name: str) -> bool:
    """Whether such a message stays open until answered: its type's attribute asks for
    an answer and its form is not a settled statement (an alert's resolution)."""
    message_type = CATALOGUE.get(type_id)
    if message_type is None:  # a response
        return False
    if message_type.attribute is Attribute.NONE:
        return False
    return not message_type.forms[form_name].final


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    type: str
    form: str
    params: Mapping[str, Any]
    #: Party ids; None is the hotline itself.
    sender: int | None
    recipient: int | None
    sender_name: str | None
    recipient_name: str | None
    #: The language the sender wrote in (free text: the language it is tagged with).
    lang: str
    sent_us: int
    in_reply_to: str | None = None
    alert_id: str | None = None
    delivered_us: int | None = None
    read_us: int | None = None
    answered_us: int | None = None
    #: The message that answered this one (None if the answer was an alert's
    #: acknowledgement, or no answer yet).
    answer_id: str | None = None
    #: What answered it: a response word, or the type of the message that answered.
    answer: str | None = None
    standby_us: int | None = None
    escalation: int = 0

    @property
    def response(self) -> Response | None:
        return Response(self.form) if self.type == RESPONSE_TYPE else None

    @property
    def attribute(self) -> Attribute:
        message_type = CATALOGUE.get(self.type)
        return Attribute.NONE if message_type is None else message_type.attribute

    @property
    def wants_answer(self) -> bool:
        return wants_answer(self.type, self.form)

    @property
    def open(self) -> bool:
        return self.wants_answer and self.answered_us is None

    def involves(self, party_id: int) -> bool:
        return party_id in (self.sender, self.recipient)
