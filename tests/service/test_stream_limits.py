"""Event streams: a cap per party, and a resume point beyond the journal refused."""

from __future__ import annotations

import contextlib

from tests.service.conftest import Hotline, assert_problem


def test_a_party_holds_at_most_its_streams_open(hotline: Hotline) -> None:
    cap = hotline.client.app.state.streams.limits.per_party  # type: ignore[attr-defined]
    with contextlib.ExitStack() as open_streams:
        for _ in range(cap):
            response = open_streams.enter_context(
                hotline.client.stream("GET", "/v1/events", headers=hotline.operator("ATLAS"))
            )
            assert response.status_code == 200
        refused = hotline.client.get("/v1/events", headers=hotline.operator("ATLAS"))
        problem = assert_problem(refused, 429)
        assert problem["field"] == "streams"
        assert refused.headers["retry-after"] == "5"
        # Another party has slots of its own.
        with hotline.client.stream(
            "GET", "/v1/events", headers=hotline.operator("BOREAS")
        ) as other:
            assert other.status_code == 200
    # Hung up: the slots are free again.
    with hotline.client.stream("GET", "/v1/events", headers=hotline.operator("ATLAS")) as again:
        assert again.status_code == 200


def test_resuming_beyond_the_journal_is_refused_not_deaf(hotline: Hotline) -> None:
    head = hotline.last_event_id("ATLAS")
    response = hotline.client.get(
        "/v1/events", headers={**hotline.operator("ATLAS"), "Last-Event-ID": str(head + 5)}
    )
    problem = assert_problem(response, 409)
    assert problem["field"] == "Last-Event-ID"
    assert str(head) in problem["detail"]
    response = hotline.client.get(
        "/v1/events", params={"after": head + 1}, headers=hotline.operator("ATLAS")
    )
    assert assert_problem(response, 409)["field"] == "after"
    with hotline.client.stream(
        "GET", "/v1/events", headers={**hotline.operator("ATLAS"), "Last-Event-ID": str(head)}
    ) as at_head:
        assert at_head.status_code == 200
