"""Write src/airhotline/data/demo_snapshot.csv: a scripted airspace for `make run`.

Three parties share the airspace east of Cyprus. Five scripted encounters (each aircraft
placed by flying back from a planned closest approach along its geodesic) sit among
background traffic on separated levels. Re-run after changing the script; the output is
deterministic.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from airhotline import geo, units

OUT = Path(__file__).resolve().parent.parent / "src/airhotline/data/demo_snapshot.csv"
TIME = "2026-11-23T03:00:00Z"


def place(
    cpa_lat: float,
    cpa_lon: float,
    track_deg: float,
    gs_kt: float,
    t_cpa_s: float,
    offset_nm: float = 0.0,
) -> tuple[float, float]:
    """Where an aircraft must be now to pass ``offset_nm`` abeam the CPA point in t_cpa_s."""
    lat, lon, _ = geo.geodesic_forward(
        cpa_lat, cpa_lon, np.radians(track_deg + 90.0), units.m_from_nm(offset_nm)
    )
    back = np.radians(track_deg + 180.0)
    lat, lon, _ = geo.geodesic_forward(lat, lon, back, units.mps_from_kt(gs_kt) * t_cpa_s)
    return float(lat), float(lon)


# (party, track, callsign-ish id, CPA lat, lon, track, gs, alt, vrate, t_cpa, offset)
ENCOUNTERS = [
    ("ALPHA", "AF101", 34.90, 35.60, 90.0, 450, 31000, 0, 150, 0.0),  # head-on
    ("BRAVO", "BR202", 34.90, 35.60, 270.0, 420, 31000, 0, 150, 0.0),
    ("ALPHA", "AF105", 34.20, 36.10, 0.0, 380, 24000, 0, 80, 0.0),  # crossing
    ("CHARLIE", "CH301", 34.20, 36.10, 90.0, 400, 24000, 0, 80, 1.0),
    ("BRAVO", "BR207", 35.40, 34.80, 135.0, 300, 20800, 2500, 100, 0.5),  # climbing through
    ("CHARLIE", "CH305", 35.40, 34.80, 225.0, 320, 21000, 0, 100, -0.5),
    ("ALPHA", "AF110", 33.80, 35.20, 45.0, 250, 12000, 0, 20, 0.2),  # already lost
    ("BRAVO", "BR211", 33.80, 35.20, 60.0, 260, 12400, 0, 20, -0.2),
    ("ALPHA", "AF120", 35.00, 36.50, 180.0, 460, 35000, 0, 120, 0.0),  # FL350/FL360: legal
    ("CHARLIE", "CH310", 35.00, 36.50, 0.0, 460, 36000, 0, 120, 0.0),
]


def main() -> None:
    rng = np.random.default_rng(7)
    rows = []
    for party, track, cpa_lat, cpa_lon, trk, gs, alt, vr, t_cpa, off in ENCOUNTERS:
        lat, lon = place(cpa_lat, cpa_lon, trk, gs, t_cpa, off)
        rows.append((party, track, lat, lon, alt - vr * t_cpa / 60.0, gs, trk, vr))
    parties = ["ALPHA", "BRAVO", "CHARLIE"]
    for k in range(30):
        party = parties[k % 3]
        track_deg = float(rng.uniform(0, 360))
        # Semicircular rule: eastbound odd thousands, westbound even, per party a band.
        level = int(rng.integers(14, 20)) * 2 + (1 if track_deg < 180 else 0) + 4 * (k % 3)
        rows.append(
            (
                party,
                f"{party[:2]}{400 + k}",
                float(rng.uniform(32.5, 36.5)),
                float(rng.uniform(32.0, 38.0)),
                level * 1000.0,
                float(rng.uniform(300, 480)),
                round(track_deg, 1),
                0,
            )
        )
    with OUT.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["time", "party", "track_id", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm"]
        )
        for party, track, lat, lon, alt, gs, trk, vr in rows:
            writer.writerow(
                [
                    TIME,
                    party,
                    track,
                    f"{lat:.6f}",
                    f"{lon:.6f}",
                    f"{alt:.0f}",
                    f"{gs:.0f}",
                    f"{trk:.1f}",
                    f"{vr:.0f}",
                ]
            )
    print(f"wrote {len(rows)} tracks to {OUT}")


if __name__ == "__main__":
    main()
