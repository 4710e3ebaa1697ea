"""A notice's altitude band: ``lower`` and ``upper`` as operators write them.

``SFC`` (the surface: nothing below), a whole number of feet above mean sea level
(``5000``), a flight level (``FL350``: hundreds of feet on the standard pressure
setting, compared with the barometric altitudes tracks report), or ``UNL`` (unlimited:
nothing above).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from airhotline.errors import InputError

__all__ = ["Band", "limit_value", "parse_band"]

_FLIGHT_LEVEL = re.compile(r"^FL(\d{3})$")
#: Feet a notice may name: from the Dead Sea shore to far above any aircraft.
_FEET = (-1_500, 100_000)


@dataclass(frozen=True, slots=True)
class Band:
    lower: str
    upper: str
    #: In feet; -inf for SFC, +inf for UNL.
    lower_ft: float
    upper_ft: float

    def overlaps(self, other: Band) -> bool:
        """Whether the two bands share some thickness (touching is not sharing)."""
        return self.lower_ft < other.upper_ft and other.lower_ft < self.upper_ft

    def shared(self, other: Band) -> Band | None:
        """The band both cover, or None."""
        if not self.overlaps(other):
            return None
        low = self if self.lower_ft >= other.lower_ft else other
        high = self if self.upper_ft <= other.upper_ft else other
        return Band(low.lower, high.upper, low.lower_ft, high.upper_ft)

    def holds(self, alt_ft: float) -> bool:
        return self.lower_ft <= alt_ft <= self.upper_ft


def limit_value(text: str) -> str | int:
    """A limit as sent and journaled: feet as a whole number, the rest as text."""
    return int(text) if text.lstrip("-").isdigit() else text


def _level(value: object, field: str, *, bottom: bool) -> tuple[str, float]:
    if isinstance(value, str):
        text = value.strip().upper()
        if text == "SFC":
            if not bottom:
                raise InputError(field, "SFC is a lower limit")
            return "SFC", -math.inf
        if text == "UNL":
            if bottom:
                raise InputError(field, "UNL is an upper limit")
            return "UNL", math.inf
        match = _FLIGHT_LEVEL.match(text)
        if match:
            return text, float(int(match.group(1)) * 100)
        raise InputError(field, "SFC, UNL, a flight level (FL350) or whole feet (5000)")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, "SFC, UNL, a flight level (FL350) or whole feet (5000)")
    if not _FEET[0] <= value <= _FEET[1]:
        raise InputError(field, f"feet between {_FEET[0]} and {_FEET[1]}")
    return str(value), float(value)


def parse_band(lower: object, upper: object, field: str = "") -> Band:
    """The band from ``lower`` to ``upper``; `InputError` naming ``lower`` or ``upper``."""
    prefix = f"{field}." if field else ""
    low, low_ft = _level(lower, f"{prefix}lower", bottom=True)
    high, high_ft = _level(upper, f"{prefix}upper", bottom=False)
    if not low_ft < high_ft:
        raise InputError(f"{prefix}lower", f"{low} is not below the upper limit {high}")
    return Band(low, high, low_ft, high_ft)
