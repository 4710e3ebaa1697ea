"""Debrief benchmark: the debrief of a day of operations, target ≤ 60 s (issue 14).

"A debrief of a day with 5 000 aircraft at 1 Hz", read as: one UTC day in which 5 000
aircraft fly — 5 000 flights of four parties, each taking off at a random moment of the
day and flying for 1 to 2 hours (uniformly) over an 800 NM square of the eastern
Mediterranean at 250–480 kt, from waypoint to waypoint with standard-rate turns, at
cruising levels FL100–FL390 by the semicircular rule (a new level at each waypoint,
climbing or descending at 1 500 ft/min), each aircraft reporting once a second. That
is some 310 aircraft airborne at any moment, 27 million state reports in 345 600 report
batches (a journal of about 3 GB), and the alerts the hotline's own engine raises where
aircraft of different parties meet: nothing is scripted, a few hundred a day come of
that traffic. Each party's operators acknowledge their alerts after their own delay
(8, 20 and 45 s; the fourth centre after 90 s, so that some alerts escalate); each
centre answers the hotline's line checks (every 15 minutes) after 6 s; and every four
hours a party announces two hours of live firing in a 12 NM circle up to FL200, which
the traffic crosses (incursion alerts). Reports carry what a surveillance feed gives
(position to 5 decimals, altitude to 25 ft, speed to the knot, track to 0.1°): the
journal's floats printed in full (a simulated fleet's) take 2.5 times as long to
decode.

The journal is written by the very core a control centre runs, with no HTTP (that would
take hours): `bootstrap.build_node` on a simulated clock, each party's batch through
ingest, one cycle a second, as the drill runner does. It is cached under the temporary
directory, keyed by its parameters, so that the next run debriefs at once
(``--fresh`` writes it again).

The figures: the journal's size, reports and alerts; then the wall time of each phase
of the admin's debrief of the whole day (the journal's story, its verification, the
reports of the encounters' aircraft, the figures, the HTML with its plots) and of the
whole ``airhotline debrief`` command, with peak memory; then one party's.

Run: ``.venv/bin/python -m benchmarks.debrief [--aircraft 5000] [--hours 24]``;
``--aircraft 420 --hours 2`` flies about as many aircraft at once, for two hours.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from airhotline import geo, units

#: Bump when the journal written for the same parameters would change.
GENERATOR_VERSION = 2
#: Midnight UTC of the benchmark's day (2026-06-01).
DAY_START_US = 1_780_272_000_000_000
US_PER_S = 1_000_000
PARTIES = (
    ("ATLAS", "en", 8.0),
    ("BOREAS", "ru", 20.0),
    ("CIRRUS", "ar", 45.0),
    ("DELTA", "tr", 90.0),
)
CENTRE = (34.5, 31.0)
HALF_SIDE_NM = 400.0
#: How often the hotline checks its lines (`MessagePolicy`), and how long a centre
#: takes to answer (s).
LINE_CHECKS_EVERY_S = 900
ANSWER_AFTER_S = 6
#: How often a party announces live firing (two hours of it, half an hour ahead).
NOTICE_EVERY_S = 4 * 3_600
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Day:
    aircraft: int
    hours: float
    seed: int

    @property
    def seconds(self) -> int:
        return round(self.hours * 3_600)

    @property
    def key(self) -> str:
        text = json.dumps([GENERATOR_VERSION, self.aircraft, self.hours, self.seed])
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def path(self) -> Path:
        folder = Path(tempfile.gettempdir()) / "airhotline-bench-debrief"
        return folder / f"day-{self.aircraft}-{self.hours:g}h-{self.seed}-{self.key}.db"


class Traffic:
    """The day's flights, flown second by second: only those airborne are moved."""

    def __init__(self, day: Day) -> None:
        rng = np.random.default_rng(day.seed)
        n, total = day.aircraft, day.seconds
        self.rng = rng
        duration = np.minimum(rng.uniform(3_600, 7_200, n), total)
        self.takeoff = np.floor(rng.uniform(0, total - duration + 1e-9)).astype(np.int64)
        self.landing = self.takeoff + np.round(duration).astype(np.int64)
        self.party = np.arange(n) % len(PARTIES)
        self.track_id = np.array([f"{PARTIES[p][0][0]}{k:05d}" for k, p in enumerate(self.party)])
        self.lat, self.lon = self._points(n)
        self.way_lat, self.way_lon = self._points(n)
        self.track_deg = np.degrees(geo.bearing_rad(self.lat, self.lon, self.way_lat, self.way_lon))
        self.alt_ft = self._levels(self.track_deg)
        self.level_ft = self.alt_ft.copy()
        self.gs_kt = rng.uniform(250, 480, n)
        self.vrate_fpm = np.zeros(n)

    def _points(self, n: int) -> tuple[FloatArray, FloatArray]:
        north = self.rng.uniform(-HALF_SIDE_NM, HALF_SIDE_NM, n) / 60.0
        east = self.rng.uniform(-HALF_SIDE_NM, HALF_SIDE_NM, n) / 60.0
        return CENTRE[0] + north, CENTRE[1] + east / np.cos(np.radians(CENTRE[0]))

    def _levels(self, heading_deg: FloatArray) -> FloatArray:
        """Cruising levels by the semicircular rule: eastbound odd thousands of feet
        (FL110-FL390), westbound even (FL100-FL380)."""
        odd = (heading_deg % 360.0) < 180.0
        levels = (self.rng.integers(5, 20, heading_deg.size) * 2 + odd) * 1_000.0
        return np.asarray(levels, dtype=np.float64)

    def flying(self, t: int) -> npt.NDArray[np.int64]:
        return np.flatnonzero((self.takeoff <= t) & (t < self.landing))

    def step(self, rows: npt.NDArray[np.int64]) -> None:
        """One second for the aircraft at ``rows``: turn towards the waypoint at 3°/s,
        climb or descend towards the level, fly the geodesic; a new waypoint (and, one
        time in two, a new level) on reaching it."""
        if rows.size == 0:
            return
        lat, lon = self.lat[rows], self.lon[rows]
        wlat, wlon = self.way_lat[rows], self.way_lon[rows]
        arrived = geo.distance_m(lat, lon, wlat, wlon) < units.m_from_nm(8.0)
        if arrived.any():
            done = rows[arrived]
            self.way_lat[done], self.way_lon[done] = self._points(done.size)
            heading = np.degrees(
                geo.bearing_rad(
                    self.lat[done], self.lon[done], self.way_lat[done], self.way_lon[done]
                )
            )
            self.level_ft[done] = self._levels(heading)
            wlat, wlon = self.way_lat[rows], self.way_lon[rows]
        want = np.degrees(geo.bearing_rad(lat, lon, wlat, wlon))
        error = (want - self.track_deg[rows] + 540.0) % 360.0 - 180.0
        heading = (self.track_deg[rows] + np.clip(error, -3.0, 3.0)) % 360.0
        gap = self.level_ft[rows] - self.alt_ft[rows]
        climb = np.sign(gap) * np.minimum(1_500.0, np.abs(gap) * 60.0)
        distance = units.m_from_nm(self.gs_kt[rows] / 3_600.0)
        new_lat, new_lon, azimuth = geo.geodesic_forward(lat, lon, np.radians(heading), distance)
        self.lat[rows], self.lon[rows] = new_lat, new_lon
        self.track_deg[rows] = np.degrees(azimuth) % 360.0
        self.alt_ft[rows] = self.alt_ft[rows] + climb / 60.0
        self.vrate_fpm[rows] = np.where(
            np.abs(self.level_ft[rows] - self.alt_ft[rows]) < 1.0, 0.0, climb
        )

    def reports(self, rows: npt.NDArray[np.int64], time_us: int) -> dict[str, Any]:
        """The reports of the aircraft at ``rows``, to the resolution a surveillance feed
        gives (ADS-B as SBS-1 and Beast carry it): position to 5 decimals (about a
        metre), altitude to 25 ft, speed to the knot, track to a tenth of a degree,
        vertical rate to 64 ft/min."""
        return {
            "track_id": self.track_id[rows].tolist(),
            "time_us": np.full(rows.size, time_us, dtype=np.int64),
            "lat": np.round(self.lat[rows], 5),
            "lon": np.round(self.lon[rows], 5),
            "alt_ft": np.round(self.alt_ft[rows] / 25.0) * 25.0,
            "gs_kt": np.round(self.gs_kt[rows]),
            "track_deg": np.round(self.track_deg[rows], 1) % 360.0,
            "vrate_fpm": np.round(self.vrate_fpm[rows] / 64.0) * 64.0,
        }


