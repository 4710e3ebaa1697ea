"""Replay into a running server at ``--speed max``: reports/s end to end.

traffic's ``switzerland`` collection (real OpenSky trajectories), its first 50 minutes
(a server refuses reports older than its past tolerance, an hour, and a replay at max
speed ends now), split among four parties by address ranges, sent by
``airhotline replay`` itself (a subprocess: read, assemble, batch, send, wait for every
commit) to a real ``airhotline serve``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

from benchmarks._server import provision, start_server, stop_server

WINDOW_S = 3_000


def main() -> None:
    spec = find_spec("traffic")
    if spec is None or not spec.submodule_search_locations:
        print("replay: skipped, traffic (a dev dependency) is not installed")
        return
    samples = Path(next(iter(spec.submodule_search_locations))) / "data" / "samples"
    recording = samples / "collections" / "switzerland.json.gz"
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        db = f"sqlite:///{work / 'bench.db'}"
        feeds, _, _ = provision(db)
        step = 0x1000000 // len(feeds)
        party_map = {
            "parties": {
                f"P{k}": {
                    "token": token,
                    "icao24_ranges": [f"{k * step:06x}-{(k + 1) * step - 1:06x}"],
                }
                for k, token in enumerate(feeds)
            }
        }
        (work / "map.yaml").write_text(json.dumps(party_map))
        process, url = start_server(db, work)
        try:
            started = time.perf_counter()
            done = subprocess.run(
                [
                    *(sys.executable, "-m", "airhotline", "replay", str(recording)),
                    *("--speed", "max", "--server", url, "--party-map", str(work / "map.yaml")),
                    *("--duration-s", str(WINDOW_S)),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - started
        finally:
            stop_server(process)
    if done.returncode != 0:
        raise SystemExit(f"replay failed: {done.stderr.strip()}")
    print(f"replay switzerland ({WINDOW_S} s recorded) --speed max into a server:")
    print(f"  {done.stdout.strip()}")
    sent = int(done.stdout.split(" reports sent")[0].split()[-1].replace(",", ""))
    print(
        f"  whole command (start, read, send, commit): {sent / wall:,.0f} reports/s in {wall:.1f} s"
    )


if __name__ == "__main__":
    main()
