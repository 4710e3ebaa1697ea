"""A real uvicorn server in a thread, started through `airhotline.service.server`, and
raw-socket helpers for clients that misbehave on purpose.

Only loopback addresses are used; Linux routes all of 127.0.0.0/8 to ``lo``, so a test
can play several client addresses (127.0.0.2, 127.0.0.3, ...) without any setup.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from airhotline.bootstrap import build_node
from airhotline.core.access import Role
from airhotline.core.node import HotlineNode
from airhotline.service import create_app
from airhotline.service.server import HotlineServer, ServerLimits, build_server

HOST = "127.0.0.1"


@dataclass
class Served:
    port: int
    node: HotlineNode
    server: HotlineServer
    feed: str
    operator: str
    admin: str

    def connect(self, source: str = HOST) -> socket.socket:
        sock = socket.create_connection((HOST, self.port), timeout=5, source_address=(source, 0))
        return sock


@contextlib.contextmanager
def serving(url: str, limits: ServerLimits) -> Iterator[Served]:
    """A node with the party ATLAS (feed and operator tokens) and an admin token, served
    on a free loopback port with ``limits`` until the block ends."""
    node = build_node(url)
    try:
        party = node.add_party("ATLAS", "en")
        _, admin = node.issue_token(None, Role.ADMIN)
        app = create_app(node, run_cycle=False)
        server = build_server(app, host=HOST, port=0, log_config=None, limits=limits)
        thread = threading.Thread(target=server.run, name="test-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "the server thread ended"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        port = server.port
        try:
            yield Served(
                port,
                node,
                server,
                feed=party.tokens[Role.FEED][1],
                operator=party.tokens[Role.OPERATOR][1],
                admin=admin,
            )
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            assert not thread.is_alive(), "server did not stop"
    finally:
        node.close()


def read_until_closed(sock: socket.socket, *, within_s: float) -> bytes:
    """Everything the server sends until it closes the connection; fails the test when
    the connection is still open after ``within_s``."""
    deadline = time.monotonic() + within_s
    received = b""
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"the connection is still open after {within_s} s; got {received!r}"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def dribble_until_closed(
    sock: socket.socket, data: bytes, *, every_s: float, within_s: float
) -> bytes:
    """Send ``data`` one byte every ``every_s`` (a slow-loris client); return what the
    server answered once it closed the connection. Fails when it is still open after
    ``within_s`` or when all of ``data`` went out."""
    deadline = time.monotonic() + within_s
    for byte in data:
        readable, _, _ = select.select([sock], [], [], every_s)
        if readable:
            return read_until_closed(sock, within_s=max(0.1, deadline - time.monotonic()))
        assert time.monotonic() < deadline, f"still open after {within_s} s of dribbling"
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return read_until_closed(sock, within_s=1)
    raise AssertionError("the whole request went out, one byte at a time")


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP/1.1 response."""
    assert response.startswith(b"HTTP/1.1 "), response
    return int(response.split(b" ", 2)[1])


def head_and_body(response: bytes) -> tuple[dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers, body
