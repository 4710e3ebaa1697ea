"""Console benchmark: the operator console's map update and alert display (issue 13).

"With 5 000 tracks at 1 Hz: median and p95 frame time of a map update, and the time from
an alert.raised event to the alert on screen." A server subprocess (SQLite in a temporary
directory, 1 s cycle) holds two parties, ``P0`` and ``P1``, with a ``full`` agreement, so
that one operator of ``P0`` sees every track of both. One feed process per party reports
its half of the tracks once a second, in one batch: aircraft in level flight at 250–480 kt
spread over the eastern Mediterranean view the console opens on (centre 34.5N 32.5E, zoom
6), so that every track is drawn. The two parties fly on levels 2 000 ft apart (P0 at
FL100, FL140, ... FL380; P1 at FL120, ... FL400): the background raises no alert, and
every alert on the list is a scripted encounter.

Every ``--every`` seconds (10) an injector starts a pair of aircraft, one of each party,
flying north 10 NM apart at FL450 or above in the view; once their tracks are established
(six seconds, as in benchmarks.alerts) both turn head-on at the same level, a warning at
once. Debian's Chromium, headless, driven by Playwright (never a browser of Playwright's
own), shows the console at 1500x900 signed in as P0's operator (its token put in the
tab's session storage before the page loads); once its picture holds the tracks, the
benchmark measures for ``--seconds`` and reads what the console recorded:

* ``window.__hotline.map.frameMs``: the duration of each ``ConsoleMap.draw`` (one per
  picture, and one per event or change of the view). That times the canvas calls only:
  Chromium records them and rasterises the canvas later. So the benchmark also wraps
  ``draw`` to time it to the next animation frame (the rest of that frame's work, paint
  and raster included, and the wait for the next 60 Hz tick: never under 16.7 ms);
* ``live.stats.pictureMs``: ``GET /v1/picture/columns`` fetched and applied, per second;
* ``live.stats.alertShown``: each alert's raise time in the journal and the moment it
  first rendered in the alert list.

The alert latency is given two ways. From the journal's raise time (the cycle's picture
time) to the alert on screen: the cycle's detection and commit, the event stream and
the rendering. And from the answer to the POST of the report of the turn, which creates
the conflict, to the alert on screen: that one also includes waiting for the 1 s cycle
that raises it (up to a second), as benchmarks.alerts measures to the SSE event. The
cycle's own duration comes from the server's metrics. All of it on one machine: the
browser, the server and the feeds share its cores (the load average before the run is
printed: anything else running shows in every figure).

Run: ``.venv/bin/python -m benchmarks.console [--tracks 5000] [--seconds 60]``
(``--screenshot /tmp/console_5000.png`` keeps a picture of the console at the end).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from tests.console.conftest import CHROMIUM, LAUNCH_ARGS

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.core.access import AgreementMode, AgreementStatus
from benchmarks import _stats as stats
from benchmarks._server import provision, start_server, stop_server
from benchmarks.alerts import ESTABLISH_S, Pair
from benchmarks.reads import metric

VIEWPORT = {"width": 1500, "height": 900}
PARTIES = 2
#: Where the tracks fly: inside the view the console opens on (the map is the window
#: less the 430 px side pane, about 23° of longitude and 15° of latitude at zoom 6).
LAT_RANGE = (29.5, 39.5)
LON_RANGE = (22.5, 42.5)
#: Where the pairs start (the second aircraft 10 NM east of the first).
PAIR_LAT = (30.5, 38.5)
PAIR_LON = (24.0, 40.0)
#: The pairs' levels, one per pair in turn, above all the background's.
PAIR_LEVELS_FT = [45_000.0 + 2_000.0 * k for k in range(8)]
#: A pair reports until it has passed and drawn apart (closing 900 kt from 10 NM: the
#: closest point 40 s after the turn), so that its alert resolves as a real one would.
PAIR_LIFE_S = ESTABLISH_S + 60.0
TOKEN_KEY = "airhotline.token"


def p95(ordered: Sequence[float]) -> float:
    """The 95th percentile of values already sorted, by nearest rank (of six encounters,
    the slowest): NaN if none."""
    return ordered[math.ceil(0.95 * len(ordered)) - 1] if ordered else float("nan")


def _feed(url: str, token: str, party: int, tracks: int, stop: Event) -> None:
    """Post one party's tracks once a second, in one batch, flown on along geodesics,
    until ``stop`` is set."""
    rng = np.random.default_rng(100 + party)
    lat = rng.uniform(*LAT_RANGE, tracks)
    lon = rng.uniform(*LON_RANGE, tracks)
    course = rng.uniform(0.0, 2 * np.pi, tracks)
    gs = units.mps_from_kt(rng.uniform(250.0, 480.0, tracks))
    # P0 on FL100, FL140, ...; P1 2 000 ft above each: never within 1 000 ft of the other.
    alt_ft = 10_000.0 + 2_000.0 * party + 4_000.0 * rng.integers(0, 8, tracks)
    gs_kt = np.round(units.kt_from_mps(gs), 1)
    ids = [f"P{party}T{k:04d}" for k in range(tracks)]
    callsigns = [f"{'AB'[party]}{'CDEFGH'[k % 6]}{k:04d}" for k in range(tracks)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=url, timeout=30) as client:
        tick = time.monotonic()
        while not stop.is_set():
            now = time.time()
            track_deg = np.degrees(course) % 360.0
            body = [
                {
                    "track_id": ids[k],
                    "callsign": callsigns[k],
                    "time": now,
                    "lat": round(float(lat[k]), 5),
                    "lon": round(float(lon[k]), 5),
                    "alt_ft": float(alt_ft[k]),
                    "gs_kt": float(gs_kt[k]),
                    "track_deg": round(float(track_deg[k]), 1),
                    "vrate_fpm": 0.0,
                }
                for k in range(tracks)
            ]
            with contextlib.suppress(httpx.HTTPError):  # the server goes at the end
                client.post("/v1/tracks", content=json.dumps(body), headers=headers)
            tick += 1.0
            lat, lon, course = geo.geodesic_forward(lat, lon, course, gs * 1.0)
            stop.wait(max(0.0, tick - time.monotonic()))


class LevelPair(Pair):
    """benchmarks.alerts's pair of aircraft, at a level of its own."""

    def __init__(self, label: str, lat: float, lon: float, *, started: float, alt_ft: float):
        super().__init__(label, lat, lon, started=started)
        self.alt_ft = alt_ft

    def reports(self, side: str, now: float) -> list[dict[str, Any]]:
        rows = super().reports(side, now)
        for row in rows:
            row["alt_ft"] = self.alt_ft
        return rows


