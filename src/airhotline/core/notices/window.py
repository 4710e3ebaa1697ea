"""A notice's time window, in UTC: from a start to an end, or daily periods within them.

``{"start": "2026-12-01T06:00:00Z", "end": "2026-12-01T14:00:00Z"}`` is one period;
adding ``"daily": [["06:00", "14:00"], ["22:00", "02:00"]]`` makes start and end the
range of dates and the notice active only in those periods of each day (a period
whose end is not after its start runs past midnight).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from airhotline.clock import US_PER_S, iso_from_us, us_from_iso
from airhotline.errors import InputError

__all__ = ["DAY_US", "Window", "parse_window"]

DAY_US = 86_400 * US_PER_S
_MINUTE_US = 60 * US_PER_S
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
#: 1970 to 2100: outside, a time is a unit mistake.
_TIME_US = (0, 4_102_444_800 * US_PER_S)


@dataclass(frozen=True, slots=True)
class Window:
    start_us: int
    end_us: int
    #: Daily periods, in minutes after midnight UTC; none: active from start to end.
    daily: tuple[tuple[int, int], ...] = ()

    def intervals(
        self, since_us: int | None = None, until_us: int | None = None
    ) -> Iterator[tuple[int, int]]:
        """The periods it is active, in order, clipped to ``since_us`` .. ``until_us``."""
        low = self.start_us if since_us is None else max(self.start_us, since_us)
        high = self.end_us if until_us is None else min(self.end_us, until_us)
        if low >= high:
            return
        if not self.daily:
            yield low, high
            return
        # From the day before (a period may run past midnight into the first day).
        day = (low // DAY_US - 1) * DAY_US
        while day < high:
            for first, last in sorted(self.daily):
                begin = day + first * _MINUTE_US
                end = day + last * _MINUTE_US + (DAY_US if last <= first else 0)
                a, b = max(begin, low), min(end, high)
                if a < b:
                    yield a, b
            day += DAY_US

    def active_at(self, time_us: int) -> bool:
        return any(a <= time_us < b for a, b in self.intervals(time_us, time_us + 1))

    def shared(self, other: Window, *, limit: int = 64) -> list[tuple[int, int]]:
        """The periods both are active, in order (at most ``limit``)."""
        found: list[tuple[int, int]] = []
        low, high = max(self.start_us, other.start_us), min(self.end_us, other.end_us)
        theirs = list(other.intervals(low, high))
        for a, b in self.intervals(low, high):
            for c, d in theirs:
                if max(a, c) < min(b, d):
                    found.append((max(a, c), min(b, d)))
                    if len(found) >= limit:
                        return found
        return found

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "start": iso_from_us(self.start_us),
            "end": iso_from_us(self.end_us),
        }
        if self.daily:
            spec["daily"] = [[_clock(a), _clock(b)] for a, b in self.daily]
        return spec


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _time(value: object, field: str) -> int:
    if not isinstance(value, str):
        raise InputError(field, "an RFC 3339 time in UTC, such as 2026-12-01T06:00:00Z")
    try:
        if not re.match(
            r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]00:00)$", value
        ):
            raise ValueError(value)
        time_us = us_from_iso(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(field, "an RFC 3339 time in UTC, such as 2026-12-01T06:00:00Z") from None
    if not _TIME_US[0] <= time_us <= _TIME_US[1]:
        raise InputError(field, "outside 1970-2100")
    return time_us


def _period(value: object, field: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(field, 'a daily period is ["HH:MM", "HH:MM"] in UTC')
    minutes = []
    for k, text in enumerate(value):
        match = _CLOCK.match(text) if isinstance(text, str) else None
        if match is None:
            raise InputError(f"{field}[{k}]", "a time of day HH:MM, 00:00 to 23:59, UTC")
        minutes.append(int(match.group(1)) * 60 + int(match.group(2)))
    if minutes[0] == minutes[1]:
        raise InputError(field, "a daily period must not be empty")
    return minutes[0], minutes[1]


def parse_window(value: object, max_s: float, field: str = "window") -> Window:
    """The window ``value`` describes; `InputError` naming the field: a start not before
    the end, a window longer than ``max_s``, a malformed time or daily period."""
    if not isinstance(value, Mapping):
        raise InputError(field, "an object with start and end")
    for key in value:
        if key not in ("start", "end", "daily"):
            raise InputError(f"{field}.{key}", "not a field of a window")
    for key in ("start", "end"):
        if key not in value:
            raise InputError(f"{field}.{key}", "missing")
    start, end = _time(value["start"], f"{field}.start"), _time(value["end"], f"{field}.end")
    if end <= start:
        raise InputError(f"{field}.end", "must be after the start")
    if end - start > max_s * US_PER_S:
        days = max_s / 86_400
        raise InputError(f"{field}.end", f"a window is at most {days:g} days long")
    daily: tuple[tuple[int, int], ...] = ()
    if "daily" in value:
        periods = value["daily"]
        if not isinstance(periods, list) or not 1 <= len(periods) <= 8:
            raise InputError(f"{field}.daily", "1 to 8 daily periods")
        daily = tuple(_period(p, f"{field}.daily[{k}]") for k, p in enumerate(periods))
        window = Window(start, end, daily)
        if next(window.intervals(), None) is None:
            raise InputError(f"{field}.daily", "no daily period falls within start and end")
        return window
    return Window(start, end)
