"""How much of the server's time and sockets one client may hold: the limits, and the
ledger of open connections that enforces the connection caps.

uvicorn bounds neither how long a request's headers or body may take to arrive nor how
many connections one address may keep open; `airhotline.service.connection` applies
these limits to each connection, this module only holds the numbers and the counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

__all__ = ["ConnectionLedger", "ServerLimits"]


@dataclass(frozen=True)
class ServerLimits:
    """Limits of the HTTP server. The defaults suit one node on a small machine.

    A request's headers must arrive within ``header_timeout_s`` of its first byte (of the
    connection, for a fresh one). Its body may take ``body_timeout_s`` plus one second per
    ``body_min_rate_bps`` bytes received so far (Apache's ``mod_reqtimeout`` rule): a
    client that keeps sending at that rate is never cut, one that dribbles is.
    """

    header_timeout_s: float = 10.0
    body_timeout_s: float = 10.0
    body_min_rate_bps: float = 1024.0
    #: Open connections in all; one more is answered 503 and closed.
    max_connections: int = 1024
    #: Open connections from one source address.
    max_connections_per_client: int = 64
    #: Idle time allowed between two requests on one connection (uvicorn's own timer).
    keep_alive_s: int = 5
    #: The largest request line plus headers (h11 answers 400 beyond it).
    max_header_bytes: int = 16 * 1024
    #: A failing accept() (out of file descriptors, say) is logged at most this often.
    accept_error_log_interval_s: float = 10.0
    #: On shutdown, how long running requests may take to finish.
    graceful_shutdown_s: int = 5

    def __post_init__(self) -> None:
        for name in ("header_timeout_s", "body_timeout_s", "body_min_rate_bps"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if not 1 <= self.max_connections_per_client <= self.max_connections:
            raise ValueError("need 1 <= max_connections_per_client <= max_connections")


class ConnectionLedger:
    """Open connections, in all and per source address (one event loop: no lock)."""

    def __init__(self, limits: ServerLimits) -> None:
        self.limits = limits
        self._per_client: Counter[str] = Counter()
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def of(self, client: str) -> int:
        return self._per_client[client]

    def admit(self, client: str) -> str | None:
        """Count a new connection from ``client`` in; or say why it is refused."""
        if self._total >= self.limits.max_connections:
            return f"the server holds its maximum of {self.limits.max_connections} connections"
        if self._per_client[client] >= self.limits.max_connections_per_client:
            cap = self.limits.max_connections_per_client
            return f"at most {cap} connections per client address"
        self._per_client[client] += 1
        self._total += 1
        return None

    def release(self, client: str) -> None:
        """Count an admitted connection out."""
        self._total -= 1
        self._per_client[client] -= 1
        if self._per_client[client] <= 0:
            del self._per_client[client]
