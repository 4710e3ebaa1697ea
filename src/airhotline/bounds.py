"""What a state report's numbers can physically be: refused outside, at every edge.

A leaf, so that an edge that only checks a file (``airhotline detect``) need not load
the core.
"""

from __future__ import annotations

__all__ = ["ALT_FT_RANGE", "LAT_RANGE", "LON_RANGE"]

LAT_RANGE = (-90.0, 90.0)
LON_RANGE = (-180.0, 180.0)
#: From below the Dead Sea shore to above any aircraft a hotline deconflicts.
ALT_FT_RANGE = (-2_000.0, 100_000.0)
