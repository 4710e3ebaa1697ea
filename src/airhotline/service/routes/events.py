"""``GET /v1/events``: a party's Server-Sent Events stream, resumable with Last-Event-ID.

A party's event ids number its own events 1, 2, 3, ...: they grow with what the party
sees, never with the rest of the journal, which would tell it how busy the other parties
are; the admin's ids are the journal's sequence numbers. A reconnecting client sends the
last id it saw and first receives, from the journal, everything after it that it may see
— also after a server restart — then the live events; duplicates between the two are
dropped by id. A client that falls too far behind gets a ``stream.overflow`` event and
the stream ends: it reconnects with its Last-Event-ID and catches up from the journal, so
that one slow reader never holds memory or delays anyone else.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from airhotline.clock import iso_from_us
from airhotline.core.access import Principal, Role
from airhotline.core.events import payload_for
from airhotline.core.node import HotlineNode
from airhotline.service.languages import Lang, reader_lang
from airhotline.service.problems import ProblemError
from airhotline.service.security import Node, allow
from airhotline.service.streams import StreamSlots, Ticket
from airhotline.store import Record

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["events"])
Reader = Annotated[Principal, Depends(allow(Role.OPERATOR, Role.ADMIN))]
HEARTBEAT_S = 15.0
_BACKLOG_PAGE = 500
#: Sequence numbers are 64-bit signed integers in every database.
MAX_SEQ = 2**63 - 1


def event_of(record: Record, reader: int | None = None, lang: str = "en") -> ServerSentEvent:
    """The record as an event for ``reader`` (a party id; None: the admin, who also
    reads the journal's ``seq`` and ``hash``), in ``lang``."""
    event_id = record.event_id(reader)
    data: dict[str, object] = {
        "id": event_id,
        "time": iso_from_us(record.time_us),
        "kind": record.kind,
        "payload": payload_for(record, reader, lang),
    }
    if reader is None:
        data["seq"] = record.seq
    return ServerSentEvent(
        data=json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        event=record.kind,
        id=str(event_id),
    )


@router.get(
    "/events",
    operation_id="stream_events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE stream"}},
)
async def stream_events(
    request: Request,
    node: Node,
    caller: Reader,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    after: Annotated[
        int | None,
        Query(ge=0, le=MAX_SEQ, description="Resume after this event id (when no Last-Event-ID)"),
    ] = None,
    lang: Lang = None,
) -> EventSourceResponse:
    """Events this caller may see, after the given event id, then live; messages in
    the caller's language (or ``lang``). A message to the caller's party that its
    stream takes is journaled as delivered (``message.delivered``)."""
    shown = reader_lang(node, caller, lang)
    start = after or 0
    if last_event_id is not None and last_event_id.strip():
        text = last_event_id.strip()
        # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_SEQ:
            raise ProblemError(
                422, "Last-Event-ID must be an event id: digits", field="Last-Event-ID"
            )
        start = int(text)
    head = await anyio.to_thread.run_sync(node.last_event_id, caller)
    if start > head:
        # After a restore from an older backup, say: the stream would wait for ever.
        raise ProblemError(
            409,
            f"resuming after event {start}, beyond your newest ({head}): was the journal"
            " restored from an older copy? Start again without Last-Event-ID",
            field="Last-Event-ID" if last_event_id else "after",
        )
    slots: StreamSlots = request.app.state.streams
    ticket = slots.take(caller.party_id)
    if ticket is None:
        raise ProblemError(
            429,
            f"at most {slots.limits.per_party} open streams per party",
            field="streams",
            headers={"Retry-After": "5"},
        )
    stream = _events(request, node, caller, start, shown, slots.replay, ticket)
    # A stream that never starts (the client left at once) gives its slot back when it
    # is collected; one that runs gives it back in its ``finally``.
    weakref.finalize(stream, ticket.release)
    return EventSourceResponse(stream, ping=HEARTBEAT_S, send_timeout=30.0)


async def _events(
    request: Request,
    node: HotlineNode,
    caller: Principal,
    last: int,
    lang: str,
    replay: anyio.CapacityLimiter,
    ticket: Ticket,
) -> AsyncIterator[ServerSentEvent]:
    # Subscribe before reading the journal: anything committed from now on is queued,
    # anything committed before is in the journal; overlap is dropped by id.
    subscription = node.bus.subscribe(caller.party_id, max_pending=node.config.stream_max_pending)
    try:
        while True:
            # Not abandoned on cancel: a client hanging up waits for the read to finish, so
            # that a shutdown never closes the store under a query still running.
            page = await anyio.to_thread.run_sync(
                functools.partial(node.events_after, caller, last, limit=_BACKLOG_PAGE),
                limiter=replay,
            )
            for record in page:
                yield event_of(record, caller.party_id, lang)
                last = record.event_id(caller.party_id)
                _took(node, caller, record)
            if len(page) < _BACKLOG_PAGE:
                break
        while not await request.is_disconnected():
            live = await subscription.next()
            if live is None:
                yield ServerSentEvent(
                    data=json.dumps({"resume_after": last}),
                    event="stream.overflow",
                )
                return
            if not node.token_active(caller.token_id):
                return  # revoked while connected: the stream ends with the token
            # The subscription holds only this caller's audience, so the id is there.
            live_id = live.event_id(caller.party_id)
            if live_id <= last:
                continue
            yield event_of(live, caller.party_id, lang)
            last = live_id
            _took(node, caller, live)
    finally:
        subscription.close()
        ticket.release()


def _took(node: HotlineNode, caller: Principal, record: Record) -> None:
    """The caller's stream took ``record``: a message to its party is delivered."""
    if caller.party_id is not None:
        node.messages.delivered(caller.party_id, record)
