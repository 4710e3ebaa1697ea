"""The hotline speaks: messages between parties over HTTP, each read in its reader's language.

ATLAS reads English, BOREAS Russian, CIRRUS Arabic; ATLAS and BOREAS share their whole
picture, so that each may name the other's aircraft.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from tests.service.conftest import (
    EventReader,
    Hotline,
    assert_problem,
    open_hotline,
    report,
)

from airhotline.core.access import AgreementMode, AgreementStatus
from airhotline.core.messages import Response, render, render_response

pytestmark = pytest.mark.usefixtures("fast_heartbeat")
#: A message that wants WILCO or UNABLE.
CONTACT: dict[str, Any] = {
    "type": "contact",
    "form": "contact",
    "params": {"unit": "NICOSIA CONTROL", "frequency": 124.2},
}


@pytest.fixture
def line(sqlite_url: str) -> Iterator[Hotline]:
    with open_hotline(sqlite_url, parties=()) as hotline:
        for name, lang in (("ATLAS", "en"), ("BOREAS", "ru"), ("CIRRUS", "ar")):
            hotline.add_party(name, lang)
        hotline.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
        for party, track in (("ATLAS", "A1"), ("BOREAS", "B1")):
            response = hotline.post_reports(party, [report(track)])
            assert response.status_code == 200, response.text
        hotline.node.run_cycle()
        yield hotline


def send(hotline: Hotline, party: str, status: int = 201, **body: Any) -> Any:
    response = hotline.client.post("/v1/messages", json=body, headers=hotline.operator(party))
    assert response.status_code == status, response.text
    return response.json()


def get(
    hotline: Hotline, party: str, message_id: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    headers = headers or hotline.operator(party)
    response = hotline.client.get(f"/v1/messages/{message_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def events_of(
    hotline: Hotline, party: str, operator: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every event on the party's stream, up to its newest."""
    party_id = hotline.node.party_by_name(party).id
    newest = hotline.node.store.party_head(party_id)
    if not newest:
        return []
    headers = {**(operator or hotline.operator(party)), "Last-Event-ID": "0"}
    with hotline.client.stream("GET", "/v1/events", headers=headers) as response:
        return [e.json for e in EventReader(response).until(newest)]


def test_a_russian_and_an_english_reader_each_read_in_their_own_language(line: Hotline) -> None:
    (asked,) = send(
        line,
        "ATLAS",
        to="BOREAS",
        type="request-intentions",
        form="request",
        params={"track": "B1"},
    )
    english = render("request-intentions", "request", {"track": "B1"}, "en")
    russian = render("request-intentions", "request", {"track": "B1"}, "ru")
    assert russian != english  # never English in disguise
    assert asked["text"] == english
    assert asked["attribute"] == "Y"
    assert asked["open"]
    seen = get(line, "BOREAS", asked["message_id"])
    assert seen["text"] == russian
    assert seen["text_lang"] == "ru"
    assert seen["original"] == {"lang": "en", "text": english}
    assert seen["params"] == {"track": "B1"}

    (told,) = send(
        line,
        "BOREAS",
        type="intentions",
        form="climb",
        params={"track": "B1", "level": "FL320"},
        in_reply_to=asked["message_id"],
    )
    assert told["to"] == "ATLAS"
    climbing = {"track": "B1", "level": "FL320"}
    heard = get(line, "ATLAS", told["message_id"])
    assert heard["text"] == render("intentions", "climb", climbing, "en")
    assert heard["original"] == {
        "lang": "ru",
        "text": render("intentions", "climb", climbing, "ru"),
    }
    assert "FL320" in heard["text"]
    answered = get(line, "ATLAS", asked["message_id"])
    assert not answered["open"]
    assert answered["answer"] == "intentions"
    assert answered["answer_id"] == told["message_id"]

    # The same message, as the stream renders it, in each reader's language.
    (received,) = [
        e
        for e in events_of(line, "BOREAS")
        if e["kind"] == "message.received" and e["payload"]["message_id"] == asked["message_id"]
    ]
    assert received["payload"]["text"] == russian
    assert received["payload"]["original"] == {"lang": "en", "text": english}
    assert "from_id" not in received["payload"]
    # And in another language on request (the console's language switch).
    response = line.client.get(
        f"/v1/messages/{asked['message_id']}?lang=ar", headers=line.operator("BOREAS")
    )
    assert response.json()["text"] == render("request-intentions", "request", {"track": "B1"}, "ar")


