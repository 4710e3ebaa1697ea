"""Browser tests of the operator console: the demo server as a real process, Debian's
Chromium driven by Playwright (never a browser of Playwright's own), one browser context
per signed-in party. Screenshots of each step go to ``var/artifacts/console/``."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.serverproc import free_port

CHROMIUM = Path("/usr/bin/chromium")
CONSOLE_BUILT = (
    Path(__file__).parents[2] / "src/airhotline/service/console_dist/index.html"
).is_file()
ARTIFACTS = Path(os.environ.get("AIRHOTLINE_ARTIFACTS", "var/artifacts")) / "console"
#: As ECOSYSTEM.md found: without the background-networking flags Chromium knocks on a
#: closed network's doors at every start.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_TOKEN = re.compile(r"^\s+(\w+)\s+[a-z]{2}\s+(ahl_\S+)\s*$", re.M)
_LINK = re.compile(r"^\s+(\w+)\s+(http://\S+/#signin=[0-9A-Za-z_-]+)\s*$", re.M)


def _skip_reason() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make setup installs it)"
    if not CHROMIUM.exists():
        return "Debian's Chromium is missing (make setup runs apt-get install chromium as root)"
    if not CONSOLE_BUILT:
        return "the console is not built (make setup builds web/ with npm)"
    return None


#: Each test module's ``pytestmark``: a clear skip where the browser cannot run.
needs_browser = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


@dataclass
class DemoServer:
    """``airhotline serve --demo`` in a process of its own, restartable on one database."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> str:
        return f"sqlite:///{self.workdir / 'hotline.db'}"

    def log_path(self) -> Path:
        return self.workdir / f"server-{self.starts}.log"

    def start(self) -> dict[str, str]:
        """Start it; the sign-in link it printed for each party."""
        self.starts += 1
        with self.log_path().open("wb") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "airhotline", "serve", "--demo", "--db", self.db),
                    *("--port", str(self.port), "--log-format", "text"),
                ],
                cwd=self.workdir,
                stdout=log,
                stderr=log,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    links = dict(_LINK.findall(self.log_path().read_text(errors="replace")))
                    if len(links) == 3:
                        return links
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, self.log_path().read_text(errors="replace")
            time.sleep(0.1)
        raise AssertionError(f"demo server not up\n{self.log_path().read_text(errors='replace')}")

    def tokens(self) -> dict[str, str]:
        """The operator token the last start printed for each party."""
        return dict(_TOKEN.findall(self.log_path().read_text(errors="replace")))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "airhotline", *args, "--db", self.db],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoServer, dict[str, str]]]:
    server = DemoServer(tmp_path_factory.mktemp("console-demo"))
    links = server.start()
    try:
        yield server, links
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.module.__name__.rsplit(".", 1)[-1]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
