"""``GET /v1/events``: a party's ids number its own events densely (the admin's are the
journal's seqs), and a client resumes from one."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from tests.service.conftest import (
    Event,
    EventReader,
    Hotline,
    assert_problem,
    bearer,
    open_hotline,
    report,
)

from airhotline.core.access import AgreementMode, AgreementStatus, Role
from airhotline.core.events import payload_for
from airhotline.core.node import STREAM_KINDS
from airhotline.store import Record

pytestmark = pytest.mark.usefixtures("fast_heartbeat")


@pytest.fixture
def eventful(hotline: Hotline) -> Hotline:
    """A journal in which ATLAS may see some events and not others, tracks included."""
    node = hotline.node
    node.issue_token("ATLAS", Role.FEED)
    node.issue_token("BOREAS", Role.OPERATOR)
    assert hotline.post_reports("ATLAS", [report("A1")]).status_code == 200
    node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
    node.set_agreement("BOREAS", "CIRRUS", AgreementMode.FULL, AgreementStatus.ACTIVE)
    token_id, _ = node.issue_token("ATLAS", Role.OPERATOR)
    node.revoke_token(token_id)
    node.set_agreement("ATLAS", "CIRRUS", AgreementMode.CONFLICTS_ONLY, AgreementStatus.SUSPENDED)
    return hotline


def reader_id(hotline: Hotline, party: str | None) -> int | None:
    return None if party is None else hotline.parties[party].party.id


def visible(hotline: Hotline, party: str | None) -> list[Record]:
    """What the journal holds for ``party`` (None: the admin), in order, each payload as
    that reader reads it (a party without the hotline's internal ids and hashes)."""
    if party is None:
        return [r for r in hotline.records() if r.kind in STREAM_KINDS]
    party_id = reader_id(hotline, party)
    return [
        replace(r, payload=payload_for(r, party_id))
        for r in hotline.records()
        if party_id in r.audience
    ]


def assert_events_are(events: list[Event], records: list[Record], reader: int | None) -> None:
    assert [e.id for e in events] == [str(r.event_id(reader)) for r in records]
    for event, record in zip(events, records, strict=True):
        assert event.event == record.kind
        data = event.json
        assert data["id"] == record.event_id(reader)
        # Only the admin reads the journal's seq: it would tell a party how busy the
        # others are.
        assert data.get("seq") == (record.seq if reader is None else None)
        assert data["kind"] == record.kind
        assert data["payload"] == record.payload
        assert data["time"].endswith("Z")


@contextlib.contextmanager
def stream(hotline: Hotline, headers: dict[str, str], **params: Any) -> Iterator[EventReader]:
    with hotline.client.stream("GET", "/v1/events", headers=headers, params=params) as response:
        yield EventReader(response)


def test_a_partys_ids_count_its_own_events_and_names_are_kinds(eventful: Hotline) -> None:
    hotline = eventful
    expected = visible(hotline, "ATLAS")
    kinds = {"party.created", "token.issued", "token.revoked", "agreement.set"}
    assert {r.kind for r in expected} == kinds
    assert len(expected) < len(visible(hotline, None)) < len(hotline.records())
    atlas = reader_id(hotline, "ATLAS")
    with stream(hotline, hotline.operator("ATLAS")) as reader:
        events = reader.until(len(expected))
    assert [e.id for e in events] == [str(n) for n in range(1, len(expected) + 1)]
    assert_events_are(events, expected, atlas)


def test_a_partys_ids_do_not_move_with_other_parties_records(eventful: Hotline) -> None:
    hotline = eventful
    before = hotline.last_event_id("ATLAS")
    for _ in range(5):
        hotline.node.issue_token("BOREAS", Role.FEED)  # records ATLAS never sees
    hotline.node.set_agreement("ATLAS", "CIRRUS", AgreementMode.FULL, AgreementStatus.ACTIVE)
    with stream(hotline, hotline.operator("ATLAS"), after=before) as reader:
        assert reader.next().id == str(before + 1)


def test_the_admin_sees_every_event_but_no_tracks(eventful: Hotline) -> None:
    hotline = eventful
    expected = visible(hotline, None)
    with stream(hotline, hotline.admin) as reader:
        assert_events_are(reader.until(expected[-1].seq), expected, None)


def test_live_events_follow_the_backlog(eventful: Hotline) -> None:
    hotline = eventful
    backlog = visible(hotline, "ATLAS")
    atlas = reader_id(hotline, "ATLAS")
    with stream(hotline, hotline.operator("ATLAS")) as reader:
        reader.until(len(backlog))
        hotline.node.issue_token("BOREAS", Role.FEED)  # not for ATLAS
        assert hotline.post_reports("ATLAS", [report("A2")]).status_code == 200
        hotline.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.SUSPENDED)
        live = visible(hotline, "ATLAS")[len(backlog) :]
        assert [r.kind for r in live] == ["agreement.set"]
        assert_events_are([reader.next()], live, atlas)


