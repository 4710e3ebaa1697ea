"""Slow-loris benchmark: legitimate reads while 1 000 connections dribble their requests.

A server subprocess (SQLite, `run_server` with its limits) serves the party ATLAS. The
slow clients, from loopback addresses 127.0.0.2 and up, send no token and dribble one
byte a second: the request headers of ``POST /v1/parties`` (never finished), or its
whole headers and then a body that never ends; a tenth of them carry a valid feed token
and dribble the body of ``POST /v1/tracks``. Each keeps sending whatever it is answered
and, once the server closes, opens its slot again, as an attacker would. Meanwhile, from
127.0.0.1, an operator reads ``GET /v1/me`` and ``GET /v1/alerts`` in turn on a kept-alive
connection and on a fresh connection per request. Target: p99 <= 1 s for those reads.

Run: ``.venv/bin/python -m benchmarks.slow_clients [--seconds 15] [--slow 1000]
[--sources 20] [--max-connections 1024] [--per-client 64] [--server-nofile 1024]``.
Loopback only; it stops by
itself after the ramp, the measured seconds and the drain.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from airhotline.bootstrap import build_node
from airhotline.core.access import Role
from benchmarks._server import free_port

HOST = "127.0.0.1"
TARGET_P99_S = 1.0
DRIBBLE_EVERY_S = 1.0
READ_EVERY_S = 0.05
RAMP_S = 2.0
#: The slow mix: (kind, share).
MIX = (("headers", 0.6), ("body-anon", 0.3), ("body-feed", 0.1))


@dataclasses.dataclass
class Ending:
    """How one slow connection ended: the first status answered (or none) and how."""

    status: str
    how: str
    held_s: float


def slow_request(kind: str, feed_token: str) -> tuple[bytes, bytes]:
    """(sent at once, then dribbled byte by byte, repeating for ever)."""
    if kind == "headers":
        return b"POST /v1/parties HTTP/1.1\r\nHost: hotline\r\n", b"X-Slow: loris\r\n"
    if kind == "body-anon":
        head = (
            b"POST /v1/parties HTTP/1.1\r\nHost: hotline\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000\r\n\r\n"
        )
        return head, b" "
    head = (
        b"POST /v1/tracks HTTP/1.1\r\nHost: hotline\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {feed_token}\r\nContent-Length: 1000000\r\n\r\n[".encode()
    )
    return head, b" "


async def slow_slot(
    port: int, source: str, kind: str, feed_token: str, until: float, endings: list[Ending]
) -> None:
    """One slot of the attacker: connect, dribble until closed, reconnect."""
    head, tail = slow_request(kind, feed_token)
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        opened = loop.time()
        try:
            reader, writer = await asyncio.open_connection(HOST, port, local_addr=(source, 0))
        except OSError as error:
            endings.append(Ending("-", f"connect failed: {error.strerror}", 0.0))
            await asyncio.sleep(1.0)
            continue
        status, how = "-", "still open at the end"
        try:
            writer.write(head)
            pending = tail
            while loop.time() < until:
                try:
                    data = await asyncio.wait_for(reader.read(65536), DRIBBLE_EVERY_S)
                except TimeoutError:
                    writer.write(pending[:1])  # one more byte, whatever was answered
                    pending = pending[1:] or tail
                    continue
                if not data:
                    how = "closed by the server"
                    break
                if status == "-" and data.startswith(b"HTTP/1.1 "):
                    status = data.split(b" ", 2)[1].decode()
        except (ConnectionResetError, BrokenPipeError):
            how = "reset by the server"
        finally:
            writer.close()
        endings.append(Ending(status, how, loop.time() - opened))
        if how == "still open at the end":
            return
        await asyncio.sleep(1.0 if status == "503" else 0.1)


def read_loop(
    url: str, token: str, fresh: bool, stop: threading.Event, out: list[tuple[float, int]]
) -> None:
    """The operator's reads; ``fresh``: a new connection for each request."""
    headers = {"Authorization": f"Bearer {token}"}
    paths = ("/v1/me", "/v1/alerts")
    client = httpx.Client(base_url=url, headers=headers, timeout=10.0)
    k = 0
    try:
        while not stop.is_set():
            if fresh:
                client.close()
                client = httpx.Client(base_url=url, headers=headers, timeout=10.0)
            started = time.perf_counter()
            try:
                status = client.get(paths[k % 2]).status_code
            except httpx.HTTPError:
                status = 0
            out.append((time.perf_counter() - started, status))
            k += 1
            stop.wait(READ_EVERY_S)
    finally:
        client.close()


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def serve(args: argparse.Namespace) -> None:
    """The server process."""
    from airhotline.service import create_app
    from airhotline.service.server import ServerLimits, run_server

    limits = ServerLimits(
        max_connections=args.max_connections, max_connections_per_client=args.per_client
    )
    level = {"level": "INFO", "handlers": ["file"], "propagate": False}
    log_config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"file": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "loggers": {
            "airhotline": level,
            "uvicorn.error": level,
            "uvicorn.access": {**level, "level": "WARNING"},
            "asyncio": level,
        },
    }
    if args.server_nofile:  # a small machine's limit, soft and hard: nothing to raise
        resource.setrlimit(resource.RLIMIT_NOFILE, (args.server_nofile, args.server_nofile))
    sys.setswitchinterval(0.0005)  # as `airhotline serve` does
    node = build_node(args.serve)
    run_server(create_app(node), host=HOST, port=args.port, log_config=log_config, limits=limits)


