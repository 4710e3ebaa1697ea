"""`airhotline serve`: every check before start is one line, and what the running server logs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from tests.serverproc import free_port
from typer.testing import CliRunner

from airhotline.bootstrap import build_node
from airhotline.cli import app
from airhotline.core.access import Role

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def refused(*args: str) -> str:
    """Run serve as a process with a time limit (were a check missing, the server would
    run on) and return its standard error, once it has exited with code 2."""
    done = subprocess.run(
        [sys.executable, "-m", "airhotline", "serve", "--port", str(free_port()), *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2, done.stderr
    return done.stderr


def one_line_refusal(err: str, expected: str) -> None:
    assert err.startswith("airhotline: error: "), err
    assert err.count("\n") == 1, err
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        pytest.param("[hotline]\ncycle_s = nan", "hotline.cycle_s: must be a finite", id="nan"),
        pytest.param("[hotline]\ncycle_s = inf", "hotline.cycle_s: must be a finite", id="inf"),
        pytest.param(
            "[hotline]\ncycle_s = 1e-9", "hotline.cycle_s: must be between 0.05 and 60", id="1e-9"
        ),
        pytest.param("hotline = 5", "hotline: must be a table", id="not-a-table"),
        pytest.param(
            "[hotline]\nlost_after_s = 1e300", "hotline.lost_after_s: must be between", id="1e300"
        ),
        pytest.param(
            "[alerts]\nconfirm_hits = inf", "alerts.confirm_hits: must be a finite", id="int-inf"
        ),
    ],
)
def test_bad_settings_are_one_line_and_open_nothing(
    tmp_path: Path, settings: str, expected: str
) -> None:
    path = tmp_path / "airhotline.toml"
    path.write_text(settings, encoding="utf-8")
    database = tmp_path / "serve.db"
    one_line_refusal(refused("--db", f"sqlite:///{database}", "--config", str(path)), expected)
    assert not database.exists()


def test_an_agreement_policy_naming_an_unknown_party_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    node = build_node(db)
    try:
        node.add_party("ATLAS", "en")
        node.add_party("BOREAS", "ru")
    finally:
        node.close()
    path = tmp_path / "airhotline.toml"
    path.write_text(
        '[[alerts.agreement]]\nparties = ["ATLAS", "BOREAS"]\n'
        '[[alerts.agreement]]\nparties = ["ATLAS", "BORAES"]\nadvisory_s = 400\n',
        encoding="utf-8",
    )
    # A process with a time limit: were the check missing, the server would run on.
    port = str(free_port())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "airhotline",
            "serve",
            "--db",
            db,
            "--config",
            str(path),
            "--port",
            port,
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    one_line_refusal(done.stderr, "alerts.agreement[1].parties: no party named 'BORAES'")


def test_a_port_in_use_is_one_line_and_opens_no_database(tmp_path: Path) -> None:
    database = tmp_path / "serve.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("serve", "--db", f"sqlite:///{database}", "--port", str(port))
    assert code == 2
    one_line_refusal(err, f"--port: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert not database.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("--log-level", "loud"), "--log-level: must be one of debug", id="level"),
        pytest.param(("--log-format", "xml"), "--log-format: must be one of auto", id="format"),
        pytest.param(("--host", "nowhere.invalid"), "--host: cannot resolve", id="host"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    database = tmp_path / "serve.db"
    code, _, err = run("serve", "--db", f"sqlite:///{database}", *args)
    assert code == 2
    one_line_refusal(err, expected)
    assert not database.exists()


# --- a running server's log ----------------------------------------------------------------


@pytest.fixture
def feed_token(tmp_path: Path) -> tuple[str, str]:
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    node = build_node(db)
    try:
        node.add_party("ATLAS", "en")
        _, token = node.issue_token("ATLAS", Role.FEED)
    finally:
        node.close()
    return db, token


def serve_and_ingest(tmp_path: Path, db: str, token: str, *options: str) -> str:
    """Start serve, post one batch and read /healthz, stop it; its standard error."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "airhotline",
                "serve",
                "--db",
                db,
                "--port",
                str(port),
                *options,
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stream,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        row = {
            "track_id": "A1",
            "time": datetime.now(tz=UTC).isoformat(),
            "lat": 0.0,
            "lon": 0.0,
            "alt_ft": 30000,
            "gs_kt": 400,
            "track_deg": 90,
            "vrate_fpm": 0,
        }
        answer = httpx.post(
            f"{base}/v1/tracks", json=[row], headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.is_success, answer.text
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0, log.read_text()
    return log.read_text(encoding="utf-8")


def test_json_log_lines_without_successful_ingest_access(
    tmp_path: Path, feed_token: tuple[str, str]
) -> None:
    # Standard error is a file here: auto means JSON lines.
    lines = serve_and_ingest(tmp_path, *feed_token).splitlines()
    entries = [json.loads(line) for line in lines]
    messages = [entry["message"] for entry in entries]
    assert any("GET /healthz" in m for m in messages), messages
    assert not any("POST /v1/tracks" in m for m in messages), messages
    assert any(m.startswith("listening on http://127.0.0.1:") for m in messages), messages
    assert all("color_message" not in entry for entry in entries)


def test_text_log_lines_and_ingest_access_at_debug(
    tmp_path: Path, feed_token: tuple[str, str]
) -> None:
    err = serve_and_ingest(tmp_path, *feed_token, "--log-format", "text", "--log-level", "debug")
    lines = err.splitlines()
    assert not any(line.startswith("{") for line in lines), err
    (ingest,) = [line for line in lines if "POST /v1/tracks" in line]
    assert " DEBUG " in ingest
    assert any(" INFO " in line and "GET /healthz" in line for line in lines), err