def _inject(
    url: str, feeds: tuple[str, str], seconds: float, every_s: float, out: Queue[Any]
) -> None:
    """Start a pair every ``every_s`` while its alert can still come within ``seconds``;
    put ``{label: epoch seconds of the answer to the POST of its turn}`` on ``out``."""
    rng = np.random.default_rng(5)
    posted: dict[str, float] = {}
    flying: list[LevelPair] = []
    last_start = seconds - ESTABLISH_S - 3.0  # its alert comes within the run
    with httpx.Client(base_url=url, timeout=30) as client:
        started = time.monotonic()
        tick = started
        next_pair = started
        n = 0
        while time.monotonic() - started < seconds:
            now = time.time()
            if time.monotonic() >= next_pair and time.monotonic() - started < last_start:
                lat0 = float(rng.uniform(*PAIR_LAT))
                lon0 = float(rng.uniform(*PAIR_LON))
                level = PAIR_LEVELS_FT[n % len(PAIR_LEVELS_FT)]
                n += 1
                flying.append(LevelPair(f"X{n:04d}", lat0, lon0, started=now, alt_ft=level))
                next_pair += every_s
            for pair in flying:
                pair.fly_to(now)
            for side, token in (("b", feeds[1]), ("a", feeds[0])):
                rows = [row for pair in flying for row in pair.reports(side, now)]
                if not rows:
                    continue
                response = client.post(
                    "/v1/tracks", json=rows, headers={"Authorization": f"Bearer {token}"}
                )
                response.raise_for_status()
            answered = time.time()
            for pair in flying:
                if pair.just_turned:
                    posted[pair.label] = answered
            flying = [p for p in flying if now - p.started < PAIR_LIFE_S]
            tick += 1.0
            time.sleep(max(0.0, tick - time.monotonic()))
    out.put(posted)


