"""Operations: health and Prometheus metrics (no token: for the node's own monitoring)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from airhotline.clock import US_PER_S
from airhotline.service.security import Node

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", operation_id="health")
def health(node: Node) -> JSONResponse:
    """200 when storage answers and the picture cycle ran recently; 503 otherwise."""
    storage = node.store.healthy()
    last = node.last_cycle
    limit_us = round(5 * node.config.cycle_s * US_PER_S) + 2 * US_PER_S
    cycling = last is not None and node.clock.now_us() - last.time_us <= limit_us
    healthy = storage and cycling
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", "storage": storage, "cycle": cycling},
        status_code=200 if healthy else 503,
    )


@router.get("/metrics", operation_id="metrics", response_class=Response)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
