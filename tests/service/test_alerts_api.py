"""Alerts over HTTP: streams, acknowledgement, and who sees which aircraft while.

The service runs on a simulated clock without its own cycle: each test posts both
parties' reports through ``POST /v1/tracks`` at cycle k (the clock's start plus k
seconds), runs one cycle, looks, and moves the clock one second. Encounters are the
planned geometries of ``tests/test_alerts.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest
from tests.core.test_alerts import TRUSTING, Flight, State, brute_force_minima, head_on
from tests.service.conftest import (
    START_S,
    START_US,
    EventReader,
    Hotline,
    assert_problem,
    open_hotline,
)

from airhotline import units
from airhotline.clock import US_PER_S
from airhotline.core.alerts import ALERT_KINDS

#: BOREAS's second aircraft, 60 NM north of the encounter; CIRRUS's one, further still.
B2 = Flight.through("B2", (35.5, 33.0), 270.0, at_s=0.0, gs_kt=300.0, alt_ft=30_000.0)
C1 = Flight.through("C1", (36.5, 33.0), 90.0, at_s=0.0, gs_kt=300.0, alt_ft=30_000.0)
UNKNOWN_ID = "0123456789abcdef"


def cycle_of(time_us: int) -> int:
    cycles, rest = divmod(time_us - START_US, US_PER_S)
    assert rest == 0
    return cycles


def fly(
    hotline: Hotline,
    until: int,
    states: Callable[[int], Mapping[str, Sequence[State]]],
    on_cycle: Callable[[int], None] = lambda k: None,
) -> None:
    """Cycles from the clock's up to ``until`` (excluded): post, run, look, tick."""
    for k in range(cycle_of(hotline.clock.now_us()), until):
        for party, rows in states(k).items():
            response = hotline.post_reports(party, [{**row, "time": START_S + k} for row in rows])
            assert response.status_code == 200, response.text
        hotline.node.run_cycle()
        on_cycle(k)
        hotline.clock.advance(1.0)


