"""Bearer-token authentication and per-endpoint role rules.

Every route declares the roles it admits with `allow(...)`; the rule is recorded on the
route so that a test can check that no endpoint was added without one.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from airhotline.core.access import Principal, Role
from airhotline.core.node import HotlineNode
from airhotline.service.problems import ProblemError

__all__ = ["Node", "allow", "get_node"]

_bearer = HTTPBearer(auto_error=False, description="A party's feed/operator token, or admin")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="airhotline"'}


def get_node(request: Request) -> HotlineNode:
    node: HotlineNode = request.app.state.node
    return node


Node = Annotated[HotlineNode, Depends(get_node)]


def allow(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that authenticates the caller and admits only ``roles``."""

    async def dependency(
        node: Node,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ProblemError(401, "a bearer token is required", headers=_CHALLENGE)
        principal = node.authenticate(credentials.credentials)
        if principal is None:
            raise ProblemError(401, "unknown or revoked token", headers=_CHALLENGE)
        if principal.role not in roles:
            admitted = ", ".join(r.value for r in roles)
            raise ProblemError(403, f"this endpoint needs the role {admitted}")
        return principal

    dependency.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return dependency
