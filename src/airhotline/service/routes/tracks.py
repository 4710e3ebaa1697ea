"""``POST /v1/tracks``: a party's feed reports its own tracks, a whole batch or nothing."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import Future
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from pydantic import FailFast, TypeAdapter, ValidationError

from airhotline.core.access import Principal, Role
from airhotline.core.ingest import IngestAnswer
from airhotline.core.node import HotlineNode
from airhotline.core.reports import ReportBatch
from airhotline.service.problems import ProblemError, problem_response, validation_errors
from airhotline.service.schemas import IngestOut, StateReportIn, time_us_of
from airhotline.service.security import Node, allow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["tracks"])
#: Fail fast: a batch is accepted whole or not at all, so the first bad report decides;
#: validating the rest would let a small body of empty objects cost gigabytes of errors.
_batch = TypeAdapter(Annotated[list[StateReportIn], FailFast()])
_JSON = "application/json"
_NDJSON = ("application/x-ndjson", "application/ndjson")
#: A batch is one journal record; beyond this, split it.
MAX_REPORTS = 20_000

_REPORT_SCHEMA = "#/components/schemas/StateReportIn"
_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            _JSON: {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/StateReportIn"}}
            },
            "application/x-ndjson": {
                "schema": {"$ref": _REPORT_SCHEMA},
                "description": "one report per line",
            },
        },
    }
}

FeedCaller = Annotated[Principal, Depends(allow(Role.FEED))]


@router.post(
    "/tracks",
    operation_id="report_tracks",
    response_model=IngestOut,
    openapi_extra=_BODY_DOC,
    responses={
        409: {"description": "Idempotency-Key reused with another body"},
        413: {"description": "Body too large"},
        415: {"description": "Not JSON or NDJSON"},
        422: {"description": "A report is invalid; nothing was stored"},
        429: {"description": "Over the party's live tracks or reports a second"},
    },
)
async def report_tracks(
    request: Request,
    node: Node,
    caller: FeedCaller,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> Response:
    """Store a batch of state reports durably; 200 means committed to the journal."""
    body = await request.body()
    media = request.headers.get("content-type", _JSON).split(";")[0].strip().lower()
    # Parsing and validating thousands of reports is CPU work: off the event loop, so
    # that reads and streams keep answering while a big batch comes in.
    pending = await asyncio.to_thread(_submit, node, caller, body, media, idempotency_key)
    if isinstance(pending, Response):
        return pending
    answer = await asyncio.wrap_future(pending)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return Response(answer.body_json, status_code=answer.status, media_type=_JSON, headers=headers)


def _submit(
    node: HotlineNode,
    caller: Principal,
    body: bytes,
    media: str,
    idempotency_key: str | None,
) -> Future[IngestAnswer] | Response:
    """Parse and validate a batch, then queue it for the journal (in a worker thread)."""
    assert caller.party_id is not None
    assert caller.party_name is not None
    if media in _NDJSON:
        lines = [line.strip() for line in body.splitlines()]
        body_as_array = b"[" + b",".join(line for line in lines if line) + b"]"
    elif media == _JSON:
        body_as_array = body
    else:
        raise ProblemError(
            415, f"send {_JSON} (an array) or application/x-ndjson", field="content-type"
        )
    try:
        reports = _batch.validate_json(body_as_array)
    except ValidationError as error:
        # A location is [index].field: below a report's field only pydantic's names of
        # union members (``time.float``) would follow.
        errors = validation_errors([{**e, "loc": e["loc"][:2]} for e in error.errors()])
        first = errors[0]
        return problem_response(
            422, f"{first['field']}: {first['reason']}", field=first["field"], errors=errors
        )
    if not reports:
        raise ProblemError(422, "the batch holds no report", field="body")
    if len(reports) > MAX_REPORTS:
        raise ProblemError(422, f"at most {MAX_REPORTS} reports per batch", field="body")
    rows = []
    for index, report in enumerate(reports):
        time_us = time_us_of(report.time)
        if time_us is None:
            raise ProblemError(422, f"[{index}].time: outside 1970-2100", field=f"[{index}].time")
        if report.party is not None and report.party != caller.party_name:
            raise ProblemError(
                422,
                f"[{index}].party: a feed reports only its own party's tracks",
                field=f"[{index}].party",
            )
        row = report.model_dump(exclude={"time", "party"})
        row["time_us"] = time_us
        rows.append(row)
    return node.submit_reports(
        caller.party_id,
        ReportBatch.from_rows(rows),
        idempotency_key=idempotency_key,
        body_sha256=hashlib.sha256(body).hexdigest(),
    )
