"""Slow-loris: a client that dribbles its request, or holds many connections, is cut off.

Each test runs a real server (through `run_server`'s own builder) with short timeouts
and speaks raw HTTP/1.1 over a socket, as a misbehaving client does. The bounds given to
`read_until_closed` only prove that the connection was closed; they measure nothing.
"""

from __future__ import annotations

import contextlib
import json
import resource
import time
from collections.abc import Iterator

import pytest
from tests.service.serving import (
    Served,
    dribble_until_closed,
    head_and_body,
    read_until_closed,
    serving,
    status_of,
)

from airhotline.service.server import FD_RESERVE, ServerLimits, fit_file_limit

SHORT = ServerLimits(
    header_timeout_s=0.5,
    body_timeout_s=0.5,
    body_min_rate_bps=1000,
    max_connections=8,
    max_connections_per_client=4,
    keep_alive_s=1,
)
#: Timeouts long enough that only the connection caps can end a connection.
CAPPED = ServerLimits(header_timeout_s=30, max_connections=8, max_connections_per_client=4)
ADD_PARTY = b"POST /v1/parties HTTP/1.1\r\nHost: hotline\r\nContent-Type: application/json\r\n"


@pytest.fixture
def short(sqlite_url: str) -> Iterator[Served]:
    with serving(sqlite_url, SHORT) as served:
        yield served


@pytest.fixture
def capped(sqlite_url: str) -> Iterator[Served]:
    with serving(sqlite_url, CAPPED) as served:
        yield served


def assert_problem_bytes(response: bytes, status: int) -> dict[str, object]:
    assert status_of(response) == status, response
    headers, body = head_and_body(response)
    assert headers["content-type"].startswith("application/problem+json"), headers
    assert headers["connection"] == "close", headers
    problem: dict[str, object] = json.loads(body)
    assert problem["status"] == status
    assert problem["detail"]
    return problem


def get_me(served: Served, *, close: bool) -> bytes:
    connection = b"Connection: close\r\n" if close else b""
    return (
        b"GET /v1/me HTTP/1.1\r\nHost: hotline\r\n"
        + f"Authorization: Bearer {served.operator}\r\n".encode()
        + connection
        + b"\r\n"
    )


# --- headers and bodies that never finish -------------------------------------------------


def test_headers_that_never_finish_are_answered_408(short: Served) -> None:
    with short.connect() as sock:
        sock.sendall(ADD_PARTY + b"Content-Le")
        problem = assert_problem_bytes(read_until_closed(sock, within_s=5), 408)
    assert "header" in str(problem["detail"])


def test_headers_dribbled_byte_by_byte_are_cut_off(short: Served) -> None:
    # Each byte comes well within the header timeout: only a deadline for the whole
    # header block ends this, not an idle timer.
    request = ADD_PARTY + b"X-Pad: " + b"a" * 500 + b"\r\n\r\n"
    with short.connect() as sock:
        response = dribble_until_closed(sock, request, every_s=0.05, within_s=5)
    assert_problem_bytes(response, 408)


def test_a_connection_that_never_speaks_is_closed(short: Served) -> None:
    with short.connect() as sock:
        assert read_until_closed(sock, within_s=5) == b""


def test_a_dribbled_body_is_answered_408(short: Served) -> None:
    # With a valid feed token the route reads the body; it comes too slowly.
    head = (
        b"POST /v1/tracks HTTP/1.1\r\nHost: hotline\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {short.feed}\r\nContent-Length: 100000\r\n\r\n[".encode()
    )
    head_at = short.node.store.head().seq
    with short.connect() as sock:
        sock.sendall(head)
        response = dribble_until_closed(sock, b" " * 10_000, every_s=0.05, within_s=5)
    problem = assert_problem_bytes(response, 408)
    assert "body" in str(problem["detail"])
    assert short.node.store.head().seq == head_at


def test_a_body_sent_at_a_fair_rate_is_not_cut(short: Served) -> None:
    # 4 000 bytes: the first 1 000 at once, the rest at about 4 KB/s: longer than
    # body_timeout_s, always above body_min_rate_bps, and a second ahead of the deadline
    # from the start (on a loaded CI machine a scheduling stall once cut the dribble).
    body = json.dumps({"name": "DELTA", "lang": "ru", "pad": "x" * 4000}).encode()
    head = (
        ADD_PARTY
        + f"Authorization: Bearer {short.admin}\r\nContent-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
    )
    with short.connect() as sock:
        sock.sendall(head + body[:1000])
        for start in range(1000, len(body), 100):
            sock.sendall(body[start : start + 100])
            time.sleep(0.025)
        response = read_until_closed(sock, within_s=5)
    assert status_of(response) == 422, response  # "pad" is no field of a party: it was read


