"""Rejections: what a feed's parsers skipped, counted by a stable reason name.

A parser never raises on what a feed sends: it counts the input under one of these
reasons and goes on. The names are stable, for status lines, metrics and logs:

``garbled``
    not the format at all: a line without the fields it must have, a frame of the wrong
    length, text where a number must be, bytes that decode to nothing.
``crc``
    a Mode S frame whose parity does not check: a bit flipped on the way.
``out-of-range``
    well-formed, but a value no aircraft can have (latitude 91°, 5 000 kt, a callsign
    that is no identifier), or a position that contradicts the track's last one.
``unsupported``
    well-formed, of a kind this adapter does not know (an SBS message type 9, a Beast
    frame type 0x35, an ADS-B velocity sent as airspeed and heading).
``ignored``
    well-formed and known, but carrying nothing a state report needs (Mode A/C, DF11
    all-call replies, surface positions, aircraft status): skipped by design, counted so
    that the share of a feed that matters shows.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

__all__ = ["CRC", "GARBLED", "IGNORED", "OUT_OF_RANGE", "REASONS", "UNSUPPORTED", "Rejections"]

GARBLED: Final = "garbled"
CRC: Final = "crc"
OUT_OF_RANGE: Final = "out-of-range"
UNSUPPORTED: Final = "unsupported"
IGNORED: Final = "ignored"
REASONS: Final = (GARBLED, CRC, OUT_OF_RANGE, UNSUPPORTED, IGNORED)


class Rejections(Counter[str]):
    """Skipped inputs by reason: a `collections.Counter` whose keys are `REASONS`."""

    def total_rejected(self) -> int:
        """Everything skipped for a fault of the input (``ignored`` is no fault)."""
        return sum(count for reason, count in self.items() if reason != IGNORED)
