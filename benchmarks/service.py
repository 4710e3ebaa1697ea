"""Service benchmark: durable ingest over loopback, SSE fan-out, and the picture cycle.

Runs `airhotline serve` in a subprocess (a real uvicorn on 127.0.0.1) and measures:

1. Sustained ingest: 10 000 tracks of 4 parties (worldwide traffic between real
   airports, each aircraft flown along its geodesic to the moment it is posted)
   reporting through batched ``POST /v1/tracks`` from several client processes, while
   the server's cycle runs detection and alerts on them; only 200 answers count, and a 200
   means the batch is committed to the journal. On SQLite, and on PostgreSQL when
   ``--pg URL`` or ``AIRHOTLINE_TEST_DATABASE_URL`` names a server.
2. Fan-out: events delivered per second to 50 SSE clients while an admin changes
   agreements as fast as it can.
3. The picture cycle at 10 000 tracks, in-process: expiry, the view flown on to now,
   detection and alert bookkeeping.

Run: ``.venv/bin/python -m benchmarks.service [--seconds 10] [--batch 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.reports import ReportBatch
from airhotline.simulate.traffic import worldwide_traffic
from benchmarks import _stats as stats
from benchmarks._server import provision, start_server, stop_server

TRACKS = 10_000
PARTIES = 4
SSE_CLIENTS = 50


def _feeder(url: str, token: str, party: int, batch: int, seconds: float, out: object) -> None:
    """One client process: post its party's share of worldwide traffic, each aircraft
    flown along its geodesic to the moment of the post, in batches, until time is up."""
    traffic = worldwide_traffic(TRACKS, parties=PARTIES, seed=3)
    mine = np.flatnonzero(traffic.party == party)
    ids = [str(t) for t in traffic.track_id[mine]]
    lat0, lon0 = traffic.lat_deg[mine], traffic.lon_deg[mine]
    track0, gs = traffic.track_rad[mine], traffic.gs_mps[mine]
    alt0, vrate = traffic.alt_m[mine], traffic.vrate_mps[mine]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    accepted = 0
    refused = 0
    latencies: list[float] = []
    started = time.time()
    with httpx.Client(base_url=url, timeout=30) as client:
        end = time.monotonic() + seconds
        offset = 0
        while time.monotonic() < end:
            rows = np.arange(offset, offset + batch) % len(ids)
            offset += batch
            now = time.time()
            flown = now - started
            lat, lon, track = geo.geodesic_forward(
                lat0[rows], lon0[rows], track0[rows], gs[rows] * flown
            )
            alt_ft = np.clip(units.ft_from_m(alt0[rows] + vrate[rows] * flown), 0.0, 60_000.0)
            body = json.dumps(
                [
                    {
                        "track_id": ids[r],
                        "time": now,
                        "lat": float(lat[k]),
                        "lon": float(lon[k]),
                        "alt_ft": float(alt_ft[k]),
                        "gs_kt": float(units.kt_from_mps(gs[r])),
                        "track_deg": float(np.degrees(track[k]) % 360.0),
                        "vrate_fpm": float(units.fpm_from_mps(vrate[r])),
                    }
                    for k, r in enumerate(rows.tolist())
                ]
            ).encode()
            before = time.perf_counter()
            response = client.post("/v1/tracks", content=body, headers=headers)
            latencies.append(time.perf_counter() - before)
            if response.status_code == 200:
                accepted += batch
            else:
                refused += 1
    out.put((accepted, refused, latencies))  # type: ignore[attr-defined]


def bench_ingest(db: str, label: str, seconds: float, batch: int, clients: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ahl-bench-"))
    feeds, _, _ = provision(db)
    process, url = start_server(db, workdir)
    try:
        queue: multiprocessing.Queue[tuple[int, int, list[float]]] = multiprocessing.Queue()
        workers = []
        for c in range(clients):
            party = c % PARTIES
            workers.append(
                multiprocessing.Process(
                    target=_feeder, args=(url, feeds[party], party, batch, seconds, queue)
                )
            )
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        results = [queue.get(timeout=seconds + 120) for _ in workers]
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        accepted = sum(r[0] for r in results)
        refused = sum(r[1] for r in results)
        latencies = sorted(x for r in results for x in r[2])
        tracks = httpx.get(f"{url}/metrics").text
        in_picture = next(
            line.split()[-1]
            for line in tracks.splitlines()
            if line.startswith("airhotline_tracks ")
        )
        p50 = statistics.median(latencies) * 1000
        p99 = stats.p99(latencies) * 1000
        print(
            f"ingest {label:<10} {accepted / elapsed:>10,.0f} reports/s durably committed"
            f"  (batch {batch}, {clients} clients, {elapsed:.1f} s, refused {refused},"
            f" POST p50 {p50:.1f} ms p99 {p99:.1f} ms, tracks in picture {in_picture})"
        )
    finally:
        stop_server(process)


async def _sse_client(
    url: str, token: str, counts: list[int], index: int, stop: asyncio.Event
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(timeout=None) as client,
        client.stream("GET", f"{url}/v1/events", headers=headers) as response,
    ):
        async for line in response.aiter_lines():
            if line == "event: agreement.set":
                counts[index] += 1
            if stop.is_set():
                return


async def _fan_out(
    url: str, operators: list[str], admin: str, seconds: float
) -> tuple[int, int, float]:
    counts = [0] * SSE_CLIENTS
    stop = asyncio.Event()
    clients = [
        asyncio.create_task(_sse_client(url, operators[k % 2], counts, k, stop))
        for k in range(SSE_CLIENTS)
    ]
    await asyncio.sleep(1.0)
    baseline = sum(counts)
    changes = 0
    headers = {"Authorization": f"Bearer {admin}"}
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, headers=headers) as admin_client:
        while time.perf_counter() - started < seconds:
            status = "active" if changes % 2 else "suspended"
            body = {"parties": ["P0", "P1"], "mode": "full", "status": status}
            (await admin_client.put("/v1/agreements", json=body)).raise_for_status()
            changes += 1
    await asyncio.sleep(1.0)  # let the streams drain
    elapsed = time.perf_counter() - started
    stop.set()
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    return changes, sum(counts) - baseline, elapsed


def bench_fan_out(seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ahl-bench-"))
    db = f"sqlite:///{workdir / 'fanout.db'}"
    _, operators, admin = provision(db)
    # 50 consoles of 4 parties: more than a party's 8 streams by default.
    process, url = start_server(db, workdir, "[hotline]\nstreams_per_party = 50\n")
    try:
        changes, delivered, elapsed = asyncio.run(_fan_out(url, operators, admin, seconds))
        expected = changes * SSE_CLIENTS
        print(
            f"fan-out    {delivered / elapsed:>10,.0f} events/s delivered to {SSE_CLIENTS} SSE"
            f" clients ({changes} events, {delivered}/{expected} deliveries)"
        )
    finally:
        stop_server(process)


def bench_cycle() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ahl-bench-"))
    clock = SimulatedClock(1_800_000_000_000_000)
    node = build_node(f"sqlite:///{workdir / 'cycle.db'}", clock=clock)
    try:
        traffic = worldwide_traffic(TRACKS, parties=PARTIES, seed=3)
        for party in range(PARTIES):
            node.add_party(f"P{party}", "en")
        now = clock.now_us()
        for party in range(PARTIES):
            rows = np.flatnonzero(traffic.party == party)
            batch = ReportBatch.from_rows(
                [
                    {
                        "track_id": str(traffic.track_id[r]),
                        "time_us": now,
                        "lat": float(traffic.lat_deg[r]),
                        "lon": float(traffic.lon_deg[r]),
                        "alt_ft": float(traffic.alt_m[r] / 0.3048),
                        "gs_kt": float(traffic.gs_mps[r] * 3600 / 1852),
                        "track_deg": float(np.degrees(traffic.track_rad[r]) % 360),
                        "vrate_fpm": float(traffic.vrate_mps[r] * 60 / 0.3048),
                    }
                    for r in rows
                ]
            )
            node.submit_reports(party + 1, batch, idempotency_key=None, body_sha256="").result()
        durations = []
        for _ in range(20):
            clock.advance(1.0)
            durations.append(node.run_cycle().duration_s)
        print(
            f"cycle      {statistics.median(durations) * 1000:>10.1f} ms median picture cycle at"
            f" {len(node.picture)} tracks (expiry, view flown to now, detection, alerts)"
        )
    finally:
        node.close()


def postgres_url(server: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(server: str, schema: str) -> None:
    engine = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=PARTIES)
    parser.add_argument("--pg", default=os.environ.get("AIRHOTLINE_TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(
        f"airhotline service benchmark — {os.cpu_count()} cores, {TRACKS} tracks, {PARTIES} parties"
    )
    print(
        "targets: >= 20 000 reports/s durably on SQLite; picture cycle at 10 000 tracks <= 100 ms"
    )
    workdir = Path(tempfile.mkdtemp(prefix="ahl-bench-"))
    bench_ingest(
        f"sqlite:///{workdir / 'ingest.db'}", "SQLite", args.seconds, args.batch, args.clients
    )
    if args.pg:
        url, schema = postgres_url(args.pg)
        try:
            bench_ingest(url, "PostgreSQL", args.seconds, args.batch, args.clients)
        finally:
            drop_schema(args.pg, schema)
    else:
        print("ingest PostgreSQL skipped: pass --pg URL or set AIRHOTLINE_TEST_DATABASE_URL")
    bench_fan_out(min(args.seconds, 5.0))
    bench_cycle()


if __name__ == "__main__":
    main()