@pytest.mark.parametrize("how", ["Last-Event-ID", "after"])
def test_resuming_yields_exactly_what_was_missed(eventful: Hotline, how: str) -> None:
    hotline = eventful
    atlas = reader_id(hotline, "ATLAS")
    for last in range(len(visible(hotline, "ATLAS")) + 1):
        missed = [r for r in visible(hotline, "ATLAS") if r.event_id(atlas) > last]
        headers = hotline.operator("ATLAS")
        params = {}
        if how == "Last-Event-ID":
            headers["Last-Event-ID"] = str(last)
        else:
            params["after"] = last
        with stream(hotline, headers, **params) as reader:
            if missed:
                assert_events_are(reader.until(missed[-1].event_id(atlas)), missed, atlas)
            # Nothing else is pending: the next event is the next one made.
            hotline.node.set_agreement(
                "ATLAS", "CIRRUS", AgreementMode.FULL, AgreementStatus.ACTIVE
            )
            assert_events_are([reader.next()], visible(hotline, "ATLAS")[-1:], atlas)


def test_resuming_after_a_restart(sqlite_url: str) -> None:
    with open_hotline(sqlite_url) as first:
        first.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
        seen = first.last_event_id("ATLAS")
        first.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.SUSPENDED)
        first.node.set_agreement("BOREAS", "CIRRUS", AgreementMode.FULL, AgreementStatus.ACTIVE)
        operator = first.operator("ATLAS")
    with open_hotline(sqlite_url, parties=()) as second:
        atlas = second.node.party_by_name("ATLAS").id
        missed = [
            replace(r, payload=payload_for(r, atlas))
            for r in second.records()
            if atlas in r.audience and r.event_id(atlas) > seen
        ]
        assert [r.payload["status"] for r in missed] == ["suspended"]
        with stream(second, {**operator, "Last-Event-ID": str(seen)}) as reader:
            assert_events_are(reader.until(missed[-1].event_id(atlas)), missed, atlas)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "-1",
        "1.5",
        "12abc",
        "0x10",
        "1e3",
        "9223372036854775808",  # 2**63: no seq is that large
        "99999999999999999999",
        "1" * 21,
    ],
)
def test_a_malformed_last_event_id_is_refused(hotline: Hotline, value: str) -> None:
    response = hotline.client.get(
        "/v1/events", headers={**hotline.operator("ATLAS"), "Last-Event-ID": value}
    )
    assert assert_problem(response, 422)["field"] == "Last-Event-ID"


@pytest.mark.parametrize("value", ["-1", "x", "9223372036854775808", str(10**30)])
def test_a_malformed_after_is_refused(hotline: Hotline, value: str) -> None:
    response = hotline.client.get(
        "/v1/events", headers=hotline.operator("ATLAS"), params={"after": value}
    )
    assert assert_problem(response, 422)["field"] == "after"


@pytest.mark.parametrize("value", [b"\xb2", b"1\xb9", b"\xbd"])
def test_a_latin1_digit_in_last_event_id_is_refused(hotline: Hotline, value: bytes) -> None:
    # Over the wire a header is bytes, read as Latin-1: b"\xb2" is "²", which
    # str.isdigit() takes for a digit. The TestClient re-encodes headers as UTF-8, so this
    # request goes to the app as raw ASGI.
    token = hotline.token("ATLAS", Role.OPERATOR)
    status, body = asyncio.run(
        _raw_get(
            hotline,
            "/v1/events",
            [(b"authorization", f"Bearer {token}".encode()), (b"last-event-id", value)],
        )
    )
    assert status == 422, body


async def _raw_get(
    hotline: Hotline, path: str, headers: list[tuple[bytes, bytes]]
) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await hotline.client.app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


def test_a_feed_token_gets_no_stream(hotline: Hotline) -> None:
    response = hotline.client.get("/v1/events", headers=hotline.feed("ATLAS"))
    assert_problem(response, 403)
    assert_problem(hotline.client.get("/v1/events", headers=bearer("nope")), 401)


def test_hanging_up_waits_for_the_journal_read(
    hotline: Hotline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A shutdown right after a client hung up must not close the store under a journal
    # read that is still running: the read is waited for, not abandoned.
    node, finished = hotline.node, []
    read = node.events_after

    def slow_read(*args: Any, **kwargs: Any) -> list[Record]:
        time.sleep(0.3)
        records = read(*args, **kwargs)
        finished.append(len(records))
        return records

    monkeypatch.setattr(node, "events_after", slow_read)
    with hotline.client.stream("GET", "/v1/events", headers=hotline.operator("ATLAS")) as sent:
        assert sent.status_code == 200
    assert finished == [1]  # ATLAS's party.created
