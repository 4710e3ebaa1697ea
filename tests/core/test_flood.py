"""A flood of conflicts between two parties is followed up to a limit, most urgent
first, and said once, as one flood report — while other parties' alerts are untouched.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from tests.core.test_alerts import TRUSTING, Flight
from tests.core.test_disclosure import START_US, Line

from airhotline.bootstrap import build_node
from airhotline.clock import US_PER_S, SimulatedClock
from airhotline.core.node import HotlineConfig

LIMIT = 10
CONFIG = HotlineConfig(plausibility=TRUSTING.plausibility, flood_limit=LIMIT, flood_every_s=30.0)


def grid(prefix: str, course: float, n: int, lat0: float) -> list[Flight]:
    """``n`` aircraft on parallel courses 1 NM apart, all meeting the others at t 60 s."""
    return [
        Flight.through(
            f"{prefix}{k}", (lat0 + k / 60.0, 30.0), course, at_s=60.0 + k, gs_kt=450.0,
            alt_ft=30_000.0,
        )
        for k in range(n)
    ]  # fmt: skip


def test_a_flood_is_followed_to_its_limit_and_said_once(tmp_path: Path) -> None:
    clock = SimulatedClock(START_US)
    node = build_node(f"sqlite:///{tmp_path / 'flood.db'}", clock=clock, config=CONFIG)
    parties = ("ATLAS", "BOREAS", "CIRRUS", "DELTA")
    line = Line(node, clock, {name: node.add_party(name, "en").party.id for name in parties})
    flood = grid("A", 270.0, 30, 34.0)  # 30 × 10 head-on pairs within five minutes
    victims = grid("B", 90.0, 10, 34.0)
    c1 = Flight.through("C1", (20.0, 20.0), 90.0, at_s=40.0, gs_kt=450.0, alt_ft=20_000.0)
    d1 = Flight.through("D1", (20.0, 20.0), 270.0, at_s=40.0, gs_kt=450.0, alt_ft=20_000.0)
    ab = {line.ids["ATLAS"], line.ids["BOREAS"]}
    most_followed = 0
    try:
        for _ in range(150):  # the grids cross at 60-90 s and are apart by 120 s
            t = line.t()
            line.post("ATLAS", [f.state(t) for f in flood])
            line.post("BOREAS", [f.state(t) for f in victims])
            line.post("CIRRUS", [c1.state(t)])
            line.post("DELTA", [d1.state(t)])
            line.cycle()
            followed = [p for p in node.alerts.book.encounters if {p[0][0], p[1][0]} == ab]
            most_followed = max(most_followed, len(followed))
        assert most_followed == LIMIT
        alerts = node.alerts.alerts(party_id=line.ids["BOREAS"])
        assert LIMIT <= len(alerts) < 300, "followed in turns, never all at once"

        reports = node.store.records_after(0, kinds=["flood.reported"])
        states = [r.payload["state"] for r in reports]
        assert states[0] == "ongoing"
        assert states[-1] == "over"
        assert states.count("over") == 1
        first = reports[0]
        assert first.time_us == START_US
        assert first.audience == frozenset(ab)
        assert first.payload["parties"] == ["ATLAS", "BOREAS"]
        assert first.payload["held"] > 40  # predicted at once, not followed
        ongoing = [r.time_us for r in reports if r.payload["state"] == "ongoing"]
        assert all(b - a >= 30 * US_PER_S for a, b in itertools.pairwise(ongoing)), (
            "said at most every flood_every_s while it lasts"
        )
        # The other parties' encounter was raised at once, flood or not (a warning).
        (cd,) = node.alerts.alerts(party_id=line.ids["CIRRUS"])
        assert cd.raised_us == START_US
    finally:
        node.close()


def test_the_most_urgent_new_pairs_are_taken_and_the_followed_ones_kept() -> None:
    import numpy as np

    from airhotline.core.alerts.policy import AlertPolicy
    from airhotline.core.alerts.prediction import predict
    from airhotline.core.picture import Picture
    from airhotline.core.reports import ReportBatch
    from airhotline.detect import Conflicts, TrackStates

    picture = Picture()
    tracks = {1: ["A0", "A1", "A2", "A3", "A4"], 2: ["B0", "B1", "B2", "B3", "B4"], 3: ["C1"]}
    for party, ids in tracks.items():
        rows = [
            {"track_id": t, "time_us": START_US, "lat": 10.0, "lon": 10.0 + k, "alt_ft": 1e4,
             "gs_kt": 300.0, "track_deg": 0.0, "vrate_fpm": 0.0}
            for k, t in enumerate(ids)
        ]  # fmt: skip
        picture.apply(party, ReportBatch.from_rows(rows))
    view = picture.view(START_US)
    row = view.rows()
    # (A, B, t_in): pairs of ATLAS (1) and BOREAS (2), one of CIRRUS (3) with ATLAS.
    wanted = [
        ((1, "A0"), (2, "B0"), 250.0),  # followed already, the least urgent
        ((1, "A1"), (2, "B1"), 200.0),  # advisory
        ((1, "A2"), (2, "B2"), 50.0),  # warning
        ((1, "A3"), (2, "B3"), 100.0),  # caution
        ((1, "A4"), (2, "B4"), 10.0),  # warning, the soonest
        ((1, "A1"), (3, "C1"), 280.0),  # another pair of parties: room of its own
    ]

    def detector(states: TrackStates, lookahead_s: float) -> Conflicts:
        # i < j, as the detector promises; the pair of parties comes out ordered anyway.
        i = np.array([min(row[x], row[y]) for x, y, _ in wanted])
        j = np.array([max(row[x], row[y]) for x, y, _ in wanted])
        t_in = np.array([t for _, _, t in wanted])
        return Conflicts(i, j, t_in, t_in + 30, t_in + 15, np.full(6, 100.0),
                         np.zeros(6), np.zeros(6, dtype=bool))  # fmt: skip

    predicted, held = predict(
        view,
        lookahead_s=300.0,
        policy_for=lambda a, b: AlertPolicy(),
        detector=detector,
        followed=[((1, "A0"), (2, "B0"))],
        limit=3,
    )
    assert set(predicted) == {
        ((1, "A0"), (2, "B0")),  # followed: always kept
        ((1, "A4"), (2, "B4")),
        ((1, "A2"), (2, "B2")),
        ((1, "A1"), (3, "C1")),
    }
    assert held == {(1, 2): 2}
    assert [p.tier.label for k, p in sorted(predicted.items())] == [
        "advisory", "advisory", "warning", "warning",
    ]  # fmt: skip


def test_pairs_of_parties_are_those_a_row_unique_gives() -> None:
    """The cycle codes each pair of parties as one number (`_party_pairs`): the same
    pairs, in the same order, as `np.unique` over rows."""
    from airhotline.core.alerts.prediction import _party_pairs

    rng = np.random.default_rng(3)
    for low, high in ((1, 5), (0, 2), (-3, 3), (7, 8)):
        a = rng.integers(low, high, 60)
        b = rng.integers(low, high, 60)
        pairs, group = _party_pairs(a, b)
        rows, inverse = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)
        assert pairs == [tuple(r) for r in rows.tolist()]
        assert group.tolist() == inverse.reshape(-1).tolist()
