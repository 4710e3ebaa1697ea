"""uvicorn's h11 protocol with the read deadlines and connection caps it lacks.

What uvicorn's `H11Protocol` enforces by itself: a keep-alive timer, armed only once a
response is complete and cancelled by any byte received; a 400 when headers outgrow
``h11_max_incomplete_event_size``; and ``limit_concurrency``, checked only once a
request's headers are complete, and then answering 503 to everyone as long as that many
connections are open. A request whose headers or body never finish is never timed: it
holds its connection, and its file descriptor, for good.

`GuardedH11Protocol` adds, per connection, one timer that follows where the request is:

- ``headers``: from the connection's first moment (or the first byte of the next
  request on a kept-alive connection), the headers must be in within
  ``header_timeout_s``; otherwise 408, or a plain close when nothing came at all;
- ``body``: the body may take ``body_timeout_s`` plus one second per
  ``body_min_rate_bps`` bytes received (a dribbled body is cut with 408, or the
  connection closed when an answer is already under way); time the server itself makes
  the client wait (a ``100 Continue`` not yet sent, reading paused) does not count;
- ``idle``: between two requests, ``keep_alive_s`` (as uvicorn's own timer, which is
  not re-armed when a body is drained after an early answer);
- ``serving``: no timer: the whole request is in, the app answers.

And, when a connection is made, the caps of `ConnectionLedger`: over them, 503 and close.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from typing import Any, ClassVar

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from airhotline.service.disconnects import READ_TIMED_OUT
from airhotline.service.limits import ConnectionLedger
from airhotline.service.problems import PROBLEM_JSON, problem_document
from airhotline.service.throttled_log import ThrottledLog

__all__ = ["GuardedH11Protocol", "guarded_protocol"]

log = logging.getLogger("airhotline.service")

_REASONS = {408: b"Request Timeout", 503: b"Service Unavailable"}


class _Phase(enum.Enum):
    HEADERS = "headers"
    BODY = "body"
    SERVING = "serving"
    IDLE = "idle"


def raw_problem(status: int, detail: str, *, extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A whole HTTP/1.1 problem+json response that closes the connection, written below
    h11: only ever sent just before the transport is closed."""
    body = json.dumps(problem_document(status, detail)).encode()
    head = [
        b"HTTP/1.1 %d %s" % (status, _REASONS[status]),
        b"content-type: " + PROBLEM_JSON.encode(),
        b"content-length: %d" % len(body),
        b"connection: close",
        *(f"{name}: {value}".encode() for name, value in extra),
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class GuardedH11Protocol(H11Protocol):
    """One connection. Bind the shared ledger with `guarded_protocol` before use."""

    ledger: ClassVar[ConnectionLedger]
    events: ClassVar[ThrottledLog]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._limits = self.ledger.limits
        self._phase = _Phase.HEADERS
        self._since = 0.0  # loop time at which the phase began
        self._received = 0  # bytes received in the phase
        self._timer: asyncio.TimerHandle | None = None
        self._admitted: str | None = None  # the address counted in the ledger

    # --- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        super().connection_made(transport)
        address = self.client[0] if self.client else "?"
        refusal = self.ledger.admit(address)
        if refusal is not None:
            self.events.event(refusal, logging.WARNING, f"connections refused: {refusal}")
            transport.write(raw_problem(503, refusal, extra=(("retry-after", "1"),)))
            transport.close()
            return
        self._admitted = address
        self._enter(_Phase.HEADERS)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        if self._admitted is not None:
            self.ledger.release(self._admitted)
            self._admitted = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase is _Phase.IDLE:  # the first bytes of the next request
            self._enter(_Phase.HEADERS)
        self._received += len(data)
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    # --- phases --------------------------------------------------------------------------

    def _follow(self) -> None:
        """Move to the phase h11's view of the client says we are in."""
        if self.transport.is_closing():
            self._cancel_timer()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            if self._phase is not _Phase.HEADERS:  # between two requests
                buffered = len(self.conn.trailing_data[0])
                self._enter(_Phase.HEADERS if buffered else _Phase.IDLE, received=buffered)
        elif state is h11.SEND_BODY:
            if self._phase is not _Phase.BODY:
                self._enter(_Phase.BODY)
        elif self._phase is not _Phase.SERVING:  # the whole request is in (or h11 gave up)
            self._enter(_Phase.SERVING)

    def _enter(self, phase: _Phase, *, received: int = 0) -> None:
        self._phase = phase
        self._since = self.loop.time()
        self._received = received
        self._cancel_timer()
        if phase is not _Phase.SERVING:
            self._arm(self._deadline() - self._since)

    def _arm(self, delay_s: float) -> None:
        self._timer = self.loop.call_later(delay_s, self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _deadline(self) -> float:
        limits = self._limits
        if self._phase is _Phase.HEADERS:
            return self._since + limits.header_timeout_s
        if self._phase is _Phase.IDLE:
            return self._since + limits.keep_alive_s
        return self._since + limits.body_timeout_s + self._received / limits.body_min_rate_bps

    def _server_keeps_client_waiting(self) -> bool:
        cycle = self.cycle
        waiting_for_100 = cycle is not None and cycle.waiting_for_100_continue
        return waiting_for_100 or self.flow.read_paused

    def _on_timer(self) -> None:
        self._timer = None
        if self.transport.is_closing() or self._phase is _Phase.SERVING:
            return
        if self._phase is _Phase.BODY and self._server_keeps_client_waiting():
            self._enter(_Phase.BODY)  # not the client's fault: a fresh budget from now
            return
        left = self._deadline() - self.loop.time()
        if left > 0:  # bytes came meanwhile and earned more time
            self._arm(left)
            return
        self._expire()

    def _expire(self) -> None:
        phase, waited = self._phase, self.loop.time() - self._since
        if phase is _Phase.IDLE or (phase is _Phase.HEADERS and self._received == 0):
            log.debug("closing a connection idle for %.1f s", waited)  # nothing to answer
            self.transport.close()
            return
        address = self._admitted or "?"
        cycle = self.cycle if phase is _Phase.BODY else None
        if cycle is not None:
            # The app may be waiting in receive(): it gets a disconnect; its answer, if
            # any, goes nowhere (uvicorn drops what a disconnected cycle sends).
            cycle.scope[READ_TIMED_OUT] = True  # type: ignore[literal-required]
            answered = cycle.response_started
            cycle.disconnected = True
            cycle.message_event.set()
        else:
            answered = False
        if not answered:
            detail = (
                f"the request {phase.value} did not arrive in time "
                f"({self._received} bytes in {waited:.1f} s)"
            )
            self.transport.write(raw_problem(408, detail))
        log.debug("408 to %s: request %s too slow", address, phase.value)
        self.events.event("timeout", logging.INFO, "cut off requests too slow to arrive (408)")
        self.transport.close()


def guarded_protocol(ledger: ConnectionLedger) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn instantiates per connection, bound to ``ledger``."""

    class Bound(GuardedH11Protocol):
        pass

    Bound.ledger = ledger
    Bound.events = ThrottledLog(log, interval_s=ledger.limits.accept_error_log_interval_s)
    return Bound
