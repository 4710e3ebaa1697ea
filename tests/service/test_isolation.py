"""Who may call what, and what one party may see of another.

The access rules are a table: every operation of the app has a row naming the roles it
admits and how to call it. A new endpoint without a row fails the first test; every row
is then tried without a token, with a garbage and a revoked token, with each role it
refuses and with each role it admits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from tests.service.conftest import (
    Event,
    EventReader,
    Hotline,
    assert_problem,
    bearer,
    open_hotline,
    report,
)

from airhotline.clock import iso_from_us
from airhotline.core.access import Role, hash_token
from airhotline.core.node import STREAM_KINDS

PUBLIC = frozenset[Role]()
ALL_ROLES = frozenset(Role)
#: FastAPI's own documentation routes, which serve no data.
FASTAPI_OWN = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    #: The route's path; ``{token_id}`` is filled with a token made for the call to
    #: revoke, ``{alert_id}`` with an alert between ATLAS and BOREAS.
    path: str
    #: Roles admitted; empty for the public operational endpoints.
    roles: frozenset[Role]
    #: A valid JSON body, made for the hotline at hand.
    body: Callable[[Hotline], Any] | None = None
    streams: bool = False


ENDPOINTS: dict[str, Endpoint] = {
    "who_am_i": Endpoint("GET", "/v1/me", ALL_ROLES),
    "list_parties": Endpoint("GET", "/v1/parties", frozenset({Role.OPERATOR, Role.ADMIN})),
    "add_party": Endpoint(
        "POST", "/v1/parties", frozenset({Role.ADMIN}), lambda _: {"name": "DELTA", "lang": "ru"}
    ),
    "issue_token": Endpoint(
        "POST",
        "/v1/tokens",
        frozenset({Role.ADMIN}),
        lambda _: {"party": "ATLAS", "role": "operator"},
    ),
    "revoke_token": Endpoint("DELETE", "/v1/tokens/{token_id}", frozenset({Role.ADMIN})),
    "list_agreements": Endpoint("GET", "/v1/agreements", frozenset({Role.OPERATOR, Role.ADMIN})),
    "set_agreement": Endpoint(
        "PUT",
        "/v1/agreements",
        frozenset({Role.ADMIN}),
        lambda _: {"parties": ["ATLAS", "BOREAS"], "mode": "full", "status": "active"},
    ),
    "stream_events": Endpoint(
        "GET", "/v1/events", frozenset({Role.OPERATOR, Role.ADMIN}), streams=True
    ),
    "get_picture": Endpoint("GET", "/v1/picture", frozenset({Role.OPERATOR})),
    "get_picture_columns": Endpoint("GET", "/v1/picture/columns", frozenset({Role.OPERATOR})),
    "list_message_types": Endpoint(
        "GET", "/v1/message-types", frozenset({Role.OPERATOR, Role.ADMIN})
    ),
    "console_sign_in": Endpoint(
        "POST", "/v1/console/signin", PUBLIC, lambda h: {"code": console_code(h)}
    ),
    "issue_console_link": Endpoint(
        "POST", "/v1/console/links", frozenset({Role.ADMIN}), lambda _: {"party": "ATLAS"}
    ),
    "list_alerts": Endpoint("GET", "/v1/alerts", frozenset({Role.OPERATOR, Role.ADMIN})),
    "get_alert": Endpoint("GET", "/v1/alerts/{alert_id}", frozenset({Role.OPERATOR, Role.ADMIN})),
    "acknowledge_alert": Endpoint("POST", "/v1/alerts/{alert_id}/ack", frozenset({Role.OPERATOR})),
    "report_tracks": Endpoint(
        "POST", "/v1/tracks", frozenset({Role.FEED}), lambda _: [report("T1"), report("T2")]
    ),
    "send_message": Endpoint(
        "POST",
        "/v1/messages",
        frozenset({Role.OPERATOR}),
        lambda _: {"to": "BOREAS", "type": "free-text", "form": "text", "params": {"text": "hi"}},
    ),
    "list_messages": Endpoint("GET", "/v1/messages", frozenset({Role.OPERATOR, Role.ADMIN})),
    "get_message": Endpoint(
        "GET", "/v1/messages/{message_id}", frozenset({Role.OPERATOR, Role.ADMIN})
    ),
    "read_message": Endpoint("POST", "/v1/messages/{message_id}/read", frozenset({Role.OPERATOR})),
    "check_lines": Endpoint("POST", "/v1/line-checks", frozenset({Role.ADMIN}), lambda _: {}),
    "publish_notice": Endpoint(
        "POST", "/v1/notices", frozenset({Role.OPERATOR}), lambda h: notice_body(h)
    ),
    "list_notices": Endpoint("GET", "/v1/notices", frozenset({Role.OPERATOR, Role.ADMIN})),
    "export_notices": Endpoint(
        "GET", "/v1/notices.geojson", frozenset({Role.OPERATOR, Role.ADMIN})
    ),
    "get_notice": Endpoint(
        "GET", "/v1/notices/{notice_id}", frozenset({Role.OPERATOR, Role.ADMIN})
    ),
    "amend_notice": Endpoint(
        "PATCH",
        "/v1/notices/{notice_id}",
        frozenset({Role.OPERATOR}),
        lambda _: {"replaces": 1, "upper": "FL300"},
    ),
    "cancel_notice": Endpoint("DELETE", "/v1/notices/{notice_id}", frozenset({Role.OPERATOR})),
    "designate_zone": Endpoint("POST", "/v1/zones", frozenset({Role.ADMIN}), lambda _: ZONE_BODY),
    "change_zone": Endpoint(
        "PUT", "/v1/zones/{zone_id}", frozenset({Role.ADMIN}), lambda _: ZONE_BODY
    ),
    "list_zones": Endpoint("GET", "/v1/zones", frozenset({Role.OPERATOR, Role.ADMIN})),
    "remove_zone": Endpoint("DELETE", "/v1/zones/{zone_id}", frozenset({Role.ADMIN})),
    "propose_exemption": Endpoint(
        "POST", "/v1/exemptions", frozenset({Role.OPERATOR}), lambda h: exemption_body(h)
    ),
    "list_exemptions": Endpoint("GET", "/v1/exemptions", frozenset({Role.OPERATOR, Role.ADMIN})),
    "accept_exemption": Endpoint(
        "POST", "/v1/exemptions/{exemption_id}/accept", frozenset({Role.OPERATOR})
    ),
    "revoke_exemption": Endpoint(
        "DELETE", "/v1/exemptions/{exemption_id}", frozenset({Role.OPERATOR})
    ),
    "health": Endpoint("GET", "/healthz", PUBLIC),
    "metrics": Endpoint("GET", "/metrics", PUBLIC),
}


def console_code(hotline: Hotline) -> str:
    """A fresh one-time console code for ATLAS's operator."""
    links = hotline.client.app.state.console_links  # type: ignore[attr-defined]
    code: str = links.issue("ATLAS", hotline.token("ATLAS", Role.OPERATOR))
    return code


