"""Errors as RFC 9457 problem+json, in one place, keyed by the core's error classes.

The core raises `airhotline.errors`; this module alone decides what HTTP status each
means. Unknown exceptions become a 500 problem that reveals nothing but a log reference.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from airhotline.errors import (
    AirhotlineError,
    ConflictError,
    InputError,
    NotFoundError,
    QuotaError,
    StoreError,
)

__all__ = [
    "PROBLEM_JSON",
    "ProblemError",
    "install_problem_handlers",
    "problem_document",
    "problem_response",
]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("airhotline.service")

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


class ProblemError(Exception):
    """An HTTP-level refusal raised by the service layer itself (auth, media type)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = headers or {}


def problem_document(
    status: int,
    detail: str,
    *,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The problem+json body; also written by the server itself, below the app."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if field is not None:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    detail: str,
    *,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_document(status, detail, field=field, errors=errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_from_loc(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def validation_errors(raw: list[Any]) -> list[dict[str, Any]]:
    return [
        {"field": _field_from_loc(tuple(e.get("loc", ()))), "reason": str(e.get("msg", "invalid"))}
        for e in raw
    ]


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.status, exc.detail, field=exc.field, headers=exc.headers)

    async def on_input(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InputError)
        return problem_response(
            422, str(exc), field=exc.field, errors=[{"field": exc.field, "reason": exc.reason}]
        )

    async def on_conflict(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ConflictError)
        return problem_response(409, str(exc), field=exc.field)

    async def on_not_found(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, NotFoundError)
        return problem_response(404, str(exc), field=exc.field)

    async def on_quota(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, QuotaError)
        retry = {"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}
        return problem_response(429, str(exc), field=exc.quota, headers=retry)

    async def on_store(_: Request, exc: Exception) -> JSONResponse:
        log.error("storage unavailable: %s", exc)
        return problem_response(503, "storage unavailable; nothing was stored, retry later")

    async def on_core(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(422, str(exc))

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = validation_errors(list(exc.errors()))
        first = errors[0] if errors else {"field": "body", "reason": "invalid"}
        return problem_response(
            422, f"{first['field']}: {first['reason']}", field=first["field"], errors=errors
        )

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return problem_response(exc.status_code, str(exc.detail), headers=headers)

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        reference = uuid.uuid4().hex[:12]
        log.exception("unhandled error, reference %s", reference, exc_info=exc)
        return problem_response(500, f"internal error, reference {reference}")

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(InputError, on_input)
    app.add_exception_handler(ConflictError, on_conflict)
    app.add_exception_handler(NotFoundError, on_not_found)
    app.add_exception_handler(QuotaError, on_quota)
    app.add_exception_handler(StoreError, on_store)
    app.add_exception_handler(AirhotlineError, on_core)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
