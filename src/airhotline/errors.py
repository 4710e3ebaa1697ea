"""Every exception airhotline raises on purpose, in one tree.

::

    AirhotlineError
    ├── InputError              bad input from outside; names the field and the reason
    │   └── SnapshotError       a snapshot file that cannot be used (CLI: exit code 2)
    ├── ConflictError           a write clashes with what is stored (a duplicate name)
    │   └── IdempotencyConflictError  an idempotency key reused with another request
    ├── NotFoundError           something asked for or referred to is not stored
    ├── QuotaError              a party over one of its quotas; retry after a while
    ├── JournalFormatError      a journal record this release cannot read
    └── StoreError              storage failed or is unusable (unreachable, commit failed)
        └── StoreClosedError    a write submitted to a store that is closed or closing

The core raises these; each edge maps them once to its own form — one line and exit
code 2 on the command line, problem+json over HTTP — keyed by base class. Nothing below
the service layer raises an HTTP error. The pure `detect` package raises plain
`ValueError` for broken preconditions, like NumPy does: input reaches it validated.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AirhotlineError",
    "ConflictError",
    "IdempotencyConflictError",
    "InputError",
    "JournalFormatError",
    "NotFoundError",
    "QuotaError",
    "SnapshotError",
    "StoreClosedError",
    "StoreError",
]


class AirhotlineError(Exception):
    """Base of every error airhotline raises deliberately."""


class InputError(AirhotlineError):
    """Input refused: ``field`` says where, ``reason`` says why, ``rows`` which records.

    ``rows`` are 1-based record numbers (the header of a file is not a record), kept
    short in the message so that one bad column in a million rows stays one line.
    """

    def __init__(self, field: str, reason: str, rows: Sequence[int] = ()) -> None:
        self.field = field
        self.reason = reason
        self.rows = tuple(rows)
        super().__init__(self._message())

    def location(self) -> str:
        """Where the problem is, as the edge that reports it names things."""
        return self.field

    def _message(self) -> str:
        where = self.location()
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = f" and {len(self.rows) - 5} more" if len(self.rows) > 5 else ""
            label = "row" if len(self.rows) == 1 else "rows"
            where += f"{', ' if where else ''}{label} {shown}{more}"
        return f"{where}: {self.reason}" if where else self.reason


class SnapshotError(InputError):
    """A snapshot file that cannot be read or does not hold valid states.

    ``field`` is a column name, or empty when the file as a whole is at fault.
    """

    def location(self) -> str:
        return f"column '{self.field}'" if self.field else ""


class ConflictError(AirhotlineError):
    """A write refused because it clashes with stored data (HTTP: 409).

    ``entity`` is what was being written (``"party"``), ``field`` the unique field at fault
    (``"name"``) and ``value`` the clashing value, when it is safe to repeat (never a
    secret such as a token hash).
    """

    def __init__(
        self, entity: str, field: str, value: object = None, *, message: str | None = None
    ) -> None:
        self.entity = entity
        self.field = field
        self.value = value
        shown = f" {value!r}" if value is not None else ""
        super().__init__(message or f"{entity} with {field}{shown} already exists")


class IdempotencyConflictError(ConflictError):
    """An idempotency key already answered a request with a different body.

    ``value`` is the key; ``field`` names the header that carried it.
    """

    def __init__(self, key: str) -> None:
        message = f"idempotency key {key!r} was already used with a different request body"
        super().__init__("request", "Idempotency-Key", key, message=message)


class NotFoundError(AirhotlineError):
    """A write refers to a stored thing that does not exist (HTTP: 404 or 422).

    ``entity`` names the kind of thing (``"party"``), ``key`` the identifier looked for.
    """

    def __init__(self, entity: str, key: object, *, field: str | None = None) -> None:
        self.entity = entity
        self.key = key
        #: The request field that named it, when that is not the entity itself.
        self.field = field or entity
        super().__init__(f"{entity} {key!r} does not exist")


class QuotaError(AirhotlineError):
    """A party over a quota (HTTP: 429 with Retry-After): ``quota`` names it, ``limit``
    is its value, ``retry_after_s`` when trying again may succeed."""

    def __init__(self, quota: str, limit: float, retry_after_s: float, detail: str) -> None:
        self.quota = quota
        self.limit = limit
        self.retry_after_s = retry_after_s
        super().__init__(detail)


class JournalFormatError(AirhotlineError):
    """A journal record of an unknown kind, a newer version, or a malformed payload.

    ``kind`` is the record's kind, ``reason`` what is wrong with it.
    """

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(f"journal record {kind!r}: {reason}")


class StoreError(AirhotlineError):
    """The storage failed or cannot be used: unreachable, a commit failed, a bad URL.

    Not the caller's fault (HTTP: 503). The underlying driver error, when there is one,
    is the ``__cause__``; the message never contains a password.
    """


class StoreClosedError(StoreError):
    """A write was submitted to a store that is closed or closing."""

    def __init__(self) -> None:
        super().__init__("the store is closed")
