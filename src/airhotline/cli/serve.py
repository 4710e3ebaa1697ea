"""``airhotline serve``: run a hotline node over HTTP; ``--demo`` fills it with traffic."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn
from rich.console import Console

from airhotline.bootstrap import build_node
from airhotline.cli.common import DbOption, database_url, fail
from airhotline.core.access import AgreementMode, AgreementStatus, Role
from airhotline.core.node import HotlineConfig, HotlineNode
from airhotline.errors import AirhotlineError, InputError
from airhotline.service import create_app
from airhotline.settings import load_settings
from airhotline.simulate.airspace import DEMO_ENCOUNTERS, RegionalAirspace

__all__ = ["serve"]

log = logging.getLogger("airhotline.demo")

#: The demo's parties: one per first language of the hotline.
DEMO_PARTIES = (("ATLAS", "en"), ("BOREAS", "ru"), ("CEDAR", "ar"))
DEMO_AIRCRAFT = 36
#: How long a CPU-bound thread (ingest parsing, the cycle) may hold the GIL while the
#: event loop waits: Python's 5 ms default puts several such waits into one API read.
GIL_SWITCH_S = 0.0005


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extra fields."""

    _STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _log_config(level: str) -> dict[str, Any]:
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLogFormatter}},
        "handlers": {"default": handler},
        "loggers": {
            name: {"handlers": ["default"], "level": level.upper(), "propagate": False}
            for name in ("airhotline", "uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


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
    log_level: Annotated[str, typer.Option("--log-level")] = "info",
) -> None:
    """Run the hotline service (Ctrl-C or SIGTERM drains the journal and stops)."""
    url = database_url(db)
    try:
        config = load_settings(config_file) if config_file else HotlineConfig()
    except InputError as error:
        raise fail(str(error)) from None
    try:
        node = build_node(url, config=config)
    except AirhotlineError as error:
        raise fail(f"--db: {error}") from None
    base = f"http://{host}:{port}"
    feeder: DemoFeeder | None = None
    if demo:
        feed_tokens = _prepare_demo(node, base)
        feeder = DemoFeeder(base, feed_tokens)
    app = create_app(node, companions=[feeder] if feeder else [])
    sys.setswitchinterval(GIL_SWITCH_S)
    uvicorn.run(
        app, host=host, port=port, log_config=_log_config(log_level), timeout_graceful_shutdown=5
    )


def _prepare_demo(node: HotlineNode, base: str) -> dict[int, str]:
    """Create (or reuse) the demo parties; print fresh operator tokens and the URLs."""
    feed_tokens: dict[int, str] = {}
    rows: list[tuple[str, str, str]] = []
    existing = {p.name for p in node.parties()}
    for index, (name, lang) in enumerate(DEMO_PARTIES):
        if name in existing:
            _, feed = node.issue_token(name, Role.FEED)
            _, operator = node.issue_token(name, Role.OPERATOR)
        else:
            created = node.add_party(name, lang)
            feed, operator = created.tokens[Role.FEED][1], created.tokens[Role.OPERATOR][1]
        feed_tokens[index] = feed
        rows.append((name, lang, operator))
    node.set_agreement("ATLAS", "BOREAS", AgreementMode.CONFLICTS_ONLY, AgreementStatus.ACTIVE)
    node.set_agreement("ATLAS", "CEDAR", AgreementMode.FULL, AgreementStatus.ACTIVE)
    node.set_agreement("BOREAS", "CEDAR", AgreementMode.CONFLICTS_ONLY, AgreementStatus.ACTIVE)
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    console.print("airhotline demo — operator tokens (shown once):")
    for name, lang, token in rows:  # plain lines: a narrow terminal must not cut a token
        console.print(f"  {name:<7} {lang}  {token}", markup=False)
    console.print(
        f"API docs:  {base}/docs\n"
        f"Picture:   curl -H 'Authorization: Bearer <token>' {base}/v1/picture\n"
        f"Events:    curl -N -H 'Authorization: Bearer <token>' {base}/v1/events\n"
        f"Health:    {base}/healthz   Metrics: {base}/metrics\n"
        "Agreements: ATLAS–CEDAR full; ATLAS–BOREAS and BOREAS–CEDAR conflicts only."
    )
    return feed_tokens


class DemoFeeder:
    """A feed client per demo party, posting the simulated airspace once a second.

    It goes through the public ingest API with each party's feed token, exactly as a
    party's control centre would; it starts once the server answers.
    """

    def __init__(self, base: str, feed_tokens: dict[int, str]) -> None:
        self._base = base
        self._tokens = feed_tokens
        self._airspace = RegionalAirspace(
            aircraft=DEMO_AIRCRAFT, parties=len(feed_tokens), encounters=DEMO_ENCOUNTERS
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-feeder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        with httpx.Client(base_url=self._base, timeout=10.0) as client:
            last = time.monotonic()
            while not self._stop.wait(1.0):
                now = time.monotonic()
                states = self._airspace.advance(now - last)
                last = now
                stamp = datetime.now(tz=UTC).isoformat(timespec="milliseconds")
                for party, token in self._tokens.items():
                    batch = [
                        {
                            "track_id": s.track_id,
                            "callsign": s.callsign,
                            "time": stamp,
                            "lat": round(s.lat, 6),
                            "lon": round(s.lon, 6),
                            "alt_ft": s.alt_ft,
                            "gs_kt": s.gs_kt,
                            "track_deg": s.track_deg,
                            "vrate_fpm": s.vrate_fpm,
                        }
                        for s in states
                        if s.party == party
                    ]
                    try:
                        client.post(
                            "/v1/tracks", json=batch, headers={"Authorization": f"Bearer {token}"}
                        ).raise_for_status()
                    except httpx.HTTPError as error:
                        log.warning("demo feed post failed: %s", error)