def _cycles(text: str) -> tuple[list[tuple[float, float]], float, float]:
    """The cycle histogram in /metrics: cumulative buckets, sum (s) and count."""
    buckets: list[tuple[float, float]] = []
    for line in text.splitlines():
        if line.startswith("airhotline_cycle_seconds_bucket"):
            bound = line.split('le="')[1].split('"')[0]
            buckets.append(
                (float("inf") if bound == "+Inf" else float(bound), float(line.split()[-1]))
            )
    total = metric(text, "airhotline_cycle_seconds_sum")
    count = metric(text, "airhotline_cycle_seconds_count")
    return buckets, total, count


def cycle_figures(before: str, after: str) -> tuple[float, float, int]:
    """Between two /metrics texts: mean cycle (ms), the bucket bound under which 95 % of
    the cycles fell (ms), and how many cycles ran."""
    b0, s0, c0 = _cycles(before)
    b1, s1, c1 = _cycles(after)
    count = c1 - c0
    if count <= 0:
        return float("nan"), float("nan"), 0
    under = [(bound, n1 - n0) for (bound, n0), (_, n1) in zip(b0, b1, strict=True)]
    bound95 = next((bound for bound, n in under if n >= 0.95 * count), float("inf"))
    return (s1 - s0) / count * 1000, bound95 * 1000, int(count)


PAGE_STATE = """() => {
  const h = window.__hotline;
  if (!h || !h.map) return null;
  return { n: h.live.tracks.n, shown: h.map.lastShown ?? 0,
           basemap: Boolean(h.map.basemapLoaded), connection: h.live.connection };
}"""
#: ConsoleMap.draw wrapped to time also the way to the next animation frame: frameMs
#: times the canvas calls, which Chromium records and rasterises later, off the clock.
NEXT_FRAME = """() => {
  const map = window.__hotline.map;
  const draw = map.draw.bind(map);
  window.__nextFrameMs = [];
  map.draw = () => {
    const started = performance.now();
    draw();
    requestAnimationFrame(() => window.__nextFrameMs.push(performance.now() - started));
  };
}"""
DRAIN = """() => {
  const h = window.__hotline;
  return { frames: h.map.frameMs.splice(0), pictures: h.live.stats.pictureMs.splice(0),
           next: window.__nextFrameMs.splice(0) };
}"""
ALERTS_SHOWN = """() => [...window.__hotline.live.stats.alertShown].map(
  ([id, s]) => ({ id, raisedAt: s.raisedAt, shownAt: s.shownAt }))"""


