"""Hostile-feed benchmark: one party floods another's traffic; the rest must not notice.

A server subprocess (SQLite, 1 s cycle). Party P0 posts 300 tracks every second right
over party P1's 100 (both plausible: flying, consistent, the two grids crossing head-on
at one level, some 30 000 predicted conflicts); meanwhile parties P2 and P3 fly real
encounters elsewhere (established pairs that turn head-on, as in ``benchmarks.alerts``)
and P1's operator reads ``/v1/picture`` and ``/v1/alerts`` ten times a second.

Figures: the P2/P3 alert latency (from the POST of the turn to ``alert.raised`` on the
SSE stream; target p99 within the cycle + 1 s), the cycle time (target ≤ 200 ms) and
the reads' p99 (target ≤ 50 ms).

Run: ``.venv/bin/python -m benchmarks.hostile [--seconds 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from airhotline import geo, units
from benchmarks._server import provision, start_server, stop_server
from benchmarks._stats import p99
from benchmarks.alerts import _measure, cycle_figures

#: Where the flood happens: far from the encounters.
CENTRE = (10.0, 10.0)


def grid(prefix: str, n: int, spacing_nm: float) -> list[tuple[str, float, float]]:
    """``n`` aircraft in a square around CENTRE, ``spacing_nm`` apart."""
    side = int(np.ceil(np.sqrt(n)))
    spacing = float(units.m_from_nm(spacing_nm))
    out = []
    for k in range(n):
        i, j = divmod(k, side)
        lat, lon, _ = geo.geodesic_forward(CENTRE[0], CENTRE[1], 0.0, (i - side / 2) * spacing)
        lat, lon, _ = geo.geodesic_forward(lat, lon, np.pi / 2, (j - side / 2) * spacing)
        out.append((f"{prefix}{k:04d}", float(lat), float(lon)))
    return out


def _feed(url: str, token: str, prefix: str, n: int, course_deg: float, seconds: float) -> None:
    """A party's grid flying ``course_deg`` at 450 kt, FL300, reported once a second."""
    aircraft = grid(prefix, n, 2.0 if prefix == "V" else 1.2)
    lat = np.array([a[1] for a in aircraft])
    lon = np.array([a[2] for a in aircraft])
    course = np.full(n, np.radians(course_deg))
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=30) as client:
        end = time.monotonic() + seconds
        tick = time.monotonic()
        while tick < end:
            now = time.time()
            body = [
                {
                    "track_id": aircraft[k][0],
                    "time": now,
                    "lat": float(lat[k]),
                    "lon": float(lon[k]),
                    "alt_ft": 30_000.0,
                    "gs_kt": 450.0,
                    "track_deg": course_deg,
                    "vrate_fpm": 0.0,
                }
                for k in range(n)
            ]
            client.post("/v1/tracks", json=body, headers=headers)
            lat, lon, _ = geo.geodesic_forward(lat, lon, course, units.mps_from_kt(450.0) * 1.0)
            tick += 1.0
            time.sleep(max(0.0, tick - time.monotonic()))


def _read(url: str, token: str, seconds: float, out: dict[str, list[float]]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=30) as client:
        end = time.monotonic() + seconds
        tick = time.monotonic()
        while tick < end:
            for path in ("/v1/picture", "/v1/alerts"):
                started = time.perf_counter()
                client.get(path, headers=headers).raise_for_status()
                out[path].append(time.perf_counter() - started)
            tick += 0.1
            time.sleep(max(0.0, tick - time.monotonic()))


def p99_ms(values: list[float]) -> float:
    return p99(sorted(values)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between encounters")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ahl-hostile-"))
    db = f"sqlite:///{workdir / 'hostile.db'}"
    feeds, operators, _ = provision(db)
    process, url = start_server(db, workdir)
    feed_s = args.seconds + 20
    feeders = [
        multiprocessing.Process(target=_feed, args=(url, feeds[0], "H", 300, 270.0, feed_s)),
        multiprocessing.Process(target=_feed, args=(url, feeds[1], "V", 100, 90.0, feed_s)),
    ]
    reads: dict[str, list[float]] = {"/v1/picture": [], "/v1/alerts": []}
    try:
        for feeder in feeders:
            feeder.start()
        time.sleep(8.0)  # established, and flooding
        reader = threading.Thread(target=_read, args=(url, operators[1], args.seconds, reads))
        reader.start()
        latencies = sorted(
            asyncio.run(_measure(url, (feeds[2], feeds[3]), operators[2], args.seconds, args.every))
        )
        reader.join()
        mean_cycle, p99_cycle = cycle_figures(url)
        floods = httpx.get(
            f"{url}/v1/alerts", headers={"Authorization": f"Bearer {operators[1]}"}
        ).json()
    finally:
        for feeder in feeders:
            feeder.terminate()
            feeder.join()
        stop_server(process)
    print("airhotline hostile-feed benchmark — 300 tracks over 100, 1 Hz, 1 s cycle")
    print("targets: encounter p99 <= cycle + 1 s; cycle <= 200 ms; reads p99 <= 50 ms")
    print(f"cycle: mean {mean_cycle:.1f} ms, 99 % under {p99_cycle:.0f} ms")
    if latencies:
        print(
            f"P2/P3 alert latency over {len(latencies)} encounters: p50"
            f" {statistics.median(latencies) * 1000:.0f} ms, p99 {p99_ms(latencies):.0f} ms"
        )
    else:
        print("P2/P3 alert latency: no alert arrived (see server.log in " + str(workdir) + ")")
    print(
        f"P1 reads: /v1/picture p99 {p99_ms(reads['/v1/picture']):.1f} ms,"
        f" /v1/alerts p99 {p99_ms(reads['/v1/alerts']):.1f} ms"
        f" ({len(reads['/v1/alerts'])} each); P1 alerts in memory {len(floods)}"
    )


if __name__ == "__main__":
    main()