def start(args: argparse.Namespace, db: str, workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.slow_clients", "--serve", db, "--port", str(port)]
    command += [
        "--max-connections",
        str(args.max_connections),
        "--per-client",
        str(args.per_client),
    ]
    command += ["--server-nofile", str(args.server_nofile)]
    with (workdir / "server.log").open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log)
    for _ in range(300):
        try:
            httpx.get(f"http://{HOST}:{port}/healthz", timeout=1)  # 200, or 503 before a cycle
            return process, port
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server did not start: see {workdir / 'server.log'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--slow", type=int, default=1000, help="slow connections held")
    parser.add_argument("--sources", type=int, default=20, help="their loopback addresses")
    parser.add_argument("--max-connections", type=int, default=1024)
    parser.add_argument("--per-client", type=int, default=64)
    parser.add_argument(
        "--server-nofile", type=int, default=0, help="the server's open-file limit (0: as is)"
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    if not 1 <= args.sources <= 250 or not 1 <= args.slow <= 5000:
        raise SystemExit("--sources must be within 1..250 and --slow within 1..5000")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.slow + 512
    if soft < wanted:  # one descriptor per slow connection, here in the client
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    print(
        f"airhotline slow-client benchmark — {os.cpu_count()} cores; {args.slow} slow"
        f" connections from {args.sources} addresses; server limits: {args.max_connections}"
        f" connections, {args.per_client} per address; target p99 <= {TARGET_P99_S:g} s"
    )
    workdir = Path(tempfile.mkdtemp(prefix="ahl-bench-"))
    db = f"sqlite:///{workdir / 'slow.db'}"
    node = build_node(db)
    try:
        atlas = node.add_party("ATLAS", "en")
        operator, feed = atlas.tokens[Role.OPERATOR][1], atlas.tokens[Role.FEED][1]
    finally:
        node.close()
    process, port = start(args, db, workdir)
    url = f"http://{HOST}:{port}"
    endings: list[Ending] = []
    reads: dict[str, list[tuple[float, int]]] = {"kept-alive": [], "fresh": []}
    stop = threading.Event()
    try:
        readers = [
            threading.Thread(target=read_loop, args=(url, operator, mode == "fresh", stop, out))
            for mode, out in reads.items()
        ]

        async def attack() -> None:
            loop = asyncio.get_running_loop()
            started = loop.time()
            until = started + RAMP_S + args.seconds
            kinds = [kind for kind, share in MIX for _ in range(round(share * args.slow))]
            attackers = []
            for k, kind in enumerate(kinds[: args.slow]):
                source = f"127.0.0.{2 + k % args.sources}"
                slot = slow_slot(port, source, kind, feed, until, endings)
                attackers.append(asyncio.ensure_future(slot))
                if k % 50 == 49:  # ramp up over about half of RAMP_S
                    await asyncio.sleep(RAMP_S * 25 / args.slow)
            await asyncio.sleep(max(0.0, started + RAMP_S - loop.time()))
            for reader in readers:
                reader.start()
            await asyncio.gather(*attackers)

        asyncio.run(attack())
    finally:
        stop.set()
        for reader in readers:
            if reader.is_alive():
                reader.join(timeout=15)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    report(reads, endings, workdir / "server.log")


def report(
    reads: dict[str, list[tuple[float, int]]], endings: list[Ending], log_path: Path
) -> None:
    print("\nlegitimate reads (GET /v1/me, GET /v1/alerts, operator token, from 127.0.0.1):")
    every: list[float] = []
    for mode, samples in reads.items():
        times = [t for t, _ in samples]
        every += times
        statuses = collections.Counter(s for _, s in samples)
        print(
            f"  {mode:<10} {len(samples):5d} requests  p50 {statistics.median(times) * 1e3:7.1f} ms"
            f"  p99 {percentile(times, 0.99) * 1e3:7.1f} ms  max {max(times) * 1e3:7.1f} ms"
            f"  statuses {dict(sorted(statuses.items()))} (0: no answer)"
        )
    p99 = percentile(every, 0.99)
    verdict = "met" if p99 <= TARGET_P99_S else "MISSED"
    print(f"  all        p99 {p99 * 1e3:.1f} ms: target {TARGET_P99_S:g} s {verdict}")
    print("\nslow connections, by how they ended (first status answered; how; time held):")
    groups: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    for ending in endings:
        groups[(ending.status, ending.how)].append(ending.held_s)
    for (status, how), held in sorted(groups.items(), key=lambda item: -len(item[1])):
        print(
            f"  {len(held):6d}  status {status:<3}  {how:<28}"
            f"  held median {statistics.median(held):5.1f} s  max {max(held):5.1f} s"
        )
    lines = log_path.read_text(errors="replace").splitlines()
    tracebacks = sum(1 for line in lines if line.startswith("Traceback"))
    print(f"\nserver log: {len(lines)} lines, {tracebacks} tracebacks ({log_path})")
    for line in [ln for ln in lines if " WARNING " in ln or " ERROR " in ln][:8]:
        print("  " + line[:160])


if __name__ == "__main__":
    main()
