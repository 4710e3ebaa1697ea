"""How ``airhotline serve`` logs: JSON lines for machines, readable lines for people.

``auto`` picks readable lines when standard error is a terminal and JSON lines
otherwise (a log collector, a file, systemd). Either way uvicorn's access line of a
successful ingest (``POST /v1/tracks`` answered 2xx) is a debug record: every feed posts
several times a second, and those lines would drown everything else at ``info``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

__all__ = [
    "LOG_FORMATS",
    "LOG_LEVELS",
    "IngestAccessFilter",
    "JsonLogFormatter",
    "TextLogFormatter",
    "log_config",
    "resolve_format",
]

LogFormat = Literal["json", "text"]
LOG_FORMATS = ("auto", "json", "text")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
#: The loggers serve configures: ours and uvicorn's.
LOGGERS = ("airhotline", "uvicorn", "uvicorn.error", "uvicorn.access")
INGEST_PATH = "/v1/tracks"

#: Attributes every LogRecord has; anything else was passed as ``extra``. uvicorn's
#: ``color_message`` repeats the message with terminal colours: never worth printing.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


def _time(record: logging.LogRecord) -> datetime:
    return datetime.fromtimestamp(record.created, tz=UTC)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _time(record).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextLogFormatter(logging.Formatter):
    """``2026-11-23 03:00:00.125Z INFO    message key=value …``, UTC as everywhere."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = _time(record).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"
        extras = " ".join(f"{k}={_text(v)}" for k, v in _extras(record).items())
        line = f"{stamp} {record.levelname:<7} {record.getMessage()}"
        line = f"{line} {extras}" if extras else line
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def _text(value: object) -> str:
    """A value as ``key=value`` shows it: quoted only when a space would split it."""
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or " " in text else text


class IngestAccessFilter(logging.Filter):
    """Turns the access line of a successful ingest into a debug record.

    uvicorn logs every access at ``info``; a logger's filter runs after its level check,
    so the filter itself drops the demoted record unless the logger shows debug.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not _successful_ingest(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def _successful_ingest(record: logging.LogRecord) -> bool:
    # uvicorn's access record: (client, method, path with query, HTTP version, status).
    args = record.args
    if not (isinstance(args, tuple) and len(args) == 5):
        return False
    _, method, path, _, status = args
    return (
        method == "POST"
        and isinstance(path, str)
        and path.partition("?")[0] == INGEST_PATH
        and isinstance(status, int)
        and 200 <= status < 300
    )


def resolve_format(choice: str, stream: TextIO | None = None) -> LogFormat:
    """``auto`` becomes ``text`` on a terminal, ``json`` anywhere else."""
    if choice == "auto":
        return "text" if (stream or sys.stderr).isatty() else "json"
    return "text" if choice == "text" else "json"


def log_config(level: str, log_format: LogFormat) -> dict[str, Any]:
    """A `logging.config.dictConfig` for serve (uvicorn applies it at start-up)."""
    formatter = TextLogFormatter if log_format == "text" else JsonLogFormatter
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    loggers: dict[str, Any] = {
        name: {"handlers": ["default"], "level": level.upper(), "propagate": False}
        for name in LOGGERS
    }
    loggers["uvicorn.access"]["filters"] = ["ingest"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": {"()": formatter}},
        "filters": {"ingest": {"()": IngestAccessFilter}},
        "handlers": {"default": handler},
        "loggers": loggers,
    }
