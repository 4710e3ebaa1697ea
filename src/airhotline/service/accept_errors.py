"""The event loop's error handler, made quiet about failing accept() calls.

When accept() fails for want of a resource (EMFILE: no file descriptor left), asyncio
logs a traceback and retries up to the listen backlog (2048 under uvicorn) at every
wake-up of the listening socket: thousands of tracebacks a second. This handler logs
such a failure once per interval, without a traceback; every other error goes to the
loop's default handler as before.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import Callable
from typing import Any

from airhotline.service.throttled_log import ThrottledLog

__all__ = ["AcceptErrorLog"]

log = logging.getLogger("airhotline.service")

#: The errors for which asyncio backs off and retries accept() (selector_events.py).
_OUT_OF_RESOURCE = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class AcceptErrorLog:
    """A loop exception handler: ``loop.set_exception_handler(AcceptErrorLog(...))``."""

    def __init__(self, *, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._log = ThrottledLog(log, interval_s=interval_s, clock=clock)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if (
            isinstance(error, OSError)
            and error.errno in _OUT_OF_RESOURCE
            and "accept" in str(context.get("message", ""))
        ):
            self._log.event(
                "accept", logging.ERROR, f"cannot accept connections, retrying: {error}"
            )
            return
        loop.default_exception_handler(context)
