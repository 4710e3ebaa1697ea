"""The bearer token is checked from the headers, before anyone waits for the body.

The app is called as an ASGI app with a body that never comes: a request without a
known token must be answered 401 all the same, without the body ever being asked for.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from tests.service.conftest import Hotline, open_hotline
from tests.service.test_isolation import ENDPOINTS, FASTAPI_OWN, api_routes, declared_roles

from airhotline.core.access import Role
from airhotline.service.console import CONSOLE_PAGES, CONSOLE_PREFIXES
from airhotline.service.security import BearerGate

PROTECTED = sorted((e.method, e.path) for e in ENDPOINTS.values() if e.roles)
PUBLIC = sorted({("GET", e.path) for e in ENDPOINTS.values() if not e.roles and e.method == "GET"})
PUBLIC += sorted(("GET", path) for path in FASTAPI_OWN)


@pytest.fixture
def gated(sqlite_url: str) -> Iterator[Hotline]:
    with open_hotline(sqlite_url) as opened:
        opened.node.run_cycle()
        yield opened


class Call:
    """One ASGI request whose body arrives only when ``body`` is given (never otherwise)."""

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes | None):
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8080),
        }
        self.body = body
        self.receives = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        self.receives += 1
        if self.body is None:
            await asyncio.Event().wait()  # a client that never sends its body
        body, self.body = self.body or b"", b""
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def run(self, app: FastAPI) -> tuple[int, dict[str, str], bytes]:
        async def bounded() -> None:  # 2 s only proves that nobody waits for the body
            await asyncio.wait_for(app(self.scope, self.receive, self.send), timeout=2)

        asyncio.run(bounded())
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        headers = {k.decode(): v.decode() for k, v in start["headers"]}
        body = b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")
        return start["status"], headers, body


def content(length: int = 100) -> dict[str, str]:
    return {"content-type": "application/json", "content-length": str(length)}


@pytest.mark.parametrize(
    ("case", "authorization", "detail"),
    [
        ("no token", None, "a bearer token is required"),
        ("basic", "Basic YWRtaW46YWRtaW4=", "a bearer token is required"),
        ("garbage", "Bearer ahl_not-a-token", "unknown or revoked token"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [*PROTECTED, ("POST", "/v1/nowhere")])
def test_a_request_without_a_known_token_is_refused_before_its_body(
    gated: Hotline, method: str, path: str, case: str, authorization: str | None, detail: str
) -> None:
    headers = content()
    if authorization is not None:
        headers["authorization"] = authorization
    path = path.format(
        token_id=1,
        alert_id="0" * 16,
        message_id="0" * 16,
        notice_id="0" * 16,
        zone_id="0" * 16,
        exemption_id="0" * 16,
    )
    call = Call(method, path, headers, body=None)
    status, response_headers, body = call.run(gated.client.app)  # type: ignore[arg-type]
    assert status == 401, (case, body)
    assert call.receives == 0, "the body was waited for"
    assert response_headers["content-type"].startswith("application/problem+json")
    assert response_headers["www-authenticate"] == 'Bearer realm="airhotline"'
    assert json.loads(body) == {
        "type": "about:blank",
        "title": "Not authenticated",
        "status": 401,
        "detail": detail,
    }


def test_a_revoked_token_is_refused_before_its_body(gated: Hotline) -> None:
    token_id, token = gated.node.issue_token(None, Role.ADMIN)
    gated.node.revoke_token(token_id)
    headers = {**content(), "authorization": f"Bearer {token}"}
    call = Call("POST", "/v1/parties", headers, body=None)
    status, _, _ = call.run(gated.client.app)  # type: ignore[arg-type]
    assert status == 401
    assert call.receives == 0


@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_public_routes_need_no_token(gated: Hotline, method: str, path: str) -> None:
    status, _, body = Call(method, path, {}, body=b"").run(gated.client.app)  # type: ignore[arg-type]
    assert status == 200, body


def test_a_known_token_reaches_the_route_and_its_body(gated: Hotline) -> None:
    body = json.dumps({"name": "DELTA", "lang": "ru"}).encode()
    headers = {**content(len(body)), "authorization": f"Bearer {gated.admin_token}"}
    call = Call("POST", "/v1/parties", headers, body=body)
    status, _, answer = call.run(gated.client.app)  # type: ignore[arg-type]
    assert status == 201, answer
    assert "DELTA" in {p.name for p in gated.node.parties()}


def test_a_known_token_of_the_wrong_role_is_still_forbidden(gated: Hotline) -> None:
    headers = {**content(2), "authorization": f"Bearer {gated.token('ATLAS', Role.FEED)}"}
    status, _, answer = Call("POST", "/v1/parties", headers, body=b"{}").run(
        gated.client.app  # type: ignore[arg-type]
    )
    assert status == 403, answer


def test_the_gate_opens_exactly_the_routes_without_a_rule(gated: Hotline) -> None:
    app: FastAPI = gated.client.app  # type: ignore[assignment]
    (gate,) = [m for m in app.user_middleware if m.cls is BearerGate]
    open_routes = {path for route, path in api_routes(app) if not declared_roles(route)}
    assert gate.kwargs["public"] == open_routes | FASTAPI_OWN | set(CONSOLE_PAGES)
    assert gate.kwargs["public_prefixes"] == CONSOLE_PREFIXES


@pytest.mark.parametrize("path", ["/", "/index.html", "/assets/none.js", "/basemap/none.json"])
def test_the_console_files_need_no_token(gated: Hotline, path: str) -> None:
    # Through the TestClient: a file response waits for the client's disconnect, which
    # `Call` (a body that never ends) would never send.
    answer = gated.client.get(path)
    assert answer.status_code != 401, answer.text  # served, 404, or 503 if never built


@pytest.mark.parametrize(
    "path", ["/v2/picture", "/assets/../v1/picture", "/basemap/../v1/alerts", "/favicon.ico"]
)
def test_everything_else_stays_behind_the_gate(gated: Hotline, path: str) -> None:
    status, _, body = Call("GET", path, {}, body=b"").run(gated.client.app)  # type: ignore[arg-type]
    assert status == 401, body


def test_the_console_sign_in_passes_the_gate_without_a_token(gated: Hotline) -> None:
    body = json.dumps({"code": "x" * 32}).encode()
    status, _, answer = Call("POST", "/v1/console/signin", content(len(body)), body=body).run(
        gated.client.app  # type: ignore[arg-type]
    )
    assert status == 401, answer
    assert b"sign-in link" in answer, answer  # the route's refusal, not the gate's