def api_routes(app: FastAPI) -> list[tuple[APIRoute, str]]:
    """Every API route of ``app`` with its full path, included routers flattened."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path not in FASTAPI_OWN:
            found.append((route, context.path))
    return found


def declared_roles(route: APIRoute) -> frozenset[Role]:
    """The roles of the route's `allow(...)` dependency; empty when it has none."""
    roles: set[Role] = set()
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        roles |= getattr(dependant.call, "allowed_roles", frozenset())
        pending.extend(dependant.dependencies)
    return frozenset(roles)


@pytest.fixture
def hotline_any(database_url: str) -> Iterator[Hotline]:
    with open_hotline(database_url) as opened:
        opened.node.run_cycle()  # /healthz answers 200 once a cycle ran
        yield opened


def raise_alert(hotline: Hotline) -> str:
    """Fly ATLAS's A9 and BOREAS's B9 into each other; the id of their alert.

    Each reports for five seconds, once a second (450 kt east from one point: within the
    plausibility slack), so that both tracks are established and the alert disclosed."""
    for second in range(6):
        if second:
            hotline.clock.advance(1.0)
        at_s = hotline.clock.now_us() / 1e6
        for party, track in [("ATLAS", "A9"), ("BOREAS", "B9")]:
            response = hotline.post_reports(party, [report(track, at_s=at_s, lat=-30.0, lon=-60.0)])
            assert response.status_code == 200, response.text
        hotline.node.run_cycle()
    response = hotline.client.get("/v1/alerts", headers=hotline.operator("ATLAS"))
    assert response.status_code == 200, response.text
    (alert,) = response.json()
    alert_id: str = alert["alert_id"]
    return alert_id


ZONE_BODY = {
    "name": "DRILL-1",
    "area": {"type": "Circle", "center": [33.0, 34.5], "radius_nm": 5},
    "h_sep_nm": 5,
}


def exemption_body(hotline: Hotline, other: str = "BOREAS") -> dict[str, Any]:
    now = hotline.clock.now_us()
    return {
        "track_id": "T1",
        "other_party": other,
        "other_track_id": "T2",
        "window": {"start": iso_from_us(now), "end": iso_from_us(now + 3_600_000_000)},
    }


