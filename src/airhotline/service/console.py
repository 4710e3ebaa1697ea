"""The operator console: its static files at ``/``, and one-time sign-in links.

The console is built by ``make setup`` from ``web/`` (npm, with its lockfile) into
``service/console_dist/``; it is served as files, with nothing fetched from anywhere else.

A sign-in link carries a one-time code in its fragment (``/#signin=CODE``): a fragment
never reaches a server's log, the console swaps it at once for its party's operator token
(``POST /v1/console/signin``) and wipes it from the address bar and the history, and the
code then opens nothing. The codes live in memory only: a link printed by one run of the
server dies with it, which is what a link shown once on a terminal should do.

``serve --demo`` prints a link per demo party; on a real node the admin asks for one
(``POST /v1/console/links``) and hands it to the party's centre. Such a link holds no
token: a new operator token is issued — and journaled — only when it is opened, so a
link never opened leaves nothing behind to revoke.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from airhotline.core.access import Principal, Role
from airhotline.errors import NotFoundError
from airhotline.service.problems import ProblemError
from airhotline.service.security import Node, allow

__all__ = [
    "CONSOLE_PREFIXES",
    "SIGNIN_PATH",
    "ConsoleLinks",
    "console_dir",
    "mount_console",
    "router",
]

SIGNIN_PATH = "/v1/console/signin"
#: The console's own files, open to anyone: they hold no data, only the program.
CONSOLE_PREFIXES = ("/assets/", "/basemap/")
CONSOLE_PAGES = ("/", "/index.html")
#: How long a printed link stays good when nobody opens it.
LINK_TTL_S = 12 * 3600.0
#: Codes kept at once: a client minting links in a loop cannot fill the memory.
MAX_LINKS = 1_000

router = APIRouter(prefix="/v1", tags=["console"])


class SignInIn(BaseModel):
    code: str = Field(min_length=16, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")


class SignInOut(BaseModel):
    token: str = Field(description="The party's operator token, for this console only")
    party: str


class LinkIn(BaseModel):
    party: str = Field(min_length=1, max_length=64, description="The party to sign in")


class LinkOut(BaseModel):
    party: str
    link: str = Field(description="Opened once in a browser, signs the party's operator in")
    expires_in_s: int


class ConsoleLinks:
    """One-time codes, each good for one sign-in as one party's operator.

    Only each code's SHA-256 is held, as for tokens: a memory dump names no usable code.
    """

    def __init__(self, *, ttl_s: float = LINK_TTL_S, now: Callable[[], float] = time.monotonic):
        self._ttl_s = ttl_s
        self._now = now
        self._lock = threading.Lock()
        self._links: dict[bytes, tuple[float, str, str | None]] = {}

    @property
    def ttl_s(self) -> float:
        return self._ttl_s

    def issue(self, party: str, token: str | None = None) -> str:
        """A new code that signs ``party`` in once: with ``token``, or (None) with an
        operator token issued when it is opened."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            if len(self._links) >= MAX_LINKS:
                oldest = min(self._links, key=lambda k: self._links[k][0])
                del self._links[oldest]
            self._links[_digest(code)] = (self._now() + self._ttl_s, party, token)
        return code

    def redeem(self, code: str) -> tuple[str, str | None] | None:
        """The ``(party, token)`` of a code not used yet and not expired; the code is
        spent either way."""
        with self._lock:
            self._expire()
            entry = self._links.pop(_digest(code), None)
        return None if entry is None else (entry[1], entry[2])

    def _expire(self) -> None:
        now = self._now()
        for key in [k for k, (until, _, _) in self._links.items() if until <= now]:
            del self._links[key]


def _digest(code: str) -> bytes:
    return hashlib.sha256(code.encode()).digest()


@router.post(
    "/console/signin",
    operation_id="console_sign_in",
    response_model=SignInOut,
    responses={401: {"description": "Unknown, used or expired code"}},
)
def console_sign_in(request: Request, node: Node, body: SignInIn) -> SignInOut:
    """Swap a one-time sign-in code for its party's operator token (no token needed)."""
    links: ConsoleLinks = request.app.state.console_links
    found = links.redeem(body.code)
    if found is None:
        raise ProblemError(
            401, "this sign-in link was used already or has expired: ask for a new one"
        )
    party, token = found
    if token is None:  # an admin's link: the token is made now, for this console
        _, token = node.issue_token(party, Role.OPERATOR)
    return SignInOut(token=token, party=party)


@router.post(
    "/console/links",
    operation_id="issue_console_link",
    response_model=LinkOut,
    status_code=201,
    responses={404: {"description": "No such party"}},
)
def issue_console_link(
    request: Request,
    node: Node,
    _: Annotated[Principal, Depends(allow(Role.ADMIN))],
    body: LinkIn,
) -> LinkOut:
    """A one-time console sign-in link for a party's operator (the admin hands it over).

    The link works once, for 12 hours, and only while this server runs; the operator
    token it signs in with is issued when it is opened."""
    if node.find_party(body.party) is None:
        raise NotFoundError("party", body.party)
    links: ConsoleLinks = request.app.state.console_links
    code = links.issue(body.party)
    return LinkOut(
        party=body.party,
        link=f"{str(request.base_url).rstrip('/')}/#signin={code}",
        expires_in_s=round(links.ttl_s),
    )


def console_dir() -> Path | None:
    """Where the built console is, or None when ``web/`` was not built."""
    built = Path(str(resources.files("airhotline.service") / "console_dist"))
    return built if (built / "index.html").is_file() else None


class _ConsoleFiles(StaticFiles):
    """The built files; the page itself is never cached (a new build must show at the
    next reload), the hashed assets for good."""

    def file_response(self, full_path, stat_result, scope: Scope, status_code=200):  # type: ignore[no-untyped-def]
        response = super().file_response(full_path, stat_result, scope, status_code)
        path = str(scope.get("path", ""))
        if path.startswith("/assets/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response


_NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>airhotline</title><body style="font-family:sans-serif;margin:3em">
<h1>airhotline</h1><p>The operator console has not been built on this machine.
Run <code>make setup</code> (it needs Node.js and npm), then reload this page.</p>
<p>The API answers meanwhile: <a href="/docs">/docs</a>.</p></body></html>"""


def mount_console(app: FastAPI) -> None:
    """Serve the console at ``/`` (after every API route), or say how to build it."""
    built = console_dir()
    if built is None:

        @app.get("/", include_in_schema=False)
        def not_built() -> HTMLResponse:
            return HTMLResponse(_NOT_BUILT, status_code=503)

        return
    app.mount("/", _ConsoleFiles(directory=built, html=True), name="console")
