"""Hotline messages: send one (or a response), list them, read one, say it was read;
the admin's line checks on demand.

Each message is served in the reader's language — the party's own, or the ``lang`` the
console asks for — with the original in the sender's language beside it and the
parameters as data.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from airhotline.clock import iso_from_us
from airhotline.core.access import Principal, Role
from airhotline.core.messages.engine import Outgoing
from airhotline.core.messages.events import message_text
from airhotline.core.messages.model import Message
from airhotline.service.languages import Lang, reader_lang
from airhotline.service.problems import ProblemError
from airhotline.service.schemas import (
    LineCheckIn,
    MessageFormOut,
    MessageIn,
    MessageOut,
    MessageParamOut,
    MessageTypeOut,
    OriginalOut,
    time_us_of,
)
from airhotline.service.security import Node, allow

__all__ = ["message_out", "router"]

router = APIRouter(prefix="/v1", tags=["messages"])
Reader = Annotated[Principal, Depends(allow(Role.OPERATOR, Role.ADMIN))]
Operator = Annotated[Principal, Depends(allow(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(allow(Role.ADMIN))]
PAGE = 200
MAX_PAGE = 1_000
#: A page's cursor: the send time and id of the last message of the page before.
CURSOR = r"^[0-9]{1,19}\.[0-9a-zA-Z_-]{1,64}$"
MessageId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-zA-Z_-]+$")]


def _iso(time_us: int | None) -> str | None:
    return None if time_us is None else iso_from_us(time_us)


def message_out(message: Message, lang: str) -> MessageOut:
    m = message
    return MessageOut.model_validate(
        {
            "message_id": m.id,
            "type": m.type,
            "form": m.form,
            "params": dict(m.params),
            "from": m.sender_name,
            "to": m.recipient_name,
            "lang": m.lang,
            "text": message_text(m.type, m.form, m.params, lang),
            "text_lang": lang,
            "original": OriginalOut(
                lang=m.lang, text=message_text(m.type, m.form, m.params, m.lang)
            ),
            "attribute": m.attribute.value,
            "wants_answer": m.wants_answer,
            "open": m.open,
            "in_reply_to": m.in_reply_to,
            "alert_id": m.alert_id,
            "sent": iso_from_us(m.sent_us),
            "delivered": _iso(m.delivered_us),
            "read": _iso(m.read_us),
            "answered": _iso(m.answered_us),
            "answer": m.answer,
            "answer_id": m.answer_id,
            "standby": _iso(m.standby_us),
            "escalation": m.escalation,
        }
    )


@router.post(
    "/messages",
    operation_id="send_message",
    response_model=list[MessageOut],
    response_model_by_alias=True,
    status_code=201,
    responses={
        404: {"description": "No such party (to) or message of yours (in_reply_to)"},
        409: {
            "description": "No active agreement, the message answered is closed, or the"
            " Idempotency-Key was used with another body"
        },
        422: {"description": "A field of the message is wrong: the problem names it"},
    },
)
def send_message(
    response: Response,
    node: Node,
    caller: Operator,
    body: MessageIn,
    lang: Lang = None,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> list[MessageOut]:
    """Send a message to one party or to every party with an active agreement (one
    message each), or answer one: a response word (``wilco``, ``roger``, ``standby``,
    ...) or, for a message that any answer closes, a message of its own. With an
    ``Idempotency-Key``, a retry of the same body sends nothing again: it gets the
    messages sent the first time (as they are now) and ``Idempotent-Replayed: true``."""
    shown = reader_lang(node, caller, lang)
    # The same message is the same parsed body, however its JSON was spaced.
    canonical = json.dumps(body.model_dump(mode="json", by_alias=True), sort_keys=True)
    sent, replayed = node.messages.send_once(
        caller,
        Outgoing(
            type=body.type,
            form=body.form,
            params=body.params,
            to=body.to,
            lang=body.lang,
            in_reply_to=body.in_reply_to,
            response=body.response,
        ),
        idempotency_key=idempotency_key,
        body_sha256=hashlib.sha256(canonical.encode()).hexdigest(),
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return [message_out(node.messages.get(m.id, party_id=None), shown) for m in sent]


@router.get(
    "/messages",
    operation_id="list_messages",
    response_model=list[MessageOut],
    response_model_by_alias=True,
    responses={200: {"description": "A page; a Link header with rel=next names the next"}},
)
async def list_messages(
    request: Request,
    response: Response,
    node: Node,
    caller: Reader,
    party: Annotated[
        str | None, Query(max_length=64, description="Only those to or from this party")
    ] = None,
    open: Annotated[bool | None, Query(description="Only open (true) or closed (false)")] = None,
    since: Annotated[datetime | None, Query(description="Sent at or after (ISO 8601)")] = None,
    type: Annotated[str | None, Query(max_length=64, description="Only of this type")] = None,
    lang: Lang = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Messages per page")] = PAGE,
    cursor: Annotated[
        str | None,
        Query(max_length=90, pattern=CURSOR, description="From a Link rel=next: the next page"),
    ] = None,
) -> list[MessageOut]:
    """The caller's messages, sent and received (the admin's: all), oldest first, of the
    retention window (a day by default; the journal keeps them all)."""
    shown = reader_lang(node, caller, lang)
    other = None
    if party is not None:
        row = node.find_party(party)
        if row is None:
            raise ProblemError(404, f"party {party!r} does not exist", field="party")
        other = row.id
    since_us = None
    if since is not None:
        since_us = time_us_of(since)
        if since_us is None:
            raise ProblemError(422, "since: outside 1970-2100", field="since")
    found = node.messages.messages(
        party_id=caller.party_id, other=other, open_only=open, since_us=since_us, type_id=type
    )
    if cursor is not None:
        after_us, after_id = cursor.split(".", 1)
        after = (int(after_us), after_id)
        start = next((i + 1 for i, m in enumerate(found) if (m.sent_us, m.id) == after), None)
        found = found[start:] if start is not None else [m for m in found if m.sent_us > after[0]]
    page = found[:limit]
    if len(found) > limit:
        last = page[-1]
        following = request.url.include_query_params(cursor=f"{last.sent_us}.{last.id}")
        response.headers["Link"] = f'<{following}>; rel="next"'
    return [message_out(m, shown) for m in page]


@router.get(
    "/messages/{message_id}",
    operation_id="get_message",
    response_model=MessageOut,
    response_model_by_alias=True,
)
async def get_message(
    node: Node, caller: Reader, message_id: MessageId, lang: Lang = None
) -> MessageOut:
    """One message the caller sent or received (404 for another's)."""
    message = node.messages.get(message_id, party_id=caller.party_id)
    return message_out(message, reader_lang(node, caller, lang))


@router.post(
    "/messages/{message_id}/read",
    operation_id="read_message",
    response_model=MessageOut,
    response_model_by_alias=True,
)
def read_message(
    node: Node, caller: Operator, message_id: MessageId, lang: Lang = None
) -> MessageOut:
    """An operator opened a message to its party: the sender hears ``message.read``
    (once; repeating it is harmless)."""
    message = node.messages.mark_read(caller, message_id)
    return message_out(message, reader_lang(node, caller, lang))


@router.post(
    "/line-checks",
    operation_id="check_lines",
    response_model=list[MessageOut],
    response_model_by_alias=True,
    status_code=201,
)
def check_lines(node: Node, caller: Admin, body: LineCheckIn | None = None) -> list[MessageOut]:
    """Send a line check now, to one party or to every party."""
    sent = node.messages.check_lines(body.party if body else None)
    return [message_out(m, "en") for m in sent]


@router.get(
    "/message-types",
    operation_id="list_message_types",
    response_model=list[MessageTypeOut],
)
def list_message_types(node: Node, caller: Reader, lang: Lang = None) -> list[MessageTypeOut]:
    """The types a party may send, each form's parameters (name, kind, choices) and
    wording in the reader's language, with the response words: what the console's
    composer builds its form fields from. ``POST /v1/messages`` checks the values."""
    from airhotline.core.messages.catalogue import CATALOGUE, Response
    from airhotline.core.messages.render import render_response, template_for
    from airhotline.i18n import translations

    shown = reader_lang(node, caller, lang)
    words = translations(shown)
    found = []
    for message_type in CATALOGUE.values():
        if message_type.system:
            continue
        forms = [
            MessageFormOut(
                form=form.name.split("/", 1)[1],
                # A plural template shown in its "many" form: "{seconds} seconds".
                template=None
                if message_type.verbatim
                else template_for(form, shown, {form.plural: 5} if form.plural else {}),
                params=[
                    MessageParamOut(
                        name=p.name,
                        kind=p.kind.value,
                        choices={c: words.pgettext(f"choice/{p.name}", c) for c in p.choices},
                    )
                    for p in form.params
                ],
            )
            for form in message_type.forms.values()
        ]
        found.append(
            MessageTypeOut(
                type=message_type.id,
                attribute=message_type.attribute.value,
                summary=message_type.summary,
                about_reader=message_type.about_reader,
                responses={r.value: render_response(r, shown) for r in Response},
                forms=forms,
            )
        )
    return found
