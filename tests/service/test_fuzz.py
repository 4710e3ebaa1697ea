"""Random input never makes a 500, and a refused batch never moves the journal.

Schemathesis generates requests, valid and invalid, for every operation of the app's own
OpenAPI document and calls them with a token of a role the operation admits; Hypothesis
throws arbitrary JSON, broken reports and raw bytes at the ingest endpoint.
"""

from __future__ import annotations

import itertools
import json
import math
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from tests.service.conftest import START_S, Hotline, open_hotline, report
from tests.service.test_isolation import ENDPOINTS

from airhotline.bootstrap import build_node
from airhotline.core.access import Role
from airhotline.service import create_app


def _openapi_document() -> dict[str, Any]:
    """The app's own OpenAPI document; it depends on the code only, not on the node."""
    with tempfile.TemporaryDirectory() as folder:
        node = build_node(f"sqlite:///{folder}/doc.db")
        try:
            return create_app(node, run_cycle=False).openapi()
        finally:
            node.close()


schema = schemathesis.openapi.from_dict(
    _openapi_document(),
    # An event stream never ends: read one event, or for a moment, then hang up. Every
    # other call gets the time a loaded CI machine may need (this is no timing test).
    config=schemathesis.Config.from_dict(
        {
            "max-stream-events": 1,
            "request-timeout": 30.0,
            "operations": [{"include-path": "/v1/events", "request-timeout": 0.5}],
        }
    ),
)


@pytest.fixture
def fuzzed(sqlite_url: str) -> Iterator[Hotline]:
    with open_hotline(sqlite_url, raise_server_exceptions=False) as opened:
        opened.node.run_cycle()
        yield opened


class Tokens:
    """A valid token of each role, made again when a fuzzed call revoked it."""

    def __init__(self, hotline: Hotline) -> None:
        self.hotline = hotline
        self.tokens: dict[Role, str] = {}
        self.turns = {
            operation: itertools.cycle(sorted(endpoint.roles))
            for operation, endpoint in ENDPOINTS.items()
            if endpoint.roles
        }

    def headers_for(self, operation_id: str) -> dict[str, str]:
        turn = self.turns.get(operation_id)
        if turn is None:
            return {}
        role = next(turn)
        token = self.tokens.get(role)
        if token is None or self.hotline.node.authenticate(token) is None:
            party = None if role is Role.ADMIN else "ATLAS"
            _, token = self.hotline.node.issue_token(party, role)
            self.tokens[role] = token
        return {"Authorization": f"Bearer {token}"}


OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_no_operation_answers_500(fuzzed: Hotline, operation: schemathesis.APIOperation) -> None:
    app = fuzzed.client.app
    operation.schema.app = app  # calls go in-process, to this test's app
    tokens = Tokens(fuzzed)
    operation_id = operation.definition.raw.get("operationId", "")
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )

    @given(case=cases)
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        headers = tokens.headers_for(operation_id)
        case.call_and_validate(headers=headers, checks=[not_a_server_error], app=app)

    call()


# --- the ingest body --------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

extreme_numbers = (
    st.floats()
    | st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan])
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**500)  # beyond any float
    | st.sampled_from([2**63, -(2**63) - 1, START_S, START_S + 31, START_S * 1000])
)
field_values = extreme_numbers | json_values | st.datetimes().map(lambda d: d.isoformat())
FIELDS = ["track_id", "time", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm"]
FIELDS += ["callsign", "icao24", "aircraft_type", "party"]
track_ids = st.from_regex(r"[A-Z][A-Z0-9-]{0,7}", fullmatch=True) | st.text(max_size=70)


@st.composite
def mangled_reports(draw: st.DrawFn) -> dict[str, Any]:
    """A valid report with a few changes: a field set to anything, dropped, or added."""
    body = report(draw(track_ids))
    if draw(st.booleans()):
        body["time"] = draw(extreme_numbers | st.datetimes().map(str))
    for _ in range(draw(st.integers(0, 2))):
        field = draw(st.sampled_from(FIELDS) | st.text(max_size=10))
        change = draw(st.sampled_from(["set", "drop"]))
        if change == "set":
            body[field] = draw(field_values)
        else:
            body.pop(field, None)
    return body


def as_ndjson(values: list[Any]) -> str:
    return "\n".join(json.dumps(v) for v in values)


bodies = st.one_of(
    st.tuples(st.just("application/json"), json_values.map(json.dumps)),
    st.tuples(
        st.just("application/json"),
        st.lists(mangled_reports() | json_values, min_size=1, max_size=4).map(json.dumps),
    ),
    st.tuples(
        st.sampled_from(["application/x-ndjson", "application/ndjson"]),
        st.lists(mangled_reports(), min_size=1, max_size=4).map(as_ndjson),
    ),
    st.tuples(st.sampled_from(["application/json", "application/x-ndjson"]), st.text()),
    st.tuples(st.sampled_from(["application/json", "text/plain", ""]), st.binary()),
)


def test_ingest_survives_any_body(sqlite_url: str) -> None:
    with open_hotline(sqlite_url, raise_server_exceptions=False) as hotline:

        @given(body=bodies, key=st.none() | st.sampled_from(["k1", "k2"]))
        @settings(
            max_examples=200,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        def post(body: tuple[str, str | bytes], key: str | None) -> None:
            media, content = body
            headers = {**hotline.feed("ATLAS"), "Content-Type": media}
            if key is not None:
                headers["Idempotency-Key"] = key
            head = hotline.head()
            response = hotline.client.post("/v1/tracks", content=content, headers=headers)
            assert response.status_code < 500, response.text
            if response.status_code == 200:
                replayed = response.headers.get("idempotent-replayed") == "true"
                assert hotline.head() == head + (0 if replayed else 1)
                assert set(response.json()) == {"accepted", "committed", "hash"}
            else:
                assert response.status_code in {409, 415, 422}, response.text
                assert response.headers["content-type"] == "application/problem+json"
                assert hotline.head() == head

        post()
