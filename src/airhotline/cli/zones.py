"""``airhotline zones`` and ``airhotline exemptions``: the designated zones and the
cleared proximities, read from a node's journal.

The store and the core are imported inside the commands: ``--help`` needs neither.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from airhotline.cli.common import DbOption, check_format, fail, read_journal, report_table
from airhotline.clock import SystemClock, iso_from_us

if TYPE_CHECKING:
    from airhotline.core.exemptions import Exemption

__all__ = ["exemptions_app", "zones_app"]

zones_app = typer.Typer(help="Designated zones: their own minima.", no_args_is_help=True)
exemptions_app = typer.Typer(
    help="Cleared proximities: two tracks that fly close on purpose.", no_args_is_help=True
)

Format = Annotated[str, typer.Option("--format", help="table or json")]


@zones_app.command("list")
def list_zones(db: DbOption = None, output: Format = "table") -> None:
    """The zones in force: where, at which levels, their minima, and the parties of a
    joint activity not alerted against each other inside."""
    check_format(output)
    from airhotline.core.notices.zones import ZONE_KINDS, ZoneBook

    book = ZoneBook()
    read_journal(db, ZONE_KINDS, book)
    zones = book.zones()
    rows = [{"id": z.id, **z.spec()} for z in zones]
    if output == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    from rich.console import Console

    table = report_table(f"{len(rows)} zones")
    for header in ("zone", "levels", "minima", "quiet"):
        table.add_column(header, no_wrap=True)
    for row in rows:
        minima = " / ".join(
            "-" if v is None else f"{v:g} {unit}"
            for v, unit in ((row["h_sep_nm"], "NM"), (row["v_sep_ft"], "ft"))
        )
        table.add_row(
            f"{row['name']}\n{row['id'][:8]}",
            f"{row['lower']}–{row['upper']}",
            minima,
            "\n".join(row["quiet"]) or "-",
        )
    Console().print(table)


@zones_app.command("set")
def set_zone(
    file: Annotated[
        Path,
        typer.Argument(
            help="The zone, YAML or JSON: name, area (GeoJSON, or a circle), lower, upper,"
            " h_sep_nm, v_sep_ft, quiet (parties of a joint activity)."
        ),
    ],
    db: DbOption = None,
    zone_id: Annotated[
        str | None, typer.Option("--id", help="Change this zone instead of designating one.")
    ] = None,
) -> None:
    """Designate a zone, or change one (the admin's): a running node takes it within a
    cycle. The same body as ``POST /v1/zones``."""
    from airhotline.cli.admin import open_node
    from airhotline.files.yaml_file import YamlFileError, read_yaml

    try:
        body = read_yaml(file)
    except YamlFileError as error:
        raise fail(str(error)) from None
    if not isinstance(body, dict):
        raise fail(f"{file}: must hold one zone, a mapping of its fields")
    with open_node(db) as node:
        zone = node.set_zone(body, zone_id)
    typer.echo(f"zone {zone.id} {'changed' if zone_id else 'designated'}: {zone.name}")


@zones_app.command("remove")
def remove_zone(
    zone_id: Annotated[str, typer.Argument(help="The zone's id, as 'zones list' shows it.")],
    db: DbOption = None,
) -> None:
    """Remove a designated zone (the admin's)."""
    from airhotline.cli.admin import open_node

    with open_node(db, create=False) as node:
        node.remove_zone(zone_id)
    typer.echo(f"zone {zone_id} removed")


@exemptions_app.command("list")
def list_exemptions(
    db: DbOption = None,
    party: Annotated[
        str | None, typer.Option("--party", help="Only those this party is in.")
    ] = None,
    output: Format = "table",
) -> None:
    """Every cleared proximity: whose two tracks, its window, and whether it is
    proposed, in force, over or revoked (on the system clock)."""
    check_format(output)
    from airhotline.core.exemptions import EXEMPTION_KINDS, ExemptionBook

    book = ExemptionBook()
    read_journal(db, EXEMPTION_KINDS, book, party)
    everything = book.all()
    now_us = SystemClock().now_us()
    rows = [
        _exemption_row(e, now_us)
        for e in everything
        if party is None or party in (e.proposer_name, e.other_name)
    ]
    if output == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    from rich.console import Console

    table = report_table(f"{len(rows)} cleared proximities — times UTC")
    for header in ("id", "proposed by", "with", "window", "state"):
        table.add_column(header, no_wrap=True)
    for row in rows:
        start, end = row["window"]["start"][:16], row["window"]["end"][:16]
        table.add_row(
            row["id"][:8],
            f"{row['proposer']['party']}/{row['proposer']['track_id']}",
            f"{row['other']['party']}/{row['other']['track_id']}",
            f"{start.replace('T', ' ')}\n– {end.replace('T', ' ')}",
            row["state"],
        )
    Console().print(table)


def _exemption_row(exemption: Exemption, now_us: int) -> dict[str, Any]:
    window = exemption.window
    if exemption.revoked_us is not None:
        state = "revoked"
    elif now_us >= window.end_us:
        state = "over"
    elif exemption.accepted_us is None:
        state = "proposed"
    else:
        state = "in force" if now_us >= window.start_us else "accepted"
    return {
        "id": exemption.id,
        "proposer": {"party": exemption.proposer_name, "track_id": exemption.proposer[1]},
        "other": {"party": exemption.other_name, "track_id": exemption.other[1]},
        "window": window.spec(),
        "state": state,
        "accepted": None if exemption.accepted_us is None else iso_from_us(exemption.accepted_us),
        "revoked": None if exemption.revoked_us is None else iso_from_us(exemption.revoked_us),
    }
