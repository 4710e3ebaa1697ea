"""Benchmark tactical conflict detection on simulated worldwide traffic.

For each size N: the median wall time of `airhotline.detect.detect_conflicts`
(cross-party, default minima, 300 s look-ahead) over several repeats, the peak memory
traced by tracemalloc during one detection call, the process's maximum resident set
size so far, and the numbers of broad-phase candidate pairs and of conflicts. Then the
exhaustive O(N²) check at small N: its time, the speed-up of the broad phase, and
whether both find exactly the same pairs — the script exits with status 1 if not.

    .venv/bin/python -m benchmarks.detect            # N = 1 000, 10 000, 100 000
    .venv/bin/python -m benchmarks.detect --quick    # N = 1 000, 10 000
    .venv/bin/python -m benchmarks.detect --sizes 2000 20000
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from airhotline.detect import (
    DEFAULT_LOOKAHEAD_S,
    Conflicts,
    TrackStates,
    detect_conflicts,
    detect_conflicts_exhaustive,
    overlapping_pairs,
)
from airhotline.detect.tactical import swept_boxes
from airhotline.simulate import worldwide_traffic

DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
EXHAUSTIVE_SIZES = (1_000, 5_000)
#: Wall-time targets (s) by N, and the peak-memory target for every N.
TIME_TARGETS_S = {10_000: 0.050, 100_000: 1.0}
PEAK_TARGET_BYTES = 2 * 1024**3
MIB = 1024.0**2


@dataclass(frozen=True, slots=True)
class Row:
    n: int
    generate_s: float
    repeats: int
    first_s: float
    median_s: float
    min_s: float
    peak_bytes: int
    max_rss_bytes: int
    candidates: int
    chunks: int
    conflicts: int
    los: int


def repeats_for(n: int) -> int:
    """Fewer repeats as N grows, so the whole run stays within a minute or two."""
    if n <= 2_000:
        return 20
    if n <= 20_000:
        return 10
    return 3


def timed(function: Callable[[], Conflicts], repeats: int) -> tuple[float, list[float], Conflicts]:
    """Time of a first (warm-up) call, times of ``repeats`` more calls, the last result."""
    gc.collect()
    start = time.perf_counter()
    result = function()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return first, times, result


def traced_peak(function: Callable[[], Conflicts]) -> int:
    """Peak bytes allocated (NumPy buffers included) while ``function`` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def max_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    return int(rss) if sys.platform == "darwin" else int(rss) * 1024


def candidate_pairs(states: TrackStates) -> tuple[int, int]:
    """Broad-phase candidate pairs (cross-party) and the chunks they came in."""
    boxes, cell_size = swept_boxes(states, DEFAULT_LOOKAHEAD_S, "cross-party")
    total = chunks = 0
    for i, _ in overlapping_pairs(boxes, cell_size):
        total += int(i.size)
        chunks += 1
    return total, chunks


def measure(n: int, *, parties: int, seed: int) -> Row:
    start = time.perf_counter()
    traffic = worldwide_traffic(n, parties=parties, seed=seed)
    generate_s = time.perf_counter() - start
    states = traffic.states()

    run = partial(detect_conflicts, states)
    repeats = repeats_for(n)
    first, times, conflicts = timed(run, repeats)
    peak = traced_peak(run)
    candidates, chunks = candidate_pairs(states)
    return Row(
        n=n,
        generate_s=generate_s,
        repeats=repeats,
        first_s=first,
        median_s=statistics.median(times),
        min_s=min(times),
        peak_bytes=peak,
        max_rss_bytes=max_rss_bytes(),
        candidates=candidates,
        chunks=chunks,
        conflicts=len(conflicts),
        los=int(conflicts.los.sum()),
    )


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return "-"
    return "met" if value <= target else "MISSED"


