"""Notices over HTTP: published to those with an agreement, amended by version, cancelled,
refused whole when any field is wrong, exported as GeoJSON, kept across a restart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.core.test_incursion_alerts import HEADING_IN, firing_range, fly_north
from tests.service.conftest import Hotline, assert_problem, open_hotline

from airhotline.clock import iso_from_us
from airhotline.core.access import AgreementMode, AgreementStatus
from airhotline.core.messages import render

HOUR_US = 3_600_000_000


@pytest.fixture
def hotline(sqlite_url: str) -> Iterator[Hotline]:
    with open_hotline(sqlite_url, parties=()) as opened:
        for name, lang in (("ATLAS", "en"), ("BOREAS", "ru"), ("CIRRUS", "ar")):
            opened.add_party(name, lang)
        yield opened


def notice(
    hotline: Hotline, *, lead_h: float = 2.0, hours: float = 3.0, **fields: Any
) -> dict[str, Any]:
    now = hotline.clock.now_us()
    start = now + round(lead_h * HOUR_US)
    body: dict[str, Any] = {
        "kind": "live-firing",
        "area": {"type": "Circle", "center": [33.0, 34.5], "radius_nm": 10},
        "lower": "SFC",
        "upper": "FL200",
        "window": {"start": iso_from_us(start), "end": iso_from_us(start + round(hours * HOUR_US))},
        "description": "Range R-12 active",
    }
    body.update(fields)
    return body


def publish(hotline: Hotline, party: str, body: dict[str, Any], status: int = 201) -> Any:
    response = hotline.client.post("/v1/notices", json=body, headers=hotline.operator(party))
    assert response.status_code == status, response.text
    return response.json()


def messages_of(hotline: Hotline, party: str, type_id: str) -> list[dict[str, Any]]:
    response = hotline.client.get(f"/v1/messages?type={type_id}", headers=hotline.operator(party))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_notice_reaches_every_party_with_an_agreement_in_its_language(hotline: Hotline) -> None:
    published = publish(hotline, "ATLAS", notice(hotline))
    assert published["version"] == 1
    assert published["to"] == ["BOREAS", "CIRRUS"]
    assert not published["short_notice"]
    for party in ("BOREAS", "CIRRUS"):
        listed = hotline.client.get("/v1/notices", headers=hotline.operator(party)).json()
        assert [n["notice_id"] for n in listed] == [published["notice_id"]]
    (told,) = messages_of(hotline, "BOREAS", "notice-published")
    assert told["form"] == "published"
    assert not told["wants_answer"]
    assert told["text"] == render("notice-published", "published", told["params"], "ru")
    assert "FL200" in told["text"]


def test_a_notice_restricted_to_named_parties_stays_with_them(hotline: Hotline) -> None:
    published = publish(hotline, "ATLAS", notice(hotline, to=["BOREAS"]))
    assert published["restricted"]
    assert hotline.client.get("/v1/notices", headers=hotline.operator("CIRRUS")).json() == []
    response = hotline.client.get(
        f"/v1/notices/{published['notice_id']}", headers=hotline.operator("CIRRUS")
    )
    assert_problem(response, 404)
    seen = hotline.client.get("/v1/notices", headers=hotline.operator("BOREAS")).json()
    assert "to" not in seen[0]  # who else was told is ATLAS's business
    assert not messages_of(hotline, "CIRRUS", "notice-published")


def test_an_amendment_names_the_version_it_replaces(hotline: Hotline) -> None:
    published = publish(hotline, "ATLAS", notice(hotline))
    path = f"/v1/notices/{published['notice_id']}"
    headers = hotline.operator("ATLAS")
    amended = hotline.client.patch(path, json={"replaces": 1, "upper": "FL250"}, headers=headers)
    assert amended.status_code == 200, amended.text
    assert (amended.json()["version"], amended.json()["upper"]) == (2, "FL250")
    assert amended.json()["area"] == published["area"]
    head = hotline.head()
    stale = hotline.client.patch(path, json={"replaces": 1, "upper": "FL300"}, headers=headers)
    assert assert_problem(stale, 409)["field"] == "replaces"
    assert hotline.head() == head
    # Another centre may not amend it.
    other = hotline.client.patch(
        path, json={"replaces": 2, "upper": "FL300"}, headers=hotline.operator("BOREAS")
    )
    assert_problem(other, 409)
    one = hotline.client.get(path, headers=hotline.operator("BOREAS")).json()
    assert [v["version"] for v in one["versions"]] == [1, 2]
    assert one["upper"] == "FL250"
    assert len(messages_of(hotline, "BOREAS", "notice-published")) == 2


def test_a_short_notice_wants_an_acknowledgement_and_escalates(hotline: Hotline) -> None:
    published = publish(hotline, "ATLAS", notice(hotline, lead_h=0.1))  # 6 min < 30 min
    assert published["short_notice"]
    (told,) = messages_of(hotline, "BOREAS", "notice-published")
    assert told["form"] == "short"
    assert told["open"]
    hotline.clock.advance(61.0)
    hotline.node.run_cycle()
    assert messages_of(hotline, "BOREAS", "notice-published")[0]["escalation"] == 1
    response = hotline.client.post(
        "/v1/messages",
        json={"response": "roger", "in_reply_to": told["message_id"]},
        headers=hotline.operator("BOREAS"),
    )
    assert response.status_code == 201, response.text
    assert not messages_of(hotline, "BOREAS", "notice-published")[0]["open"]
    # The same lead time is plenty for a kind that needs none.
    assert not publish(hotline, "ATLAS", notice(hotline, lead_h=0.1, kind="other"))["short_notice"]


def test_cancelling_tells_everyone_told(hotline: Hotline) -> None:
    published = publish(hotline, "ATLAS", notice(hotline))
    path = f"/v1/notices/{published['notice_id']}"
    stale = hotline.client.delete(f"{path}?version=2", headers=hotline.operator("ATLAS"))
    assert_problem(stale, 409)
    response = hotline.client.delete(path, headers=hotline.operator("ATLAS"))
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "cancelled"
    assert [m["form"] for m in messages_of(hotline, "CIRRUS", "notice-cancelled")] == ["cancelled"]
    active = hotline.client.get("/v1/notices?active=true", headers=hotline.operator("CIRRUS"))
    assert active.json() == []
    again = hotline.client.delete(path, headers=hotline.operator("ATLAS"))
    assert again.status_code == 200
    assert len(messages_of(hotline, "CIRRUS", "notice-cancelled")) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "strike"}, "kind"),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [[[33, 34], [34, 35], [34, 34], [33, 35]]],
                }
            },
            "area.coordinates",
        ),
        (
            {"area": {"type": "Polygon", "coordinates": [[[33, 34], [34, 35], [33, 34]]]}},
            "area.coordinates[0]",
        ),
        ({"area": {"type": "Circle", "center": [33, 34], "radius_nm": 0}}, "area.radius_nm"),
        ({"lower": "FL300", "upper": "FL200"}, "lower"),
        (
            {"window": {"start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}},
            "window.end",
        ),
        (
            {"window": {"start": "2030-01-01T00:00:00Z", "end": "2030-03-01T00:00:00Z"}},
            "window.end",
        ),
        (
            {"window": {"start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00:00Z"}},
            "window.end",
        ),
        ({"to": ["NOBODY"]}, "to[0]"),
        ({"to": ["ATLAS"]}, "to[0]"),
        ({"description": "x" * 2001}, "description"),
        ({"target": "a bridge"}, "target"),
    ],
)
def test_invalid_notices_are_refused_naming_the_field_and_journal_nothing(
    hotline: Hotline, change: dict[str, Any], field: str
) -> None:
    head = hotline.head()
    body = {**notice(hotline), **change}
    response = hotline.client.post("/v1/notices", json=body, headers=hotline.operator("ATLAS"))
    problem = assert_problem(response, response.status_code)
    assert 400 <= response.status_code < 500
    assert problem["field"] == field, problem
    assert hotline.head() == head


def test_a_suspended_agreement_is_not_told(hotline: Hotline) -> None:
    hotline.node.set_agreement("ATLAS", "CIRRUS", AgreementMode.FULL, AgreementStatus.SUSPENDED)
    assert publish(hotline, "ATLAS", notice(hotline))["to"] == ["BOREAS"]
    problem = publish(hotline, "ATLAS", notice(hotline, to=["CIRRUS"]), status=409)
    assert problem["field"] == "to[0]"


def test_the_geojson_export_holds_what_the_caller_may_see(hotline: Hotline) -> None:
    across = {"type": "Polygon", "coordinates": [[[179, 10], [-179, 10], [-179, 12], [179, 12]]]}
    publish(hotline, "ATLAS", notice(hotline, area=across, lower=5000, upper="UNL"))
    publish(hotline, "BOREAS", notice(hotline, to=["ATLAS"]))
    response = hotline.client.get("/v1/notices.geojson", headers=hotline.operator("CIRRUS"))
    assert response.status_code == 200, response.text
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["geometry"]["type"] == "Polygon"
    lons = [p[0] for p in feature["geometry"]["coordinates"][0]]
    assert max(lons) - min(lons) == pytest.approx(2.0, abs=1e-6)
    props = feature["properties"]
    assert (props["lower"], props["upper"], props["kind"]) == (5000, "UNL", "live-firing")
    assert set(props["window"]) == {"start", "end"}
    both = hotline.client.get("/v1/notices.geojson", headers=hotline.operator("ATLAS")).json()
    assert len(both["features"]) == 2


def test_notices_survive_a_restart(database_url: str) -> None:
    with open_hotline(database_url, parties=("ATLAS", "BOREAS")) as first:
        published = publish(first, "ATLAS", notice(first, to=["BOREAS"]))
        path = f"/v1/notices/{published['notice_id']}"
        first.client.patch(
            path, json={"replaces": 1, "upper": "FL300"}, headers=first.operator("ATLAS")
        )
        before = first.client.get(path, headers=first.operator("BOREAS")).json()
        boreas = first.operator("BOREAS")
    with open_hotline(database_url, parties=()) as second:
        after = second.client.get(path, headers=boreas).json()
        assert after == before
        assert after["version"] == 2


def test_overlapping_notices_of_two_parties_are_told_to_both(hotline: Hotline) -> None:
    from tests.service.test_messages_api import events_of

    mine = publish(hotline, "ATLAS", notice(hotline, lower="SFC", upper="FL200"))
    across = {"type": "Circle", "center": [33.2, 34.5], "radius_nm": 10}
    theirs = publish(
        hotline, "BOREAS", notice(hotline, area=across, lower="FL150", upper="UNL", lead_h=4.0)
    )
    # CIRRUS's is far away; ATLAS's second overlaps only its own first (below BOREAS's).
    far = {"type": "Circle", "center": [10.0, 50.0], "radius_nm": 10}
    publish(hotline, "CIRRUS", notice(hotline, area=far))
    publish(hotline, "ATLAS", notice(hotline, upper="FL100"))
    for party in ("ATLAS", "BOREAS"):
        (overlap,) = [
            e["payload"] for e in events_of(hotline, party) if e["kind"] == "notice.overlap"
        ]
        assert [n["notice_id"] for n in overlap["notices"]] == [
            theirs["notice_id"],
            mine["notice_id"],
        ]
        assert (overlap["lower"], overlap["upper"]) == ("FL150", "FL200")
        assert len(overlap["periods"]) == 1
        assert overlap["area"]["type"] == "MultiPolygon"
        assert "party_id" not in overlap["notices"][0]
    assert not [e for e in events_of(hotline, "CIRRUS") if e["kind"] == "notice.overlap"]


def test_an_incursion_alert_is_served_to_both_parties(hotline: Hotline) -> None:
    notice_id = firing_range(hotline.node)
    fly_north(hotline.node, [HEADING_IN], 10)
    for party in ("ATLAS", "BOREAS"):
        response = hotline.client.get("/v1/alerts", headers=hotline.operator(party))
        assert response.status_code == 200, response.text
        (alert,) = response.json()
        assert alert["kind"] == "notice-incursion"
        assert alert["notice"] == {"party": "ATLAS", "notice_id": notice_id, "kind": "live-firing"}
        assert [(t["party"], t["track_id"]) for t in alert["tracks"]] == [("BOREAS", "B-IN")]
        assert alert["tier"] == "caution"
        assert 60.0 < alert["t_in_s"] < 80.0
    response = hotline.client.get("/v1/alerts", headers=hotline.operator("CIRRUS"))
    assert response.json() == []
    # The notice's party sees the intruding aircraft in its picture, while the alert lasts.
    assert ("BOREAS", "B-IN") in hotline.track_keys("ATLAS")
