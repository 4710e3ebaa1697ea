"""A real `airhotline serve` subprocess and its credentials, for the benchmarks."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from airhotline.bootstrap import build_node
from airhotline.core.access import Role

PARTIES = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def provision(
    db: str, parties: int = PARTIES, langs: tuple[str, ...] = ("en",)
) -> tuple[list[str], list[str], str]:
    """Parties ``P0``, ``P1``, ... reading ``langs`` in turn: their feed and operator
    tokens, and an admin token."""
    node = build_node(db)
    try:
        feeds, operators = [], []
        for k in range(parties):
            created = node.add_party(f"P{k}", langs[k % len(langs)])
            feeds.append(created.tokens[Role.FEED][1])
            operators.append(created.tokens[Role.OPERATOR][1])
        _, admin = node.issue_token(None, Role.ADMIN)
        return feeds, operators, admin
    finally:
        node.close()


def start_server(
    db: str, workdir: Path, settings: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """A server on ``db``; ``settings`` is the text of a TOML settings file."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config: tuple[str, ...] = ()
    if settings is not None:
        (workdir / "settings.toml").write_text(settings, encoding="utf-8")
        config = ("--config", str(workdir / "settings.toml"))
    with (workdir / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "airhotline", "serve"),
                *("--db", db, "--port", str(port), "--log-level", "warning", *config),
            ],
            cwd=workdir,
            stdout=log,
            stderr=log,
        )
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not start: see " + str(workdir / "server.log"))


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
