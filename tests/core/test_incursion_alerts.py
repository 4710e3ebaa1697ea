"""Notice incursions as alerts: a track of one party heading into another party's live
notice is alerted, with the time to entry, to both parties — same tiers, acknowledgement,
escalation, journal and resolution as a conflict — and one passing just outside, above
the band, of the notice's own party, or of a party never told of the notice is not."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from tests.core import flying
from tests.core.parties import START_US, operator, three_parties

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock, iso_from_us
from airhotline.core.alerts import Alert, Tier
from airhotline.core.alerts.model import INCURSION
from airhotline.core.messages import render
from airhotline.core.node import HotlineConfig, HotlineNode

HOUR_US = 3_600_000_000
CENTRE = (10.0, 20.0)  # lat, lon
RADIUS_NM = 5.0
NORTH, EAST = 0.0, 90.0


@pytest.fixture
def node(sqlite_url: str) -> Iterator[HotlineNode]:
    with three_parties(sqlite_url, ("en", "ru", "ar")) as built:
        yield built


def firing_range(node: HotlineNode, to: Sequence[str] = ("BOREAS",), from_s: float = 0) -> str:
    """ATLAS's live-firing notice: 5 NM around CENTRE, SFC to FL200, for two hours
    (starting ``from_s`` from now)."""
    now = node.clock.now_us() + round(from_s * 1_000_000)
    body: dict[str, Any] = {
        "kind": "live-firing",
        "area": {"type": "Circle", "center": [CENTRE[1], CENTRE[0]], "radius_nm": RADIUS_NM},
        "lower": "SFC",
        "upper": "FL200",
        "window": {"start": iso_from_us(now), "end": iso_from_us(now + 2 * HOUR_US)},
        "description": "Range R-12 hot",
        "to": list(to),
    }
    return node.notices.publish(operator(node, "ATLAS"), body).id


#: A track: party, id, where it starts (NM south of the centre, NM east of it), level.
Track = tuple[str, str, float, float, float]


def start_of(south_nm: float, east_nm: float) -> tuple[float, float]:
    lat, lon, _ = geo.geodesic_forward(
        CENTRE[0], CENTRE[1], 3.141592653589793, float(units.m_from_nm(south_nm))
    )
    lat, lon, _ = geo.geodesic_forward(
        float(lat), float(lon), 1.5707963267948966, float(units.m_from_nm(east_nm))
    )
    return float(lat), float(lon)


def fly_north(node: HotlineNode, tracks: Sequence[Track], seconds: int, *, t0: int = 0) -> None:
    """Every track flies north at 450 kt, reporting and cycling once a second."""
    starts = {(p, t): (*start_of(s, e), level) for p, t, s, e, level in tracks}
    flying.fly_north(node, starts, seconds, t0=t0)


def incursions(node: HotlineNode, party: str | None = None) -> list[Alert]:
    party_id = None if party is None else node.party_by_name(party).id
    return [a for a in node.alerts.alerts(party_id=party_id) if a.kind == INCURSION]


#: 15 NM south, on the centre line: 10 NM (80 s at 450 kt) to the edge.
HEADING_IN: Track = ("BOREAS", "B-IN", 15.0, 0.0, 10_000.0)
#: Passing 0.3 NM east of the circle.
JUST_OUTSIDE: Track = ("BOREAS", "B-OUT", 15.0, RADIUS_NM + 0.3, 10_000.0)
#: Over it, above the band.
ABOVE: Track = ("BOREAS", "B-HIGH", 15.0, 0.0, 30_000.0)
#: The notice's own party's aircraft, inside.
OWN: Track = ("ATLAS", "A-RANGE", 2.0, 0.0, 5_000.0)
#: A party the notice was not sent to.
UNTOLD: Track = ("CIRRUS", "C-IN", 15.0, -1.0, 14_000.0)


def test_a_track_heading_in_is_alerted_to_both_parties(node: HotlineNode) -> None:
    notice_id = firing_range(node)
    fly_north(node, [HEADING_IN, JUST_OUTSIDE, ABOVE, OWN, UNTOLD], 10)
    (alert,) = incursions(node)
    assert alert.track_a == (node.party_by_name("BOREAS").id, "B-IN")
    assert alert.notice_id == notice_id
    assert alert.notice_kind == "live-firing"
    assert alert.tier is Tier.CAUTION  # about 70 s to the edge
    assert 69.0 <= alert.t_in_s <= 73.0
    assert not alert.los
    # Both parties see it; the untold one does not.
    assert [a.id for a in incursions(node, "BOREAS")] == [alert.id]
    assert [a.id for a in incursions(node, "ATLAS")] == [alert.id]
    assert incursions(node, "CIRRUS") == []
    # The notice's party is shown the track; nobody is "shown" the notice as a track.
    atlas, boreas = node.party_by_name("ATLAS").id, node.party_by_name("BOREAS").id
    assert node.alerts.exposed_to(atlas) == {(boreas, "B-IN")}
    assert node.alerts.exposed_to(boreas) == set()
    payload = node.alerts.payload(alert)
    assert payload["kind"] == "notice-incursion"
    assert [t["track_id"] for t in payload["tracks"]] == ["B-IN"]
    assert payload["notice"] == {
        "party": "ATLAS",
        "party_id": atlas,
        "notice_id": notice_id,
        "kind": "live-firing",
    }


def test_each_party_hears_of_it_in_its_own_words(node: HotlineNode) -> None:
    notice_id = firing_range(node)
    fly_north(node, [HEADING_IN], 10)
    (alert,) = incursions(node)
    said = {
        m.recipient_name: m
        for m in node.messages.book.messages()
        if m.alert_id == alert.id and m.type == "conflict-alert"
    }
    assert said["BOREAS"].form == "incursion"
    assert said["BOREAS"].params["own"] == "B-IN"
    assert said["ATLAS"].form == "intrusion"
    assert said["ATLAS"].params["other"] == "B-IN"
    russian = render("conflict-alert", "incursion", said["BOREAS"].params, "ru")
    assert notice_id in russian
    assert "боевые стрельбы" in russian


def test_it_turns_to_a_warning_inside_and_resolves_with_the_entry(node: HotlineNode) -> None:
    firing_range(node)
    fly_north(node, [HEADING_IN], 90)  # the edge at 80 s
    (alert,) = incursions(node)
    assert alert.tier is Tier.WARNING
    assert alert.los
    assert alert.min_h_m == 0.0
    assert alert.min_v_m == 0.0
    for party in ("ATLAS", "BOREAS"):
        node.alerts.acknowledge(
            alert.id, party_id=node.party_by_name(party).id, token_id=operator(node, party).token_id
        )
    fly_north(node, [HEADING_IN], 90, t0=90)  # out through the north side at 160 s
    (resolved,) = incursions(node)
    assert not resolved.active
    assert resolved.resolution == "clear"
    kinds = [r.kind for r in node.alerts.history(alert.id)]
    assert kinds[0] == "alert.raised"
    assert kinds[-1] == "alert.resolved"
    assert kinds.count("alert.acknowledged") == 2
    forms = [
        m.form
        for m in node.messages.book.messages()
        if m.alert_id == alert.id and m.recipient_name == "BOREAS"
    ]
    # Caution, then warning; silent for 30 s at warning: escalated; then the entry.
    assert forms == ["incursion", "incursion", "incursion-escalated", "incursion-entered"]


def test_passing_outside_resolves_with_the_distance_kept(node: HotlineNode) -> None:
    firing_range(node)
    near_miss: Track = ("BOREAS", "B-NEAR", 15.0, RADIUS_NM - 0.2, 10_000.0)
    fly_north(node, [near_miss], 200)
    (alert,) = incursions(node)  # clips the edge: raised
    assert not alert.active
    assert alert.min_h_m == 0.0


def test_an_unanswered_incursion_escalates(node: HotlineNode) -> None:
    firing_range(node)
    fly_north(node, [HEADING_IN], 75)
    (alert,) = incursions(node)
    assert alert.escalation >= 1
    escalated = [r for r in node.alerts.history(alert.id) if r.kind == "alert.escalated"]
    assert escalated
    forms = {m.form for m in node.messages.book.messages() if m.alert_id == alert.id}
    assert "incursion-escalated" in forms


def test_an_incursion_survives_a_restart(sqlite_url: str) -> None:
    with three_parties(sqlite_url) as first:
        notice_id = firing_range(first)
        fly_north(first, [HEADING_IN], 10)
        (before,) = incursions(first)
        now = first.clock.now_us()
    node = build_node(sqlite_url, clock=SimulatedClock(now))
    try:
        (after,) = incursions(node)
        assert (after.id, after.notice_id, after.notice_kind, after.tier) == (
            before.id,
            notice_id,
            "live-firing",
            before.tier,
        )
        assert after.disclosed == (True, True)
        fly_north(node, [HEADING_IN], 5, t0=10)
        assert [a.id for a in incursions(node)] == [before.id]  # followed, not raised again
    finally:
        node.close()


def test_a_cancelled_notice_clears_its_incursions(node: HotlineNode) -> None:
    notice_id = firing_range(node)
    fly_north(node, [HEADING_IN], 10)
    node.notices.cancel(operator(node, "ATLAS"), notice_id)
    fly_north(node, [HEADING_IN], 5, t0=10)
    (alert,) = incursions(node)
    assert not alert.active
    assert alert.resolution == "clear"


def test_an_incursion_does_not_count_against_the_flood_of_conflicts(sqlite_url: str) -> None:
    node = build_node(
        sqlite_url, clock=SimulatedClock(START_US), config=HotlineConfig(flood_limit=1)
    )
    try:
        # BOREAS first: its (lesser) id leads both pairs of parties, as the flood counts.
        for name in ("BOREAS", "ATLAS", "CIRRUS"):
            node.add_party(name, "en")
        firing_range(node)
        wingman: Track = ("ATLAS", "A-WING", 15.0, 1.0, 10_000.0)  # 1 NM beside B-IN
        fly_north(node, [HEADING_IN], 5)  # the incursion first, then the conflict
        fly_north(node, [HEADING_IN, wingman], 5, t0=5)
        kinds = sorted(a.kind for a in node.alerts.alerts(party_id=None, active=True))
        assert kinds == ["conflict", "notice-incursion"]
    finally:
        node.close()


def test_an_aircraft_never_seen_inside_is_not_said_to_have_entered(node: HotlineNode) -> None:
    # The range goes hot in 90 s; B1 would be over it by then, but turns back at 20 s.
    firing_range(node, from_s=90)
    fly_north(node, [HEADING_IN], 20)
    (alert,) = incursions(node)
    assert alert.min_h_m is None  # no report while the notice was active
    back: Track = ("BOREAS", "B-IN", -15.0, 0.0, 10_000.0)  # gone south, out of reach
    fly_north(node, [back], 5, t0=20)
    (resolved,) = incursions(node)
    assert not resolved.active
    forms = [m.form for m in node.messages.book.messages() if m.alert_id == alert.id]
    assert forms[-1] == "incursion-unseen"
    assert "incursion-entered" not in forms