def exemption_to_atlas(hotline: Hotline) -> str:
    """The id of a cleared proximity BOREAS proposes to ATLAS (ATLAS may accept it)."""
    response = hotline.client.post(
        "/v1/exemptions",
        json=exemption_body(hotline, "ATLAS"),
        headers=hotline.operator("BOREAS"),
    )
    assert response.status_code == 201, response.text
    exemption_id: str = response.json()["exemption_id"]
    return exemption_id


def notice_body(hotline: Hotline) -> dict[str, Any]:
    start = hotline.clock.now_us() + 7_200_000_000
    return {
        "kind": "drill",
        "area": {"type": "Circle", "center": [33.0, 34.5], "radius_nm": 5},
        "lower": "SFC",
        "upper": "FL100",
        "window": {"start": iso_from_us(start), "end": iso_from_us(start + 3_600_000_000)},
    }


def notice_of(hotline: Hotline) -> str:
    """The id of a notice ATLAS publishes (to BOREAS and CIRRUS)."""
    response = hotline.client.post(
        "/v1/notices", json=notice_body(hotline), headers=hotline.operator("ATLAS")
    )
    assert response.status_code == 201, response.text
    notice_id: str = response.json()["notice_id"]
    return notice_id


def message_to(hotline: Hotline, party: str = "ATLAS") -> str:
    """The id of a message BOREAS sends ``party``."""
    response = hotline.client.post(
        "/v1/messages",
        json={"to": party, "type": "free-text", "form": "text", "params": {"text": "hello"}},
        headers=hotline.operator("BOREAS"),
    )
    assert response.status_code == 201, response.text
    message_id: str = response.json()[0]["message_id"]
    return message_id


def call(
    hotline: Hotline, endpoint: Endpoint, headers: dict[str, str], **ids: Any
) -> httpx2.Response:
    path = endpoint.path.format(
        **{
            "token_id": 10**6,
            "alert_id": "0" * 16,
            "message_id": "0" * 16,
            "notice_id": "0" * 16,
            "zone_id": "0" * 16,
            "exemption_id": "0" * 16,
            **ids,
        }
    )
    body = endpoint.body(hotline) if endpoint.body else None
    if endpoint.streams:
        # The stream never ends by itself: take its status and headers, then hang up.
        with hotline.client.stream(endpoint.method, path, headers=headers) as response:
            if response.status_code != 200:
                response.read()
            return response
    return hotline.client.request(endpoint.method, path, json=body, headers=headers)


def token_of(hotline: Hotline, role: Role) -> str:
    return hotline.admin_token if role is Role.ADMIN else hotline.token("ATLAS", role)


def revoked_token(hotline: Hotline, role: Role) -> str:
    token_id, token = hotline.node.issue_token(None if role is Role.ADMIN else "ATLAS", role)
    assert hotline.node.authenticate(token) is not None
    hotline.node.revoke_token(token_id)
    return token


def test_the_table_covers_every_operation(sqlite_url: str) -> None:
    with open_hotline(sqlite_url, parties=()) as hotline:
        routes = api_routes(hotline.client.app)  # type: ignore[arg-type]
    operations = [route.operation_id for route, _ in routes]
    assert len(operations) == len(set(operations)), "operation ids must be unique"
    assert set(operations) == set(ENDPOINTS)
    for route, path in routes:
        endpoint = ENDPOINTS[route.operation_id or ""]
        assert path == endpoint.path
        assert route.methods == {endpoint.method}
        # What the table says is what the route enforces: no endpoint without a rule.
        assert declared_roles(route) == endpoint.roles, route.operation_id


