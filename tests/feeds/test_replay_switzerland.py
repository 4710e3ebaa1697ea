"""Replay of traffic's real airliner collection (``switzerland``: OpenSky ADS-B over
Switzerland) through the whole core, split into four parties by ICAO address ranges
(a quarter of the 24-bit space each), checked against ``airhotline detect`` run offline.

What is compared, exactly. Every 30 s of the replayed window we build the snapshot the
live picture would hold: each track's latest report at or before that moment, if at
most ``lost_after_s`` (60 s) old, *flown forward* to that moment along its geodesic at
its reported ground speed and track, its altitude moved by its vertical rate (the
picture's own coasting rule), and tagged with the party the map gives it. ``detect`` on
that snapshot predicts the cross-party pairs that lose separation within the look-ahead;
every such pair must have been alerted by the replay. And for every alerted pair, the
least horizontal separation the replay recorded while its alert lived may not be more
than 1 NM below the least any flown-forward snapshot of the whole window shows: the
picture cannot bring two aircraft closer than the recording flew them (the alert's
least covers only its own life, so it may well be larger: an advisory raised at 54 NM
and cleared long before the closest approach).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airhotline import geo, units
from airhotline.cli import app
from airhotline.cli.alerts import latest_states
from airhotline.feeds import Row
from airhotline.feeds.partymap import PartyRouter, party_map_of
from airhotline.feeds.trajectory import read_trajectory
from airhotline.store import Store

from .samples import SAMPLES

SWITZERLAND = SAMPLES / "collections" / "switzerland.json.gz"
WINDOW_S = 1_200
EVERY_S = 30
LOST_S = 60
runner = CliRunner()
pytestmark = pytest.mark.skipif(not SWITZERLAND.exists(), reason="traffic's sample missing")

PARTY_MAP = {
    "parties": {
        f"P{k}": {"icao24_ranges": [f"{k << 22:06x}-{((k + 1) << 22) - 1:06x}"]} for k in range(4)
    },
    "unmapped": "drop",
}


def flown(row: Row, at_us: int) -> tuple[float, float, float]:
    dt = (at_us - row["time_us"]) / 1e6
    lat, lon, _ = geo.geodesic_forward(
        row["lat"], row["lon"], math.radians(row["track_deg"]), units.mps_from_kt(row["gs_kt"]) * dt
    )
    return float(lat), float(lon), row["alt_ft"] + row["vrate_fpm"] * dt / 60.0


def snapshots(
    rows: list[Row], router: PartyRouter, tmp_path: Path
) -> tuple[set[frozenset[str]], dict[frozenset[str], float]]:
    """(pairs detect predicts, least flown-forward horizontal NM of every cross pair)."""
    start = rows[0]["time_us"]
    predicted: set[frozenset[str]] = set()
    least: dict[frozenset[str], float] = {}
    header = "party,track_id,lat,lon,alt_ft,gs_kt,track_deg,vrate_fpm"
    for at in range(EVERY_S, WINDOW_S + 1, EVERY_S):
        now = start + at * 1_000_000
        latest: dict[str, tuple[str, Row]] = {}
        for row in rows:
            party = router.party_of(row)
            if party is not None and now - LOST_S * 1_000_000 < row["time_us"] <= now:
                latest[row["track_id"]] = (party, row)
        states = {f"{p}/{r['track_id']}": (p, r, flown(r, now)) for p, r in latest.values()}
        names = sorted(states)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if states[a][0] != states[b][0]:
                    d, _, _ = geo.geodesic_inverse(
                        states[a][2][0], states[a][2][1], states[b][2][0], states[b][2][1]
                    )
                    pair = frozenset((a, b))
                    least[pair] = min(least.get(pair, math.inf), units.nm_from_m(float(d)))
        if len({p for p, _, _ in states.values()}) < 2:
            continue
        lines = [header] + [
            f"{p},{r['track_id']},{lat},{lon},{alt},{r['gs_kt']},{r['track_deg']},{r['vrate_fpm']}"
            for p, r, (lat, lon, alt) in states.values()
        ]
        snapshot, out = tmp_path / f"s{at}.csv", tmp_path / f"c{at}.json"
        snapshot.write_text("\n".join(lines) + "\n")
        result = runner.invoke(app, ["detect", str(snapshot), "--out", str(out)])
        assert result.exit_code == 0, result.stderr
        for c in json.loads(out.read_text()):
            predicted.add(
                frozenset((f"{c['party_a']}/{c['track_a']}", f"{c['party_b']}/{c['track_b']}"))
            )
    return predicted, least


def test_switzerland_by_address_ranges_replayed_embedded(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(json.dumps(PARTY_MAP))
    db = f"sqlite:///{tmp_path / 'journal.db'}"
    result = runner.invoke(
        app,
        [
            *("replay", str(SWITZERLAND), "--embedded", "--speed", "max"),
            *("--duration-s", str(WINDOW_S), "--party-map", str(tmp_path / "map.yaml")),
            *("--db", db),
        ],
    )
    assert result.exit_code == 0, result.stderr
    print(result.stdout)  # the figures, for the note (pytest -s)
    assert "alerts by highest tier" in result.stdout
    store = Store.open(db, create=False)
    try:
        states = list(latest_states(store).values())
    finally:
        store.close()
    alerted = {frozenset(f"{t['party']}/{t['track_id']}" for t in s["tracks"]): s for s in states}
    assert alerted
    assert all(len({name.split("/")[0] for name in pair}) == 2 for pair in alerted)

    rows = sorted(read_trajectory(SWITZERLAND)[0], key=lambda r: r["time_us"])
    predicted, least = snapshots(rows, PartyRouter(party_map_of(PARTY_MAP)), tmp_path)
    print("detect on flown-forward snapshots:", sorted(map(sorted, predicted)))
    assert predicted, "detect finds conflicts in the window"
    assert predicted <= set(alerted), predicted - set(alerted)
    for pair, state in alerted.items():
        replay_nm = state.get("min_h_sep_nm")
        print(sorted(pair), "replay", replay_nm, "snapshots", round(least.get(pair, -1), 2))
        if isinstance(replay_nm, int | float) and pair in least:
            assert replay_nm >= least[pair] - 1.0, (pair, replay_nm, least[pair])
