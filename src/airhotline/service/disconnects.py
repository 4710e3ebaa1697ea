"""A client that hangs up before its request body is in: an ordinary event, not an error.

Starlette raises `ClientDisconnect` from a body read that meets the disconnect; FastAPI
turns it into a 400 when it reads the body for a model, and anything else into a 500
with two tracebacks (ours and uvicorn's). This middleware sits outside the routes and
their error handlers, logs one info line, and drops the answer nobody will read.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["READ_TIMED_OUT", "ClientGoneMiddleware"]

log = logging.getLogger("airhotline.service")

#: Set in a request's scope by the server when it cut the body off itself (too slow):
#: the server logged that already, so the disconnect it causes is only a debug line.
READ_TIMED_OUT = "airhotline.read_timed_out"


class ClientGoneMiddleware:
    """Pure ASGI; must wrap every layer that reads the body or maps errors."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0
        body_done = False
        gone_mid_body = False

        async def watching_receive() -> Message:
            nonlocal received, body_done, gone_mid_body
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
            elif message["type"] == "http.disconnect" and not body_done:
                gone_mid_body = True
            return message

        async def dropping_send(message: Message) -> None:
            if not gone_mid_body:  # once the client left, nobody reads the answer
                await send(message)

        try:
            await self.app(scope, watching_receive, dropping_send)
        except ClientDisconnect:
            gone_mid_body = True
        if gone_mid_body:
            level = logging.DEBUG if scope.get(READ_TIMED_OUT) else logging.INFO
            client = scope.get("client")
            log.log(
                level,
                "client disconnected before the end of its request body: %s %s from %s, "
                "%d bytes in",
                scope["method"],
                scope["path"],
                client[0] if client else "?",
                received,
            )
