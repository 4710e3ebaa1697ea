"""What a state report's numbers can physically be: refused outside, at every edge;
and the one check of a number a setting or an admin's write gives.

A leaf, so that an edge that only checks a file (``airhotline detect``) need not load
the core.
"""

from __future__ import annotations

import math

from airhotline.errors import InputError

__all__ = ["ALT_FT_RANGE", "LAT_RANGE", "LON_RANGE", "bounded"]

LAT_RANGE = (-90.0, 90.0)
LON_RANGE = (-180.0, 180.0)
#: From below the Dead Sea shore to above any aircraft a hotline deconflicts.
ALT_FT_RANGE = (-2_000.0, 100_000.0)


def bounded(value: object, field: str, bounds: tuple[float, float]) -> float:
    """``value`` as a float if it is a finite number within ``bounds`` (inclusive);
    `InputError` naming ``field`` otherwise (a boolean is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(field, f"must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        number = math.inf
    if not math.isfinite(number):
        raise InputError(field, f"must be a finite number, got {value!r}")
    low, high = bounds
    if not low <= number <= high:
        raise InputError(field, f"must be between {low:g} and {high:g}, got {value!r}")
    return number
