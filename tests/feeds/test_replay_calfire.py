"""Replay of traffic's real firefighting recording (``calfire``: tankers, air attack,
helicopters and CAL FIRE's own aircraft over one fire) through the whole core, split into
parties by a map derived from the data, checked against ``airhotline detect`` run offline
on snapshots of the same recording.

The comparison: detect is a snapshot check, the replay a live picture (tracks coast
between reports, alerts need confirmation). So every 60 s of the recording we take the
snapshot of the tracks reported within the last 10 s, run ``detect`` on it, and require
that every cross-party pair it predicts to lose separation within the look-ahead was
alerted by the replay at some time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airhotline.cli import app
from airhotline.cli.alerts import latest_states
from airhotline.feeds import Row
from airhotline.feeds.partymap import PartyRouter, party_map_of
from airhotline.feeds.trajectory import read_trajectory
from airhotline.store import Store

from .samples import SAMPLES

CALFIRE = SAMPLES / "firefighting" / "calfire.json.gz"
WINDOW_S = 1_800
runner = CliRunner()

pytestmark = pytest.mark.skipif(not CALFIRE.exists(), reason="traffic's calfire sample missing")


def derived_map() -> dict[str, object]:
    """Tankers (T71...), air attack (A120, AA410...) and helicopters (C106...) by their
    callsign prefixes; CAL FIRE's registered aircraft (N4..DF) by their addresses."""
    rows, _ = read_trajectory(CALFIRE)
    fleet = sorted(
        {r["icao24"] for r in rows if (r.get("callsign") or "").endswith("DF") and r.get("icao24")}
    )
    return {
        "parties": {
            "TANKERS": {"callsign_prefixes": ["T"]},
            "AIR-ATTACK": {"callsign_prefixes": ["A"]},
            "HELITACK": {"callsign_prefixes": ["C"]},
            "CALFIRE-FLEET": {"icao24": fleet},
        },
        "unmapped": "drop",
    }


def snapshot_pairs(rows: list[Row], router: PartyRouter, tmp_path: Path) -> set[frozenset[str]]:
    """Cross-party pairs ``airhotline detect`` finds on a snapshot every 60 s."""
    start = rows[0]["time_us"]
    pairs: set[frozenset[str]] = set()
    header = "party,track_id,lat,lon,alt_ft,gs_kt,track_deg,vrate_fpm"
    for at in range(60, WINDOW_S + 1, 60):
        now = start + at * 1_000_000
        latest: dict[str, tuple[str, Row]] = {}
        for row in rows:
            party = router.party_of(row)
            if party is not None and now - 10_000_000 < row["time_us"] <= now:
                latest[row["track_id"]] = (party, row)
        if len({party for party, _ in latest.values()}) < 2:
            continue
        lines = [header] + [
            f"{p},{r['track_id']},{r['lat']},{r['lon']},{r['alt_ft']},{r['gs_kt']},"
            f"{r['track_deg']},{r['vrate_fpm']}"
            for p, r in latest.values()
        ]
        snapshot, out = tmp_path / f"s{at}.csv", tmp_path / f"c{at}.json"
        snapshot.write_text("\n".join(lines) + "\n")
        result = runner.invoke(app, ["detect", str(snapshot), "--out", str(out)])
        assert result.exit_code == 0, result.stderr
        for c in json.loads(out.read_text()):
            pairs.add(
                frozenset((f"{c['party_a']}/{c['track_a']}", f"{c['party_b']}/{c['track_b']}"))
            )
    return pairs


def test_calfire_split_into_parties_and_replayed_embedded(tmp_path: Path) -> None:
    document = derived_map()
    (tmp_path / "map.yaml").write_text(json.dumps(document))  # JSON is YAML
    db = f"sqlite:///{tmp_path / 'journal.db'}"
    result = runner.invoke(
        app,
        [
            "replay",
            str(CALFIRE),
            "--embedded",
            "--speed",
            "max",
            "--duration-s",
            str(WINDOW_S),
            "--party-map",
            str(tmp_path / "map.yaml"),
            "--db",
            db,
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "of parties AIR-ATTACK, CALFIRE-FLEET, TANKERS" in result.stdout
    assert "alerts by highest tier" in result.stdout
    store = Store.open(db, create=False)
    try:
        states = list(latest_states(store).values())
    finally:
        store.close()
    alerted = {frozenset(f"{t['party']}/{t['track_id']}" for t in s["tracks"]) for s in states}
    assert alerted
    assert all(len({name.split("/")[0] for name in pair}) == 2 for pair in alerted)

    rows = sorted(read_trajectory(CALFIRE)[0], key=lambda r: r["time_us"])
    router = PartyRouter(party_map_of(document))
    predicted = snapshot_pairs(rows, router, tmp_path)
    assert predicted, "detect finds conflicts in the window"
    assert predicted <= alerted, predicted - alerted
