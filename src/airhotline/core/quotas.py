"""Quotas per party: how many live tracks, how many reports a second.

One party's feed — faulty or hostile — must not be able to fill the picture, the
journal or the cycle for everyone. Each party may have at most ``max_live_tracks``
tracks in the picture, and report at ``reports_per_s`` on average with bursts of
``burst_s`` seconds' worth (a token bucket on the injected clock). A batch over either
quota is refused whole, with the time after which a retry may pass.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from airhotline.clock import US_PER_S
from airhotline.errors import QuotaError

__all__ = ["Quotas", "ReportRate"]


@dataclass(frozen=True, slots=True)
class Quotas:
    max_live_tracks: int = 10_000
    reports_per_s: float = 20_000.0
    burst_s: float = 2.0

    def __post_init__(self) -> None:
        if self.max_live_tracks < 1:
            raise ValueError("max_live_tracks must be at least 1")
        if not (math.isfinite(self.reports_per_s) and self.reports_per_s > 0):
            raise ValueError("reports_per_s must be finite and positive")
        if not (math.isfinite(self.burst_s) and self.burst_s >= 1.0):
            raise ValueError("burst_s must be finite and at least 1")


class ReportRate:
    """A token bucket per party: thread-safe; time comes from the caller's clock."""

    def __init__(self, quotas: Quotas) -> None:
        self._quotas = quotas
        self._capacity = quotas.reports_per_s * quotas.burst_s
        self._lock = threading.Lock()
        self._buckets: dict[int, tuple[float, int]] = {}  # party → (tokens, as of µs)

    def take(self, party_id: int, reports: int, now_us: int) -> None:
        """Spend ``reports`` tokens, or raise `QuotaError` saying when they will be there."""
        rate = self._quotas.reports_per_s
        with self._lock:
            tokens, as_of = self._buckets.get(party_id, (self._capacity, now_us))
            tokens = min(self._capacity, tokens + rate * max(0, now_us - as_of) / US_PER_S)
            if reports > tokens:
                self._buckets[party_id] = (tokens, now_us)
                wait_s = (min(reports, self._capacity) - tokens) / rate
                raise QuotaError(
                    "reports_per_s",
                    rate,
                    wait_s,
                    f"over {rate:g} reports a second (bursts of {self._capacity:g}): "
                    f"retry in {wait_s:.1f} s",
                )
            self._buckets[party_id] = (tokens - reports, now_us)