def alert_ids(hotline: Hotline, headers: dict[str, str], **params: Any) -> list[str]:
    response = hotline.client.get("/v1/alerts", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [a["alert_id"] for a in response.json()]


def without_id(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "id"}


def ack(hotline: Hotline, alert_id: str, headers: dict[str, str]) -> Any:
    return hotline.client.post(f"/v1/alerts/{alert_id}/ack", headers=headers)


def alert_events(hotline: Hotline, party: str) -> list[dict[str, Any]]:
    """The alert events of ``party``'s SSE stream, read from its start."""
    last = hotline.last_event_id(party)
    with hotline.client.stream("GET", "/v1/events", headers=hotline.operator(party)) as response:
        events = EventReader(response).until(last)
    return [e.json for e in events if e.event in ALERT_KINDS]


@pytest.fixture
def trusting(sqlite_url: str) -> Iterator[Hotline]:
    """Tracks established at their first report: this life-cycle test times visibility
    from the raise (establishment has tests of its own, in tests/core/test_disclosure)."""
    with open_hotline(sqlite_url, node_options={"config": TRUSTING}) as opened:
        yield opened


@pytest.mark.usefixtures("fast_heartbeat")
def test_an_encounter_seen_and_acknowledged_by_both_parties(trusting: Hotline) -> None:
    hotline = trusting
    encounter = head_on(entry_s=130.5)  # advisory predicted at once, confirmed at cycle 1
    raised, resolved = encounter.raise_cycle, encounter.resolve_cycle
    assert (raised, encounter.caution_cycle, encounter.warning_cycle) == (1, 11, 71)
    # The pictures are looked at around both ends of the alert's life, and now and then.
    looked = {*range(raised + 3), *range(resolved - 2, resolved + 4), *range(0, resolved, 10)}
    visible: dict[str, list[int]] = {"ATLAS": [], "BOREAS": []}

    def states(k: int) -> dict[str, list[State]]:
        made = encounter.states(k)
        made["BOREAS"].append(B2.state(k))
        made["CIRRUS"] = [C1.state(k)]
        return made

    def look(k: int) -> None:
        if k == raised + 1:
            (alert_id,) = alert_ids(hotline, hotline.operator("ATLAS"), active=True)
            for party in ("ATLAS", "BOREAS"):
                response = ack(hotline, alert_id, hotline.operator(party))
                assert response.status_code == 200, response.text
                assert party in [a["party"] for a in response.json()["acknowledgements"]]
        if k not in looked:
            return
        atlas, boreas = hotline.track_keys("ATLAS"), hotline.track_keys("BOREAS")
        assert atlas - {("BOREAS", "B1")} == {("ATLAS", "A1")}
        assert boreas - {("ATLAS", "A1")} == {("BOREAS", "B1"), ("BOREAS", "B2")}
        assert hotline.track_keys("CIRRUS") == {("CIRRUS", "C1")}
        if ("BOREAS", "B1") in atlas:
            visible["ATLAS"].append(k)
        if ("ATLAS", "A1") in boreas:
            visible["BOREAS"].append(k)

    fly(hotline, resolved + 4, states, look)

    # Each sees the other's aircraft from the cycle the alert is raised until it resolves:
    # not at cycle 0, when the advisory is predicted but not yet confirmed.
    life = sorted(k for k in looked if raised <= k < resolved)
    assert visible == {"ATLAS": life, "BOREAS": life}

    streams = {party: alert_events(hotline, party) for party in ("ATLAS", "BOREAS")}
    # The same events, each numbered on its own party's stream.
    assert [without_id(e) for e in streams["ATLAS"]] == [without_id(e) for e in streams["BOREAS"]]
    events = streams["ATLAS"]
    (alert_id,) = {e["payload"]["alert_id"] for e in events}
    assert [(e["kind"], e["payload"]["tier"]) for e in events if e["kind"] != "alert.updated"][
        :3
    ] == [
        ("alert.raised", "advisory"),
        ("alert.acknowledged", "advisory"),
        ("alert.acknowledged", "advisory"),
    ]
    raised_event = events[0]
    atlas = hotline.parties["ATLAS"].party.id
    (raised_record,) = hotline.node.store.party_records_after(
        atlas, raised_event["id"] - 1, limit=1
    )
    assert cycle_of(raised_record.time_us) == raised
    tier_steps = [
        (cycle_of(r.time_us), r.payload["tier"])
        for r in hotline.node.store.records_after(0, kinds=["alert.updated"], limit=10_000)
        if r.payload["tier_changed"]
    ]
    assert tier_steps == [
        (encounter.caution_cycle, "caution"),
        (encounter.warning_cycle, "warning"),
    ]
    assert events[-1]["kind"] == "alert.resolved"
    assert "alert.escalated" not in [e["kind"] for e in events]

    response = hotline.client.get(f"/v1/alerts/{alert_id}", headers=hotline.operator("BOREAS"))
    assert response.status_code == 200, response.text
    alert = response.json()
    assert alert["state"] == "resolved"
    assert alert["resolution"] == "clear"
    assert [a["party"] for a in alert["acknowledgements"]] == ["ATLAS", "BOREAS"]
    assert [h["event"] for h in alert["history"]] == [e["id"] for e in streams["BOREAS"]]
    pairs = [(k, encounter.a.state(k), encounter.b.state(k)) for k in range(raised, resolved + 1)]
    h, v, _, _ = brute_force_minima(pairs)
    assert float(units.m_from_nm(alert["min_h_sep_nm"])) == pytest.approx(h, abs=1.0)
    assert alert["min_v_sep_ft"] == pytest.approx(v, abs=1.0)
    assert alert_ids(hotline, hotline.operator("CIRRUS")) == []
    assert alert_ids(hotline, hotline.admin) == [alert_id]


def test_acknowledgement_rules(hotline: Hotline) -> None:
    encounter = head_on(entry_s=30.5)  # a warning at once, told once both tracks are
    fly(hotline, 6, encounter.states)  # established: reports spanning five seconds
    (alert_id,) = alert_ids(hotline, hotline.operator("ATLAS"), active=True)
    node = hotline.node

    def acknowledged_records() -> list[Any]:
        return node.store.records_after(0, kinds=["alert.acknowledged"], limit=10_000)

    first = ack(hotline, alert_id, hotline.operator("ATLAS"))
    assert first.status_code == 200, first.text
    again = ack(hotline, alert_id, hotline.operator("ATLAS"))
    assert again.status_code == 200, again.text
    assert again.json()["acknowledgements"] == first.json()["acknowledgements"]
    assert [r.payload["by"] for r in acknowledged_records()] == ["ATLAS"]

    # Not involved, unknown, malformed, or not an operator.
    assert_problem(ack(hotline, alert_id, hotline.operator("CIRRUS")), 404)
    assert_problem(
        hotline.client.get(f"/v1/alerts/{alert_id}", headers=hotline.operator("CIRRUS")), 404
    )
    assert_problem(ack(hotline, UNKNOWN_ID, hotline.operator("ATLAS")), 404)
    assert_problem(ack(hotline, "no%20such", hotline.operator("ATLAS")), 422)
    assert_problem(ack(hotline, alert_id, hotline.feed("ATLAS")), 403)
    assert_problem(ack(hotline, alert_id, hotline.admin), 403)
    assert [r.payload["by"] for r in acknowledged_records()] == ["ATLAS"]

    fly(hotline, encounter.resolve_cycle + 1, encounter.states)
    assert alert_ids(hotline, hotline.operator("BOREAS"), active=False) == [alert_id]
    problem = assert_problem(ack(hotline, alert_id, hotline.operator("BOREAS")), 409)
    assert "resolved" in problem["detail"]
    assert_problem(ack(hotline, alert_id, hotline.operator("ATLAS")), 409)
    assert [r.payload["by"] for r in acknowledged_records()] == ["ATLAS"]


def test_a_suspended_agreement_shares_no_alert(hotline: Hotline) -> None:
    response = hotline.client.put(
        "/v1/agreements",
        json={"parties": ["ATLAS", "BOREAS"], "mode": "conflicts-only", "status": "suspended"},
        headers=hotline.admin,
    )
    assert response.status_code == 200, response.text
    encounter = head_on(entry_s=30.5)

    def look(k: int) -> None:
        assert hotline.track_keys("ATLAS") == {("ATLAS", "A1")}
        assert hotline.track_keys("BOREAS") == {("BOREAS", "B1")}

    fly(hotline, math.ceil(encounter.exit_s) - 5, encounter.states, look)
    (alert_id,) = alert_ids(hotline, hotline.admin, active=True)
    records = hotline.node.store.records_after(0, kinds=ALERT_KINDS)
    assert records
    assert all(r.audience == frozenset() for r in records)
    for party in ("ATLAS", "BOREAS"):
        seen = hotline.node.store.records_after(
            0, audience=hotline.parties[party].party.id, kinds=ALERT_KINDS
        )
        assert seen == []
        assert alert_ids(hotline, hotline.operator(party)) == []
        headers = hotline.operator(party)
        assert_problem(hotline.client.get(f"/v1/alerts/{alert_id}", headers=headers), 404)
        assert_problem(ack(hotline, alert_id, headers), 404)


def test_alerts_come_a_page_at_a_time(trusting: Hotline) -> None:
    hotline = trusting
    pairs = [
        (
            Flight.through(f"A{k}", (20.0 + 2 * k, 30.0), 90.0, at_s=30.0, gs_kt=450.0,
                           alt_ft=30_000.0),
            Flight.through(f"B{k}", (20.0 + 2 * k, 30.0), 270.0, at_s=30.0, gs_kt=450.0,
                           alt_ft=30_000.0),
        )
        for k in range(5)
    ]  # fmt: skip
    fly(
        hotline,
        2,
        lambda k: {
            "ATLAS": [a.state(k) for a, _ in pairs],
            "BOREAS": [b.state(k) for _, b in pairs],
        },
    )
    everything = alert_ids(hotline, hotline.operator("ATLAS"))
    assert len(everything) == 5
    pages, url = [], "/v1/alerts?limit=2"
    while url:
        response = hotline.client.get(url, headers=hotline.operator("ATLAS"))
        assert response.status_code == 200, response.text
        pages.append([a["alert_id"] for a in response.json()])
        url = response.links.get("next", {}).get("url", "")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for p in pages for i in p] == everything
    for bad in ("x", "1.", ".abc", "1." + "a" * 65, "99999999999999999999.a"):
        problem = assert_problem(
            hotline.client.get(
                "/v1/alerts", params={"cursor": bad}, headers=hotline.operator("ATLAS")
            ),
            422,
        )
        assert problem["field"] == "cursor"
    assert_problem(
        hotline.client.get("/v1/alerts", params={"limit": 0}, headers=hotline.operator("ATLAS")),
        422,
    )


