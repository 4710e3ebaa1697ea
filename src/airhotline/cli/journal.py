"""``airhotline journal``: prove that the record was not changed.

A hash chain shows an edited row, but not a journal whose newest rows were cut off, or
edited with every later row rehashed. So keep the head elsewhere (``journal head`` prints
it as one token, ``SEQ:HASH``) and later check that the journal still extends it
(``journal verify --expect SEQ:HASH``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from airhotline.cli.common import USAGE_ERROR, DbOption, database_url, fail
from airhotline.errors import AirhotlineError
from airhotline.store import JournalHead, Store
from airhotline.store.audit import audit_access
from airhotline.store.journal import format_head, parse_head

__all__ = ["journal_app"]

journal_app = typer.Typer(help="The append-only, hash-chained journal.", no_args_is_help=True)
#: verify's exit code when the chain is broken (2 stays "you called it wrong").
BROKEN = 1

ExpectOption = Annotated[
    str | None,
    typer.Option(
        "--expect",
        metavar="SEQ:HASH",
        help="A head printed earlier by 'journal head': the journal must still hold that "
        "record with that hash (it may have grown since).",
        show_default=False,
    ),
]


def _open(db: str | None) -> Store:
    """The store at ``db``; a database that does not exist, or holds no journal, is an
    error, never created: checking a mistyped path must not report an intact journal."""
    try:
        return Store.open(database_url(db), create=False)
    except AirhotlineError as error:
        raise fail(f"--db: {error}") from None


def _expected(expect: str | None) -> JournalHead | None:
    if expect is None:
        return None
    try:
        return parse_head(expect)
    except ValueError as error:
        raise fail(f"--expect: {error}") from None


@journal_app.command("verify")
def verify(db: DbOption = None, expect: ExpectOption = None) -> None:
    """Recompute every hash of the chain and name the first broken row; check that it
    still holds the --expect head; then check that the parties, tokens and agreements
    tables and the idempotent answers hold exactly what the journal says."""
    expected = _expected(expect)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    store = _open(db)
    bar = Console(stderr=True)
    try:
        with Progress(
            TextColumn("verifying journal"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=bar,
            transient=True,
            # Off a terminal it would leave a blank line before the one-line verdict.
            disable=not bar.is_terminal,
        ) as progress:
            task = progress.add_task("verify", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = store.verify(expected=expected, progress=advance)
        if not result.ok:
            errors.print(
                f"airhotline: journal BROKEN at seq {result.first_bad_seq}: {result.reason}",
                markup=False,
            )
            raise typer.Exit(BROKEN)
        # The tables beside the journal, checked against an intact chain.
        access, answers = audit_access(store), store.audit_answers()
    finally:
        store.close()
    problems = [f"access tables differ from the journal: {p}" for p in access.problems]
    problems += [f"idempotency answers differ from the journal: {p}" for p in answers.problems]
    for problem in problems:
        errors.print(f"airhotline: {problem}", markup=False)
    if problems:
        raise typer.Exit(BROKEN)
    extends = f"; it extends {format_head(expected)}" if expected is not None else ""
    typer.echo(
        f"journal ok: {result.rows_checked} records, chain intact{extends}; "
        f"parties, tokens and agreements match its {access.records_replayed} access records; "
        f"{answers.answers_checked} idempotent answers match their records"
    )


@journal_app.command("head")
def head(db: DbOption = None) -> None:
    """Print the latest record as one token, SEQ:HASH: keep it elsewhere, and prove the
    past later with 'journal verify --expect SEQ:HASH'."""
    store = _open(db)
    try:
        latest = store.head()
    finally:
        store.close()
    typer.echo(format_head(latest))


assert USAGE_ERROR != BROKEN