def _figures(values: list[float], *, tail: bool = True) -> str:
    """Median, p95 and max (ms); with ``tail``, the p99 too (for the many frames)."""
    ordered = sorted(values)
    if not ordered:
        return "none"
    p99 = f" p99 {stats.p99(ordered):.1f} ms," if tail else ""
    return (
        f"median {statistics.median(ordered):.1f} ms, p95 {p95(ordered):.1f} ms,{p99}"
        f" max {ordered[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=5000, help="of both parties together")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between encounters")
    parser.add_argument("--screenshot", type=Path, default=None, help="a PNG of the end")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="ahl-console-"))
    db = f"sqlite:///{workdir / 'console.db'}"
    feeds, operators, _ = provision(db, parties=PARTIES)
    node = build_node(db)
    try:
        node.set_agreement("P0", "P1", AgreementMode.FULL, AgreementStatus.ACTIVE)
    finally:
        node.close()
    process, url = start_server(db, workdir)
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    shares = [args.tracks // PARTIES + (p < args.tracks % PARTIES) for p in range(PARTIES)]
    feeders = [
        spawn.Process(target=_feed, args=(url, feeds[p], p, shares[p], stop))
        for p in range(PARTIES)
    ]
    errors: list[str] = []
    try:
        for feeder in feeders:
            feeder.start()
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            context.add_init_script(
                f"if (!sessionStorage.getItem({json.dumps(TOKEN_KEY)}))"
                f" sessionStorage.setItem({json.dumps(TOKEN_KEY)}, {json.dumps(operators[0])});"
            )
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("console", lambda m: _keep_error(errors, m.type, m.text))
            loaded = time.monotonic()
            page.goto(url + "/")
            state: dict[str, Any] | None = None
            while time.monotonic() - loaded < 180:
                state = page.evaluate(PAGE_STATE)
                if state and state["basemap"] and state["n"] >= 0.99 * args.tracks:
                    break
                time.sleep(0.5)
            else:
                raise SystemExit(f"the console never held the tracks: {state}")
            filled_s = time.monotonic() - loaded
            time.sleep(3.0)  # the trails fill a little, the first draws at full size pass
            size = len(httpx.get(f"{url}/v1/picture/columns", headers=_auth(operators[0])).content)
            page.evaluate(NEXT_FRAME)
            page.evaluate(DRAIN)
            before = httpx.get(f"{url}/metrics").text
            injector_out: Queue[Any] = spawn.Queue()
            injector = spawn.Process(
                target=_inject,
                args=(url, (feeds[0], feeds[1]), args.seconds, args.every, injector_out),
            )
            measured = time.time()
            injector.start()
            frames: list[float] = []
            next_frames: list[float] = []
            pictures: list[float] = []
            end = time.monotonic() + args.seconds
            while time.monotonic() < end:
                time.sleep(min(10.0, max(0.0, end - time.monotonic())))
                drained = page.evaluate(DRAIN)
                frames += drained["frames"]
                pictures += drained["pictures"]
                next_frames += drained["next"]
            after = httpx.get(f"{url}/metrics").text
            state = page.evaluate(PAGE_STATE)
            posted: dict[str, float] = injector_out.get(timeout=60)
            injector.join()
            time.sleep(2.0)  # an alert raised at the very end reaches the screen
            shown = page.evaluate(ALERTS_SHOWN)
            if args.screenshot is not None:
                page.screenshot(path=str(args.screenshot))
            browser.close()
        since = datetime.fromtimestamp(measured).astimezone().isoformat()
        alerts = httpx.get(
            f"{url}/v1/alerts",
            params={"since": since, "limit": 1000},
            headers=_auth(operators[0]),
        ).json()
    finally:
        stop.set()
        for feeder in feeders:
            feeder.join(timeout=10)
        stop_server(process)

    label_of = {
        a["alert_id"]: next(iter({t["track_id"][:-1] for t in a["tracks"]}), "") for a in alerts
    }
    from_raise: list[float] = []
    from_report: list[float] = []
    unseen = 0
    for entry in shown:
        if entry["id"] not in label_of:
            continue  # raised before the measurement
        if entry["shownAt"] is None:
            unseen += 1
            continue
        raised_ms = datetime.fromisoformat(entry["raisedAt"]).timestamp() * 1000
        from_raise.append(entry["shownAt"] - raised_ms)
        turned = posted.get(label_of[entry["id"]])
        if turned is not None:
            from_report.append(entry["shownAt"] - turned * 1000)
    mean_cycle, cycle95, cycles = cycle_figures(before, after)

    print(
        f"airhotline console benchmark — {os.cpu_count()} cores (load average {load:.1f}"
        f" before the run), {args.tracks} tracks of"
        f" {PARTIES} parties at 1 Hz, 1 s cycle, Chromium headless {VIEWPORT['width']}x"
        f"{VIEWPORT['height']} (software canvas), {args.seconds:g} s measured"
    )
    print(
        f"picture: {state['n'] if state else 0} tracks held, {state['shown'] if state else 0}"
        f" drawn in view; /v1/picture/columns {size / 1024:.0f} KB;"
        f" the console held them {filled_s:.1f} s after loading"
    )
    print(f"map draw (frameMs), {len(frames)} frames: {_figures(frames)}")
    print(f"map draw → next animation frame (raster, paint): {_figures(next_frames)}")
    print(f"picture fetch + apply, {len(pictures)} pictures: {_figures(pictures)}")
    print(f"cycle (server), {cycles} cycles: mean {mean_cycle:.1f} ms, 95 % under {cycle95:.0f} ms")
    encounters = f"{len(posted)} encounters turned, {len(label_of)} alerts raised"
    if unseen:
        encounters += f", {unseen} never shown"
    print(encounters)
    print("alert latency, journal raise time → on screen:", _figures(from_raise, tail=False))
    print(
        "alert latency, turn reported → on screen (with the cycle):",
        _figures(from_report, tail=False),
    )
    if errors:
        print(f"the page reported {len(errors)} errors; the first: {errors[0]}")
    print(f"(server log and database in {workdir})")


def _keep_error(errors: list[str], kind: str, text: str) -> None:
    if kind == "error":
        errors.append(f"console error: {text}")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


if __name__ == "__main__":
    main()
