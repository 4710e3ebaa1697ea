"""Parties, credentials and agreements from the command line (straight to the database).

The node, its store and Rich are imported inside the commands: ``--help`` needs none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from airhotline.cli.common import DbOption, fail, open_database
from airhotline.errors import AirhotlineError

if TYPE_CHECKING:
    from airhotline.core.access import Minima
    from airhotline.core.node import HotlineNode

__all__ = ["admin_token", "agreement_app", "open_node", "party_app"]

#: Token ids are 64-bit database integers; a larger number names no token.
MAX_TOKEN_ID = 2**63 - 1

party_app = typer.Typer(help="Parties and their credentials.", no_args_is_help=True)
agreement_app = typer.Typer(help="What two parties share.", no_args_is_help=True)


@contextmanager
def open_node(db: str | None, *, create: bool = True) -> Iterator[HotlineNode]:
    """A node on the database for one command; errors become one line and exit 2.
    A command that only reads passes ``create=False``: a mistyped path creates nothing."""
    from airhotline.bootstrap import build_node

    node = open_database(db, partial(build_node, create=create))
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
    lang: Annotated[
        str, typer.Option("--lang", help="Reader's language: en, ru, ar, he or tr")
    ] = "en",
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
    from rich.console import Console
    from rich.table import Table

    with open_node(db, create=False) as node:
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
    from airhotline.core.access import Role

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
    if not 1 <= token_id <= MAX_TOKEN_ID:
        raise fail(f"TOKEN_ID: token ids run from 1 to {MAX_TOKEN_ID}, got {token_id}")
    with open_node(db) as node:
        node.revoke_token(token_id)
    typer.echo(f"token {token_id} revoked")


def admin_token(db: DbOption = None) -> None:
    """Issue an admin token (parties and agreements over the API)."""
    from airhotline.core.access import Role

    with open_node(db) as node:
        token_id, token = node.issue_token(None, Role.ADMIN)
    _print_tokens("admin token", [("-", "admin", token_id, token)])


@agreement_app.command("set")
def agreement_set(
    party_a: Annotated[str, typer.Argument(help="One party")],
    party_b: Annotated[str, typer.Argument(help="The other party")],
    mode: Annotated[str, typer.Option("--mode", help="conflicts-only or full")] = "conflicts-only",
    status: Annotated[str, typer.Option("--status", help="active or suspended")] = "active",
    h_sep_nm: Annotated[
        float | None, typer.Option("--h-sep-nm", help="The pair's horizontal minimum, NM")
    ] = None,
    v_sep_ft: Annotated[
        float | None, typer.Option("--v-sep-ft", help="The pair's vertical minimum, ft")
    ] = None,
    lookahead_s: Annotated[
        float | None, typer.Option("--lookahead-s", help="The pair's look-ahead, s")
    ] = None,
    db: DbOption = None,
) -> None:
    """Set what two parties share (symmetric), and the minima they agreed, if their own."""
    from airhotline.core.access import AgreementMode, AgreementStatus, Minima

    try:
        chosen_mode, chosen_status = AgreementMode(mode), AgreementStatus(status)
    except ValueError:
        raise fail("--mode must be conflicts-only or full; --status active or suspended") from None
    minima = Minima(h_sep_nm, v_sep_ft, lookahead_s)
    with open_node(db) as node:
        node.set_agreement(party_a, party_b, chosen_mode, chosen_status, minima)
    agreed = "" if minima.empty else f", minima {_minima_text(minima)}"
    typer.echo(f"agreement {party_a}–{party_b}: {mode}, {status}{agreed}")


def _minima_text(minima: Minima) -> str:
    return " / ".join(
        "default" if value is None else f"{value:g} {unit}"
        for value, unit in (
            (minima.h_sep_nm, "NM"),
            (minima.v_sep_ft, "ft"),
            (minima.lookahead_s, "s"),
        )
    )


@agreement_app.command("list")
def agreement_list(db: DbOption = None) -> None:
    """List agreements (pairs without one share conflicts only)."""
    from rich.console import Console
    from rich.table import Table

    with open_node(db, create=False) as node:
        table = Table("parties", "mode", "status", "minima (NM / ft / look-ahead)")
        for a, b, sharing in node.agreements_of(None):
            table.add_row(
                f"{a.name}–{b.name}",
                sharing.mode.value,
                sharing.status.value,
                "deployment's" if sharing.minima.empty else _minima_text(sharing.minima),
            )
        Console().print(table)
