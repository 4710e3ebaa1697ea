"""Benchmark the feed adapters on one core, from bytes to rows ready for ingest.

Inputs are real recordings that the ``traffic`` package ships: the 57 793 Mode S frames
of one recorded flight (``rs1090/full_flight_short.jsonl``) framed as a Beast stream,
and the SBS-1 lines dump1090 would write for them (no package ships a real SBS
capture). Each figure is the median of several runs over the whole input, fed in
64 KiB reads as a socket would give them, with a fresh assembler each run:

- SBS-1: lines/s through `SbsAssembler` (``clock="message"`` and ``"received"``);
- Beast: messages/s (every frame of the stream, wanted or not) through `BeastAssembler`
  with each field decoder (``rs1090``, ``pymodes``), and beside them pyModeS's own
  streaming path (its Beast framing, then ``PipeDecoder.decode`` on every frame) and
  rs1090 alone (its batch decoder on every frame, which pairs CPR halves itself);
- ASTERIX: records/s through `AsterixAssembler` (asterix-decoder's C++ core underneath)
  on the recordings asterix-decoder ships, repeated to last: its radar capture
  (``cat_034_048.pcap``, one datagram a read: CAT048 plots placed from their radar, and
  CAT034) and its CAT062 tracker blocks (``cat062cat065.raw``);
- correctness: our reports' positions against pyModeS's streaming decoder's, frame by
  frame — the script exits with status 1 if any differs.

The process is pinned to one CPU first, so that no library can use a second core. Each
rate is given per CPU second of the process (`time.process_time`, what the adapter
costs) and per wall-clock second (which also counts what else ran on that core).

    .venv/bin/python -m benchmarks.feeds            # 5 runs each
    .venv/bin/python -m benchmarks.feeds --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.feeds.samples import (
    beast_bytes,
    flight_frames,
    pcap_udp_payloads,
    reference_decoding,
    sbs_lines,
)

from airhotline.feeds.asterix import AsterixAssembler, Sensor
from airhotline.feeds.beast import BeastAssembler, split_frames
from airhotline.feeds.sbs import SbsAssembler

READ = 65_536
SBS_TARGET = 300_000
BEAST_TARGET = 100_000


def median_rate(count: int, run: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median rates, ``count`` per second, over ``runs`` runs after one warm-up: per
    CPU second of the process and per wall-clock second. On a shared machine the first
    is the adapters' own cost; the second also counts whatever else ran on the core."""
    result = run()
    cpu_rates, wall_rates = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        cpu_rates.append(count / (time.process_time() - cpu))
        wall_rates.append(count / (time.perf_counter() - wall))
    return statistics.median(cpu_rates), statistics.median(wall_rates), result


def reads(data: bytes) -> list[bytes]:
    return [data[i : i + READ] for i in range(0, len(data), READ)]


def sbs_run(chunks: list[bytes], clock: str) -> Callable[[], object]:
    def run() -> object:
        assembler = SbsAssembler(clock=clock)  # type: ignore[arg-type]
        return sum(len(assembler.feed(chunk, 1_700_000_000_000_000)) for chunk in chunks)

    return run


def beast_run(chunks: list[bytes], decoder: str, start_us: int) -> Callable[[], object]:
    def run() -> object:
        assembler = BeastAssembler(decoder_name=decoder, resync_s=None)
        rows = []
        for chunk in chunks:
            rows += assembler.feed(chunk, start_us)
        return rows

    return run


def pymodes_streaming(chunks: list[bytes], start_s: float) -> Callable[[], object]:
    """pyModeS's own end-to-end path: its Beast framing and its streaming decoder."""
    from pyModeS import PipeDecoder
    from pyModeS.cli._source import _parse_beast_buffer

    def run() -> object:
        pipe = PipeDecoder()
        positions = 0
        tail = b""
        for chunk in chunks:
            frames, tail = _parse_beast_buffer(tail + chunk)
            for ticks, message in frames:
                decoded = pipe.decode(message, timestamp=start_s + ticks / 12e6)
                positions += decoded.get("latitude") is not None
        return positions

    return run


def rs1090_alone(chunks: list[bytes], start_s: float) -> Callable[[], object]:
    """rs1090's batch decoder on every frame of each read (our framing, its decoding)."""
    import rs1090

    def run() -> object:
        positions = 0
        tail = b""
        for chunk in chunks:
            buffer = tail + chunk
            frames, end, _ = split_frames(buffer)
            tail = buffer[end:]
            if not frames:
                continue
            decoded = rs1090.decode(
                [message.hex() for _, _, message in frames],
                [start_s + ticks / 12e6 for _, ticks, _ in frames],
                batch=len(frames),
            )
            positions += sum(1 for d in decoded if d.get("latitude") is not None)
        return positions

    return run


