"""Tracks being assembled: the pieces of one aircraft's state, heard at different times.

Mode S and SBS-1 say an aircraft's position, altitude, velocity and callsign in separate
messages. A `TrackTable` keeps the latest of each piece per aircraft with the time it was
heard, and turns a new position into a state report only when the rest is fresh.

**The rule.** A report is emitted for every new position whose track has an altitude
(from the same message, or heard at most ``max_age_s`` before or after it) and a
velocity (ground speed, track angle, vertical rate) heard at most ``max_age_s`` from the
position's time. Its time is the position's. Velocity is not flown forward or back:
within a few seconds an aircraft's velocity barely changes, while its position, which
would move by a kilometre, is always the one just heard. Tracks not heard for
``forget_s`` are dropped, so that the table does not grow for the life of the feed.

Not thread-safe: one table belongs to one assembler, which belongs to one feed thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from airhotline.feeds._rejects import OUT_OF_RANGE, Rejections
from airhotline.feeds._rows import Row, make_row

__all__ = ["DEFAULT_FORGET_S", "DEFAULT_MAX_AGE_S", "Freshness", "TrackTable"]

#: ADS-B broadcasts velocity twice a second and dump1090 relays it as heard: 5 s spans
#: several lost messages, yet keeps a velocity that is still the aircraft's.
DEFAULT_MAX_AGE_S = 5.0
#: An aircraft unheard for this long has left coverage; its pieces are of no use.
DEFAULT_FORGET_S = 300.0


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old the pieces of a state may be (seconds) and when a silent track is dropped."""

    max_age_s: float = DEFAULT_MAX_AGE_S
    forget_s: float = DEFAULT_FORGET_S

    def __post_init__(self) -> None:
        if not self.max_age_s > 0.0:
            raise ValueError(f"max_age_s must be positive, got {self.max_age_s!r}")
        if not self.forget_s >= self.max_age_s:
            raise ValueError("forget_s must be at least max_age_s")


class _Track:
    __slots__ = (
        "alt_ft",
        "alt_us",
        "callsign",
        "gs_kt",
        "heard_us",
        "track_deg",
        "vel_us",
        "vrate_fpm",
    )

    def __init__(self) -> None:
        self.alt_ft = 0.0
        self.alt_us: int | None = None
        self.gs_kt = 0.0
        self.track_deg = 0.0
        self.vrate_fpm = 0.0
        self.vel_us: int | None = None
        self.callsign: str | None = None
        self.heard_us = 0


class TrackTable:
    """Pieces of state by aircraft address (six lower-case hex digits)."""

    def __init__(self, freshness: Freshness | None, rejections: Rejections) -> None:
        self.freshness = freshness or Freshness()
        self._rejections = rejections
        self._max_age_us = round(self.freshness.max_age_s * 1e6)
        self._forget_us = round(self.freshness.forget_s * 1e6)
        self._tracks: dict[str, _Track] = {}
        self._next_sweep_us = 0

    def __len__(self) -> int:
        return len(self._tracks)

    def _track(self, address: str, time_us: int) -> _Track:
        track = self._tracks.get(address)
        if track is None:
            track = self._tracks[address] = _Track()
        if time_us > track.heard_us:
            track.heard_us = time_us
        return track

    def altitude(self, address: str, time_us: int, alt_ft: float) -> None:
        track = self._track(address, time_us)
        track.alt_ft = alt_ft
        track.alt_us = time_us

    def velocity(
        self, address: str, time_us: int, gs_kt: float, track_deg: float, vrate_fpm: float
    ) -> None:
        track = self._track(address, time_us)
        track.gs_kt = gs_kt
        track.track_deg = track_deg
        track.vrate_fpm = vrate_fpm
        track.vel_us = time_us

    def callsign(self, address: str, time_us: int, callsign: str) -> None:
        self._track(address, time_us).callsign = callsign

    def position(
        self, address: str, time_us: int, lat: float, lon: float, alt_ft: float | None
    ) -> Row | None:
        """The state report this position completes, or None while a piece is missing or
        stale (see the rule above) or when a value is out of the ingest API's bounds
        (counted ``out-of-range``)."""
        track = self._track(address, time_us)
        if alt_ft is not None:
            track.alt_ft = alt_ft
            track.alt_us = time_us
        self._sweep(time_us)
        limit = self._max_age_us
        if (
            track.alt_us is None
            or track.vel_us is None
            or abs(time_us - track.alt_us) > limit
            or abs(time_us - track.vel_us) > limit
        ):
            return None
        row = make_row(
            address,
            time_us,
            lat,
            lon,
            track.alt_ft,
            track.gs_kt,
            track.track_deg,
            track.vrate_fpm,
            callsign=track.callsign,
            icao24=address,
        )
        if row is None:
            self._rejections[OUT_OF_RANGE] += 1
        return row

    def _sweep(self, now_us: int) -> None:
        """Drop silent tracks, at most once per ``forget_s`` of feed time."""
        if now_us < self._next_sweep_us:
            return
        self._next_sweep_us = now_us + self._forget_us
        before = now_us - self._forget_us
        for address in [a for a, t in self._tracks.items() if t.heard_us < before]:
            del self._tracks[address]
