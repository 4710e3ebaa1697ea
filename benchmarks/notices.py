"""Notice benchmark: publishing a notice among 100 000 stored ones finds its overlaps;
and the per-cycle zone and incursion checks.

100 000 live notices of 20 parties — circles of 2-30 NM and small polygons, scattered
over the inhabited latitudes, with bands and windows over a week — sit in the overlap
index (`airhotline.core.notices.overlap`). Each of 300 new notices (of a 21st party)
is then screened and tested exactly; the figure is the time of that search, from the
new notice to its list of overlaps with their shared areas, bands and periods.

Then the per-cycle checks, 50 cycles, as the alert engine runs them: the cycle's tracks
indexed once (`airhotline.core.notices.nearby`); 10 000 tracks against 100 designated
zones (each track's zone minima and joint activities, `ZoneBook.minima_of`); and the
same 10 000 tracks, of 20 parties, against 10 000 notices active now (the same mix,
every party told of every notice), each track at a random level, speed (0-500 kt),
track and climb, over the same latitudes: the notices live in the look-ahead taken from
the index, the screen and the exact entries (`airhotline.core.notices.screen`). The
notices cover about 6 % of those latitudes, so a few percent of the tracks are in an
incursion — far more than a real day, which keeps the exact part honest.

Run: ``.venv/bin/python -m benchmarks.notices [--stored 100000] [--queries 300]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from airhotline.core.notices.area import parse_area
from airhotline.core.notices.band import parse_band
from airhotline.core.notices.model import Notice
from airhotline.core.notices.overlap import OverlapIndex
from airhotline.core.notices.window import Window
from benchmarks import _stats as stats

T0 = 1_800_000_000 * 1_000_000
HOUR_US = 3_600_000_000
LEVELS = ["SFC", 2000, "FL050", "FL100", "FL150", "FL200", "FL300", "FL400", "UNL"]


def _notice(rng: np.random.Generator, k: int, owner: int) -> Notice:
    lon, lat = float(rng.uniform(-180, 180)), float(np.degrees(np.arcsin(rng.uniform(-0.9, 0.9))))
    if k % 2:
        area = {"type": "Circle", "center": [lon, lat], "radius_nm": float(rng.uniform(2, 30))}
    else:
        w, h = rng.uniform(0.05, 0.5, 2)
        ring = [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h]]
        wrapped = [[(x + 180.0) % 360.0 - 180.0, min(y, 89.0)] for x, y in ring]
        area = {"type": "Polygon", "coordinates": [wrapped]}
    low = int(rng.integers(0, len(LEVELS) - 1))
    high = int(rng.integers(low + 1, len(LEVELS)))
    start = T0 + int(rng.integers(0, 7 * 24)) * HOUR_US
    return Notice(
        id=f"n{k}",
        version=1,
        owner=owner,
        owner_name=f"P{owner}",
        kind="other",
        area=parse_area(area),
        band=parse_band(LEVELS[low], LEVELS[high]),
        window=Window(start, start + int(rng.integers(1, 12)) * HOUR_US),
        description="",
        recipients=(),
        restricted=False,
        short_notice=False,
        published_us=T0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    index = OverlapIndex()
    started = time.perf_counter()
    for k in range(args.stored):
        index.put(_notice(rng, k, owner=k % 20))
    built = time.perf_counter() - started
    queries = [_notice(rng, args.stored + k, owner=99) for k in range(args.queries)]
    times, found = [], 0
    for query in queries:
        t = time.perf_counter()
        found += len(index.overlaps(query))
        times.append((time.perf_counter() - t) * 1000.0)
    times.sort()
    print(f"notices: {args.stored} stored (indexed in {built:.1f} s, parsing included)")
    print(
        f"  overlaps of a new notice: median {statistics.median(times):.2f} ms,"
        f" p99 {stats.p99(times):.2f} ms, max {times[-1]:.2f} ms"
        f" ({found / len(queries):.1f} overlaps per notice)"
    )
    checks = _cycle_checks(rng)
    for name, label in (
        ("index", "track index (k-d tree), built once per cycle"),
        ("zones", "zone check, 100 zones"),
        ("incursions", "incursion check, 10 000 active notices"),
        ("total", "incursion and zone check together"),
    ):
        times = sorted(checks[name])
        print(
            f"  {label}, 10 000 tracks, per cycle: median {statistics.median(times):.1f} ms,"
            f" p99 {stats.p99(times):.1f} ms"
        )
    print(f"  ({checks['found'][0]:.0f} incursions found per cycle)")


def _cycle_checks(
    rng: np.random.Generator, tracks: int = 10_000, notices: int = 10_000, zones: int = 100
) -> dict[str, list[float]]:
    """The per-cycle zone and incursion checks, as the alert engine runs them."""
    from dataclasses import replace

    from airhotline import units
    from airhotline.core.notices.nearby import TrackIndex
    from airhotline.core.notices.screen import incursions
    from airhotline.core.notices.zones import ZoneBook, ZoneSet, parse_zone
    from airhotline.core.records import Record
    from airhotline.detect import TrackStates

    book = ZoneBook()
    records = []
    for k in range(zones):
        lon, lat = float(rng.uniform(-180, 180)), float(rng.uniform(-60, 60))
        area = {"type": "Circle", "center": [lon, lat], "radius_nm": float(rng.uniform(10, 60))}
        zone = parse_zone(f"z{k}", {"name": f"Z{k}", "area": area, "h_sep_nm": 5.0}, [])
        payload = {"zone_id": zone.id, **ZoneSet(zone.id, zone.spec()).spec}
        records.append(Record(k + 1, 0, "zone.set", None, {}, payload, "", "", ""))
    book.apply(records)
    index = OverlapIndex()
    for k in range(notices):
        made = _notice(rng, k, owner=k % 20)
        index.put(
            replace(
                made,
                window=Window(T0 - HOUR_US, T0 + int(rng.integers(1, 12)) * HOUR_US),
                recipients=tuple(range(20)),
            )
        )
    party = rng.integers(0, 20, tracks).astype(np.int64)
    alt_ft = rng.uniform(0, 40_000, tracks)
    states = TrackStates.build(
        lat_deg=np.degrees(np.arcsin(rng.uniform(-0.9, 0.9, tracks))),
        lon_deg=rng.uniform(-180, 180, tracks),
        alt_m=units.m_from_ft(alt_ft),
        gs_mps=units.mps_from_kt(rng.uniform(0, 500, tracks)),
        track_rad=rng.uniform(0, 2 * np.pi, tracks),
        vrate_mps=units.mps_from_fpm(rng.choice([0.0, -1_500.0, 1_500.0], tracks)),
        party=party,
    )
    lookahead_s = 300.0
    times: dict[str, list[float]] = {"index": [], "zones": [], "incursions": [], "total": []}
    times["found"] = []
    for _ in range(50):
        t0 = time.perf_counter()
        nearby = TrackIndex(states.lat_deg, states.lon_deg)
        t1 = time.perf_counter()
        book.minima_of(states.lat_deg, states.lon_deg, alt_ft, nearby)
        t2 = time.perf_counter()
        live = index.live_between(T0, T0 + round(lookahead_s * 1_000_000))
        found = incursions(live, states, party, now_us=T0, lookahead_s=lookahead_s, nearby=nearby)
        t3 = time.perf_counter()
        times["index"].append((t1 - t0) * 1000.0)
        times["zones"].append((t2 - t1) * 1000.0)
        times["incursions"].append((t3 - t2) * 1000.0)
        times["total"].append((t3 - t0) * 1000.0)
        times["found"] = [float(len(found))]
    return times


if __name__ == "__main__":
    main()