def test_responses_close_only_what_their_attribute_allows(line: Hotline) -> None:
    (text,) = send(
        line, "ATLAS", to="BOREAS", type="free-text", form="text", params={"text": "hello"}
    )
    problem = send(line, "BOREAS", 422, response="wilco", in_reply_to=text["message_id"])
    assert problem["field"] == "response"
    assert "WILCO cannot answer free-text (R)" in problem["detail"]

    (contact,) = send(
        line,
        "ATLAS",
        to="BOREAS",
        **CONTACT,
    )
    problem = send(line, "BOREAS", 422, response="roger", in_reply_to=contact["message_id"])
    assert problem["field"] == "response"
    # A message of its own answers only what any answer closes.
    problem = send(
        line,
        "BOREAS",
        422,
        type="free-text",
        form="text",
        params={"text": "ok"},
        in_reply_to=contact["message_id"],
    )
    assert problem["field"] == "in_reply_to"

    send(line, "BOREAS", response="standby", in_reply_to=contact["message_id"])
    waiting = get(line, "ATLAS", contact["message_id"])
    assert waiting["open"]
    assert waiting["standby"] is not None
    (wilco,) = send(line, "BOREAS", response="wilco", in_reply_to=contact["message_id"])
    assert wilco["type"] == "response"
    # The response word in BOREAS's own language, and in ATLAS's when ATLAS reads it.
    assert wilco["text"] == render_response(Response.WILCO, "ru")
    assert get(line, "ATLAS", wilco["message_id"])["text"] == "WILCO"
    closed = get(line, "ATLAS", contact["message_id"])
    assert not closed["open"]
    assert closed["answer"] == "wilco"
    problem = send(line, "BOREAS", 409, response="unable", in_reply_to=contact["message_id"])
    assert problem["field"] == "in_reply_to"

    send(line, "BOREAS", response="roger", in_reply_to=text["message_id"])
    assert not get(line, "ATLAS", text["message_id"])["open"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"to": "BOREAS", "type": "telepathy", "form": "x"}, 422, "type"),
        ({"to": "BOREAS", "type": "intentions", "form": "spin", "params": {}}, 422, "form"),
        (
            {
                "to": "BOREAS",
                "type": "intentions",
                "form": "turn",
                "params": {"track": "A1", "direction": "left", "heading": 361},
            },
            422,
            "params.heading",
        ),
        (
            {
                "to": "BOREAS",
                "type": "intentions",
                "form": "descend",
                "params": {"track": "A1", "level": -500},
            },
            422,
            "params.level",
        ),
        (
            {
                "to": "CIRRUS",
                "type": "request-intentions",
                "form": "request",
                "params": {"track": "C1"},
            },
            422,
            "params.track",
        ),
        (
            {
                "to": "BOREAS",
                "type": "request-intentions",
                "form": "request",
                "params": {"track": "B404"},
            },
            422,
            "params.track",
        ),
        ({"to": "NOBODY", "type": "free-text", "form": "text", "params": {"text": "x"}}, 404, "to"),
        ({"to": "ATLAS", "type": "free-text", "form": "text", "params": {"text": "x"}}, 422, "to"),
        ({"type": "line-check", "form": "check", "params": {"time": 0}}, 422, "type"),
        ({"response": "roger", "in_reply_to": "0123456789abcdef"}, 404, "in_reply_to"),
        ({"response": "maybe", "in_reply_to": "0123456789abcdef"}, 422, "response"),
        (
            {
                "to": "BOREAS",
                "type": "free-text",
                "form": "text",
                "params": {"text": "x"},
                "colour": "red",
            },
            422,
            "colour",
        ),
    ],
)
def test_invalid_messages_are_refused_naming_the_field_and_journal_nothing(
    line: Hotline, body: dict[str, Any], status: int, field: str
) -> None:
    # CIRRUS's C1 is live but ATLAS, with no alert against it, may not see it.
    assert line.post_reports("CIRRUS", [report("C1", lat=10.0)]).status_code == 200
    head = line.head()
    response = line.client.post("/v1/messages", json=body, headers=line.operator("ATLAS"))
    problem = assert_problem(response, status)
    assert problem["field"].endswith(field), problem
    assert line.head() == head


