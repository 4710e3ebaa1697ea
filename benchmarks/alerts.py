"""Alert benchmark: cycle time and alert latency under live load, over real HTTP.

A server subprocess (SQLite, 1 s cycle) receives 5 000 aircraft of 4 parties reporting at
1 Hz from one feed process per party. Every few seconds an injector starts a pair of
aircraft of two parties flying north 10 NM apart in an empty corner of the sky; once
their tracks are established (six seconds of reports) both turn head-on, a warning at
once, and an operator's SSE client waits for the pair's ``alert.raised``. Latency runs
from the answer to the POST of the turn, which creates the conflict, to the event's
arrival; at a 1 s cycle, most of it is waiting for the next cycle.

Run: ``.venv/bin/python -m benchmarks.alerts [--seconds 60] [--aircraft 5000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from airhotline import geo, units
from airhotline.simulate.traffic import worldwide_traffic
from benchmarks import _stats as stats
from benchmarks._server import provision, start_server, stop_server

PARTIES = 4


def _feed(url: str, token: str, party: int, aircraft: int, seconds: float) -> None:
    """Post one party's share of the traffic once a second, flown on along geodesics."""
    traffic = worldwide_traffic(aircraft, parties=PARTIES, seed=11)
    mine = np.flatnonzero(traffic.party == party)
    lat, lon = traffic.lat_deg[mine], traffic.lon_deg[mine]
    track, gs = traffic.track_rad[mine], traffic.gs_mps[mine]
    alt, vrate = traffic.alt_m[mine], traffic.vrate_mps[mine]
    ids = [str(t) for t in traffic.track_id[mine]]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=url, timeout=30) as client:
        end = time.monotonic() + seconds
        tick = time.monotonic()
        while tick < end:
            now = time.time()
            body = [
                {
                    "track_id": ids[k],
                    "time": now,
                    "lat": float(lat[k]),
                    "lon": float(lon[k]),
                    "alt_ft": float(np.clip(units.ft_from_m(alt[k]), 0, 60000)),
                    "gs_kt": float(units.kt_from_mps(gs[k])),
                    "track_deg": float(np.degrees(track[k]) % 360.0),
                    "vrate_fpm": float(units.fpm_from_mps(vrate[k])),
                }
                for k in range(len(ids))
            ]
            client.post("/v1/tracks", content=json.dumps(body), headers=headers)
            tick += 1.0
            lat, lon, track = geo.geodesic_forward(lat, lon, track, gs * 1.0)
            alt = alt + vrate
            time.sleep(max(0.0, tick - time.monotonic()))


#: Reports a pair makes on parallel courses before it turns: its tracks are then
#: established (three consistent reports over five seconds), as a real pair would be.
ESTABLISH_S = 6.0


class Pair:
    """Two aircraft of two parties flying north 10 NM apart, established, that then turn
    head-on (a warning at once): the report of the turn is what creates the conflict."""

    def __init__(self, label: str, lat: float, lon: float, *, started: float) -> None:
        self.label = label
        self.started = started
        lat_b, lon_b, _ = geo.geodesic_forward(lat, lon, np.pi / 2, units.m_from_nm(10))
        self.position = {"a": (lat, lon), "b": (float(lat_b), float(lon_b))}
        self.course = {"a": 0.0, "b": 0.0}
        self.at = started
        self.just_turned = False

    def fly_to(self, now: float) -> None:
        for side in ("a", "b"):
            lat, lon = self.position[side]
            new_lat, new_lon, _ = geo.geodesic_forward(
                lat, lon, np.radians(self.course[side]), units.mps_from_kt(450.0) * (now - self.at)
            )
            self.position[side] = (float(new_lat), float(new_lon))
        self.at = now
        turn = now - self.started >= ESTABLISH_S and self.course["a"] == 0.0
        if turn:
            self.course = {"a": 90.0, "b": 270.0}
        self.just_turned = turn

    def reports(self, side: str, now: float) -> list[dict[str, Any]]:
        lat, lon = self.position[side]
        return [
            {
                "track_id": f"{self.label}{side}",
                "time": now,
                "lat": lat,
                "lon": lon,
                "alt_ft": 31_000,
                "gs_kt": 450,
                "track_deg": self.course[side],
                "vrate_fpm": 0,
            }
        ]


