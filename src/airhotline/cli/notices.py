"""``airhotline notices``: the parties' notices of dangerous activity, read from a node's
journal — what is announced, where, at which levels and when, and to whom.

The store and the core are imported inside the command: ``--help`` needs neither.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from airhotline.cli.common import DbOption, check_format, read_journal, report_table
from airhotline.clock import SystemClock

if TYPE_CHECKING:
    from airhotline.core.notices.model import Notice

__all__ = ["notices_app"]

notices_app = typer.Typer(help="Notices of dangerous activity.", no_args_is_help=True)


@notices_app.command("list")
def list_notices(
    db: DbOption = None,
    party: Annotated[
        str | None,
        typer.Option("--party", help="As this party sees them: its own and those it was told."),
    ] = None,
    active: Annotated[
        bool, typer.Option("--active", help="Only those neither cancelled nor over.")
    ] = False,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Every notice's latest version: who announced what, where, at which levels, when
    and to whom; whether it is in force, still to come, over or cancelled (on the
    system clock)."""
    check_format(output)
    from airhotline.core.notices.book import NOTICE_KINDS_JOURNALED, NoticeBook

    book = NoticeBook()
    parties, reader = read_journal(db, NOTICE_KINDS_JOURNALED, book, party)
    names = {p.id: p.name for p in parties}
    viewer = None if reader is None else reader.id
    now_us = SystemClock().now_us()
    rows = [
        _row(n, names, now_us)
        for n in book.notices()
        if n.shown_to(viewer) and (not active or _state(n, now_us) in ("in force", "upcoming"))
    ]
    if output == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    _print_notices(rows, party)


def _state(notice: Notice, now_us: int) -> str:
    if notice.cancelled_us is not None:
        return "cancelled"
    if now_us < notice.window.start_us:
        return "upcoming"
    return "over" if now_us >= notice.window.end_us else "in force"


def _row(notice: Notice, names: dict[int, str], now_us: int) -> dict[str, Any]:
    return {
        "id": notice.id,
        "version": notice.version,
        "party": notice.owner_name,
        "state": _state(notice, now_us),
        "short_notice": notice.short_notice,
        # Unless the owner named parties, every party with an agreement was told.
        "to": sorted(names.get(p, str(p)) for p in notice.recipients),
        "restricted": notice.restricted,
        **notice.spec(),
    }


def _print_notices(rows: list[dict[str, Any]], party: str | None) -> None:
    from rich.console import Console

    whose = f"as {party} sees them" if party else "every party's"
    table = report_table(f"{len(rows)} notices, {whose} — times UTC")
    # Two lines a notice, so that it fits a terminal's 80 columns.
    for header in ("notice", "activity", "window", "state", "told"):
        table.add_column(header, no_wrap=True)
    table.add_column("description", overflow="fold")
    for row in rows:
        window = row["window"]
        start, end = window["start"][:16].replace("T", " "), window["end"][:16].replace("T", " ")
        if start[:10] == end[:10]:
            end = end[11:]
        state = row["state"] + ("\nshort notice" if row["short_notice"] else "")
        style = {"in force": "bold", "upcoming": None}.get(row["state"], "dim")
        table.add_row(
            f"{row['id'][:8]} v{row['version']}\n{row['party']}",
            f"{row['kind']}\n{row['lower']}–{row['upper']}",
            f"{start}\n– {end}",
            state,
            "\n".join(row["to"]) or "-",
            row["description"] or "-",
            style=style,
        )
    Console().print(table)
