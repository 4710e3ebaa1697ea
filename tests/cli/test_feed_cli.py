"""``airhotline feed`` as a centre runs it: a real process reading a TCP feed of SBS-1
lines (the recorded Paris-CDG flight traffic ships, rendered as dump1090 writes it:
`tests.feeds.samples.sbs_lines`) and sending to a real server process; its queue-full
drop counter; a 429's Retry-After honoured; Ctrl-C exits 130 after flushing; a bad
option is one line naming it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from tests.feeds.samples import sbs_lines
from tests.serverproc import Server, free_port
from typer.testing import CliRunner

from airhotline.bootstrap import build_node
from airhotline.cli import app
from airhotline.core.access import Role
from airhotline.feeds import make_assembler
from airhotline.store import Store

LINES = 3_000
runner = CliRunner()


def recorded_sbs() -> bytes:
    return "".join(line + "\r\n" for line, _ in sbs_lines()[:LINES]).encode()


class LineFeed:
    """A dump1090-like port: sends ``data`` to the one client, then holds the line open."""

    def __init__(self, data: bytes) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.sent = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(data,), daemon=True)
        self._thread.start()

    def _serve(self, data: bytes) -> None:
        self._listener.settimeout(30)
        connection, _ = self._listener.accept()
        with connection:
            connection.sendall(data)
            self.sent.set()
            self._stop.wait(60)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    served = Server(f"http://127.0.0.1:{free_port()}", f"sqlite:///{tmp_path / 'j.db'}", tmp_path)
    yield served
    served.stop()


def feed_token(db: str) -> str:
    node = build_node(db)
    try:
        return node.add_party("ATLAS", "en").tokens[Role.FEED][1]
    finally:
        node.close()


def reported(db: str) -> list[str]:
    store = Store.open(db, create=False)
    try:
        return [
            track
            for record in store.iter_records_after(0, kinds=["tracks.reported"])
            for track in record.payload["track_id"]
        ]
    finally:
        store.close()


def run_feed(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "airhotline", "feed", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def interrupt(process: subprocess.Popen[str], feed: LineFeed) -> tuple[int, str]:
    """Ctrl-C once the feed has read everything: (exit status, stderr)."""
    assert feed.sent.wait(30), "the feed never connected"
    time.sleep(1.0)  # the lines are read in milliseconds; leave time to assemble them
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_a_tcp_feed_into_a_server_flushed_on_ctrl_c(server: Server) -> None:
    token = feed_token(server.db)
    server.start()
    data = recorded_sbs()
    feed = LineFeed(data)
    # Batches are cut only at 20 000 rows or after 60 s: everything still waits in the
    # open batch at Ctrl-C, so what reaches the journal was flushed by the interrupt.
    process = run_feed(
        [
            *("sbs", "--connect", f"127.0.0.1:{feed.port}", "--server", server.url),
            *("--token", token, "--batch-rows", "20000", "--batch-s", "60"),
        ]
    )
    try:
        status, err = interrupt(process, feed)
    finally:
        feed.close()
    assert status == 130, err
    assert "Traceback" not in err
    expected = make_assembler("sbs").feed(data, time.time_ns() // 1_000)
    tracks = reported(server.db)
    assert len(tracks) == len(expected) > 100
    assert set(tracks) == {row["track_id"] for row in expected}
    assert f"sent {len(expected):,}" in err.strip().splitlines()[-1]


def test_a_full_queue_drops_the_oldest_and_says_how_many() -> None:
    feed = LineFeed(recorded_sbs())
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens: every batch waits
    process = run_feed(
        [
            *("sbs", "--connect", f"127.0.0.1:{feed.port}", "--server", down, "--token", "t"),
            *("--batch-rows", "10", "--max-queued", "1"),
        ]
    )
    try:
        status, err = interrupt(process, feed)
    finally:
        feed.close()
    assert status == 130, err
    last = err.strip().splitlines()[-1]
    assert "sent 0" in last
    assert "DROPPED" in last
    dropped = int(last.split("DROPPED ")[1].split(" ")[0].replace(",", ""))
    assert dropped > 100
    assert "last error: ConnectError" in last


class Throttling(BaseHTTPRequestHandler):
    """Answers the first POST 429 with Retry-After: 1, every later one 200."""

    posts: ClassVar[list[tuple[float, str, int]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.posts.append(
            (time.monotonic(), self.headers["Idempotency-Key"], len(json.loads(body)))
        )
        first = len(self.posts) == 1
        payload = json.dumps({"detail": "slow down"} if first else {"accepted": 1}).encode()
        self.send_response(429 if first else 200)
        if first:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_429_is_retried_after_its_retry_after(tmp_path: Path) -> None:
    Throttling.posts = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Throttling)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    lines = tmp_path / "feed.sbs"
    lines.write_bytes(recorded_sbs())
    try:
        result = runner.invoke(
            app,
            [
                *("feed", "sbs", "--file", str(lines), "--token", "t"),
                *("--server", f"http://127.0.0.1:{httpd.server_address[1]}"),
            ],
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 0, result.stderr
    posts = Throttling.posts
    assert len(posts) >= 2
    assert posts[1][1] == posts[0][1], "the retry carries the same Idempotency-Key"
    assert posts[1][0] - posts[0][0] >= 1.0, "Retry-After: 1 honoured"
    rows = make_assembler("sbs").feed(lines.read_bytes(), 0)
    assert sum(n for _, _, n in posts[1:]) == len(rows)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["sbs", "--connect", "nohost", "--token", "t", "--server", "http://h"], "--connect"),
        (["sbs", "--file", "x", "--connect", "h:1", "--token", "t"], "--connect, --file"),
        (["sbs", "--file", "/nonexistent", "--token", "t", "--server", "http://h"], "--file"),
        (["sbs", "--file", "/dev/null", "--server", "http://h"], "--token"),
        (["sbs", "--file", "/dev/null", "--token", "t", "--server", "h:1"], "--server"),
        (["sbs", "--file", "/dev/null", "--token", "t", "--sensor", "1,2"], "--sensor"),
        (["asterix", "--file", "/dev/null", "--token", "t", "--sensor", "91,0"], "--sensor"),
        (["gdl90", "--file", "/dev/null", "--token", "t"], "FORMAT"),
    ],
)
def test_a_bad_option_is_one_line_naming_it(args: list[str], named: str) -> None:
    result = runner.invoke(app, ["feed", *args])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"airhotline: error: {named}:"), result.stderr


def test_an_option_out_of_its_range_is_named_by_the_parser() -> None:
    result = runner.invoke(app, ["feed", "sbs", "--file", "/dev/null", "--batch-rows", "0"])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "airhotline: error: Invalid value for '--batch-rows': 0 is not in the range"
        " 1<=x<=20000. (see 'airhotline feed --help')\n"
    )
