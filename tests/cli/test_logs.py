"""serve's log lines: readable on a terminal, JSON elsewhere; successful ingest at debug."""

from __future__ import annotations

import io
import json
import logging

import pytest

from airhotline.cli.logs import (
    IngestAccessFilter,
    JsonLogFormatter,
    TextLogFormatter,
    resolve_format,
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def access(method: str, path: str, status: int, name: str = "test.access") -> logging.LogRecord:
    # The shape of uvicorn's access record.
    return logging.LogRecord(
        name,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", method, path, "1.1", status),
        None,
    )


def test_auto_is_text_on_a_terminal_and_json_elsewhere() -> None:
    assert resolve_format("auto", Terminal()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("json", Terminal()) == "json"
    assert resolve_format("text", io.StringIO()) == "text"


def test_text_line_has_time_level_message_and_extras() -> None:
    record = logging.makeLogRecord(
        {"msg": "airhotline node up", "levelname": "INFO", "levelno": logging.INFO}
    )
    record.tracks = 3
    record.reason = "two words"
    record.color_message = "\x1b[36mcoloured\x1b[0m"  # uvicorn's copy of the message
    line = TextLogFormatter().format(record)
    assert ' INFO    airhotline node up tracks=3 reason="two words"' in line
    assert line[:10].count("-") == 2  # 2026-11-23 …
    assert "coloured" not in line
    entry = json.loads(JsonLogFormatter().format(record))
    assert (entry["message"], entry["tracks"], entry["level"]) == ("airhotline node up", 3, "info")
    assert "color_message" not in entry


@pytest.mark.parametrize(
    ("method", "path", "status", "kept_at"),
    [
        ("POST", "/v1/tracks", 200, None),  # dropped at info
        ("POST", "/v1/tracks?x=1", 202, None),
        ("POST", "/v1/tracks", 422, logging.INFO),  # a refused batch stays visible
        ("GET", "/v1/tracks", 200, logging.INFO),
        ("POST", "/v1/alerts/1/ack", 200, logging.INFO),
    ],
)
def test_only_successful_ingest_access_is_demoted(
    method: str, path: str, status: int, kept_at: int | None
) -> None:
    logging.getLogger("test.access").setLevel(logging.INFO)
    record = access(method, path, status)
    kept = IngestAccessFilter().filter(record)
    assert kept == (kept_at is not None)
    if kept_at is not None:
        assert record.levelno == kept_at


def test_demoted_ingest_access_shows_when_debug_is_on() -> None:
    logging.getLogger("test.debug.access").setLevel(logging.DEBUG)
    record = access("POST", "/v1/tracks", 200, name="test.debug.access")
    assert IngestAccessFilter().filter(record)
    assert (record.levelno, record.levelname) == (logging.DEBUG, "DEBUG")
