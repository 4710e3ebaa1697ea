"""Replay's schedule: a recording's rows shifted to now and cut into seconds, paced.

A centre rehearses on real traffic as if it were flying now: every row's time moves
by the one offset that brings the recording's first report to ``start_us``, so the
hotline's past and future bounds judge it as live traffic. Rows are then handed out
second by second (`seconds`), each second no earlier on the wall clock than its
recorded time divided by the speed (`Pacer`); ``--speed max`` never waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from airhotline.feeds._rows import Row

__all__ = ["MAX_SPEED", "Pacer", "parse_speed", "seconds", "shifted"]

US_PER_S = 1_000_000
MAX_SPEED = 10_000.0


def parse_speed(text: str, seconds: str = "recorded") -> float | None:
    """``seconds`` (recorded, simulated) per wall-clock second, or None for ``max``;
    `ValueError` else."""
    if text.strip().lower() == "max":
        return None
    try:
        speed = float(text)
    except ValueError:
        raise ValueError(f"a number of {seconds} seconds per second, or max: {text!r}") from None
    if not 0.0 < speed <= MAX_SPEED:
        raise ValueError(f"must be above 0 and at most {MAX_SPEED:g} (or max)")
    return speed


def shifted(rows: Sequence[Row], start_us: int) -> list[Row]:
    """New rows (the recording's are left alone), the first at ``start_us``."""
    if not rows:
        return []
    offset = start_us - rows[0]["time_us"]
    return [{**row, "time_us": row["time_us"] + offset} for row in rows]


def seconds(rows: Sequence[Row]) -> Iterator[tuple[int, list[Row]]]:
    """(end of the second in µs, its rows) for every second that has rows, in order:
    a second's reports are sent once it has passed, as a receiver would have them."""
    start = 0
    while start < len(rows):
        second = rows[start]["time_us"] // US_PER_S
        end = start
        while end < len(rows) and rows[end]["time_us"] // US_PER_S == second:
            end += 1
        yield (second + 1) * US_PER_S, list(rows[start:end])
        start = end


@dataclass
class Pacer:
    """Waits until a recorded moment is due on the wall clock at ``speed``.

    The first moment asked for is due at once; None (``max``) never waits.
    """

    speed: float | None
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _origin: tuple[float, int] | None = field(default=None, init=False)

    def wait(self, moment_us: int) -> None:
        if self.speed is None:
            return
        if self._origin is None:
            self._origin = (self.monotonic(), moment_us)
            return
        wall0, moment0 = self._origin
        due = wall0 + (moment_us - moment0) / US_PER_S / self.speed
        delay = due - self.monotonic()
        if delay > 0:
            self.sleep(delay)
