"""Drill benchmark: a one-hour, 200-aircraft scenario at ``--speed max``.

200 aircraft of four parties fly over a 300 NM square of the eastern Mediterranean at
FL100-FL400 and 250-480 kt, each with a turn, a level change and a speed change at
random moments, for one simulated hour; the runner drives the whole core (reports,
journal, picture, detection, alerts, messages) second by second, as `airhotline drill
run --speed max` does. The figure is the wall-clock time of the run (target ≤ 20 s),
with the process's CPU time beside it (steadier on a shared machine) and what each
simulated second cost: ``reports`` (every party's batch made, journaled — one group
commit — and applied to the picture), ``cycle`` (the node's picture cycle: detection,
alerts, messages) and ``script`` (flying the aircraft, the scripted operators).

The machine's own speed is printed beside it (a ten-million-step Python loop, before
and after the run): a shared machine's speed was seen to vary 1.8x within a day, and the
figure moves with it.

Run: ``.venv/bin/python -m benchmarks.drill [--aircraft 200] [--duration 3600]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

import numpy as np

from airhotline.drill.runner import run_drill
from airhotline.drill.scenario import parse_scenario


def scenario_text(aircraft: int, duration_s: int, seed: int = 7) -> str:
    import yaml

    rng = np.random.default_rng(seed)
    parties = ["ATLAS", "BOREAS", "CIRRUS", "DELTA"]
    fleet: list[dict[str, Any]] = []
    for k in range(aircraft):
        fleet.append(
            {
                "party": parties[k % 4],
                "track": f"T{k:03d}",
                "start": {
                    "lat": float(rng.uniform(32.0, 37.0)),
                    "lon": float(rng.uniform(28.0, 34.0)),
                    "alt_ft": float(rng.integers(10, 40) * 1000),
                    "gs_kt": float(rng.uniform(250, 480)),
                    "track_deg": float(rng.uniform(0, 360)),
                },
                "manoeuvres": [
                    {
                        "at_s": float(rng.uniform(0, duration_s)),
                        "turn": {"heading_deg": float(rng.uniform(0, 360))},
                    },
                    {
                        "at_s": float(rng.uniform(0, duration_s)),
                        "level": {"to": int(rng.integers(10, 40) * 1000)},
                    },
                    {
                        "at_s": float(rng.uniform(0, duration_s)),
                        "speed": {"gs_kt": float(rng.uniform(250, 480))},
                    },
                ],
            }
        )
    doc = {
        "name": "bench-hour",
        "start": "2026-06-01T06:00:00Z",
        "duration_s": duration_s,
        "parties": [{"name": p, "acknowledge_after_s": 10} for p in parties],
        "aircraft": fleet,
        # A warning the default hour (seed 7) reaches: the judge has something to find.
        "expect": [
            {"check": "a-warning", "alert": {"between": ["T192", "T070"], "tier": "warning"}}
        ],
    }
    return yaml.safe_dump(doc, sort_keys=False)


def python_loop_s() -> float:
    """CPU seconds of a ten-million-step empty Python loop: the machine's speed now."""
    started = time.process_time()
    for _ in range(10_000_000):
        pass
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=200)
    parser.add_argument("--duration", type=int, default=3600)
    args = parser.parse_args()
    scenario = parse_scenario(scenario_text(args.aircraft, args.duration), "bench-hour.yaml")
    loop_before = python_loop_s()
    with tempfile.TemporaryDirectory() as folder:
        started, cpu = time.perf_counter(), time.process_time()
        result = run_drill(scenario, f"sqlite:///{folder}/journal.db")
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    seconds = args.duration + 1  # seconds 0 to duration, each flown
    spent = dict(result.spent_s)
    rest = wall - sum(spent.values())
    print(
        f"drill: {args.aircraft} aircraft, {args.duration} s simulated at --speed max:"
        f" {wall:.1f} s wall ({args.duration / wall:.0f}x real time), {cpu:.1f} s CPU;"
        f" journal head {result.head_seq}, outcomes {'met' if result.passed else 'NOT MET'}"
    )
    split = ", ".join(
        f"{name} {1000 * spent[name] / seconds:.2f} ms" for name in ("reports", "cycle", "script")
    )
    print(f"  per simulated second: {split}; set-up and judging {rest:.1f} s in all")
    print(
        f"  this machine: a 10M-step Python loop in {loop_before:.2f} s before the run,"
        f" {python_loop_s():.2f} s after"
    )


if __name__ == "__main__":
    main()
