"""Run the app under uvicorn, with the limits that keep slow or greedy clients from
holding the server: `run_server` is what ``airhotline serve`` calls.

uvicorn is given our own HTTP protocol (`connection.GuardedH11Protocol`: read deadlines
and connection caps), no WebSocket support (the API has none, and an upgraded connection
would leave our accounting), its keep-alive, header-size and shutdown settings from
`ServerLimits`, and an event-loop error handler that logs failing accept() calls once per
interval. The process's open-file limit is raised to fit the connection limit, or the
connection limit lowered to fit it: running out of descriptors is what made accept()
fail in a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import resource
import socket
import sys
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from airhotline.service.accept_errors import AcceptErrorLog
from airhotline.service.connection import guarded_protocol
from airhotline.service.limits import ConnectionLedger, ServerLimits

__all__ = ["HotlineServer", "ServerLimits", "build_server", "run_server"]

log = logging.getLogger("airhotline.service")

STARTUP_FAILURE = 3  # uvicorn's exit status when the server could not start
#: File descriptors kept for everything but client connections: the listening socket,
#: the database, log files, the event loop's own, threads' pipes.
FD_RESERVE = 128
_DEFAULT_LIMITS = ServerLimits()


class HotlineServer(uvicorn.Server):
    """uvicorn's server, with the quiet accept-error handler on its event loop."""

    def __init__(self, config: uvicorn.Config, limits: ServerLimits) -> None:
        super().__init__(config)
        self.limits = limits

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        handler = AcceptErrorLog(interval_s=self.limits.accept_error_log_interval_s)
        asyncio.get_running_loop().set_exception_handler(handler)
        await super().serve(sockets)

    @property
    def port(self) -> int:
        """The port listened on (useful when asked for port 0)."""
        port: int = self.servers[0].sockets[0].getsockname()[1]
        return port


def build_server(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_config: dict[str, Any] | None,
    limits: ServerLimits = _DEFAULT_LIMITS,
) -> HotlineServer:
    """A server ready to `run` (in this thread); set ``should_exit`` to stop it."""
    limits, note = fit_file_limit(limits)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=log_config,
        http=guarded_protocol(ConnectionLedger(limits)),
        ws="none",
        lifespan="on",
        timeout_keep_alive=limits.keep_alive_s,
        timeout_graceful_shutdown=limits.graceful_shutdown_s,
        h11_max_incomplete_event_size=limits.max_header_bytes,
    )
    if note:  # only now: the Config has just set logging up
        log.warning("%s", note)
    return HotlineServer(config, limits)


def run_server(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_config: dict[str, Any] | None,
    limits: ServerLimits = _DEFAULT_LIMITS,
) -> None:
    """Serve ``app`` until SIGINT or SIGTERM; exit with status 3 when it cannot start."""
    server = build_server(app, host=host, port=port, log_config=log_config, limits=limits)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def fit_file_limit(limits: ServerLimits) -> tuple[ServerLimits, str | None]:
    """Raise the soft open-file limit to hold ``max_connections`` (up to the hard limit);
    when it cannot, lower the connection limit to what fits, and say why."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = limits.max_connections + FD_RESERVE
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return limits, None
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if target > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    if soft >= needed:
        return limits, None
    fitting = max(1, soft - FD_RESERVE)
    note = (
        f"open-file limit {soft}: serving at most {fitting} connections"
        f" instead of {limits.max_connections}"
    )
    fitted = dataclasses.replace(
        limits,
        max_connections=fitting,
        max_connections_per_client=min(limits.max_connections_per_client, fitting),
    )
    return fitted, note