def print_table(rows: Sequence[Row]) -> None:
    header = (
        f"{'N':>8} {'gen s':>6} {'first ms':>9} {'reps':>4} {'median ms':>10} {'min ms':>9} "
        f"{'target ms':>9} {'time':>6} {'peak MiB':>9} {'target':>7} {'mem':>6} "
        f"{'maxRSS MiB':>10} {'candidates':>11} {'chunks':>6} {'conflicts':>9} {'LoS':>5}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        target_s = TIME_TARGETS_S.get(row.n)
        target_ms = f"{target_s * 1e3:.0f}" if target_s is not None else "-"
        print(
            f"{row.n:>8} {row.generate_s:>6.2f} {row.first_s * 1e3:>9.1f} {row.repeats:>4} "
            f"{row.median_s * 1e3:>10.1f} {row.min_s * 1e3:>9.1f} {target_ms:>9} "
            f"{verdict(row.median_s, target_s):>6} "
            f"{row.peak_bytes / MIB:>9.1f} {PEAK_TARGET_BYTES / MIB:>7.0f} "
            f"{verdict(row.peak_bytes, PEAK_TARGET_BYTES):>6} "
            f"{row.max_rss_bytes / MIB:>10.1f} {row.candidates:>11} {row.chunks:>6} "
            f"{row.conflicts:>9} {row.los:>5}"
        )


def compare_exhaustive(sizes: Sequence[int], *, parties: int, seed: int) -> bool:
    """Time the exhaustive check against the broad phase; True when all answers agree."""
    print()
    header = (
        f"{'N':>8} {'broad ms':>9} {'exhaustive ms':>14} {'ratio':>7} {'conflicts':>9} "
        f"{'identical':>9}"
    )
    print(header)
    print("-" * len(header))
    all_identical = True
    for n in sizes:
        states = worldwide_traffic(n, parties=parties, seed=seed).states()
        _, fast_times, fast = timed(partial(detect_conflicts, states), repeats_for(n))
        _, slow_times, slow = timed(
            partial(detect_conflicts_exhaustive, states), 3 if n <= 2_000 else 1
        )
        identical = np.array_equal(fast.i, slow.i) and np.array_equal(fast.j, slow.j)
        all_identical &= identical
        fast_s = statistics.median(fast_times)
        slow_s = statistics.median(slow_times)
        print(
            f"{n:>8} {fast_s * 1e3:>9.1f} {slow_s * 1e3:>14.1f} {slow_s / fast_s:>6.0f}x "
            f"{len(fast):>9} {'yes' if identical else 'no':>9}"
        )
    return all_identical


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="only N = 1 000 and 10 000 (plus the check)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N", help="sizes to time")
    parser.add_argument(
        "--exhaustive-sizes",
        type=int,
        nargs="*",
        default=list(EXHAUSTIVE_SIZES),
        metavar="N",
        help="sizes for the exhaustive comparison (default: 1000 5000; none to skip)",
    )
    parser.add_argument("--parties", type=int, default=4, help="parties (default 4)")
    parser.add_argument("--seed", type=int, default=0, help="traffic seed (default 0)")
    args = parser.parse_args(argv)
    sizes: Sequence[int] = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)

    print(
        f"detect_conflicts: cross-party, 3 NM / 1000 ft, {DEFAULT_LOOKAHEAD_S:.0f} s look-ahead, "
        f"{args.parties} parties, seed {args.seed}"
    )
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{platform.machine()} {platform.system()}"
    )
    print(
        "targets: 10 000 aircraft <= 50 ms, 100 000 <= 1 s, peak <= 2 GiB "
        "(median wall time; peak = tracemalloc during one call)"
    )
    print()
    rows = [measure(n, parties=args.parties, seed=args.seed) for n in sizes]
    print_table(rows)

    identical = True
    if args.exhaustive_sizes:
        identical = compare_exhaustive(args.exhaustive_sizes, parties=args.parties, seed=args.seed)
        print()
        print(f"identical: {'yes' if identical else 'no'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
