"""Cleared proximity: an exemption suppresses only the named pair, only after the other
party accepts, only within its window; each encounter held back is journaled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.core.parties import operator, three_parties
from tests.core.test_agreement_minima import START_US, alerted, fly_side_by_side

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock, iso_from_us
from airhotline.core.node import HotlineNode
from airhotline.errors import ConflictError, InputError, NotFoundError

HOUR_US = 3_600_000_000


@pytest.fixture
def node(sqlite_url: str) -> Iterator[HotlineNode]:
    with three_parties(sqlite_url) as built:
        yield built


def proposal(
    own: str, other_party: str, other: str, start_h: float = 0, end_h: float = 2
) -> dict[str, Any]:
    return {
        "track_id": own,
        "other_party": other_party,
        "other_track_id": other,
        "window": {
            "start": iso_from_us(START_US + round(start_h * HOUR_US)),
            "end": iso_from_us(START_US + round(end_h * HOUR_US)),
        },
    }


TANKER = [
    ("ATLAS", "TANKER", "BOREAS", "B1", 0.5),  # the refuelling: exempted once accepted
    ("ATLAS", "A2", "BOREAS", "B2", 0.5),  # the same parties, other tracks: alerted
]


def test_an_accepted_exemption_suppresses_only_its_pair(node: HotlineNode) -> None:
    exemption = node.propose_exemption(operator(node, "ATLAS"), proposal("TANKER", "BOREAS", "B1"))
    assert exemption.state == "proposed"
    with pytest.raises(ConflictError):
        node.accept_exemption(operator(node, "ATLAS"), exemption.id)  # the other party's to
    node.accept_exemption(operator(node, "BOREAS"), exemption.id)
    fly_side_by_side(node, TANKER)
    assert alerted(node) == {frozenset({"A2", "B2"})}
    suppressed = node.store.records_after(0, kinds=["exemption.suppressed"], limit=100)
    assert [r.payload["tracks"] for r in suppressed] == [["TANKER", "B1"]]
    assert suppressed[0].audience == {
        node.party_by_name("ATLAS").id,
        node.party_by_name("BOREAS").id,
    }


def test_a_proposal_not_accepted_suppresses_nothing(node: HotlineNode) -> None:
    node.propose_exemption(operator(node, "ATLAS"), proposal("TANKER", "BOREAS", "B1"))
    fly_side_by_side(node, TANKER)
    assert alerted(node) == {frozenset({"TANKER", "B1"}), frozenset({"A2", "B2"})}


def test_an_exemption_outside_its_window_suppresses_nothing(node: HotlineNode) -> None:
    later = node.propose_exemption(
        operator(node, "ATLAS"), proposal("TANKER", "BOREAS", "B1", start_h=1, end_h=2)
    )
    node.accept_exemption(operator(node, "BOREAS"), later.id)
    fly_side_by_side(node, TANKER)
    assert frozenset({"TANKER", "B1"}) in alerted(node)


def test_a_revoked_exemption_suppresses_nothing(node: HotlineNode) -> None:
    exemption = node.propose_exemption(operator(node, "ATLAS"), proposal("TANKER", "BOREAS", "B1"))
    node.accept_exemption(operator(node, "BOREAS"), exemption.id)
    assert node.revoke_exemption(operator(node, "BOREAS"), exemption.id).state == "revoked"
    with pytest.raises(NotFoundError):
        node.revoke_exemption(operator(node, "CIRRUS"), exemption.id)  # not CIRRUS's
    fly_side_by_side(node, TANKER)
    assert frozenset({"TANKER", "B1"}) in alerted(node)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"other_party": "NOBODY"}, "other_party"),
        ({"other_party": "ATLAS"}, "other_party"),
        ({"track_id": ""}, "track_id"),
        ({"other_track_id": "B\u202e1"}, "other_track_id"),
        (
            {
                "window": {
                    "start": iso_from_us(START_US),
                    "end": iso_from_us(START_US + 13 * HOUR_US),
                }
            },
            "window.end",
        ),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_proposals_are_refused(
    node: HotlineNode, change: dict[str, Any], field: str
) -> None:
    head = node.store.head()
    with pytest.raises((InputError, NotFoundError)) as refused:
        node.propose_exemption(
            operator(node, "ATLAS"), {**proposal("TANKER", "BOREAS", "B1"), **change}
        )
    assert refused.value.field == field  # type: ignore[union-attr]
    assert node.store.head() == head


def test_the_api_proposes_accepts_and_revokes(sqlite_url: str) -> None:
    from tests.service.conftest import open_hotline

    with open_hotline(sqlite_url) as hotline:
        body = proposal("TANKER", "BOREAS", "B1")
        response = hotline.client.post(
            "/v1/exemptions", json=body, headers=hotline.operator("ATLAS")
        )
        assert response.status_code == 201, response.text
        exemption_id = response.json()["exemption_id"]
        path = f"/v1/exemptions/{exemption_id}"
        accepted = hotline.client.post(f"{path}/accept", headers=hotline.operator("BOREAS"))
        assert accepted.json()["state"] == "accepted"
        assert hotline.client.get("/v1/exemptions", headers=hotline.operator("CIRRUS")).json() == []
        revoked = hotline.client.delete(path, headers=hotline.operator("ATLAS"))
        assert revoked.json()["state"] == "revoked"


def test_a_held_back_encounter_is_journaled_once_across_a_restart(sqlite_url: str) -> None:
    with three_parties(sqlite_url) as first:
        exemption = first.propose_exemption(
            operator(first, "ATLAS"), proposal("TANKER", "BOREAS", "B1")
        )
        first.accept_exemption(operator(first, "BOREAS"), exemption.id)
        fly_side_by_side(first, TANKER[:1])
        now = first.clock.now_us()
    again = build_node(sqlite_url, clock=SimulatedClock(now))
    try:
        fly_side_by_side(again, TANKER[:1])
        held = again.store.records_after(0, kinds=["exemption.suppressed"], limit=100)
        assert len(held) == 1
    finally:
        again.close()
