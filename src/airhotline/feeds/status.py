"""The feed client's status: one line, rewritten in place on a terminal, else logged.

Rates are over the last interval (what the feed does now, not since it started);
``tracks`` counts the aircraft heard within the last minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from airhotline.feeds._registry import Assembler
from airhotline.feeds._rows import Row
from airhotline.feeds.client import SenderStats

__all__ = ["Status"]

_TRACK_WINDOW_S = 60.0


@dataclass
class Status:
    stream: TextIO
    terminal: bool
    #: Seconds between lines: a terminal's line moves twice a second, a log's every 10 s.
    every_s: float = 0.0
    monotonic: Callable[[], float] = time.monotonic
    reports: int = 0
    _heard: dict[str, float] = field(default_factory=dict)
    _last: tuple[float, int, int] | None = None
    _shown_at: float = float("-inf")

    def __post_init__(self) -> None:
        if self.every_s <= 0.0:
            self.every_s = 0.5 if self.terminal else 10.0

    def saw(self, rows: Iterable[Row]) -> None:
        now = self.monotonic()
        for row in rows:
            self.reports += 1
            self._heard[row["track_id"]] = now

    def tick(
        self, assembler: Assembler, sender: SenderStats, queued: int, *, force: bool = False
    ) -> None:
        """Write the line if it is due (or ``force``)."""
        now = self.monotonic()
        if not force and now - self._shown_at < self.every_s:
            return
        self._shown_at = now
        self.stream.write(self.line(assembler, sender, queued, now))
        self.stream.flush()

    def line(self, assembler: Assembler, sender: SenderStats, queued: int, now: float) -> str:
        then, messages, reports = self._last or (now, assembler.messages, self.reports)
        span = max(now - then, 1e-9)
        msg_rate = (assembler.messages - messages) / span if self._last else 0.0
        rep_rate = (self.reports - reports) / span if self._last else 0.0
        self._last = (now, assembler.messages, self.reports)
        for track, heard in list(self._heard.items()):
            if now - heard > _TRACK_WINDOW_S:
                del self._heard[track]
        rejects = ", ".join(f"{r} {n}" for r, n in sorted(assembler.rejections.items()) if n)
        refused = sum(sender.refused_rows.values())
        parts = [
            f"{msg_rate:,.0f} msg/s",
            f"{rep_rate:,.0f} reports/s",
            f"{len(self._heard)} tracks",
            f"sent {sender.sent_rows:,}",
            f"queued {queued} batches",
            f"rejects: {rejects or 'none'}",
        ]
        if refused:
            parts.append(f"refused {refused:,}")
        if sender.dropped_rows:
            parts.append(f"DROPPED {sender.dropped_rows:,} (queue full)")
        if sender.last_error:
            parts.append(f"last error: {sender.last_error}")
        text = " | ".join(parts)
        return f"\r\x1b[2K{text}" if self.terminal else f"feed: {text}\n"