def test_a_message_to_every_party_goes_to_those_with_an_active_agreement(line: Hotline) -> None:
    line.node.set_agreement("ATLAS", "CIRRUS", AgreementMode.FULL, AgreementStatus.SUSPENDED)
    sent = send(line, "ATLAS", type="free-text", form="text", params={"text": "Traffic check"})
    assert [m["to"] for m in sent] == ["BOREAS"]
    assert len({m["message_id"] for m in sent}) == 1
    problem = send(
        line, "ATLAS", 409, to="CIRRUS", type="free-text", form="text", params={"text": "x"}
    )
    assert problem["field"] == "to"
    # Distress is called to anyone.
    send(
        line,
        "ATLAS",
        to="CIRRUS",
        type="emergency",
        form="mayday",
        params={"track": "A1", "position": [34.5, 33.0], "level": "FL200", "persons": 2},
    )


def test_free_text_is_carried_as_written_tagged_with_its_language(line: Hotline) -> None:
    words = "Прошу подтвердить связь на 124.2"
    (sent,) = send(
        line,
        "BOREAS",
        to="CIRRUS",
        type="free-text",
        form="text",
        params={"text": words},
        lang="ru",
    )
    heard = get(line, "CIRRUS", sent["message_id"])
    assert heard["lang"] == "ru"
    assert heard["text"] == f"\u2068{words}\u2069"  # an isolate in the Arabic reader's line
    assert heard["original"] == {"lang": "ru", "text": words}


def test_receipts_arrive_in_order_and_survive_a_restart(database_url: str) -> None:
    with open_hotline(database_url) as first:
        (sent,) = send(
            first,
            "ATLAS",
            to="BOREAS",
            **CONTACT,
        )
        message_id = sent["message_id"]
        assert get(first, "ATLAS", message_id)["delivered"] is None
        events_of(first, "BOREAS")  # BOREAS's stream takes it: delivered
        for _ in range(100):
            if get(first, "ATLAS", message_id)["delivered"]:
                break
            first.node.store.write(lambda tx: None)  # the receipt is queued: let it land
        first.clock.advance(2.0)
        response = first.client.post(
            f"/v1/messages/{message_id}/read", headers=first.operator("BOREAS")
        )
        assert response.status_code == 200, response.text
        first.clock.advance(3.0)
        send(first, "BOREAS", response="wilco", in_reply_to=message_id)
        kinds = [
            e["kind"]
            for e in events_of(first, "ATLAS")
            if e["kind"].startswith("message.") and e["payload"]["message_id"] == message_id
        ]
        assert kinds == [
            "message.received",
            "message.delivered",
            "message.read",
            "message.answered",
        ]
        before = get(first, "ATLAS", message_id)
        atlas = first.operator("ATLAS")
    with open_hotline(database_url, parties=()) as second:
        after = get(second, "ATLAS", message_id, atlas)
        assert after == before
        assert after["delivered"] is not None
        assert after["read"] is not None
        assert after["answer"] == "wilco"
        assert not after["open"]
        replayed = [
            e["kind"]
            for e in events_of(second, "ATLAS", atlas)
            if e["kind"].startswith("message.") and e["payload"]["message_id"] == message_id
        ]
        assert replayed == kinds


def test_an_open_message_escalates_to_both_ends(line: Hotline) -> None:
    (sent,) = send(
        line,
        "ATLAS",
        to="BOREAS",
        **CONTACT,
    )
    line.clock.advance(59.0)
    line.node.run_cycle()
    assert get(line, "ATLAS", sent["message_id"])["escalation"] == 0
    line.clock.advance(1.0)
    line.node.run_cycle()
    assert get(line, "ATLAS", sent["message_id"])["escalation"] == 1
    for party in ("ATLAS", "BOREAS"):
        escalations = [e for e in events_of(line, party) if e["kind"] == "message.escalated"]
        assert [e["payload"]["escalated_to"] for e in escalations] == ["parties"]
    line.clock.advance(120.0)
    line.node.run_cycle()
    assert get(line, "ATLAS", sent["message_id"])["escalation"] == 2
    # An answered message escalates no more.
    (other,) = send(line, "ATLAS", to="BOREAS", type="free-text", form="text", params={"text": "x"})
    send(line, "BOREAS", response="roger", in_reply_to=other["message_id"])
    line.clock.advance(600.0)
    line.node.run_cycle()
    assert get(line, "ATLAS", other["message_id"])["escalation"] == 0


def parties_seen_by(hotline: Hotline, party: str) -> dict[str, dict[str, Any]]:
    response = hotline.client.get("/v1/parties", headers=hotline.operator(party))
    assert response.status_code == 200, response.text
    return {p["name"]: p for p in response.json()}


