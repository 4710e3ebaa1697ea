"""Review findings: each test fails while its defect is present.

Security, durability and robustness defects found in a review of the service, the node,
the event bus and the store; the report beside this file explains each one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.service.conftest import (
    Hotline,
    open_hotline,
    report,
)

from airhotline.core.access import AgreementMode, AgreementStatus, Role
from airhotline.errors import StoreError
from airhotline.service.routes import events as events_route


@pytest.fixture
def hotline(sqlite_url: str) -> Iterator[Hotline]:
    with open_hotline(sqlite_url) as opened:
        yield opened


@pytest.fixture
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_route, "HEARTBEAT_S", 0.05)


def _sse_events(lines: Iterator[str], *, until_seq: int, timeout_s: float) -> list[dict[str, str]]:
    """Events read until one with id >= ``until_seq``, the stream's end, or the deadline."""
    deadline = time.monotonic() + timeout_s
    events: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if fields:
                events.append(fields)
                if "id" in fields and int(fields["id"]) >= until_seq:
                    return events
                fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if time.monotonic() > deadline:
            break
    return events


# --- (1) who sees what -----------------------------------------------------------------


@pytest.mark.usefixtures("fast_heartbeat")
def test_an_open_event_stream_stops_delivering_once_its_token_is_revoked(
    hotline: Hotline,
) -> None:
    node = hotline.node
    token_id, token = node.issue_token("ATLAS", Role.OPERATOR)
    headers = {"Authorization": f"Bearer {token}"}
    with hotline.client.stream("GET", "/v1/events", headers=headers) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        head = hotline.last_event_id("ATLAS")
        assert _sse_events(lines, until_seq=head, timeout_s=5.0)[-1]["id"] == str(head)
        node.revoke_token(token_id)
        # The token is revoked: every new call with it is refused ...
        assert hotline.client.get("/v1/me", headers=headers).status_code == 401
        # ... but the stream opened with it goes on carrying ATLAS's events.
        node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
        after = hotline.last_event_id("ATLAS")
        seen = _sse_events(lines, until_seq=after, timeout_s=2.0)
    leaked = [e for e in seen if e.get("event") == "agreement.set"]
    assert leaked == [], "a revoked token kept receiving ATLAS's events"


# --- (2) durability and delivery -------------------------------------------------------


def test_a_track_lost_whose_journal_write_failed_is_still_announced(
    hotline: Hotline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ATLAS shares BOREAS's full picture, so it must hear when BOREAS's B1 is lost.
    node = hotline.node
    node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
    assert hotline.post_reports("BOREAS", [report("B1")]).status_code == 200
    node.run_cycle()
    hotline.clock.advance(node.config.lost_after_s + 1.0)

    write, failed = node.store.write, []

    def blip(unit: Any) -> Any:  # one transient database failure
        if not failed:
            failed.append(True)
            raise StoreError("the write failed and was rolled back: OperationalError")
        return write(unit)

    monkeypatch.setattr(node.store, "write", blip)
    with pytest.raises(StoreError):
        node.run_cycle()
    node.run_cycle()
    node.run_cycle()
    lost = node.store.records_after(0, kinds=["track.lost"])
    assert [t["track_id"] for r in lost for t in r.payload["tracks"]] == ["B1"], (
        "the picture dropped B1 before its track.lost was durable; the event is gone"
    )


def test_revoking_a_token_twice_journals_one_revocation(hotline: Hotline) -> None:
    token_id, _ = hotline.node.issue_token("ATLAS", Role.OPERATOR)
    for _ in range(2):  # a DELETE retried after a lost answer
        response = hotline.client.delete(f"/v1/tokens/{token_id}", headers=hotline.admin)
        assert response.status_code == 204, response.text
    revoked = [
        r
        for r in hotline.node.store.records_after(0, kinds=["token.revoked"])
        if r.payload["token_id"] == token_id
    ]
    assert len(revoked) == 1, "a retried revocation journals (and streams) it again"


# --- (3) input that costs more than it should -----------------------------------------


@pytest.mark.parametrize("media", ["application/json", "application/x-ndjson"])
def test_a_batch_of_empty_reports_gets_a_bounded_problem(hotline: Hotline, media: str) -> None:
    # 3 bytes of input per "{}" make 8 validation errors of ~50 bytes each in the answer:
    # at the 8 MiB body limit, ~22 million errors, gigabytes of memory and a 1 GB answer.
    count = 5_000
    sep = b"," if media == "application/json" else b"\n"
    body = sep.join([b"{}"] * count)
    if media == "application/json":
        body = b"[" + body + b"]"
    response = hotline.client.post(
        "/v1/tracks", content=body, headers={**hotline.feed("ATLAS"), "content-type": media}
    )
    assert response.status_code == 422
    errors = response.json().get("errors", [])
    assert len(errors) <= 100, f"{len(body)} bytes in, {len(errors)} errors out"
    assert len(response.content) < 10 * len(body)


# --- (5) what verify does not see ------------------------------------------------------
