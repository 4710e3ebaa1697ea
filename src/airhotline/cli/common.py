"""What every command shares: the one-line error, the database option, reading a
journal into a book, times and formats given as options, and the tables.

Cheap to import on purpose: every command imports it, ``airhotline --help`` too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Protocol, TypeVar

import typer

from airhotline.errors import AirhotlineError

if TYPE_CHECKING:
    from rich.table import Table

    from airhotline.core.records import PartyRow, Record

__all__ = [
    "DEFAULT_DB_URL",
    "USAGE_ERROR",
    "DbOption",
    "Fold",
    "check_format",
    "database_url",
    "fail",
    "open_database",
    "read_journal",
    "report_table",
    "time_us_of",
]

T = TypeVar("T")

USAGE_ERROR = 2
#: The embedded default: a SQLite file under ./var, created on first use.
DEFAULT_DB_URL = "sqlite:///var/airhotline.db"
DB_ENV = "AIRHOTLINE_DB"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///path or postgresql+psycopg://...). "
        f"Default: ${DB_ENV} or {DEFAULT_DB_URL}",
        show_default=False,
    ),
]


def database_url(option: str | None) -> str:
    """The URL chosen by ``--db``, else ``$AIRHOTLINE_DB``, else the default.

    An empty one is refused rather than skipped: ``--db "$UNSET_VARIABLE"`` must not
    quietly open (and create) the default database.
    """
    for name, value in (("--db", option), (DB_ENV, os.environ.get(DB_ENV))):
        if value is not None:
            if not value.strip():
                raise fail(f"{name}: must not be empty; give a database URL")
            return value
    return DEFAULT_DB_URL


def open_database(db: str | None, opener: Callable[[str], T]) -> T:
    """``opener(url)`` on the chosen database; one that cannot be opened is one line."""
    url = database_url(db)
    try:
        return opener(url)
    except AirhotlineError as error:
        raise fail(f"--db: {error}") from None
    except OSError as error:
        # Creating the SQLite file's folder can fail (a read-only or missing parent).
        where = f" '{error.filename}'" if error.filename else ""
        raise fail(f"--db: cannot open {url}: {error.strerror or error}{where}") from None


def fail(message: str) -> typer.Exit:
    """Print one line on standard error; the caller raises the returned Exit (code 2)."""
    typer.echo(f"airhotline: error: {message}", err=True)
    return typer.Exit(USAGE_ERROR)


def time_us_of(text: str, option: str) -> int:
    """An ISO 8601 time (UTC unless it says otherwise) in µs; one line naming ``option``
    if it is none."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"{option}: not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1_000_000)


def report_table(title: str) -> Table:
    """The commands' tables: a plain head rule, the title on the left, one space between
    columns — as a terminal a duty officer reads from shows it. Rich is imported here,
    not with the module."""
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )


def check_format(output: str) -> None:
    """A listing's ``--format``: table or json, else one line."""
    if output not in ("table", "json"):
        raise fail("--format: must be table or json")


class Fold(Protocol):
    """A book folded from journal records (the messages', the notices', the zones')."""

    def apply(self, records: Sequence[Record]) -> object: ...


def read_journal(
    db: str | None, kinds: Collection[str], book: Fold, party: str | None = None
) -> tuple[list[PartyRow], PartyRow | None]:
    """Fold the journal's records of ``kinds`` into ``book``, the store opened only to
    read; the parties, and the one ``party`` (an option's value) names — refused in one
    line when it names none."""
    from airhotline.store import Store

    store = open_database(db, partial(Store.open, create=False))
    try:
        parties = store.parties()
        reader = None
        if party is not None:
            reader = next((p for p in parties if p.name == party), None)
            if reader is None:
                known = ", ".join(sorted(p.name for p in parties)) or "none yet"
                raise fail(f"--party: no party named {party!r} (parties: {known})")
        book.apply(list(store.iter_records_after(0, kinds=kinds)))
    finally:
        store.close()
    return parties, reader