def test_a_missed_line_check_degrades_the_line_and_a_later_reply_restores_it(
    line: Hotline,
) -> None:
    response = line.client.post("/v1/line-checks", json={}, headers=line.admin)
    assert response.status_code == 201, response.text
    checks = {m["to"]: m["message_id"] for m in response.json()}
    assert sorted(checks) == ["ATLAS", "BOREAS", "CIRRUS"]
    send(line, "ATLAS", response="roger", in_reply_to=checks["ATLAS"])
    send(line, "BOREAS", type="line-check-reply", form="reply", in_reply_to=checks["BOREAS"])
    line.clock.advance(60.0)
    line.node.run_cycle()
    seen = parties_seen_by(line, "ATLAS")
    assert seen["ATLAS"]["line"]["state"] == "checked"
    assert seen["BOREAS"]["line"]["state"] == "checked"
    assert seen["CIRRUS"]["line"]["state"] == "degraded"
    degraded = [e for e in events_of(line, "BOREAS") if e["kind"] == "line.degraded"]
    assert [e["payload"]["party"] for e in degraded] == ["CIRRUS"]
    assert "party_id" not in degraded[0]["payload"]

    line.clock.advance(30.0)
    send(line, "CIRRUS", response="roger", in_reply_to=checks["CIRRUS"])
    assert parties_seen_by(line, "ATLAS")["CIRRUS"]["line"]["state"] == "checked"
    restored = [e for e in events_of(line, "ATLAS") if e["kind"] == "line.restored"]
    assert [e["payload"]["party"] for e in restored] == ["CIRRUS"]


def test_line_checks_go_out_at_their_interval(line: Hotline) -> None:
    interval = line.node.config.messages.line_check_every_s
    line.clock.advance(interval - 1.0)
    line.node.run_cycle()
    assert not line.node.messages.messages(party_id=None, type_id="line-check")
    line.clock.advance(1.0)
    line.node.run_cycle()
    checks = line.node.messages.messages(party_id=None, type_id="line-check")
    assert sorted(m.recipient_name or "" for m in checks) == ["ATLAS", "BOREAS", "CIRRUS"]
    line.clock.advance(interval)
    line.node.run_cycle()
    assert len(line.node.messages.messages(party_id=None, type_id="line-check")) == 6


def test_a_party_sees_the_lines_of_those_it_may_call(line: Hotline) -> None:
    line.node.set_agreement("BOREAS", "CIRRUS", AgreementMode.FULL, AgreementStatus.SUSPENDED)
    assert sorted(parties_seen_by(line, "BOREAS")) == ["ATLAS", "BOREAS"]
    response = line.client.get("/v1/parties", headers=line.admin)
    assert [p["name"] for p in response.json()] == ["ATLAS", "BOREAS", "CIRRUS"]
    assert all(p["line"]["state"] == "unchecked" for p in response.json())


def test_listing_filters_by_party_open_type_and_pages(line: Hotline) -> None:
    for k in range(5):
        send(line, "ATLAS", to="BOREAS", type="free-text", form="text", params={"text": str(k)})
    send(line, "ATLAS", to="CIRRUS", type="free-text", form="text", params={"text": "c"})
    (contact,) = send(
        line,
        "BOREAS",
        to="ATLAS",
        type="contact",
        form="contact",
        params={"unit": "ROSTOV", "frequency": 127.5},
    )
    headers = line.operator("ATLAS")
    listed = line.client.get("/v1/messages?party=CIRRUS", headers=headers).json()
    assert [m["to"] for m in listed] == ["CIRRUS"]
    listed = line.client.get("/v1/messages?type=contact", headers=headers).json()
    assert [m["message_id"] for m in listed] == [contact["message_id"]]
    # CIRRUS sees only its own.
    listed = line.client.get("/v1/messages", headers=line.operator("CIRRUS")).json()
    assert [m["params"]["text"] for m in listed] == ["c"]
    pages, url = [], "/v1/messages?limit=3"
    while url:
        response = line.client.get(url, headers=headers)
        pages.append([m["message_id"] for m in response.json()])
        url = response.links.get("next", {}).get("url", "")
    assert [len(p) for p in pages] == [3, 3, 1]
    everything = line.client.get("/v1/messages", headers=headers).json()
    assert [i for p in pages for i in p] == [m["message_id"] for m in everything]
    problem = assert_problem(line.client.get("/v1/messages?lang=fr", headers=headers), 422)
    assert problem["field"] == "lang"


