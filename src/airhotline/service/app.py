"""The FastAPI application around one hotline node."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from fastapi import FastAPI

from airhotline import __version__
from airhotline.core.node import HotlineNode
from airhotline.service import console
from airhotline.service.body_limit import BodyLimitMiddleware
from airhotline.service.disconnects import ClientGoneMiddleware
from airhotline.service.metrics import ServiceMetrics
from airhotline.service.problems import install_problem_handlers
from airhotline.service.routes import (
    admin,
    alerts,
    events,
    exemptions,
    messages,
    notices,
    ops,
    picture,
    tracks,
    zones,
)
from airhotline.service.security import BearerGate
from airhotline.service.streams import StreamLimits, StreamSlots

__all__ = ["DEFAULT_MAX_BODY_BYTES", "Companion", "create_app"]

DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
#: The operational routes (`routes.ops`), open to the node's own monitoring.
OPS_PATHS = ("/healthz", "/metrics")
log = logging.getLogger("airhotline.service")


class Companion(Protocol):
    """Something that runs beside the service (the demo feeder): started once the app
    serves, stopped before the node closes."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def create_app(
    node: HotlineNode,
    *,
    run_cycle: bool = True,
    close_node: bool = True,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    companions: Sequence[Companion] = (),
    stream_limits: StreamLimits | None = None,
    console_links: console.ConsoleLinks | None = None,
) -> FastAPI:
    """An app serving ``node``. With ``run_cycle`` the picture cycles on its clock;
    with ``close_node`` the node (and its journal writer) is drained on shutdown;
    ``console_links`` holds the one-time sign-in links printed for the console."""
    metrics = ServiceMetrics(node)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_cycle_forever(node, metrics)) if run_cycle else None
        for companion in companions:
            companion.start()
        log.info("airhotline node up", extra={"tracks": len(node.picture)})
        try:
            yield
        finally:
            for companion in companions:
                await asyncio.to_thread(companion.stop)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if close_node:
                await asyncio.to_thread(node.close)
            log.info("airhotline node down: journal drained")

    app = FastAPI(
        title="airhotline",
        version=__version__,
        summary="Deconfliction hotline for shared airspace",
        lifespan=lifespan,
    )
    app.state.node = node
    app.state.streams = StreamSlots(
        stream_limits or StreamLimits(per_party=node.config.streams_per_party)
    )
    app.state.metrics = metrics.registry
    app.state.console_links = console_links or console.ConsoleLinks()
    install_problem_handlers(app)
    for module in (
        tracks,
        picture,
        alerts,
        messages,
        notices,
        zones,
        exemptions,
        events,
        admin,
        ops,
        console,
    ):
        app.include_router(module.router)
    console.mount_console(app)  # last: the API's routes come first
    # The last added runs first: a hang-up is caught around everything, an oversized
    # body is refused before the token is looked at, the token before any route runs.
    app.add_middleware(
        BearerGate, public=public_paths(app), public_prefixes=console.CONSOLE_PREFIXES
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(ClientGoneMiddleware)
    return app


def public_paths(app: FastAPI) -> frozenset[str]:
    """The paths served without a token: operations, FastAPI's own documentation, the
    console's page and its sign-in (which takes a one-time code instead)."""
    docs = (app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
    opened = (*OPS_PATHS, *console.CONSOLE_PAGES, console.SIGNIN_PATH)
    return frozenset(opened) | {path for path in docs if path}


async def _cycle_forever(node: HotlineNode, metrics: ServiceMetrics) -> None:
    loop = asyncio.get_running_loop()
    period = node.config.cycle_s
    next_start = loop.time()
    while True:
        try:
            report = await asyncio.to_thread(node.run_cycle)
            metrics.cycle_seconds.observe(report.duration_s)
        except Exception:  # a failing cycle must not stop the next one
            log.exception("picture cycle failed")
        next_start += period
        delay = next_start - loop.time()
        if delay < 0:  # overran: start again now rather than bunching up
            next_start = loop.time()
            delay = 0.0
        await asyncio.sleep(delay)
