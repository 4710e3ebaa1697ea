"""``airhotline alerts``: the alerts of a node, read from its journal.

The store, the core and Rich are imported inside the command: ``--help`` needs none.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from airhotline.cli.common import DbOption, check_format, open_database, report_table, time_us_of
from airhotline.clock import iso_from_us

if TYPE_CHECKING:
    from airhotline.store import Store

__all__ = ["alerts"]

_TIER_STYLE = {"warning": "bold red", "caution": "yellow", "advisory": "cyan"}


def latest_states(store: Store) -> dict[str, dict[str, Any]]:
    """Each alert's last journaled state (every alert record carries the whole state)."""
    from airhotline.core.alerts import ALERT_KINDS

    return {
        str(record.payload["alert_id"]): dict(record.payload)
        for record in store.iter_records_after(0, kinds=ALERT_KINDS)
    }


def alerts(
    db: DbOption = None,
    active: Annotated[bool, typer.Option("--active", help="Only alerts not yet resolved.")] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Raised at or after (ISO 8601, UTC).")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List alerts: tier (! per escalation), tracks, acknowledgements, the separation
    actually reached."""
    check_format(output)
    since_us = time_us_of(since, "--since") if since else None
    from airhotline.store import Store

    store = open_database(db, partial(Store.open, create=False))
    try:
        states = list(latest_states(store).values())
    finally:
        store.close()
    chosen = [
        s
        for s in sorted(states, key=lambda s: (s["raised_us"], s["alert_id"]))
        if (not active or s["state"] == "active")
        and (since_us is None or s["raised_us"] >= since_us)
    ]
    if output == "json":
        typer.echo(json.dumps(chosen, indent=1, ensure_ascii=False))
        return
    _print_table(chosen)


def _print_table(chosen: list[dict[str, Any]]) -> None:
    from rich.console import Console

    table = report_table(f"{len(chosen)} alerts — times UTC, min = separation reached (NM, ft)")
    for header in ("id", "raised", "tier", "state", "tracks"):
        table.add_column(header, no_wrap=True, min_width=5)
    for header in ("min", "ft"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("acked", no_wrap=True, min_width=6)
    states_label = {"clear": "clear", "track-lost": "lost"}
    for s in chosen:
        a = s["tracks"][0]
        notice = s.get("notice")
        # An incursion's second line is the notice it is into.
        second = (
            f"{notice['party']}/notice {notice['notice_id']}"
            if notice
            else f"{s['tracks'][1]['party']}/{s['tracks'][1]['track_id']}"
        )
        min_h, min_v = s["min_h_sep_nm"], s["min_v_sep_ft"]
        escalated = "!" * int(s["escalation"])
        table.add_row(
            s["alert_id"][:8],
            iso_from_us(s["raised_us"])[11:19],
            s["tier"] + escalated,
            "ACTIVE" if s["state"] == "active" else states_label.get(s["resolution"], "closed"),
            f"{a['party']}/{a['track_id']}\n{second}",
            "-" if min_h is None else f"{min_h:.2f}",
            "-" if min_v is None else f"{min_v:.0f}",
            "\n".join(x["party"] for x in s["acknowledgements"]) or "-",
            style=_TIER_STYLE.get(s["tier"]) if s["state"] == "active" else "dim",
        )
    Console().print(table)