def write_day(day: Day, path: Path) -> None:
    """The day's journal at ``path``, written by the core on a simulated clock."""
    from airhotline.bootstrap import build_node
    from airhotline.clock import SimulatedClock
    from airhotline.core.access import Principal, Role
    from airhotline.core.messages.engine import Outgoing
    from airhotline.core.reports import ReportBatch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in path.parent.glob(partial.name + "*"):
        leftover.unlink()
    clock = SimulatedClock(DAY_START_US)
    node = build_node(f"sqlite:///{partial}", clock=clock, durable=False)
    traffic = Traffic(day)
    started = time.perf_counter()
    try:
        made = [node.add_party(name, lang) for name, lang, _ in PARTIES]
        operators = [
            Principal(m.tokens[Role.OPERATOR][0], Role.OPERATOR, m.party.id, m.party.name)
            for m in made
        ]
        told: dict[tuple[str, int], int] = {}
        checks: dict[tuple[str, int], int] = {}
        for t in range(day.seconds):
            now = clock.now_us()
            rows = traffic.flying(t)
            pending = []
            for p, principal in enumerate(operators):
                mine = rows[traffic.party[rows] == p]
                if mine.size == 0:
                    continue
                batch = ReportBatch.from_payload(traffic.reports(mine, now))
                pending.append(
                    node.submit_reports(
                        principal.party_id or 0,
                        batch,
                        idempotency_key=None,
                        body_sha256=f"day-{p}-{t}",
                    )
                )
            for submitted in pending:
                submitted.result()
            if t % NOTICE_EVERY_S == NOTICE_EVERY_S // 4:
                _publish_notice(node, operators[(t // NOTICE_EVERY_S) % len(operators)], traffic)
            node.run_cycle()
            for p, principal in enumerate(operators):
                patience = PARTIES[p][2]
                party_id = principal.party_id or 0
                for alert in node.alerts.alerts(party_id=party_id, active=True):
                    first = told.setdefault((alert.id, party_id), t)
                    if not alert.acknowledged_by(party_id) and t - first >= patience:
                        node.alerts.acknowledge(
                            alert.id, party_id=party_id, token_id=principal.token_id
                        )
                if t % LINE_CHECKS_EVERY_S > 2 * ANSWER_AFTER_S:
                    continue  # the hotline's own line checks come every 15 minutes
                for check in node.messages.messages(party_id=party_id, type_id="line-check"):
                    if check.open and t - checks.setdefault((check.id, p), t) >= ANSWER_AFTER_S:
                        node.messages.send(
                            principal,
                            Outgoing(type="line-check-reply", form="reply", in_reply_to=check.id),
                        )
            traffic.step(rows)
            clock.advance(1.0)
            if t % 3_600 == 3_599:
                elapsed = time.perf_counter() - started
                print(
                    f"  journal: {(t + 1) / 3_600:.0f} h of {day.hours:g} written,"
                    f" {len(rows)} airborne, {elapsed:.0f} s",
                    flush=True,
                )
    finally:
        node.close()
    partial.rename(path)


def _publish_notice(node: Any, principal: Any, traffic: Traffic) -> None:
    """Live firing in a 12 NM circle somewhere in the square, SFC to FL200, for two
    hours from half an hour on (the kind's lead time)."""
    from airhotline.clock import iso_from_us

    lat, lon = traffic._points(1)
    now = node.clock.now_us()
    node.notices.publish(
        principal,
        {
            "kind": "live-firing",
            "area": {"type": "Circle", "center": [float(lon[0]), float(lat[0])], "radius_nm": 12},
            "lower": "SFC",
            "upper": "FL200",
            "window": {
                "start": iso_from_us(now + 1_800 * US_PER_S),
                "end": iso_from_us(now + 9_000 * US_PER_S),
            },
            "description": "Range hot",
        },
    )


def journal_figures(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as c:
            rows: dict[str, int] = dict(
                c.execute(text("SELECT kind, count(*) FROM journal GROUP BY kind")).all()
            )
            reports = c.execute(
                text(
                    "SELECT sum(json_array_length(payload, '$.track_id')) FROM journal"
                    " WHERE kind = 'tracks.reported'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return {"records": sum(rows.values()), "kinds": rows, "reports": int(reports or 0)}


def debrief_phases(url: str, start_us: int, end_us: int, party: str | None) -> dict[str, Any]:
    """The debrief's phases, timed in this process."""
    out: dict[str, Any] = {}
    begun = time.perf_counter()
    from airhotline.debrief import debrief_of_store
    from airhotline.debrief.report import debrief_html, debrief_json
    from airhotline.debrief.stats import encounters
    from airhotline.store import Store

    store = Store.open(url, create=False)
    out["open"] = time.perf_counter() - begun
    timings: dict[str, float] = {}
    try:
        mark = time.perf_counter()
        data = debrief_of_store(
            store,
            start_us=start_us,
            end_us=end_us,
            party=party,
            lang=None,
            url=url,
            timings=timings,
        )
        out["collect"] = time.perf_counter() - mark
    finally:
        store.close()
    out["collect_phases"] = timings
    mark = time.perf_counter()
    found = encounters(data)
    out["figures"] = time.perf_counter() - mark
    mark = time.perf_counter()
    page = debrief_html(data)
    out["html"] = time.perf_counter() - mark
    mark = time.perf_counter()
    debrief_json(data)
    out["json"] = time.perf_counter() - mark
    out["total"] = time.perf_counter() - begun
    out["alerts"] = len(data.alerts)
    out["encounters"] = len(found)
    out["tracks"] = len(data.tracks)
    out["reports_read"] = sum(len(t.time_us) for t in data.tracks.values())
    out["html_bytes"] = len(page.encode())
    out["verified"] = data.verified
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the reports' readers, joined
    out["peak_rss_mb"] = own.ru_maxrss / 1024
    out["workers_peak_rss_mb"] = workers.ru_maxrss / 1024
    out["own_cpu_s"] = own.ru_utime + own.ru_stime
    out["readers_cpu_s"] = workers.ru_utime + workers.ru_stime
    return out


def _phases_in_child(url: str, start_us: int, end_us: int, party: str | None, queue: Any) -> None:
    queue.put(debrief_phases(url, start_us, end_us, party))


def command(url: str, start: str, end: str, out: Path, extra: list[str]) -> dict[str, Any]:
    """The whole ``airhotline debrief`` command, in a process of its own."""
    args = [sys.executable, "-m", "airhotline", "debrief", "--db", url]
    args += ["--from", start, "--to", end, "--out", str(out), *extra]
    begun = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - begun
    output = process.stdout.read().decode() if process.stdout else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "exit": process.returncode,
        "output": output.strip(),
        "bytes": out.stat().st_size if out.exists() else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=5_000, help="flights in the day")
    parser.add_argument("--hours", type=float, default=24.0, help="the length of the day")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--fresh", action="store_true", help="write the journal again")
    parser.add_argument("--party", default="BOREAS", help="the party whose debrief is timed too")
    args = parser.parse_args()
    from airhotline.clock import iso_from_us

    day = Day(args.aircraft, args.hours, args.seed)
    path = day.path()
    if args.fresh or not path.exists():
        print(f"writing the journal of {day.aircraft} flights over {day.hours:g} h: {path}")
        mark = time.perf_counter()
        # In a process of its own: this one's peak memory is the debrief's.
        child = multiprocessing.get_context("spawn").Process(target=write_day, args=(day, path))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"writing the journal failed ({child.exitcode})")
        print(f"  written in {time.perf_counter() - mark:.0f} s")
    url = f"sqlite:///{path}"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (the wall times need them idle)")
    figures = journal_figures(url)
    kinds = figures["kinds"]
    print(
        f"journal: {path.stat().st_size / 1e9:.2f} GB, {figures['records']} records,"
        f" {figures['reports']} reports in {kinds.get('tracks.reported', 0)} batches,"
        f" {kinds.get('alert.raised', 0)} alerts raised,"
        f" {kinds.get('alert.acknowledged', 0)} acknowledgements,"
        f" {kinds.get('message.received', 0)} messages"
    )
    start_us, end_us = DAY_START_US, DAY_START_US + day.seconds * US_PER_S
    context = multiprocessing.get_context("spawn")
    for reader in (None, args.party):
        queue = context.Queue()
        child = context.Process(
            target=_phases_in_child, args=(url, start_us, end_us, reader, queue)
        )
        child.start()
        timed = queue.get()
        child.join()
        phases = timed["collect_phases"]
        print(
            f"debrief for {reader or 'the admin'}, by phase: open {timed['open']:.2f} s,"
            f" collect {timed['collect']:.1f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
            + f"), figures {timed['figures']:.1f} s, html {timed['html']:.1f} s,"
            f" json {timed['json']:.2f} s; total {timed['total']:.1f} s wall,"
            f" CPU {timed['own_cpu_s']:.0f} s here + {timed['readers_cpu_s']:.0f} s in the"
            f" report readers; peak {timed['peak_rss_mb']:.0f} MB"
            f" (each reader process: {timed['workers_peak_rss_mb']:.0f} MB)"
        )
        print(
            f"  {timed['alerts']} alerts, {timed['tracks']} tracks read"
            f" ({timed['reports_read']} reports), HTML {timed['html_bytes'] / 1e6:.1f} MB,"
            f" journal {'verified' if timed['verified'] else 'BROKEN'}"
        )
    with tempfile.TemporaryDirectory() as folder:
        start, end = iso_from_us(start_us), iso_from_us(end_us)
        for reader in (None, args.party):
            extra = [] if reader is None else ["--party", reader]
            ran = command(url, start, end, Path(folder) / "day.html", extra)
            verdict = "met" if ran["wall_s"] <= 60.0 else "NOT met"
            print(
                f"airhotline debrief {'--party ' + reader if reader else '(admin)'}:"
                f" {ran['wall_s']:.1f} s wall, {ran['cpu_s']:.0f} s CPU with its report"
                f" readers, peak {ran['peak_rss_mb']:.0f} MB,"
                f" {ran['bytes'] / 1e6:.1f} MB written (target ≤ 60 s: {verdict})"
            )
            if ran["exit"] != 0:
                print(ran["output"])


if __name__ == "__main__":
    main()
