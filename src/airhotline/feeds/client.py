"""The feed client's sending half: batches to ``POST /v1/tracks``, in order, exactly once.

Rows are cut into batches per party (`Batcher`: at most ``max_rows`` rows or
``max_age_s`` old), each batch given an Idempotency-Key when it is cut. `Sender` sends
the queue's head until it is answered: a connection error, a 5xx or a 429 is retried
with the same key and body after an exponential back-off with full jitter (a 429's or
503's Retry-After honoured), so a retry after a lost answer replays the committed
batch instead of storing it twice, and a server restart loses nothing. Batches wait in
order while the server is down; past ``max_queued`` the oldest is dropped and counted
(a live feed's oldest reports are the least worth sending), unless ``block`` makes the
reader wait instead (a file: nothing need be lost). A 4xx other than 429 will never
succeed: the batch is counted as refused, with the server's reason, and dropped.

**Thread-safety.** `Sender.put` and `Sender.close` may be called from one producer
thread while the sender's own thread sends; `Batcher` belongs to the producer.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from airhotline.feeds._rows import Row

__all__ = ["Batch", "Batcher", "Retry", "Sender", "SenderStats"]

_BODY_KEYS = ("track_id", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm")
_TEXT_KEYS = ("callsign", "icao24", "aircraft_type")


@dataclass(frozen=True, slots=True)
class Batch:
    party: str
    key: str
    body: bytes
    rows: int


def body_of(rows: list[Row]) -> bytes:
    """The ingest body: a JSON array, times as epoch seconds to the microsecond (the
    token says whose tracks they are, so a row's own party is left out)."""
    reports = []
    for row in rows:
        report: dict[str, object] = {key: row[key] for key in _BODY_KEYS}  # type: ignore[literal-required]
        report["time"] = row["time_us"] / 1_000_000
        for key in _TEXT_KEYS:
            value = row.get(key)
            if value is not None:
                report[key] = value
        reports.append(report)
    return json.dumps(reports, separators=(",", ":")).encode()


class Batcher:
    """Rows in, batches out: per party, at ``max_rows`` or once ``max_age_s`` old."""

    def __init__(
        self,
        *,
        max_rows: int = 1_000,
        max_age_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        session: str | None = None,
    ) -> None:
        self.max_rows = max_rows
        self.max_age_s = max_age_s
        self._monotonic = monotonic
        # Keys unique across runs and clients: a restarted client must not collide
        # with the keys of its previous run, which the server still remembers.
        self._session = session or uuid.uuid4().hex
        self._serial = 0
        self._open: dict[str, tuple[float, list[Row]]] = {}

    def add(self, party: str, rows: list[Row]) -> list[Batch]:
        """Take a party's rows; the batches they fill."""
        cut: list[Batch] = []
        if not rows:
            return cut
        _, pending = self._open.setdefault(party, (self._monotonic(), []))
        pending.extend(rows)
        while len(pending) >= self.max_rows:
            cut.append(self._cut(party, pending[: self.max_rows]))
            del pending[: self.max_rows]
        if not pending:
            del self._open[party]
        return cut

    def due(self, *, everything: bool = False) -> list[Batch]:
        """The open batches older than ``max_age_s`` (all of them with ``everything``)."""
        now = self._monotonic()
        cut = []
        for party, (since, pending) in list(self._open.items()):
            if everything or now - since >= self.max_age_s:
                cut.append(self._cut(party, pending))
                del self._open[party]
        return cut

    def _cut(self, party: str, rows: list[Row]) -> Batch:
        self._serial += 1
        return Batch(party, f"{self._session}-{self._serial}", body_of(rows), len(rows))


@dataclass(frozen=True, slots=True)
class Retry:
    """Exponential back-off with full jitter: attempt n waits U(0, min(cap, base·2ⁿ))."""

    base_s: float = 0.2
    cap_s: float = 10.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.cap_s, self.base_s * 2.0 ** min(attempt, 30)))


@dataclass
class SenderStats:
    sent_batches: int = 0
    sent_rows: int = 0
    #: Committed before: the answer to an earlier attempt was lost (never stored twice).
    replayed_batches: int = 0
    retries: int = 0
    dropped_batches: int = 0
    dropped_rows: int = 0
    refused_rows: Counter[str] = field(default_factory=Counter)
    last_error: str | None = None