@pytest.mark.parametrize("operation", sorted(ENDPOINTS))
def test_access_rules(hotline_any: Hotline, operation: str) -> None:
    hotline, endpoint = hotline_any, ENDPOINTS[operation]
    if not endpoint.roles:
        for headers in ({}, bearer("garbage")):
            response = call(hotline, endpoint, headers)
            assert response.status_code == 200, response.text
        return

    refusals: list[tuple[str, dict[str, str], int]] = [
        ("no token", {}, 401),
        ("not a bearer token", {"Authorization": "Basic YWRtaW46YWRtaW4="}, 401),
        ("empty bearer", {"Authorization": "Bearer "}, 401),
        ("garbage token", bearer("ahl_not-a-token"), 401),
        ("a token's hash", bearer(hash_token(token_of(hotline, Role.ADMIN))), 401),
    ]
    refusals += [
        (f"revoked {role} token", bearer(revoked_token(hotline, role)), 401)
        for role in sorted(endpoint.roles)
    ]
    refusals += [
        (f"{role} token", bearer(token_of(hotline, role)), 403)
        for role in sorted(ALL_ROLES - endpoint.roles)
    ]
    head = hotline.head()
    for case, headers, status in refusals:
        response = call(hotline, endpoint, headers)
        assert response.status_code == status, (case, response.text)
        assert_problem(response, status)
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer"), case
    assert hotline.head() == head, "a refused call changed something"

    alert_id = raise_alert(hotline)
    for role in sorted(endpoint.roles):
        token_id, _ = hotline.node.issue_token("CIRRUS", Role.FEED)
        ids = {
            "token_id": token_id,
            "alert_id": alert_id,
            "message_id": message_to(hotline),
            "notice_id": notice_of(hotline),
            "zone_id": hotline.node.set_zone(ZONE_BODY).id,
            "exemption_id": exemption_to_atlas(hotline),
        }
        response = call(hotline, endpoint, bearer(token_of(hotline, role)), **ids)
        assert 200 <= response.status_code < 300, (role, response.text)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/nowhere", 404), ("DELETE", "/v1/me", 405), ("POST", "/healthz", 405)],
)
def test_unknown_routes_and_methods_are_problems(
    hotline: Hotline, method: str, path: str, status: int
) -> None:
    response = hotline.client.request(method, path, headers=hotline.admin)
    assert_problem(response, status)


# --- what one party sees of another -----------------------------------------------------


def set_agreement(hotline: Hotline, a: str, b: str, mode: str, status: str) -> None:
    response = hotline.client.put(
        "/v1/agreements",
        json={"parties": [a, b], "mode": mode, "status": status},
        headers=hotline.admin,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "parties": sorted([a, b]),
        "mode": mode,
        "status": status,
        "h_sep_nm": None,
        "v_sep_ft": None,
        "lookahead_s": None,
    }


@pytest.fixture
def flying(hotline_any: Hotline) -> Hotline:
    """ATLAS flies A1, BOREAS B1 and B2, CIRRUS C1, all far apart: no alert."""
    flights = {"ATLAS": {"A1": 10.0}, "BOREAS": {"B1": 20.0, "B2": 25.0}, "CIRRUS": {"C1": 30.0}}
    for party, tracks in flights.items():
        reports = [report(track, lat=lat) for track, lat in tracks.items()]
        response = hotline_any.post_reports(party, reports)
        assert response.status_code == 200, response.text
    hotline_any.node.run_cycle()
    return hotline_any


ATLAS_OWN = {("ATLAS", "A1")}
BOREAS_ALL = {("BOREAS", "B1"), ("BOREAS", "B2")}


def test_picture_follows_the_agreement(flying: Hotline) -> None:
    hotline = flying
    assert hotline.track_keys("ATLAS") == ATLAS_OWN  # no agreement: conflicts-only
    assert hotline.track_keys("BOREAS") == BOREAS_ALL

    set_agreement(hotline, "ATLAS", "BOREAS", "conflicts-only", "active")
    assert hotline.track_keys("ATLAS") == ATLAS_OWN
    set_agreement(hotline, "ATLAS", "BOREAS", "conflicts-only", "suspended")
    assert hotline.track_keys("ATLAS") == ATLAS_OWN

    set_agreement(hotline, "ATLAS", "BOREAS", "full", "active")
    assert hotline.track_keys("ATLAS") == ATLAS_OWN | BOREAS_ALL  # and none of CIRRUS
    assert hotline.track_keys("BOREAS") == BOREAS_ALL | ATLAS_OWN  # agreements are mutual
    assert hotline.track_keys("CIRRUS") == {("CIRRUS", "C1")}

    set_agreement(hotline, "ATLAS", "BOREAS", "full", "suspended")
    assert hotline.track_keys("ATLAS") == ATLAS_OWN
    assert hotline.track_keys("BOREAS") == BOREAS_ALL


