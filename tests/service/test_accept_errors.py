"""A failing accept() (no file descriptor left) is logged once per interval, not once
per attempt: asyncio retries up to the listen backlog at every wake-up."""

from __future__ import annotations

import asyncio
import errno
import logging

import pytest

from airhotline.service.accept_errors import AcceptErrorLog


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def out_of_files() -> dict[str, object]:
    return {
        "message": "socket.accept() out of system resource",
        "exception": OSError(errno.EMFILE, "Too many open files"),
    }


def test_a_storm_of_accept_errors_is_one_line_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    handler = AcceptErrorLog(interval_s=10.0, clock=clock)

    async def storm() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(handler)
        for second in range(25):
            clock.now = float(second)
            for _ in range(2048):  # asyncio tries the whole backlog at each wake-up
                loop.call_exception_handler(out_of_files())

    with caplog.at_level(logging.INFO):
        asyncio.run(storm())
    lines = [r for r in caplog.records if "accept" in r.getMessage()]
    assert len(lines) == 3  # at 0 s, 10 s and 20 s
    assert all(r.exc_info is None for r in lines), "a traceback for every accept"
    assert "Too many open files" in lines[0].getMessage()
    assert "20480" in lines[1].getMessage()  # what the interval before it counted


def test_other_loop_errors_still_reach_the_default_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler = AcceptErrorLog(interval_s=10.0, clock=FakeClock())

    async def fail() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(handler)
        loop.call_exception_handler({"message": "something else", "exception": ValueError("x")})

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        asyncio.run(fail())
    (record,) = [r for r in caplog.records if r.name == "asyncio"]
    assert "something else" in record.getMessage()
    assert record.exc_info is not None
