"""Fixtures of the service tests: a node on a simulated clock behind a TestClient.

`open_hotline` builds the whole stack (store, node, app, client) with some parties and
an admin token; the picture cycle never runs by itself (``run_cycle=False``), so a test
moves the clock and runs cycles when it wants to. `report` makes one valid state report,
`EventReader` reads a Server-Sent Events stream line by line with a deadline.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.access import Role
from airhotline.core.node import HotlineNode, NewParty
from airhotline.service import create_app
from airhotline.service.routes import events as events_route
from airhotline.store import Record

#: The simulated clock starts here (2023-11-14T22:13:20Z); reports are made around it.
START_US = 1_700_000_000_000_000
START_S = START_US // 1_000_000
PROBLEM_JSON = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def report(track_id: str = "T1", *, at_s: float | str = START_S, **fields: Any) -> dict[str, Any]:
    """One valid state report at ``at_s`` (epoch seconds or ISO 8601), ``fields``
    overriding (or adding) any of its fields."""
    body: dict[str, Any] = {
        "track_id": track_id,
        "time": at_s,
        "lat": 48.0,
        "lon": 11.0,
        "alt_ft": 30_000.0,
        "gs_kt": 450.0,
        "track_deg": 90.0,
        "vrate_fpm": 0.0,
    }
    body.update(fields)
    return body


def assert_problem(response: httpx2.Response, status: int) -> dict[str, Any]:
    """``response`` is an RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert isinstance(problem["title"], str)
    assert problem["title"]
    assert isinstance(problem["detail"], str)
    assert problem["detail"]
    return problem


@dataclass
class Hotline:
    """A running service and handles on what is behind it."""

    node: HotlineNode
    clock: SimulatedClock
    client: TestClient
    admin_token: str
    parties: dict[str, NewParty]

    def token(self, party: str, role: Role) -> str:
        return self.parties[party].tokens[role][1]

    def feed(self, party: str) -> dict[str, str]:
        return bearer(self.token(party, Role.FEED))

    def operator(self, party: str) -> dict[str, str]:
        return bearer(self.token(party, Role.OPERATOR))

    @property
    def admin(self) -> dict[str, str]:
        return bearer(self.admin_token)

    def add_party(self, name: str, lang: str = "en") -> NewParty:
        self.parties[name] = self.node.add_party(name, lang)
        return self.parties[name]

    def head(self) -> int:
        return self.node.store.head().seq

    def last_event_id(self, party: str | None) -> int:
        """The id of the newest event on ``party``'s stream (None: the admin's)."""
        if party is None:
            return self.head()
        return self.node.store.party_head(self.parties[party].party.id)

    def records(self, after: int = 0) -> list[Record]:
        return self.node.store.records_after(after, limit=10_000)

    def post_reports(
        self, party: str, reports: Sequence[dict[str, Any]], **kwargs: Any
    ) -> httpx2.Response:
        headers = {**self.feed(party), **kwargs.pop("headers", {})}
        return self.client.post("/v1/tracks", json=list(reports), headers=headers, **kwargs)

    def picture(self, party: str) -> dict[str, Any]:
        response = self.client.get("/v1/picture", headers=self.operator(party))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def track_keys(self, party: str) -> set[tuple[str, str]]:
        """(owner, track id) of every track ``party``'s operator sees."""
        return {(t["party"], t["track_id"]) for t in self.picture(party)["tracks"]}


@contextlib.contextmanager
def open_hotline(
    url: str,
    parties: Sequence[str] = ("ATLAS", "BOREAS", "CIRRUS"),
    *,
    raise_server_exceptions: bool = True,
    node_options: Mapping[str, Any] | None = None,
    **app_options: Any,
) -> Iterator[Hotline]:
    """A service on a fresh node at ``url``, with ``parties`` and an admin token;
    ``node_options`` go to `build_node` (a detector of the test's own, say)."""
    clock = SimulatedClock(START_US)
    node = build_node(url, clock=clock, **(node_options or {}))
    try:  # the app's lifespan closes the node; closing again is harmless
        made = {name: node.add_party(name, "en") for name in parties}
        _, admin = node.issue_token(None, Role.ADMIN)
        app = create_app(node, run_cycle=False, **app_options)
        with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
            yield Hotline(node, clock, client, admin, made)
    finally:
        node.close()


@pytest.fixture
def hotline(sqlite_url: str) -> Iterator[Hotline]:
    """Three parties (ATLAS, BOREAS, CIRRUS) on SQLite."""
    with open_hotline(sqlite_url) as opened:
        yield opened


@pytest.fixture
def hotline_db(database_url: str) -> Iterator[Hotline]:
    """Three parties on each database kind (SQLite and, when configured, PostgreSQL)."""
    with open_hotline(database_url) as opened:
        yield opened


# --- Server-Sent Events -----------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    id: str | None
    event: str | None
    data: str

    @property
    def json(self) -> Any:
        return json.loads(self.data)


class EventReader:
    """Parses an SSE response into events, failing instead of waiting past a deadline.

    The deadline is checked whenever a line arrives; with the heartbeat made short (the
    ``fast_heartbeat`` fixture) lines arrive at least that often.
    """

    def __init__(self, response: httpx2.Response, *, timeout_s: float = 10.0) -> None:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        self._lines = response.iter_lines()
        self._deadline = time.monotonic() + timeout_s

    def next(self) -> Event:
        fields: dict[str, str] = {}
        data: list[str] = []
        for line in self._lines:
            if time.monotonic() > self._deadline:
                pytest.fail(f"no complete event before the deadline; got {fields} {data}")
            if not line:
                if data or fields:
                    return Event(fields.get("id"), fields.get("event"), "\n".join(data))
                continue
            if line.startswith(":"):  # a comment: the heartbeat
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                data.append(value)
            else:
                fields[name] = value
        pytest.fail("the event stream ended")

    def until(self, event_id: int) -> list[Event]:
        """Every event up to and including the one with id ``event_id``."""
        seen: list[Event] = []
        while True:
            event = self.next()
            seen.append(event)
            if event.id is not None and int(event.id) >= event_id:
                return seen


@pytest.fixture
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    """Heartbeats every 50 ms, so that a reader waiting for an event checks its deadline."""
    monkeypatch.setattr(events_route, "HEARTBEAT_S", 0.05)
