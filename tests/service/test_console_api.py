"""What the console reads besides the rest of the API: one-time sign-in links, the
picture as columns, the message catalogue for the composer, and where a stream starts."""

from __future__ import annotations

from tests.service.conftest import Hotline, assert_problem, report

from airhotline.core.access import AgreementMode, AgreementStatus, Role
from airhotline.service.console import ConsoleLinks


def test_a_link_signs_in_once() -> None:
    links = ConsoleLinks()
    code = links.issue("ATLAS", "ahl_token")
    assert links.redeem(code) == ("ATLAS", "ahl_token")
    assert links.redeem(code) is None  # spent
    assert links.redeem("not-a-code-at-all") is None


def test_a_link_expires() -> None:
    now = [0.0]
    links = ConsoleLinks(ttl_s=60.0, now=lambda: now[0])
    code = links.issue("ATLAS", "ahl_token")
    now[0] = 61.0
    assert links.redeem(code) is None


def test_only_a_digest_of_each_code_is_held() -> None:
    links = ConsoleLinks()
    code = links.issue("ATLAS", "ahl_token")
    assert code.encode() not in links._links
    assert all(len(key) == 32 for key in links._links)


def test_the_sign_in_swaps_a_code_for_the_operator_token(hotline: Hotline) -> None:
    token = hotline.token("ATLAS", Role.OPERATOR)
    code = hotline.client.app.state.console_links.issue("ATLAS", token)  # type: ignore[attr-defined]
    answer = hotline.client.post("/v1/console/signin", json={"code": code})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"token": token, "party": "ATLAS"}
    again = hotline.client.post("/v1/console/signin", json={"code": code})
    assert "used already" in assert_problem(again, 401)["detail"]


def test_an_admins_link_signs_the_operator_in_with_a_token_made_when_opened(
    hotline: Hotline,
) -> None:
    tokens_before = len(hotline.node.store.tokens())
    minted = hotline.client.post(
        "/v1/console/links", json={"party": "BOREAS"}, headers=hotline.admin
    )
    assert minted.status_code == 201, minted.text
    body = minted.json()
    assert body["party"] == "BOREAS"
    assert body["expires_in_s"] == 12 * 3600
    link = body["link"]
    assert link.startswith("http://testserver/#signin=")
    assert len(hotline.node.store.tokens()) == tokens_before  # nothing until it is opened
    code = link.split("#signin=", 1)[1]
    signed = hotline.client.post("/v1/console/signin", json={"code": code})
    assert signed.status_code == 200, signed.text
    assert signed.json()["party"] == "BOREAS"
    token = signed.json()["token"]
    assert token not in (hotline.token("BOREAS", Role.OPERATOR), hotline.admin_token)
    me = hotline.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["party"] == "BOREAS"
    assert me.json()["role"] == "operator"
    assert len(hotline.node.store.tokens()) == tokens_before + 1  # issued, and journaled
    again = hotline.client.post("/v1/console/signin", json={"code": code})
    assert_problem(again, 401)


def test_only_the_admin_mints_links_and_only_for_a_party(hotline: Hotline) -> None:
    body = {"party": "ATLAS"}
    assert_problem(hotline.client.post("/v1/console/links", json=body), 401)
    as_operator = hotline.client.post(
        "/v1/console/links", json=body, headers=hotline.operator("ATLAS")
    )
    assert_problem(as_operator, 403)
    unknown = hotline.client.post(
        "/v1/console/links", json={"party": "NOBODY"}, headers=hotline.admin
    )
    assert "NOBODY" in assert_problem(unknown, 404)["detail"]
    empty = hotline.client.post("/v1/console/links", json={"party": ""}, headers=hotline.admin)
    assert "party" in str(assert_problem(empty, 422))


def test_a_malformed_code_is_refused_naming_the_field(hotline: Hotline) -> None:
    answer = hotline.client.post("/v1/console/signin", json={"code": "short"})
    body = assert_problem(answer, 422)
    assert "code" in str(body)


def test_the_columns_hold_the_same_picture(hotline: Hotline) -> None:
    hotline.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
    assert hotline.post_reports("ATLAS", [report("A1", callsign="ALPHA1")]).status_code == 200
    assert (
        hotline.post_reports("BOREAS", [report("B1", lat=48.2, vrate_fpm=-1500)]).status_code == 200
    )
    assert hotline.post_reports("CIRRUS", [report("C1", lat=47.5)]).status_code == 200
    hotline.clock.advance(1)
    rows = hotline.picture("ATLAS")["tracks"]
    answer = hotline.client.get("/v1/picture/columns", headers=hotline.operator("ATLAS"))
    assert answer.status_code == 200, answer.text
    cols = answer.json()
    assert cols["party"] == "ATLAS"
    assert sorted(zip(cols["owner"], cols["track_id"], strict=True)) == sorted(
        (r["party"], r["track_id"]) for r in rows
    )
    assert ("CIRRUS", "C1") not in set(zip(cols["owner"], cols["track_id"], strict=True))
    for i, track_id in enumerate(cols["track_id"]):
        row = next(r for r in rows if r["track_id"] == track_id)
        assert abs(cols["lat"][i] - row["lat"]) < 1e-5
        assert abs(cols["alt_ft"][i] - row["alt_ft"]) <= 0.5
        assert cols["callsign"][i] == row["callsign"]
        assert cols["coasting"][i] == (row["status"] == "coasting")
        assert abs(cols["age_s"][i] - 1.0) < 0.05
    assert cols["vrate_fpm"][cols["track_id"].index("B1")] == -1500


def test_the_catalogue_lists_what_a_party_may_send_in_its_language(hotline: Hotline) -> None:
    answer = hotline.client.get("/v1/message-types?lang=ru", headers=hotline.operator("ATLAS"))
    assert answer.status_code == 200, answer.text
    types = {t["type"]: t for t in answer.json()}
    assert "conflict-alert" not in types  # the hotline's own
    assert {"request-intentions", "intentions", "free-text", "level-report"} <= set(types)
    request = types["request-intentions"]
    assert request["attribute"] == "Y"
    assert request["forms"][0]["params"] == [{"name": "track", "kind": "track", "choices": {}}]
    assert "{track}" in request["forms"][0]["template"]
    assert request["forms"][0]["template"] != "Request intentions of {track}."  # Russian
    assert set(request["responses"]) == {
        "wilco",
        "unable",
        "affirm",
        "negative",
        "roger",
        "standby",
    }
    assert types["free-text"]["forms"][0]["template"] is None  # carried as written
    assert types["request-intentions"]["about_reader"] is True


def test_me_says_where_the_stream_stands(hotline: Hotline) -> None:
    answer = hotline.client.get("/v1/me", headers=hotline.operator("ATLAS"))
    assert answer.status_code == 200
    assert answer.json()["last_event_id"] == hotline.last_event_id("ATLAS")
    assert answer.json()["lang"] == "en"