def test_conflicts_only_shows_only_the_aircraft_in_conflict(flying: Hotline) -> None:
    hotline = flying
    atlas = hotline.parties["ATLAS"].party.id
    boreas = hotline.parties["BOREAS"].party.id
    # An alert between A1 and B1, as the alert step would expose it to each side.
    alerts = {atlas: {(boreas, "B1")}, boreas: {(atlas, "A1")}}
    hotline.node.add_exposure(lambda party: alerts.get(party, set()))

    assert hotline.track_keys("ATLAS") == ATLAS_OWN | {("BOREAS", "B1")}
    assert hotline.track_keys("BOREAS") == BOREAS_ALL | ATLAS_OWN
    assert hotline.track_keys("CIRRUS") == {("CIRRUS", "C1")}
    set_agreement(hotline, "ATLAS", "BOREAS", "conflicts-only", "suspended")
    assert hotline.track_keys("ATLAS") == ATLAS_OWN
    assert hotline.track_keys("BOREAS") == BOREAS_ALL
    alerts.clear()  # the alert is over
    set_agreement(hotline, "ATLAS", "BOREAS", "conflicts-only", "active")
    assert hotline.track_keys("ATLAS") == ATLAS_OWN


def test_agreements_list_only_ones_own(hotline_any: Hotline) -> None:
    hotline = hotline_any
    set_agreement(hotline, "BOREAS", "ATLAS", "full", "active")
    set_agreement(hotline, "CIRRUS", "BOREAS", "conflicts-only", "suspended")
    default = {"h_sep_nm": None, "v_sep_ft": None, "lookahead_s": None}
    ab = {"parties": ["ATLAS", "BOREAS"], "mode": "full", "status": "active", **default}
    bc = {"parties": ["BOREAS", "CIRRUS"], "mode": "conflicts-only", "status": "suspended"}
    bc |= default

    def listed(headers: dict[str, str]) -> list[dict[str, Any]]:
        response = hotline.client.get("/v1/agreements", headers=headers)
        assert response.status_code == 200, response.text
        return sorted(response.json(), key=lambda a: a["parties"])

    assert listed(hotline.operator("ATLAS")) == [ab]
    assert listed(hotline.operator("BOREAS")) == [ab, bc]
    assert listed(hotline.operator("CIRRUS")) == [bc]
    assert listed(hotline.admin) == [ab, bc]
    assert hotline.picture("ATLAS")["agreements"] == [ab]


def _stream(hotline: Hotline, party: str, until_id: int) -> list[Event]:
    with hotline.client.stream("GET", "/v1/events", headers=hotline.operator(party)) as response:
        return EventReader(response).until(until_id)


def test_events_of_others_stay_with_them(hotline_any: Hotline) -> None:
    hotline = hotline_any
    token_id, _ = hotline.node.issue_token("BOREAS", Role.OPERATOR)
    hotline.node.revoke_token(token_id)
    assert hotline.post_reports("BOREAS", [report("B1")]).status_code == 200
    set_agreement(hotline, "BOREAS", "CIRRUS", "full", "active")
    set_agreement(hotline, "ATLAS", "BOREAS", "full", "active")
    set_agreement(hotline, "ATLAS", "BOREAS", "full", "suspended")
    atlas_events = _stream(hotline, "ATLAS", hotline.last_event_id("ATLAS"))
    boreas_events = _stream(hotline, "BOREAS", hotline.last_event_id("BOREAS"))

    atlas_id = hotline.parties["ATLAS"].party.id
    expected = [
        r.ordinals[atlas_id]
        for r in hotline.records()
        if atlas_id in r.audience and r.kind in STREAM_KINDS
    ]
    assert [int(e.id or 0) for e in atlas_events] == expected == list(range(1, len(expected) + 1))
    for event in atlas_events:
        payload = event.json["payload"]
        assert "BOREAS" not in (payload.get("party"), payload.get("name")), event
        assert payload.get("parties") != ["BOREAS", "CIRRUS"], event
        assert event.event != "tracks.reported"
    assert [e.json["payload"]["party"] for e in atlas_events if e.event == "party.created"] == [
        "ATLAS"
    ]

    def ab_agreements(events: list[Event]) -> list[dict[str, Any]]:
        return [
            e.json["payload"]
            for e in events
            if e.event == "agreement.set" and e.json["payload"]["parties"] == ["ATLAS", "BOREAS"]
        ]

    # By name only: the parties' internal ids are the hotline's.
    both = [
        {
            "parties": ["ATLAS", "BOREAS"],
            "mode": "full",
            "status": status,
            "h_sep_nm": None,
            "v_sep_ft": None,
            "lookahead_s": None,
            "v": 2,
        }
        for status in ("active", "suspended")
    ]
    assert ab_agreements(atlas_events) == both
    assert ab_agreements(boreas_events) == both
    boreas_kinds = [e.event for e in boreas_events]
    assert "token.revoked" in boreas_kinds
    assert ("BOREAS", "CIRRUS", "full", "active") in [
        (*e.json["payload"]["parties"], e.json["payload"]["mode"], e.json["payload"]["status"])
        for e in boreas_events
        if e.event == "agreement.set"
    ]