async def _measure(
    url: str, feeds: tuple[str, str], operator: str, seconds: float, every_s: float
) -> list[float]:
    """Inject encounters; return latencies (s) from the POST's answer to alert.raised."""
    posted: dict[str, float] = {}
    latencies: list[float] = []
    stop = asyncio.Event()

    async def listen() -> None:
        headers = {"Authorization": f"Bearer {operator}"}
        async with (
            httpx.AsyncClient(timeout=None) as client,
            client.stream("GET", f"{url}/v1/events", headers=headers) as response,
        ):
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event["kind"] != "alert.raised":
                    continue
                tracks = {t["track_id"] for t in event["payload"]["tracks"]}
                for label, sent in list(posted.items()):
                    if f"{label}a" in tracks:
                        latencies.append(time.perf_counter() - sent)
                        del posted[label]
                if stop.is_set():
                    return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(1.0)
    rng = np.random.default_rng(5)
    flying: list[Pair] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        started = time.monotonic()
        tick = started
        n = 0
        next_pair = started
        while time.monotonic() - started < seconds:
            now = time.time()
            if time.monotonic() >= next_pair:
                n += 1
                lat0, lon0 = float(rng.uniform(-55, -45)), float(rng.uniform(-30, 0))
                flying.append(Pair(f"X{n:04d}", lat0, lon0, started=now))
                next_pair += every_s
            for pair in flying:
                pair.fly_to(now)
            b_rows = [row for pair in flying for row in pair.reports("b", now)]
            a_rows = [row for pair in flying for row in pair.reports("a", now)]
            if b_rows:
                await client.post(
                    "/v1/tracks", json=b_rows, headers={"Authorization": f"Bearer {feeds[1]}"}
                )
            if a_rows:
                response = await client.post(
                    "/v1/tracks", json=a_rows, headers={"Authorization": f"Bearer {feeds[0]}"}
                )
                response.raise_for_status()
                answered = time.perf_counter()
                for pair in flying:
                    if pair.just_turned:
                        posted[pair.label] = answered
            flying = [p for p in flying if now - p.started < ESTABLISH_S + 20.0]
            tick += 1.0
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
    await asyncio.sleep(3.0)
    stop.set()
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    return latencies


def cycle_figures(url: str) -> tuple[float, float]:
    """Mean cycle time and the bucket bound under which 99 % of cycles fell (ms)."""
    text = httpx.get(f"{url}/metrics").text
    buckets: list[tuple[float, float]] = []
    total = count = 0.0
    for line in text.splitlines():
        if line.startswith("airhotline_cycle_seconds_bucket"):
            bound = line.split('le="')[1].split('"')[0]
            buckets.append(
                (float("inf") if bound == "+Inf" else float(bound), float(line.split()[-1]))
            )
        elif line.startswith("airhotline_cycle_seconds_sum"):
            total = float(line.split()[-1])
        elif line.startswith("airhotline_cycle_seconds_count"):
            count = float(line.split()[-1])
    p99 = next((bound for bound, n in buckets if n >= 0.99 * count), float("inf"))
    return (total / count * 1000 if count else float("nan")), p99 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--aircraft", type=int, default=5000)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between encounters")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ahl-alerts-"))
    db = f"sqlite:///{workdir / 'alerts.db'}"
    feeds, operators, _ = provision(db)
    process, url = start_server(db, workdir)
    try:
        feeders = [
            multiprocessing.Process(
                target=_feed, args=(url, feeds[p], p, args.aircraft, args.seconds + 15)
            )
            for p in range(PARTIES)
        ]
        for feeder in feeders:
            feeder.start()
        time.sleep(8.0)  # the picture fills up
        latencies = sorted(
            asyncio.run(_measure(url, (feeds[0], feeds[1]), operators[0], args.seconds, args.every))
        )
        mean_cycle, p99_cycle = cycle_figures(url)
        for feeder in feeders:
            feeder.join()
    finally:
        stop_server(process)
    print(
        f"airhotline alert benchmark — {args.aircraft} aircraft, {PARTIES} parties, 1 Hz, 1 s cycle"
    )
    print("targets: cycle <= 100 ms at 10 000 tracks; p99 alert latency <= 1.5 s at a 1 s cycle")
    print(f"cycle (detection + alerts): mean {mean_cycle:.1f} ms, 99 % under {p99_cycle:.0f} ms")
    if latencies:
        p50 = statistics.median(latencies)
        p99 = stats.p99(latencies)
        print(
            f"alert latency over {len(latencies)} encounters: p50 {p50 * 1000:.0f} ms,"
            f" p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
    else:
        print("alert latency: no alert arrived (see server.log in " + str(workdir) + ")")


if __name__ == "__main__":
    main()
