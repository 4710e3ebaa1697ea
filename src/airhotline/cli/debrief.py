"""``airhotline debrief``: a report of a time window of operations, from the journal.

The store, the core and matplotlib are imported inside the command: ``--help`` needs
none of them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from airhotline.cli.common import DbOption, fail, open_database, time_us_of

__all__ = ["debrief"]


def debrief(
    start: Annotated[str, typer.Option("--from", help="Start of the window (ISO 8601, UTC).")],
    end: Annotated[str, typer.Option("--to", help="End of the window (ISO 8601, UTC).")],
    out: Annotated[Path, typer.Option("--out", help="The report to write (.html or .json).")],
    db: DbOption = None,
    party: Annotated[
        str | None, typer.Option("--party", help="Only what this party was allowed to see.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="The reader's language (default: the party's).")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="html or json")] = "html",
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write the report as PDF, beside the HTML.")
    ] = False,
    all_tracks: Annotated[
        bool,
        typer.Option(
            "--all-tracks",
            help="Draw every aircraft of the window, not only those of the encounters.",
        ),
    ] = False,
) -> None:
    """Write a debrief: alerts by tier and kind, each encounter's least separations,
    warning time and times to acknowledge, statistics per pair of parties, the plan
    view, separation charts, the hotline transcript, and the journal's verification."""
    if output not in ("html", "json"):
        raise fail("--format: must be html or json")
    start_us, end_us = time_us_of(start, "--from"), time_us_of(end, "--to")
    if end_us <= start_us:
        raise fail("--to: must be after --from")
    from airhotline.cli.common import database_url
    from airhotline.debrief import debrief_of_store
    from airhotline.debrief.report import write
    from airhotline.errors import AirhotlineError
    from airhotline.i18n import LANGUAGES
    from airhotline.store import Store

    if lang is not None and lang not in LANGUAGES:
        raise fail(f"--lang: one of {', '.join(LANGUAGES)}")
    store = open_database(db, partial(Store.open, create=False))
    try:
        data = debrief_of_store(
            store,
            start_us=start_us,
            end_us=end_us,
            party=party,
            lang=lang,
            all_tracks=all_tracks,
            url=database_url(db),
        )
    except AirhotlineError as error:
        raise fail(str(error)) from None
    finally:
        store.close()
    if pdf and output != "html":
        raise fail("--pdf: goes with --format html")
    try:
        write(data, str(out), fmt=output)
        if pdf:
            write(data, str(out.with_suffix(".pdf")), fmt="pdf")
    except OSError as error:
        raise fail(f"--out: {error.strerror or error}") from None
    verdict = "verified" if data.verified else "BROKEN"
    also = f" and {out.with_suffix('.pdf')}" if pdf else ""
    typer.echo(
        f"wrote {out}{also}: {len(data.alerts)} alerts, {len(data.messages)} messages;"
        f" journal {verdict} to record {data.head_seq}"
    )
