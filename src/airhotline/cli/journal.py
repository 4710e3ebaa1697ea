"""``airhotline journal``: prove that the record was not changed."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from airhotline.cli.common import USAGE_ERROR, DbOption, database_url, fail
from airhotline.errors import AirhotlineError
from airhotline.store import Store
from airhotline.store.audit import audit_access

__all__ = ["journal_app"]

journal_app = typer.Typer(help="The append-only, hash-chained journal.", no_args_is_help=True)
#: verify's exit code when the chain is broken (2 stays "you called it wrong").
BROKEN = 1


def _open(db: str | None) -> Store:
    try:
        return Store.open(database_url(db))
    except AirhotlineError as error:
        raise fail(f"--db: {error}") from None


@journal_app.command("verify")
def verify(db: DbOption = None) -> None:
    """Recompute every hash of the chain and name the first broken row; then check that
    the parties, tokens and agreements tables hold exactly what the journal says."""
    store = _open(db)
    try:
        with Progress(
            TextColumn("verifying journal"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as progress:
            task = progress.add_task("verify", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = store.verify(progress=advance)
        access = audit_access(store) if result.ok else None
    finally:
        store.close()
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    if not result.ok:
        errors.print(
            f"airhotline: journal BROKEN at seq {result.first_bad_seq}: {result.reason}",
            markup=False,
        )
        raise typer.Exit(BROKEN)
    assert access is not None
    if not access.ok:
        for problem in access.problems:
            errors.print(
                f"airhotline: access tables differ from the journal: {problem}", markup=False
            )
        raise typer.Exit(BROKEN)
    typer.echo(
        f"journal ok: {result.rows_checked} records, chain intact; "
        f"parties, tokens and agreements match its {access.records_replayed} access records"
    )


@journal_app.command("head")
def head(db: DbOption = None) -> None:
    """Print the latest sequence number and hash: keep it to prove the past later."""
    store = _open(db)
    try:
        latest = store.head()
    finally:
        store.close()
    typer.echo(f"{latest.seq} {latest.hash}")


assert USAGE_ERROR != BROKEN
