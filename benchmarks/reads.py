"""Read benchmark: how long ``GET /v1/alerts`` takes while cycles run at 10 000 tracks.

A server subprocess (SQLite, 1 s cycle) receives 10 000 aircraft of 4 parties reporting
at 1 Hz from one feed process per party; once the picture is full, the admin's client
reads ``/v1/alerts`` every 20 ms. A read that had to wait for a cycle's detection or its
commit shows in the tail. The cycle's own time comes from the server's metrics.

Run: ``.venv/bin/python -m benchmarks.reads [--seconds 20] [--aircraft 10000]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks import _stats as stats
from benchmarks._server import provision, start_server, stop_server
from benchmarks.alerts import PARTIES, _feed

READ_EVERY_S = 0.02
TARGET_P99_MS = 20.0


def metric(text: str, name: str) -> float:
    return next(
        float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--aircraft", type=int, default=10_000)
    parser.add_argument(
        "--quiet-feeds",
        action="store_true",
        help="report once, then only the cycle runs (separates cycle from ingest)",
    )
    args = parser.parse_args()
    print(
        f"airhotline read benchmark — {os.cpu_count()} cores, {args.aircraft} aircraft at 1 Hz,"
        f" 1 s cycle; target: p99 of GET /v1/alerts <= {TARGET_P99_MS:g} ms"
    )
    workdir = Path(tempfile.mkdtemp(prefix="ahl-bench-"))
    db = f"sqlite:///{workdir / 'reads.db'}"
    feeds, _, admin = provision(db)
    process, url = start_server(db, workdir)
    warm_s = 5.0
    feed_s = args.seconds + warm_s + 2
    feeders = [
        multiprocessing.Process(
            target=_feed,
            args=(url, feeds[p], p, args.aircraft, 0.5 if args.quiet_feeds else feed_s),
        )
        for p in range(PARTIES)
    ]
    try:
        for feeder in feeders:
            feeder.start()
        latencies: list[float] = []
        headers = {"Authorization": f"Bearer {admin}"}
        with httpx.Client(base_url=url, timeout=30) as client:
            time.sleep(warm_s)
            before = client.get("/metrics").text
            alerts = 0
            end = time.monotonic() + args.seconds
            tick = time.monotonic()
            while tick < end:
                started = time.perf_counter()
                response = client.get("/v1/alerts", headers=headers)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
                alerts = max(alerts, len(response.json()))
                tick += READ_EVERY_S
                time.sleep(max(0.0, tick - time.monotonic()))
            after = client.get("/metrics").text
        cycles = metric(after, "airhotline_cycle_seconds_count") - metric(
            before, "airhotline_cycle_seconds_count"
        )
        cycle_s = metric(after, "airhotline_cycle_seconds_sum") - metric(
            before, "airhotline_cycle_seconds_sum"
        )
        tracks = metric(after, "airhotline_tracks")
        ordered = sorted(latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = stats.p99(ordered) * 1000
        verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
        print(
            f"GET /v1/alerts  p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {ordered[-1] * 1000:.1f} ms"
            f"  ({len(ordered)} reads, up to {alerts} alerts)  target {verdict}"
        )
        print(
            f"cycles meanwhile: {cycles:.0f}, mean {cycle_s / max(cycles, 1) * 1000:.1f} ms"
            f" at {tracks:.0f} tracks"
        )
    finally:
        for feeder in feeders:
            feeder.terminate()
            feeder.join()
        stop_server(process)


if __name__ == "__main__":
    main()