def test_half_a_second_request_on_a_kept_alive_connection_is_answered_408(short: Served) -> None:
    with short.connect() as sock:
        sock.sendall(get_me(short, close=False))
        first = b""
        while b'"role"' not in first:
            first += sock.recv(65536)
        assert status_of(first) == 200
        sock.sendall(b"GET /v1/me HTTP/1.1\r\nHost: hot")
        assert_problem_bytes(read_until_closed(sock, within_s=5), 408)


def test_a_body_refused_before_it_is_read_still_ends_in_time(short: Served) -> None:
    # 401 goes out at once; the body that follows is read and dropped, and then the
    # connection is an idle kept-alive one, which must not stay open for good.
    with short.connect() as sock:
        sock.sendall(ADD_PARTY + b"Content-Length: 2\r\n\r\n")
        first = b""
        while b"bearer token is required" not in first:
            first += sock.recv(65536)
        assert status_of(first) == 401
        sock.sendall(b"{}")
        assert read_until_closed(sock, within_s=5) == b""


def test_a_client_waiting_for_its_answer_is_not_cut(short: Served) -> None:
    # The stream is the server's to write: no read timeout applies while it does.
    request = (
        b"GET /v1/events HTTP/1.1\r\nHost: hotline\r\n"
        + f"Authorization: Bearer {short.operator}\r\n\r\n".encode()
    )
    with short.connect() as sock:
        sock.sendall(request)
        time.sleep(3 * SHORT.header_timeout_s)
        received = b""
        sock.settimeout(0.5)
        with contextlib.suppress(TimeoutError):
            while True:
                chunk = sock.recv(65536)
                assert chunk, f"the server closed the stream it was writing: {received!r}"
                received += chunk
    assert status_of(received) == 200


# --- connection caps ------------------------------------------------------------------------


def refused(served: Served, source: str) -> bytes:
    with served.connect(source) as sock:
        sock.sendall(get_me(served, close=True))
        return read_until_closed(sock, within_s=5)


def answered(served: Served, source: str) -> int:
    with served.connect(source) as sock:
        sock.sendall(get_me(served, close=True))
        return status_of(read_until_closed(sock, within_s=5))


def test_one_address_may_hold_only_its_share_of_connections(capped: Served) -> None:
    held = [capped.connect("127.0.0.2") for _ in range(CAPPED.max_connections_per_client)]
    try:
        problem = assert_problem_bytes(refused(capped, "127.0.0.2"), 503)
        assert str(CAPPED.max_connections_per_client) in str(problem["detail"])
        assert answered(capped, "127.0.0.3") == 200  # another address is served
        held.pop().close()
        deadline = time.monotonic() + 5  # the server counts the closed one out soon
        while answered(capped, "127.0.0.2") != 200:
            assert time.monotonic() < deadline, "a freed slot was never given again"
            time.sleep(0.05)
    finally:
        for sock in held:
            sock.close()


def test_the_server_holds_at_most_its_connection_limit(capped: Served) -> None:
    sources = [f"127.0.0.{2 + k // 4}" for k in range(CAPPED.max_connections)]
    held = [capped.connect(source) for source in sources]
    try:
        problem = assert_problem_bytes(refused(capped, "127.0.0.20"), 503)
        assert str(CAPPED.max_connections) in str(problem["detail"])
    finally:
        for sock in held:
            sock.close()


# --- open files -----------------------------------------------------------------------------


def test_the_connection_limit_fits_the_open_file_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = ServerLimits(max_connections=1000, max_connections_per_client=64)
    monkeypatch.setattr(resource, "getrlimit", lambda _: (256, 256))  # nothing to raise
    fitted, note = fit_file_limit(limits)
    assert fitted.max_connections == 256 - FD_RESERVE
    assert note is not None
    assert "256" in note

    raised: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _: (256, 65536))
    monkeypatch.setattr(resource, "setrlimit", lambda _, value: raised.append(value))
    assert fit_file_limit(limits) == (limits, None)
    assert raised == [(1000 + FD_RESERVE, 65536)]
