"""Figures the benchmarks print, computed one way."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["p99"]


def p99(ordered: Sequence[float]) -> float:
    """The 99th percentile of values already sorted (nearest rank below): NaN if none."""
    return ordered[int(0.99 * (len(ordered) - 1))] if ordered else float("nan")