class Sender:
    """Sends queued batches in order from its own thread (`start`); see the module."""

    def __init__(
        self,
        server: str,
        tokens: Mapping[str, str],
        *,
        max_queued: int = 10_000,
        block: bool = False,
        retry: Retry | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 30.0,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.stats = SenderStats()
        self._url = server.rstrip("/") + "/v1/tracks"
        self._tokens = dict(tokens)
        self._max_queued = max_queued
        self._block = block
        self._retry = retry or Retry()
        self._rng = rng or random.Random()
        self._queue: deque[Batch] = deque()
        self._changed = threading.Condition()
        self._closing = False
        self._abandon = False
        self._stop = threading.Event()
        self._sleep = sleep or (lambda s: self._stop.wait(s) and None)
        self._client = httpx.Client(transport=transport, timeout=timeout_s)
        self._thread = threading.Thread(target=self._run, name="feed-sender", daemon=True)

    def start(self) -> Sender:
        self._thread.start()
        return self

    @property
    def queued(self) -> int:
        with self._changed:
            return len(self._queue)

    def put(self, batches: list[Batch]) -> None:
        """Queue batches at the tail, in order (blocking or dropping the oldest when full)."""
        with self._changed:
            for batch in batches:
                if batch.party not in self._tokens:
                    raise KeyError(f"no feed token for party {batch.party!r}")
                while self._block and len(self._queue) >= self._max_queued and not self._abandon:
                    self._changed.wait()
                if len(self._queue) >= self._max_queued:
                    oldest = self._queue.popleft()
                    self.stats.dropped_batches += 1
                    self.stats.dropped_rows += oldest.rows
                self._queue.append(batch)
            self._changed.notify_all()

    def close(self, *, deadline_s: float | None = None) -> bool:
        """Send what is queued (for at most ``deadline_s``), then stop; whether all went."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join(deadline_s)
        finished = not self._thread.is_alive()
        if not finished:
            with self._changed:
                self._abandon = True
                self._changed.notify_all()
            self._stop.set()
            self._thread.join(self._client.timeout.read or 30.0)
        self._client.close()
        return finished and not self._queue

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._queue and not self._closing:
                    self._changed.wait()
                if not self._queue or self._abandon:
                    return
                batch = self._queue[0]
            self._deliver(batch)
            with self._changed:
                if self._queue and self._queue[0] is batch:
                    self._queue.popleft()
                self._changed.notify_all()

    def _deliver(self, batch: Batch) -> None:
        """Send one batch until it is answered for good (or the sender is abandoned)."""
        headers = {
            "Authorization": f"Bearer {self._tokens[batch.party]}",
            "Content-Type": "application/json",
            "Idempotency-Key": batch.key,
        }
        attempt = 0
        while not self._abandon:
            wait: float | None = None
            try:
                response = self._client.post(self._url, content=batch.body, headers=headers)
            except httpx.HTTPError as error:
                self.stats.last_error = f"{type(error).__name__}: {error}"[:200]
            else:
                status = response.status_code
                if status < 300:
                    self.stats.sent_batches += 1
                    self.stats.sent_rows += batch.rows
                    if response.headers.get("Idempotent-Replayed") == "true":
                        self.stats.replayed_batches += 1
                    return
                reason = _reason(response)
                self.stats.last_error = f"{status} {reason}"[:200]
                if status != 429 and status < 500:
                    self.stats.refused_rows[f"{status} {reason}"[:80]] += batch.rows
                    return
                wait = _retry_after(response)
            self.stats.retries += 1
            self._sleep(wait if wait is not None else self._retry.delay(attempt, self._rng))
            attempt += 1


def _reason(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return response.reason_phrase
    detail = problem.get("detail") if isinstance(problem, dict) else None
    return str(detail) if detail else response.reason_phrase


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the date form is not sent by this server), capped."""
    value = response.headers.get("Retry-After")
    try:
        return None if value is None else min(60.0, max(0.0, float(value)))
    except ValueError:
        return None
