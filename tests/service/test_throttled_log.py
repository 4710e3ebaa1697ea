"""A burst of events is one line now and one when the interval ends."""

from __future__ import annotations

import asyncio
import logging

import pytest

from airhotline.service.throttled_log import ThrottledLog


def test_what_was_held_back_is_reported_when_the_interval_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("test.throttled")
    throttled = ThrottledLog(log, interval_s=0.05)

    async def burst() -> None:
        for _ in range(100):
            throttled.event("timeout", logging.INFO, "cut off")
        await asyncio.sleep(0.2)  # no event follows; the interval's end reports

    with caplog.at_level(logging.INFO, logger="test.throttled"):
        asyncio.run(burst())
    assert [r.getMessage() for r in caplog.records if r.name == "test.throttled"] == [
        "cut off (1 since the last report)",
        "cut off (99 since the last report)",
    ]
