"""Alerts: list, one with its history, and acknowledgement by an involved party."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from airhotline.clock import iso_from_us
from airhotline.core.access import Principal, Role
from airhotline.core.alerts import Alert
from airhotline.service.problems import ProblemError
from airhotline.service.schemas import AlertEventOut, AlertOut, time_us_of
from airhotline.service.security import Node, allow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["alerts"])
Reader = Annotated[Principal, Depends(allow(Role.OPERATOR, Role.ADMIN))]
Operator = Annotated[Principal, Depends(allow(Role.OPERATOR))]
#: Alerts per page, by default and at most.
PAGE = 200
MAX_PAGE = 1_000
#: A page's cursor: the raise time and id of the last alert of the page before.
CURSOR = r"^[0-9]{1,19}\.[0-9a-zA-Z_-]{1,64}$"
AlertId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-zA-Z_-]+$")]


def alert_out(node: Node, alert: Alert) -> AlertOut:
    payload: dict[str, Any] = node.alerts.payload(alert)
    return AlertOut.model_validate(
        {
            **payload,
            "raised": iso_from_us(alert.raised_us),
            "updated": iso_from_us(alert.updated_us),
            "resolved": iso_from_us(alert.resolved_us) if alert.resolved_us else None,
        }
    )


@router.get(
    "/alerts",
    operation_id="list_alerts",
    response_model=list[AlertOut],
    responses={200: {"description": "A page; a Link header with rel=next names the next"}},
)
async def list_alerts(
    request: Request,
    response: Response,
    node: Node,
    caller: Reader,
    active: Annotated[bool | None, Query(description="Only active (true) or past (false)")] = None,
    since: Annotated[datetime | None, Query(description="Raised at or after (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Alerts per page")] = PAGE,
    cursor: Annotated[
        str | None,
        Query(max_length=90, pattern=CURSOR, description="From a Link rel=next: the next page"),
    ] = None,
) -> list[AlertOut]:
    """The caller's alerts (the admin's: all), oldest first, a page at a time: when more
    follow, the ``Link`` header (RFC 8288) holds the next page's address."""
    # On the event loop, not a worker thread: the alert book is an immutable value in
    # memory, read without a lock, so this never blocks — and a hop to a thread would
    # queue behind every CPU-bound thread (ingest, the cycle) for the GIL.
    alerts = node.alerts.alerts(party_id=caller.party_id, active=active)
    if since is not None:
        since_us = time_us_of(since)
        if since_us is None:
            raise ProblemError(422, "since: outside 1970-2100", field="since")
        alerts = [a for a in alerts if a.raised_us >= since_us]
    if cursor is not None:
        after_us, after_id = cursor.split(".", 1)
        after = (int(after_us), after_id)
        alerts = [a for a in alerts if (a.raised_us, a.id) > after]
    page = alerts[:limit]
    if len(alerts) > limit:
        last = page[-1]
        following = request.url.include_query_params(cursor=f"{last.raised_us}.{last.id}")
        response.headers["Link"] = f'<{following}>; rel="next"'
    return [alert_out(node, a) for a in page]


@router.get("/alerts/{alert_id}", operation_id="get_alert", response_model=AlertOut)
async def get_alert(node: Node, caller: Reader, alert_id: AlertId) -> AlertOut:
    """One alert with its journaled history (404 for an alert of other parties)."""
    alert = node.alerts.get(alert_id, party_id=caller.party_id)
    out = alert_out(node, alert)
    reader = caller.party_id
    out.history = [
        AlertEventOut(
            event=r.event_id(reader),
            time=iso_from_us(r.time_us),
            kind=r.kind,
            tier=r.payload["tier"],
        )
        for r in node.alerts.history(alert_id)
        if reader is None or reader in r.ordinals
    ]
    return out


@router.post(
    "/alerts/{alert_id}/ack",
    operation_id="acknowledge_alert",
    response_model=AlertOut,
    responses={404: {"description": "No such alert of yours"}, 409: {"description": "Resolved"}},
)
def acknowledge_alert(node: Node, caller: Operator, alert_id: AlertId) -> AlertOut:
    """Acknowledge for the caller's party; repeating it is harmless."""
    assert caller.party_id is not None
    alert = node.alerts.acknowledge(alert_id, party_id=caller.party_id, token_id=caller.token_id)
    return alert_out(node, alert)