def test_alerts_speak_and_acknowledging_answers(sqlite_url: str) -> None:
    from tests.service.test_isolation import raise_alert

    with open_hotline(sqlite_url) as hotline:
        alert_id = raise_alert(hotline)
        said = {
            party: [
                m
                for m in hotline.client.get(
                    "/v1/messages?type=conflict-alert", headers=hotline.operator(party)
                ).json()
                if m["alert_id"] == alert_id
            ]
            for party in ("ATLAS", "BOREAS")
        }
        for party, (message,) in said.items():
            assert message["form"] == "raised"
            assert message["from"] is None
            assert message["to"] == party
            assert message["open"]
        # ATLAS acknowledges the alert: its message is answered.
        response = hotline.client.post(
            f"/v1/alerts/{alert_id}/ack", headers=hotline.operator("ATLAS")
        )
        assert response.status_code == 200, response.text
        atlas = get(hotline, "ATLAS", said["ATLAS"][0]["message_id"])
        assert not atlas["open"]
        assert atlas["answer"] == "acknowledged"
        # BOREAS answers its message ROGER: the alert is acknowledged.
        send(hotline, "BOREAS", response="roger", in_reply_to=said["BOREAS"][0]["message_id"])
        alert = hotline.client.get(f"/v1/alerts/{alert_id}", headers=hotline.admin).json()
        assert sorted(a["party"] for a in alert["acknowledgements"]) == ["ATLAS", "BOREAS"]


def test_a_retried_message_with_its_idempotency_key_is_sent_once(database_url: str) -> None:
    body = {"to": "BOREAS", **CONTACT}
    key = {"Idempotency-Key": "atlas-contact-1"}
    with open_hotline(database_url) as first:
        headers = {**first.operator("ATLAS"), **key}
        sent = first.client.post("/v1/messages", json=body, headers=headers)
        assert sent.status_code == 201, sent.text
        assert "Idempotent-Replayed" not in sent.headers
        head = first.head()
        # The answer was lost on the way: the centre sends again, with the same key.
        again = first.client.post("/v1/messages", json=body, headers=headers)
        assert again.status_code == 201, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert [m["message_id"] for m in again.json()] == [m["message_id"] for m in sent.json()]
        assert first.head() == head, "nothing journaled twice"
        # The same key with another message is refused, naming the header.
        other = {**body, "params": {**CONTACT["params"], "frequency": 121.5}}
        refused = first.client.post("/v1/messages", json=other, headers=headers)
        assert assert_problem(refused, 409)["field"] == "Idempotency-Key"
        assert first.head() == head
        # A key the party's feed used for reports answers no message.
        feed = first.client.post(
            "/v1/tracks",
            json=[report("A7")],
            headers={**first.feed("ATLAS"), "Idempotency-Key": "shared-key"},
        )
        assert feed.status_code == 200, feed.text
        clash = first.client.post(
            "/v1/messages",
            json=body,
            headers={**first.operator("ATLAS"), "Idempotency-Key": "shared-key"},
        )
        assert assert_problem(clash, 409)["field"] == "Idempotency-Key"
        head = first.head()
        atlas, boreas = first.operator("ATLAS"), first.operator("BOREAS")
    # After a restart the key still answers, from the journal's own table; and the
    # stored answer names the record that holds the message (the answers' audit).
    with open_hotline(database_url, parties=()) as second:
        headers = {**atlas, **key}
        head = second.head()
        replay = second.client.post("/v1/messages", json=body, headers=headers)
        assert replay.status_code == 201, replay.text
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert [m["message_id"] for m in replay.json()] == [m["message_id"] for m in sent.json()]
        assert second.head() == head
        audit = second.node.store.audit_answers()
        assert audit.ok, audit.problems
        # Moved to a party that was never told of that record, the answer is a lie.
        cirrus = second.node.party_by_name("CIRRUS").id
        engine = sqlalchemy.create_engine(database_url)
        try:
            with engine.begin() as connection:
                connection.execute(
                    sqlalchemy.text("UPDATE idempotency SET party_id = :p WHERE key = :k"),
                    {"p": cirrus, "k": key["Idempotency-Key"]},
                )
        finally:
            engine.dispose()
        (problem,) = second.node.store.audit_answers().problems
        assert problem.endswith("a record of no party"), problem
        listed = second.client.get("/v1/messages", headers=boreas).json()
        assert [m["type"] for m in listed].count("contact") == 1
