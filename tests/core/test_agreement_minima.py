"""Agreements carry their minima: a pair is held to its own agreement's minima and
look-ahead, every other pair to the deployment's (3 NM / 1 000 ft / 300 s)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from tests.core import flying
from tests.core.parties import three_parties

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.access import AgreementMode, AgreementStatus, Minima
from airhotline.core.node import HotlineNode
from airhotline.errors import InputError

START_US = 1_800_000_000_000_000
ACTIVE, FULL = AgreementStatus.ACTIVE, AgreementMode.FULL


@pytest.fixture
def node(sqlite_url: str) -> Iterator[HotlineNode]:
    with three_parties(sqlite_url) as built:
        yield built


def fly_side_by_side(node: HotlineNode, pairs: list[tuple[str, str, str, str, float]]) -> None:
    """Each pair (party, track, party, track, NM apart) flies north side by side at
    FL300, 450 kt, for ten seconds: a constant separation, lost if under the minimum."""
    starts: dict[tuple[str, str], flying.Start] = {}
    for k, (party_a, track_a, party_b, track_b, apart_nm) in enumerate(pairs):
        lat0, lon0 = 10.0 + 2.0 * k, 20.0
        for party, track, east_nm in ((party_a, track_a, 0.0), (party_b, track_b, apart_nm)):
            lat, lon, _ = geo.geodesic_forward(
                lat0, lon0, 1.5707963267948966, float(units.m_from_nm(east_nm))
            )
            starts[(party, track)] = (float(lat), float(lon), 30_000.0)
    flying.fly_north(node, starts, 10)


def alerted(node: HotlineNode) -> set[frozenset[str]]:
    return {
        frozenset((a.track_a[1], a.track_b[1]))
        for a in node.alerts.alerts(party_id=None, active=True)
    }


def test_a_pair_is_held_to_its_agreements_minima(node: HotlineNode) -> None:
    node.set_agreement("ATLAS", "BOREAS", FULL, ACTIVE, Minima(h_sep_nm=5.0, v_sep_ft=2_000.0))
    node.set_agreement("ATLAS", "CIRRUS", FULL, ACTIVE, Minima(h_sep_nm=2.0))
    fly_side_by_side(
        node,
        [
            ("ATLAS", "A1", "BOREAS", "B1", 4.0),  # under their 5 NM: alert
            ("ATLAS", "A2", "CIRRUS", "C2", 2.5),  # over their 2 NM: none
            ("BOREAS", "B3", "CIRRUS", "C3", 4.0),  # over the default 3 NM: none
            ("BOREAS", "B4", "CIRRUS", "C4", 2.5),  # under the default 3 NM: alert
        ],
    )
    assert alerted(node) == {frozenset({"A1", "B1"}), frozenset({"B4", "C4"})}


def test_an_agreements_look_ahead_is_its_advisory_time(node: HotlineNode) -> None:
    node.set_agreement("ATLAS", "BOREAS", FULL, ACTIVE, Minima(lookahead_s=90.0))
    assert (
        node.alerts.policy_for(
            node.party_by_name("ATLAS").id, node.party_by_name("BOREAS").id
        ).advisory_s
        == 90.0
    )
    assert (
        node.alerts.policy_for(
            node.party_by_name("ATLAS").id, node.party_by_name("CIRRUS").id
        ).advisory_s
        == 300.0
    )


@pytest.mark.parametrize(
    ("minima", "field"),
    [
        (Minima(h_sep_nm=0.0), "h_sep_nm"),
        (Minima(h_sep_nm=float("nan")), "h_sep_nm"),
        (Minima(v_sep_ft=50.0), "v_sep_ft"),
        (Minima(lookahead_s=1e9), "lookahead_s"),
    ],
)
def test_impossible_minima_are_refused(node: HotlineNode, minima: Minima, field: str) -> None:
    head = node.store.head()
    with pytest.raises(InputError) as refused:
        node.set_agreement("ATLAS", "BOREAS", FULL, ACTIVE, minima)
    assert refused.value.field == field
    assert node.store.head() == head


def test_minima_survive_a_restart(sqlite_url: str) -> None:
    first = build_node(sqlite_url, clock=SimulatedClock(START_US))
    first.add_party("ATLAS", "en")
    first.add_party("BOREAS", "ru")
    first.set_agreement("ATLAS", "BOREAS", FULL, ACTIVE, Minima(5.0, 2_000.0, 120.0))
    first.close()
    again = build_node(sqlite_url, clock=SimulatedClock(START_US))
    try:
        (minima,) = again.agreement_minima().values()
        assert minima == Minima(5.0, 2_000.0, 120.0)
    finally:
        again.close()


def test_the_admin_api_sets_and_shows_an_agreements_minima(sqlite_url: str) -> None:
    from tests.service.conftest import assert_problem, open_hotline

    with open_hotline(sqlite_url) as hotline:
        body = {"parties": ["ATLAS", "BOREAS"], "h_sep_nm": 5, "v_sep_ft": 2000.0}
        response = hotline.client.put("/v1/agreements", json=body, headers=hotline.admin)
        assert response.status_code == 200, response.text
        listed = hotline.client.get("/v1/agreements", headers=hotline.operator("BOREAS")).json()
        assert [(a["h_sep_nm"], a["v_sep_ft"], a["lookahead_s"]) for a in listed] == [
            (5.0, 2000.0, None)
        ]
        head = hotline.head()
        bad = {"parties": ["ATLAS", "BOREAS"], "h_sep_nm": 0}
        problem = assert_problem(
            hotline.client.put("/v1/agreements", json=bad, headers=hotline.admin), 422
        )
        assert problem["field"] == "h_sep_nm"
        assert hotline.head() == head


def test_one_detection_and_a_second_look_match_each_pair_detected_on_its_own() -> None:
    """Against the slow way: each pair of parties detected alone, with its own minima."""
    import numpy as np

    from airhotline.core.alerts.minima import raised, rechecked
    from airhotline.detect import TrackStates, detect_conflicts

    rng = np.random.default_rng(17)
    for _ in range(10):
        n = 90
        party = rng.integers(1, 4, n)
        states = TrackStates.build(
            lat_deg=rng.uniform(30.0, 30.6, n),
            lon_deg=rng.uniform(30.0, 30.6, n),
            alt_m=rng.uniform(9_000.0, 9_900.0, n),
            gs_mps=rng.uniform(100.0, 250.0, n),
            track_rad=rng.uniform(0.0, 6.28, n),
            vrate_mps=rng.uniform(-5.0, 5.0, n),
            party=party,
        )
        minima = {
            (1, 2): (float(units.m_from_nm(rng.uniform(1.0, 6.0))), None),
            (2, 3): (None, float(units.m_from_ft(rng.uniform(500.0, 3_000.0)))),
        }

        used = raised(states, party, minima)
        found = rechecked(
            states,
            used,
            party,
            detect_conflicts(used, lookahead_s=300.0),
            minima,
            lambda s, t: detect_conflicts(s, lookahead_s=t),
            300.0,
        )
        got = {
            (int(a), int(b)): round(float(t), 6)
            for a, b, t in zip(found.i, found.j, found.t_in_s, strict=True)
        }
        expected: dict[tuple[int, int], float] = {}
        for pa, pb in ((1, 2), (1, 3), (2, 3)):
            rows = np.flatnonzero((party == pa) | (party == pb))
            h, v = minima.get((pa, pb), (None, None))
            sub = states.take(rows)
            sub = replace(
                sub,
                h_sep_m=np.full(len(rows), h if h is not None else sub.h_sep_m[0]),
                v_sep_m=np.full(len(rows), v if v is not None else sub.v_sep_m[0]),
            )
            alone = detect_conflicts(sub, lookahead_s=300.0)
            for a, b, t in zip(alone.i, alone.j, alone.t_in_s, strict=True):
                key = (int(rows[a]), int(rows[b]))
                expected[key] = round(float(t), 6)
        assert got == expected
        assert len(expected) > 5  # the case has conflicts of every pair to check
