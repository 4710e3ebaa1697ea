"""A flood of conflicts between two parties is followed up to a limit, most urgent
first, and said once, as one flood report — while other parties' alerts are untouched.
"""

from __future__ import annotations

import itertools
from pathlib import Path

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


def test_admit_takes_the_most_urgent_first_and_keeps_what_is_followed() -> None:
    from airhotline.core.alerts.flood import admit
    from airhotline.core.alerts.model import Tier
    from airhotline.core.alerts.prediction import Prediction

    def guess(tier: Tier, t_in_s: float) -> Prediction:
        return Prediction(tier, t_in_s, t_in_s + 30, t_in_s + 15, 100.0, 0.0, False, (False, False))

    pair = lambda a, b: ((1, a), (2, b))  # noqa: E731
    predicted = {
        pair("A1", "B1"): guess(Tier.ADVISORY, 200.0),
        pair("A2", "B2"): guess(Tier.WARNING, 50.0),
        pair("A3", "B3"): guess(Tier.CAUTION, 100.0),
        pair("A4", "B4"): guess(Tier.WARNING, 10.0),
        ((3, "C1"), (4, "D1")): guess(Tier.ADVISORY, 250.0),
    }
    followed = [pair("A0", "B0")]
    chosen, held = admit(predicted, predicted, followed, limit=3)
    assert chosen == [pair("A4", "B4"), pair("A2", "B2"), ((3, "C1"), (4, "D1"))]
    assert held == {(1, 2): 2}
