"""Parties, credentials and agreements from the command line (straight to the database)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from airhotline.bootstrap import build_node
from airhotline.cli.common import DbOption, database_url, fail
from airhotline.core.access import AgreementMode, AgreementStatus, Role
from airhotline.core.node import HotlineNode
from airhotline.errors import AirhotlineError

__all__ = ["admin_token", "agreement_app", "open_node", "party_app"]

party_app = typer.Typer(help="Parties and their credentials.", no_args_is_help=True)
agreement_app = typer.Typer(help="What two parties share.", no_args_is_help=True)


@contextmanager
def open_node(db: str | None) -> Iterator[HotlineNode]:
    """A node on the database for one command; errors become one line and exit 2."""
    url = database_url(db)
    try:
        node = build_node(url)
    except AirhotlineError as error:
        raise fail(f"--db: {error}") from None
    try:
        yield node
    except AirhotlineError as error:
        raise fail(str(error)) from None
    finally:
        node.close()


def _print_tokens(title: str, rows: list[tuple[str, str, int, str]]) -> None:
    """Plain lines, never a table: a terminal too narrow must not cut a token that is
    shown only once."""
    typer.echo(title)
    for party, role, token_id, token in rows:
        typer.echo(f"  {party:<12} {role:<9} token id {token_id:<5} {token}")
    typer.echo("Tokens are shown once and stored only as hashes: keep them now.")


@party_app.command("add")
def party_add(
    name: Annotated[str, typer.Argument(help="Party name, e.g. ATLAS")],
    lang: Annotated[str, typer.Option("--lang", help="en, ru or ar")] = "en",
    db: DbOption = None,
) -> None:
    """Create a party and print its feed and operator tokens."""
    with open_node(db) as node:
        created = node.add_party(name, lang)
    _print_tokens(
        f"party {created.party.name} ({created.party.lang})",
        [(created.party.name, r.value, i, t) for r, (i, t) in created.tokens.items()],
    )


@party_app.command("list")
def party_list(db: DbOption = None) -> None:
    """List parties."""
    with open_node(db) as node:
        table = Table("party", "lang")
        for party in node.parties():
            table.add_row(party.name, party.lang)
        Console().print(table)


@party_app.command("token")
def party_token(
    name: Annotated[str, typer.Argument(help="Party name")],
    role: Annotated[str, typer.Option("--role", help="feed or operator")] = "operator",
    db: DbOption = None,
) -> None:
    """Issue another token for a party's role."""
    if role not in (Role.FEED.value, Role.OPERATOR.value):
        raise fail("--role: must be feed or operator")
    with open_node(db) as node:
        token_id, token = node.issue_token(name, Role(role))
    _print_tokens(f"new {role} token", [(name, role, token_id, token)])


@party_app.command("revoke-token")
def party_revoke_token(
    token_id: Annotated[int, typer.Argument(help="Token id, as printed when issued")],
    db: DbOption = None,
) -> None:
    """Revoke a token: it stops working at once (within one cycle on a running node)."""
    with open_node(db) as node:
        node.revoke_token(token_id)
    Console().print(f"token {token_id} revoked")


def admin_token(db: DbOption = None) -> None:
    """Issue an admin token (parties and agreements over the API)."""
    with open_node(db) as node:
        token_id, token = node.issue_token(None, Role.ADMIN)
    _print_tokens("admin token", [("-", "admin", token_id, token)])


@agreement_app.command("set")
def agreement_set(
    party_a: Annotated[str, typer.Argument(help="One party")],
    party_b: Annotated[str, typer.Argument(help="The other party")],
    mode: Annotated[str, typer.Option("--mode", help="conflicts-only or full")] = "conflicts-only",
    status: Annotated[str, typer.Option("--status", help="active or suspended")] = "active",
    db: DbOption = None,
) -> None:
    """Set what two parties share (symmetric)."""
    try:
        chosen_mode, chosen_status = AgreementMode(mode), AgreementStatus(status)
    except ValueError:
        raise fail("--mode must be conflicts-only or full; --status active or suspended") from None
    with open_node(db) as node:
        node.set_agreement(party_a, party_b, chosen_mode, chosen_status)
    Console().print(f"agreement {party_a}–{party_b}: {mode}, {status}")


@agreement_app.command("list")
def agreement_list(db: DbOption = None) -> None:
    """List agreements (pairs without one share conflicts only)."""
    with open_node(db) as node:
        table = Table("parties", "mode", "status")
        for a, b, sharing in node.agreements_of(None):
            table.add_row(f"{a.name}–{b.name}", sharing.mode.value, sharing.status.value)
        Console().print(table)
