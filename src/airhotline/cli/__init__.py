"""The ``airhotline`` command line.

Errors the user can fix are one line on standard error and exit code 2, never a
traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from airhotline import __version__
from airhotline.cli.admin import admin_token, agreement_app, party_app
from airhotline.cli.alerts import alerts
from airhotline.cli.detect import detect
from airhotline.cli.journal import journal_app
from airhotline.cli.serve import serve

__all__ = ["app", "main"]

app = typer.Typer(
    name="airhotline",
    help="A deconfliction hotline for shared airspace.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


app.command()(detect)
app.command()(serve)
app.command("admin-token")(admin_token)
app.command()(alerts)
app.add_typer(party_app, name="party")
app.add_typer(agreement_app, name="agreement")
app.add_typer(journal_app, name="journal")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
