"""The ``airhotline`` command line.

Errors the user can fix are one line on standard error and exit code 2, never a
traceback. Importing this package is cheap (Typer and the commands' signatures): each
command imports what it uses when it runs, so that ``airhotline --help`` starts at once.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click import exceptions as parser_errors  # Typer's own copy of Click's
from typer.core import TyperGroup

from airhotline import __version__
from airhotline.cli.admin import admin_token, agreement_app, party_app
from airhotline.cli.alerts import alerts
from airhotline.cli.debrief import debrief
from airhotline.cli.detect import detect
from airhotline.cli.feed import feed, replay
from airhotline.cli.messages import messages_app
from airhotline.cli.notices import notices_app
from airhotline.cli.serve import serve
from airhotline.cli.zones import exemptions_app, zones_app

if TYPE_CHECKING:
    from typer._click import Command, Context

__all__ = ["app", "main"]


class LazyGroup(TyperGroup):
    """A command group whose module is imported only when one of its commands is listed
    or run: ``airhotline.cli.journal`` imports the store (SQLAlchemy) at module level.

    Only ``help`` is known beforehand, for the root's list of commands.
    """

    def __init__(self, *, name: str, help: str, module: str, attribute: str) -> None:
        super().__init__(name=name, help=help, no_args_is_help=True)
        self._module = module
        self._attribute = attribute

    @cached_property
    def _group(self) -> TyperGroup:
        group = getattr(importlib.import_module(self._module), self._attribute)
        return typer.main.get_group(group)

    def list_commands(self, ctx: Context) -> list[str]:
        return self._group.list_commands(ctx)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        return self._group.get_command(ctx, cmd_name)


class RootGroup(TyperGroup):
    """The root command: Typer's commands, plus the groups loaded on use; and the
    parser's own refusals (an option out of its range, a missing argument) made one
    line like every other error, where Click would print the usage, a hint and the
    error on four."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        parse = partial(
            super().main,
            args,
            prog_name,
            complete_var,
            standalone_mode=False,
            windows_expand_args=windows_expand_args,
            **extra,
        )
        if not standalone_mode:
            return parse()
        try:
            code = parse()
        except parser_errors.NoArgsIsHelpError as error:  # a bare group: its help
            error.show()
            sys.exit(error.exit_code)
        except parser_errors.UsageError as error:
            where = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            typer.echo(f"airhotline: error: {error.format_message()}{where}", err=True)
            sys.exit(error.exit_code)
        except parser_errors.ClickException as error:
            typer.echo(f"airhotline: error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("airhotline: aborted", err=True)
            sys.exit(1)
        # Without standalone mode Click returns an Exit's code, or the command's value.
        sys.exit(code if isinstance(code, int) else 0)

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.add_command(
            LazyGroup(
                name="journal",
                help="The append-only, hash-chained journal.",
                module="airhotline.cli.journal",
                attribute="journal_app",
            )
        )
        self.add_command(
            LazyGroup(
                name="drill",
                help="Joint drills: scripted encounters on a simulated clock.",
                module="airhotline.cli.drill",
                attribute="drill_app",
            )
        )


app = typer.Typer(
    name="airhotline",
    cls=RootGroup,
    help="A deconfliction hotline for shared airspace.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Typer's Rich help imports rich.markdown and friends, 0.1 s per call.
    rich_markup_mode=None,
)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        # Eager: read before the parser asks for a command, which --version needs none of.
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """A deconfliction hotline for shared airspace."""


app.command()(detect)
app.command()(serve)
app.command("admin-token")(admin_token)
app.command()(alerts)
app.command()(debrief)
app.command()(feed)
app.command()(replay)
app.add_typer(party_app, name="party")
app.add_typer(agreement_app, name="agreement")
app.add_typer(messages_app, name="messages")
app.add_typer(notices_app, name="notices")
app.add_typer(zones_app, name="zones")
app.add_typer(exemptions_app, name="exemptions")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
