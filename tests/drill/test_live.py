"""A live drill: served in real time while it runs, a real centre signs in with the
printed token and acknowledges the alert itself, and its acknowledgement is judged."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.serverproc import free_port

SCENARIO = """
name: live-pair
title: Two aircraft abeam, 1 NM apart
start: "2026-06-01T09:00:00Z"
duration_s: 16
parties:
  - {name: ATLAS, lang: en}
  - {name: BOREAS, lang: ru, acknowledge_after_s: 1}
aircraft:
  - party: ATLAS
    track: A1
    start: {lat: 34.5, lon: 32.0, alt_ft: 30000, gs_kt: 400, track_deg: 0}
  - party: BOREAS
    track: B1
    start: {lat: 34.5, lon: 32.0203, alt_ft: 30000, gs_kt: 400, track_deg: 0}
expect:
  - check: atlas-acknowledges-itself
    acknowledged: {between: [A1, B1], by: ATLAS, by_s: 16}
  - check: boreas-scripted
    acknowledged: {between: [A1, B1], by: BOREAS, by_s: 16}
"""


def test_a_real_centres_acknowledgement_counts(tmp_path: Path) -> None:
    path = tmp_path / "live-pair.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "airhotline", "drill", "run", str(path), "--live"]
    command += ["--port", str(port), "--out", str(tmp_path / "out"), "--scripted", "BOREAS"]
    drill = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert drill.stdout is not None
        token = None
        seen = []
        while token is None:
            line = drill.stdout.readline()
            assert line, "".join(seen)
            seen.append(line)
            if "ATLAS operator token:" in line:
                token = line.split(":", 1)[1].strip()
        assert not any("BOREAS operator token" in x for x in seen)  # played by the script
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}"
        acknowledged = False
        deadline = time.monotonic() + 15
        while not acknowledged and time.monotonic() < deadline:
            try:
                alerts = httpx.get(f"{base}/v1/alerts?active=true", headers=headers).json()
            except httpx.TransportError:
                alerts = []
            for alert in alerts:
                answer = httpx.post(f"{base}/v1/alerts/{alert['alert_id']}/ack", headers=headers)
                acknowledged |= answer.status_code == 200
            time.sleep(0.3)
        assert acknowledged
        out, _ = drill.communicate(timeout=40)
    finally:
        drill.kill()
    assert drill.returncode == 0, out
    assert "2 passed, 0 failed" in out
    assert (tmp_path / "out" / "debrief.html").exists()
