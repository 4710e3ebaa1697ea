"""A client that hangs up halfway through its body is an ordinary event: one info line,
no traceback, no 500 (neither sent nor in the access log)."""

from __future__ import annotations

import logging
import time

import pytest
from tests.service.serving import Served, serving

from airhotline.service.server import ServerLimits


def hang_up_mid_body(served: Served, path: str, token: str) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: hotline\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 5000\r\n\r\n"
    ).encode()
    with served.connect() as sock:
        sock.sendall(head + b'[{"track_id": "T1", ')
        time.sleep(0.2)  # the route is reading by now


@pytest.mark.parametrize("route", ["tracks", "parties"])
def test_a_hang_up_mid_body_is_one_quiet_line(
    sqlite_url: str, caplog: pytest.LogCaptureFixture, route: str
) -> None:
    caplog.set_level(logging.DEBUG)
    with serving(sqlite_url, ServerLimits()) as served:
        # /v1/tracks reads the body itself; FastAPI reads /v1/parties' body for the model.
        token = served.feed if route == "tracks" else served.admin
        hang_up_mid_body(served, f"/v1/{route}", token)
        deadline = time.monotonic() + 5
        while not [r for r in caplog.records if "disconnect" in r.getMessage()]:
            assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
            time.sleep(0.05)
        time.sleep(0.2)  # anything logged after the disconnect line shows up too
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not loud, [(r.name, r.getMessage()) for r in loud]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    access = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert not [line for line in access if " 500" in line or " 400" in line], access
    lines = [r for r in caplog.records if "disconnect" in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno in (logging.DEBUG, logging.INFO)
    assert lines[0].name.startswith("airhotline")
