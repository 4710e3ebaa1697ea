"""Every exception airhotline raises on purpose, in one tree.

::

    AirhotlineError
    └── InputError              bad input from outside; names the field and the reason
        └── SnapshotError       a snapshot file that cannot be used (CLI: exit code 2)

The core raises these; each edge maps them once to its own form — one line and exit
code 2 on the command line, problem+json over HTTP — keyed by base class. Nothing below
the service layer raises an HTTP error. The pure `detect` package raises plain
`ValueError` for broken preconditions, like NumPy does: input reaches it validated.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["AirhotlineError", "InputError", "SnapshotError"]


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
