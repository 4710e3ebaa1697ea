"""Bearer-token authentication and per-endpoint role rules.

Every route declares the roles it admits with `allow(...)`; the rule is recorded on the
route so that a test can check that no endpoint was added without one.

`BearerGate` checks the token from the headers alone, before any route runs: FastAPI
reads a request's body before it solves the route's dependencies, so without the gate a
caller with no token at all could make the server wait for a body that never comes.
The dependency then only checks the role (and authenticates itself when no gate ran).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from airhotline.core.access import Principal, Role
from airhotline.core.node import HotlineNode
from airhotline.service.problems import ProblemError, problem_response

__all__ = ["BearerGate", "Node", "allow", "get_node"]

_bearer = HTTPBearer(auto_error=False, description="A party's feed/operator token, or admin")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="airhotline"'}
_NO_TOKEN = "a bearer token is required"
_UNKNOWN_TOKEN = "unknown or revoked token"
#: Where the gate leaves the caller it authenticated, in the request's state.
_PRINCIPAL = "principal"


def get_node(request: Request) -> HotlineNode:
    node: HotlineNode = request.app.state.node
    return node


Node = Annotated[HotlineNode, Depends(get_node)]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (as FastAPI's HTTPBearer
    reads it), or None."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class BearerGate:
    """Pure ASGI: a request to any path but ``public`` needs a known bearer token, checked
    from its headers through ``app.state.node``; without one it is answered 401 at once,
    its body unread. Unknown paths are gated too: they reveal nothing to a stranger.
    Paths under ``public_prefixes`` (the console's own files) are open as well."""

    def __init__(
        self, app: ASGIApp, *, public: Collection[str], public_prefixes: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.public = frozenset(public)
        self.public_prefixes = public_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._public(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = bearer_token(Headers(scope=scope).get("authorization"))
        if token is None:
            await problem_response(401, _NO_TOKEN, headers=_CHALLENGE)(scope, receive, send)
            return
        node: HotlineNode = scope["app"].state.node
        principal = node.authenticate(token)
        if principal is None:
            await problem_response(401, _UNKNOWN_TOKEN, headers=_CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})[_PRINCIPAL] = principal
        await self.app(scope, receive, send)

    def _public(self, path: str) -> bool:
        # ".." never reaches a file outside the console: StaticFiles refuses it too.
        return path in self.public or (path.startswith(self.public_prefixes) and ".." not in path)


def allow(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that authenticates the caller and admits only ``roles``."""

    async def dependency(
        request: Request,
        node: Node,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        principal: Principal | None = request.scope.get("state", {}).get(_PRINCIPAL)
        if principal is None:  # no gate in front (an app assembled otherwise)
            if credentials is None or credentials.scheme.lower() != "bearer":
                raise ProblemError(401, _NO_TOKEN, headers=_CHALLENGE)
            principal = node.authenticate(credentials.credentials)
            if principal is None:
                raise ProblemError(401, _UNKNOWN_TOKEN, headers=_CHALLENGE)
        if principal.role not in roles:
            admitted = ", ".join(r.value for r in roles)
            raise ProblemError(403, f"this endpoint needs the role {admitted}")
        return principal

    dependency.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return dependency