def asterix_run(datagrams: list[bytes], placed_from: Sensor) -> Callable[[], tuple[int, int]]:
    """A run over the datagrams: (reports made, records read)."""

    def run() -> tuple[int, int]:
        assembler = AsterixAssembler(sensors={None: placed_from})
        reports = sum(len(assembler.feed(d, 1_700_000_000_000_000)) for d in datagrams)
        return reports, assembler.messages

    return run


def asterix_section(runs: int) -> None:
    try:
        import asterix
    except ImportError:
        print("\nASTERIX: asterix-decoder is not installed (a C++ build): skipped")
        return
    samples = Path(asterix.__file__).parent / "sample_data"
    radar = Sensor(47.0, 14.0, 500.0)  # a configured position: none is in the data
    capture = pcap_udp_payloads(samples / "cat_034_048.pcap") * 200
    blocks = reads((samples / "cat062cat065.raw").read_bytes() * 20_000)
    print("\nASTERIX: asterix-decoder's recordings, repeated")
    print(f"{'path':<34}{'records/CPU s':>14}{'records/wall s':>15}{'reports':>9}")
    for name, inputs in (("CAT048+034 capture, by datagram", capture), ("CAT062 blocks", blocks)):
        reports, records = asterix_run(inputs, radar)()
        cpu, wall, _ = median_rate(records, asterix_run(inputs, radar), runs)
        print(f"{name:<34}{cpu:>14,.0f}{wall:>15,.0f}{reports:>9,}")


def check_positions(rows: list[dict[str, object]]) -> int:
    """How many of our reports' positions differ from pyModeS's streaming decoder's on
    the same frame (a position pyModeS still holds back is not compared)."""
    at = {round(t * 1_000_000): d for t, _, d in reference_decoding() if d.get("bds") == "0,5"}
    wrong = 0
    for row in rows:
        decoded = at.get(int(row["time_us"])) or at.get(int(row["time_us"]) + 1)  # type: ignore[call-overload]
        if decoded is None or (
            decoded.get("latitude") is not None
            and (
                abs(decoded["latitude"] - row["lat"]) > 1e-9  # type: ignore[operator]
                or abs(decoded["longitude"] - row["lon"]) > 1e-9  # type: ignore[operator]
                or decoded["altitude"] != row["alt_ft"]
            )
        ):
            wrong += 1
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"Python {platform.python_version()} on {platform.machine()}, one core")

    lines = sbs_lines()
    sbs_chunks = reads(b"".join(text.encode() + b"\r\n" for text, _ in lines))
    print(f"\nSBS-1: {len(lines):,} lines of the recorded flight, {READ // 1024} KiB reads")
    print(f"{'path':<34}{'lines/CPU s':>14}{'lines/wall s':>14}{'reports':>10}")
    sbs: dict[str, float] = {}
    for clock in ("received", "message"):
        cpu, wall, reports = median_rate(len(lines), sbs_run(sbs_chunks, clock), args.runs)
        sbs[clock] = cpu
        print(f"{'SbsAssembler clock=' + clock:<34}{cpu:>14,.0f}{wall:>14,.0f}{reports:>10,}")

    frames = flight_frames()
    start_s = frames[0][0]
    start_us = round(start_s * 1_000_000)
    chunks = reads(beast_bytes())
    count = len(frames)
    print(f"\nBeast: {count:,} frames of the recorded flight, {READ // 1024} KiB reads")
    print(f"{'path':<34}{'msgs/CPU s':>14}{'msgs/wall s':>14}{'positions':>10}")
    beast: dict[str, float] = {}
    wrong = 0
    for decoder in ("rs1090", "pymodes"):
        cpu, wall, rows = median_rate(count, beast_run(chunks, decoder, start_us), args.runs)
        assert isinstance(rows, list)
        beast[decoder] = cpu
        wrong += check_positions(rows)
        label = f"BeastAssembler decoder={decoder}"
        print(f"{label:<34}{cpu:>14,.0f}{wall:>14,.0f}{len(rows):>10,}")
    for name, run in (
        ("pyModeS PipeDecoder (streaming)", pymodes_streaming(chunks, start_s)),
        ("rs1090.decode, every frame", rs1090_alone(chunks, start_s)),
    ):
        cpu, wall, positions = median_rate(count, run, max(1, args.runs // 2))
        print(f"{name:<34}{cpu:>14,.0f}{wall:>14,.0f}{positions:>10,}")

    asterix_section(args.runs)

    print()
    for clock, rate in sbs.items():
        verdict = "met" if rate >= SBS_TARGET else "MISSED"
        print(f"SBS-1 target {SBS_TARGET:,} lines/CPU s, clock={clock}: {verdict}")
    verdict = "met" if beast["rs1090"] >= BEAST_TARGET else "MISSED"
    print(f"Beast target {BEAST_TARGET:,} msgs/CPU s, decoder=rs1090 (the default): {verdict}")
    print(f"positions differing from pyModeS's streaming decoder: {wrong}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
