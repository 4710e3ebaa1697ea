"""Run the app under uvicorn with the server's limits (stub: today's plain uvicorn)."""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from airhotline.service.limits import ServerLimits

__all__ = ["ServerLimits", "build_server", "run_server"]

STARTUP_FAILURE = 3


def build_server(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_config: dict[str, Any] | None,
    limits: ServerLimits = ServerLimits(),
) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=log_config,
        timeout_graceful_shutdown=limits.graceful_shutdown_s,
    )
    return uvicorn.Server(config)


def run_server(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_config: dict[str, Any] | None,
    limits: ServerLimits = ServerLimits(),
) -> None:
    server = build_server(app, host=host, port=port, log_config=log_config, limits=limits)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
