"""Oversized bodies are refused with 413 before anything parses them, chunked or not."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.service.conftest import Hotline, assert_problem, open_hotline, report

LIMIT = 1024


@pytest.fixture
def limited(sqlite_url: str) -> Iterator[Hotline]:
    with open_hotline(sqlite_url, max_body_bytes=LIMIT) as opened:
        yield opened


def big_batch() -> bytes:
    """A valid batch of about 2 KB."""
    body = json.dumps([report(f"A{i}") for i in range(15)]).encode()
    assert 2 * LIMIT - 200 < len(body) < 2 * LIMIT + 200
    return body


def chunks(body: bytes, size: int = 100) -> Iterator[bytes]:
    """The body as a generator: sent chunked, with no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_large(hotline: Hotline, response: object, head: int) -> None:
    problem = assert_problem(response, 413)  # type: ignore[arg-type]
    assert str(LIMIT) in problem["detail"]
    assert hotline.head() == head
    assert hotline.picture("ATLAS")["tracks"] == []


def test_a_batch_under_the_limit_passes(limited: Hotline) -> None:
    response = limited.post_reports("ATLAS", [report("A1")])
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_batch_is_refused(limited: Hotline, chunked: bool) -> None:
    hotline, head = limited, limited.head()
    body = big_batch()
    headers = {**hotline.feed("ATLAS"), "Content-Type": "application/json"}
    content = chunks(body) if chunked else body
    with hotline.client.stream("POST", "/v1/tracks", content=content, headers=headers) as sent:
        if chunked:
            assert "content-length" not in sent.request.headers
            assert sent.request.headers["transfer-encoding"] == "chunked"
        sent.read()
    assert_too_large(hotline, sent, head)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_json_body_of_an_admin_call_is_refused(
    limited: Hotline, chunked: bool
) -> None:
    # Here FastAPI itself reads the body (into PartyIn), not the endpoint.
    hotline, head = limited, limited.head()
    body = json.dumps({"name": "DELTA", "lang": "en", "pad": "x" * 2 * LIMIT}).encode()
    response = hotline.client.post(
        "/v1/parties",
        content=chunks(body) if chunked else body,
        headers={**hotline.admin, "Content-Type": "application/json"},
    )
    assert_too_large(hotline, response, head)
    assert "DELTA" not in {p.name for p in hotline.node.parties()}


def test_a_declared_length_over_the_limit_is_refused_unread(limited: Hotline) -> None:
    # No token either: the limit comes first, before authentication and parsing.
    response = limited.client.post(
        "/v1/tracks",
        content=big_batch(),
        headers={"Content-Type": "application/json"},
    )
    assert_too_large(limited, response, limited.head())
    assert response.headers["connection"] == "close"