def keys_in(value: Any) -> set[str]:
    """Every key of every mapping inside ``value``."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


@pytest.mark.usefixtures("fast_heartbeat")
def test_a_party_reads_no_internal_id_of_another_nor_token_hashes(trusting: Hotline) -> None:
    """Review finding 6: alert and acknowledgement payloads carried the other party's
    internal party id and its operator's token id; a party's stream its token hashes."""
    hotline = trusting
    encounter = head_on(entry_s=30.5)
    fly(hotline, 2, encounter.states)
    (alert_id,) = alert_ids(hotline, hotline.operator("ATLAS"))
    for party in ("ATLAS", "BOREAS"):
        assert ack(hotline, alert_id, hotline.operator(party)).status_code == 200
    hidden = {"party_id", "party_ids", "token_id", "token_hash"}
    listed = hotline.client.get("/v1/alerts", headers=hotline.operator("ATLAS")).json()
    assert not keys_in(listed) & hidden
    last = hotline.last_event_id("ATLAS")
    with hotline.client.stream("GET", "/v1/events", headers=hotline.operator("ATLAS")) as stream:
        events = [e.json for e in EventReader(stream).until(last)]
    assert not any("seq" in e for e in events), "the journal's seq tells of other parties"
    assert {e["kind"] for e in events} >= {"party.created", "alert.raised", "alert.acknowledged"}
    alerts = [e for e in events if e["kind"].startswith("alert.")]
    assert not keys_in(alerts) & hidden, "another party's ids in an alert"
    others = [e for e in events if not e["kind"].startswith("alert.")]
    # Of its own access records a party keeps its token ids (it names them to the admin).
    assert not keys_in(others) & (hidden - {"token_id"})
    # The admin reads the journal whole.
    with hotline.client.stream("GET", "/v1/events", headers=hotline.admin) as stream:
        admin_last = hotline.head()
        admin_events = [e.json for e in EventReader(stream).until(admin_last)]
    assert keys_in(admin_events) >= {"party_id", "token_id", "token_hash"}
