"""Designated zones: a pair inside a zone is held to the zone's minima (the largest of
its agreement's and those either track's position calls for); a declared joint activity
is not alerted between its parties inside the zone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.core.parties import three_parties
from tests.core.test_agreement_minima import ACTIVE, FULL, START_US, alerted, fly_side_by_side

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.access import Minima
from airhotline.core.node import HotlineNode
from airhotline.errors import InputError, NotFoundError


@pytest.fixture
def node(sqlite_url: str) -> Iterator[HotlineNode]:
    with three_parties(sqlite_url) as built:
        yield built


def around(pair_index: int, radius_nm: float = 15.0) -> dict[str, Any]:
    """A circle around where `fly_side_by_side` flies its pair number ``pair_index``."""
    return {"type": "Circle", "center": [20.05, 10.0 + 2.0 * pair_index], "radius_nm": radius_nm}


def test_a_pair_inside_a_zone_is_held_to_its_minima(node: HotlineNode) -> None:
    node.set_zone({"name": "DRILL-1", "area": around(0), "h_sep_nm": 5.0, "v_sep_ft": 2000})
    fly_side_by_side(
        node,
        [
            ("ATLAS", "A1", "BOREAS", "B1", 4.0),  # inside the 5 NM zone: alert
            ("ATLAS", "A2", "BOREAS", "B2", 4.0),  # outside it, over 3 NM: none
        ],
    )
    assert alerted(node) == {frozenset({"A1", "B1"})}


def test_the_largest_minima_win(node: HotlineNode) -> None:
    node.set_agreement("ATLAS", "BOREAS", FULL, ACTIVE, Minima(h_sep_nm=2.0))
    node.set_zone({"name": "WIDE", "area": around(0), "h_sep_nm": 4.0})
    node.set_zone({"name": "WIDER", "area": around(0, 5.0), "h_sep_nm": 6.0})
    fly_side_by_side(
        node,
        [
            ("ATLAS", "A1", "BOREAS", "B1", 5.0),  # both zones: 6 NM wins, alert
            ("ATLAS", "A2", "BOREAS", "B2", 2.5),  # no zone: their 2 NM, none
        ],
    )
    assert alerted(node) == {frozenset({"A1", "B1"})}


def test_a_joint_activity_is_not_alerted_between_its_parties(node: HotlineNode) -> None:
    node.set_zone({"name": "REFUEL", "area": around(0), "quiet": ["ATLAS", "BOREAS"]})
    node.set_zone({"name": "REFUEL-2", "area": around(1), "quiet": ["ATLAS", "BOREAS"]})
    fly_side_by_side(
        node,
        [
            ("ATLAS", "A1", "BOREAS", "B1", 1.0),  # the joint activity: quiet
            ("ATLAS", "A2", "CIRRUS", "C2", 1.0),  # CIRRUS is not part of it: alert
            ("BOREAS", "B3", "CIRRUS", "C3", 1.0),  # no zone: alert
        ],
    )
    assert alerted(node) == {frozenset({"A2", "C2"}), frozenset({"B3", "C3"})}


def test_zones_survive_a_restart_and_can_be_removed(sqlite_url: str) -> None:
    first = build_node(sqlite_url, clock=SimulatedClock(START_US))
    first.add_party("ATLAS", "en")
    zone = first.set_zone({"name": "DRILL-1", "area": around(0), "h_sep_nm": 5.0})
    first.close()
    again = build_node(sqlite_url, clock=SimulatedClock(START_US))
    try:
        assert [z.name for z in again.zones.zones()] == ["DRILL-1"]
        again.remove_zone(zone.id)
        assert again.zones.zones() == []
        with pytest.raises(NotFoundError):
            again.remove_zone(zone.id)
    finally:
        again.close()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Z", "area": around(0)}, "h_sep_nm"),
        ({"name": "Z", "area": around(0), "h_sep_nm": 0}, "h_sep_nm"),
        ({"name": "Z", "area": around(0), "v_sep_ft": 50}, "v_sep_ft"),
        ({"name": "Z", "area": around(0), "quiet": ["ATLAS"]}, "quiet"),
        ({"name": "Z", "area": around(0), "quiet": ["ATLAS", "NOBODY"]}, "quiet[1]"),
        ({"name": "", "area": around(0), "h_sep_nm": 5}, "name"),
        ({"name": "Z", "area": {"type": "Circle"}, "h_sep_nm": 5}, "area.center"),
        (
            {"name": "Z", "area": around(0), "h_sep_nm": 5, "lower": "FL100", "upper": "SFC"},
            "upper",
        ),
        ({"name": "Z", "area": around(0), "h_sep_nm": 5, "colour": "red"}, "colour"),
    ],
)
def test_invalid_zones_are_refused(node: HotlineNode, body: dict[str, Any], field: str) -> None:
    head = node.store.head()
    with pytest.raises(InputError) as refused:
        node.set_zone(body)
    assert refused.value.field == field
    assert node.store.head() == head


def test_the_admin_api_designates_lists_and_removes_zones(sqlite_url: str) -> None:
    from tests.service.conftest import assert_problem, open_hotline

    with open_hotline(sqlite_url) as hotline:
        body = {"name": "DRILL-1", "area": around(0), "h_sep_nm": 5}
        response = hotline.client.post("/v1/zones", json=body, headers=hotline.admin)
        assert response.status_code == 201, response.text
        zone_id = response.json()["zone_id"]
        listed = hotline.client.get("/v1/zones", headers=hotline.operator("ATLAS")).json()
        assert [(z["name"], z["h_sep_nm"], z["lower"], z["upper"]) for z in listed] == [
            ("DRILL-1", 5.0, "SFC", "UNL")
        ]
        assert_problem(
            hotline.client.post("/v1/zones", json=body, headers=hotline.operator("ATLAS")), 403
        )
        changed = {**body, "h_sep_nm": 6}
        response = hotline.client.put(f"/v1/zones/{zone_id}", json=changed, headers=hotline.admin)
        assert response.json()["h_sep_nm"] == 6.0
        response = hotline.client.delete(f"/v1/zones/{zone_id}", headers=hotline.admin)
        assert response.status_code == 204
        assert hotline.client.get("/v1/zones", headers=hotline.admin).json() == []
