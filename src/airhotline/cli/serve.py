"""``airhotline serve``: run a hotline node over HTTP; ``--demo`` fills it with traffic.

Everything is checked before the server starts — settings, log options, the port, the
database, the parties the settings name — and each problem is one line and exit code
2. FastAPI, uvicorn and the node are imported inside the command: ``--help`` needs none.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airhotline.cli.common import DbOption, fail, open_database
from airhotline.cli.logs import LOG_FORMATS, LOG_LEVELS, log_config, resolve_format
from airhotline.errors import InputError

if TYPE_CHECKING:
    from airhotline.cli.demo import DemoFeeder
    from airhotline.core.node import HotlineConfig, HotlineNode
    from airhotline.service.console import ConsoleLinks

__all__ = ["GIL_SWITCH_S", "listen", "serve"]

log = logging.getLogger("airhotline.serve")

#: How long a CPU-bound thread (ingest parsing, the cycle) may hold the GIL while the
#: event loop waits: Python's 5 ms default puts several such waits into one API read.
GIL_SWITCH_S = 0.0005


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8080,
    demo: Annotated[
        bool, typer.Option("--demo", help="Demo parties and a live simulated airspace.")
    ] = False,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="TOML settings: [hotline] cycle, [alerts] policy."),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help=", ".join(LOG_LEVELS))] = "info",
    log_format: Annotated[
        str,
        typer.Option(
            "--log-format", help="auto (text on a terminal, else JSON lines), json or text"
        ),
    ] = "auto",
) -> None:
    """Run the hotline service (Ctrl-C or SIGTERM drains the journal and stops)."""
    if log_level.lower() not in LOG_LEVELS:
        raise fail(f"--log-level: must be one of {', '.join(LOG_LEVELS)}")
    if log_format not in LOG_FORMATS:
        raise fail(f"--log-format: must be one of {', '.join(LOG_FORMATS)}")
    config = _settings(config_file)
    # Bound before anything is opened, so that a busy port leaves nothing behind.
    listener = listen(host, port)
    try:
        _run(
            listener,
            f"http://{host}:{port}",
            db,
            config,
            demo=demo,
            log_level=log_level,
            log_format=log_format,
        )
    finally:
        listener.close()


def _settings(path: Path | None) -> HotlineConfig:
    from airhotline.core.node import HotlineConfig
    from airhotline.settings import load_settings

    try:
        return load_settings(path) if path else HotlineConfig()
    except InputError as error:
        raise fail(str(error)) from None


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (uvicorn listens on it)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise fail(f"--host: cannot resolve {host!r}: {error.strerror}") from None
    listener = socket.socket(family, kind, proto)
    # As asyncio's own create_server does: a restart need not wait out TIME_WAIT.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as error:
        listener.close()
        raise fail(f"--port: cannot listen on {host}:{port}: {error.strerror}") from None
    return listener


def _run(
    listener: socket.socket,
    base: str,
    db: str | None,
    config: HotlineConfig,
    *,
    demo: bool,
    log_level: str,
    log_format: str,
) -> None:
    from airhotline.bootstrap import build_node
    from airhotline.service import create_app
    from airhotline.service.console import ConsoleLinks
    from airhotline.service.server import build_server

    node = open_database(db, partial(build_node, config=config))
    links = ConsoleLinks()
    try:
        _check_agreement_parties(node, config, demo=demo)
        companions = [_demo_feeder(node, base, links)] if demo else []
    except BaseException:
        node.close()
        raise
    # Its lifespan closes the node.
    app = create_app(node, companions=companions, console_links=links)
    # The configuration applies the log settings; only then is there a log to write to.
    # The server guards itself: read deadlines, connection caps, quiet accept errors.
    host, port = listener.getsockname()[:2]
    server = build_server(
        app, host=host, port=port, log_config=log_config(log_level, resolve_format(log_format))
    )
    log.info("listening on %s (Ctrl-C to stop)", base)
    sys.setswitchinterval(GIL_SWITCH_S)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn drained and stopped: no error
        server.run(sockets=[listener])


def _check_agreement_parties(node: HotlineNode, config: HotlineConfig, *, demo: bool) -> None:
    from airhotline.settings import check_agreement_parties

    known = {party.name for party in node.parties()}
    if demo:
        from airhotline.cli.demo import DEMO_PARTIES

        known |= {name for name, _ in DEMO_PARTIES}
    try:
        check_agreement_parties(config, known)
    except InputError as error:
        raise fail(str(error)) from None


def _demo_feeder(node: HotlineNode, base: str, links: ConsoleLinks) -> DemoFeeder:
    from airhotline.cli.demo import DemoFeeder, prepare_demo

    return DemoFeeder(base, prepare_demo(node, base, links))
