"""Benchmark the command line as a user meets it: whole processes, start-up included.

Times ``airhotline --help`` and ``airhotline detect`` on a generated snapshot of
simulated worldwide traffic (CSV and Parquet), each as a fresh ``python -m airhotline``
process, several runs, and prints the median and fastest wall times against the targets.
``detect`` prints its conflict table to a pipe, as when its output is redirected.

    .venv/bin/python -m benchmarks.cli                 # 100 000 aircraft, 7 runs each
    .venv/bin/python -m benchmarks.cli --aircraft 10000 --runs 3
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from airhotline import units
from airhotline.files.snapshot import COLUMNS
from airhotline.simulate import worldwide_traffic

#: Whole-process wall-time targets (s).
HELP_TARGET_S = 0.3
DETECT_TARGET_S = 1.0


@dataclass(frozen=True, slots=True)
class Case:
    label: str
    args: tuple[str, ...]
    target_s: float


def snapshot_columns(aircraft: int, *, parties: int, seed: int) -> dict[str, list[object]]:
    """The snapshot columns of ``airhotline detect``, in aviation units."""
    traffic = worldwide_traffic(aircraft, parties=parties, seed=seed)
    columns = {
        "party": [f"P{code}" for code in traffic.party.tolist()],
        "track_id": traffic.track_id.tolist(),
        "lat": traffic.lat_deg.round(6).tolist(),
        "lon": traffic.lon_deg.round(6).tolist(),
        "alt_ft": units.ft_from_m(traffic.alt_m).round(0).tolist(),
        "gs_kt": units.kt_from_mps(traffic.gs_mps).round(1).tolist(),
        "track_deg": (units.deg_from_rad(traffic.track_rad) % 360.0).round(2).tolist(),
        "vrate_fpm": units.fpm_from_mps(traffic.vrate_mps).round(0).tolist(),
    }
    assert tuple(columns) == COLUMNS
    return columns


def write_snapshots(folder: Path, columns: dict[str, list[object]]) -> tuple[Path, Path]:
    csv_path, parquet_path = folder / "snapshot.csv", folder / "snapshot.parquet"
    with csv_path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows(zip(*columns.values(), strict=True))
    pq.write_table(pa.table(columns), parquet_path)
    return csv_path, parquet_path


def run_once(args: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "airhotline", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        env=os.environ | {"COLUMNS": "120"},
    )
    return time.perf_counter() - start


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aircraft", type=int, default=100_000, help="snapshot size")
    parser.add_argument("--runs", type=int, default=7, help="processes per case (default 7)")
    parser.add_argument("--parties", type=int, default=4, help="parties (default 4)")
    parser.add_argument("--seed", type=int, default=0, help="traffic seed (default 0)")
    args = parser.parse_args(argv)

    print(f"Python {platform.python_version()}, {platform.machine()} {platform.system()}")
    print(
        f"targets: --help <= {HELP_TARGET_S:g} s, detect on {args.aircraft} aircraft <= "
        f"{DETECT_TARGET_S:g} s (median wall time of a whole process, {args.runs} runs)"
    )
    with tempfile.TemporaryDirectory(prefix="airhotline-bench-cli-") as folder:
        columns = snapshot_columns(args.aircraft, parties=args.parties, seed=args.seed)
        csv_path, parquet_path = write_snapshots(Path(folder), columns)
        cases = (
            Case("airhotline --help", ("--help",), HELP_TARGET_S),
            Case("airhotline detect snapshot.csv", ("detect", str(csv_path)), DETECT_TARGET_S),
            Case(
                "airhotline detect snapshot.parquet",
                ("detect", str(parquet_path)),
                DETECT_TARGET_S,
            ),
        )
        print()
        header = f"{'command':<36} {'median s':>9} {'min s':>7} {'target s':>9} {'time':>6}"
        print(header)
        print("-" * len(header))
        for case in cases:
            run_once(case.args)  # warm the page cache and the bytecode cache
            times = [run_once(case.args) for _ in range(args.runs)]
            median = statistics.median(times)
            print(
                f"{case.label:<36} {median:>9.3f} {min(times):>7.3f} {case.target_s:>9.1f} "
                f"{verdict(median, case.target_s):>6}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
