"""``airhotline detect``: conflicts in a snapshot file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from airhotline import units
from airhotline.cli.common import fail as _fail
from airhotline.detect import detect_conflicts
from airhotline.errors import AirhotlineError
from airhotline.files.conflict_table import (
    OUTPUT_SUFFIXES,
    ConflictRow,
    conflict_rows,
    write_conflicts,
)

__all__ = ["detect"]


def detect(
    snapshot: Annotated[
        Path, typer.Argument(help="CSV or Parquet: party, track_id, lat, lon, alt_ft, ...")
    ],
    h_sep_nm: Annotated[
        float, typer.Option("--h-sep-nm", min=0.0, help="Horizontal minimum, NM.")
    ] = 3.0,
    v_sep_ft: Annotated[
        float, typer.Option("--v-sep-ft", min=0.0, help="Vertical minimum, ft.")
    ] = 1000.0,
    lookahead_s: Annotated[
        float, typer.Option("--lookahead-s", min=0.0, help="Look-ahead, seconds.")
    ] = 300.0,
    all_pairs: Annotated[
        bool, typer.Option("--all-pairs", help="Also pairs of the same party.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write .json, .csv or .parquet instead.")
    ] = None,
) -> None:
    """Predict conflicts between the tracks of a snapshot."""
    from airhotline.files.snapshot import read_snapshot

    if h_sep_nm <= 0.0 or v_sep_ft <= 0.0:
        raise _fail("--h-sep-nm, --v-sep-ft: minima must be positive")
    if out is not None and out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise _fail(f"--out: unknown output format '{out.suffix}': use .json, .csv or .parquet")
    try:
        snap = read_snapshot(
            snapshot, h_sep_m=units.m_from_nm(h_sep_nm), v_sep_m=units.m_from_ft(v_sep_ft)
        )
        conflicts = detect_conflicts(
            snap.states, lookahead_s=lookahead_s, pairs="all" if all_pairs else "cross-party"
        )
        rows = conflict_rows(snap, conflicts)
        if out is not None:
            write_conflicts(rows, out)
            Console(stderr=True).print(f"{len(rows)} conflicts written to {out}")
            return
    except AirhotlineError as error:
        raise _fail(f"{snapshot.name}: {error}") from None
    _print_table(rows, len(snap), lookahead_s)


def _print_table(rows: list[ConflictRow], tracks: int, lookahead_s: float) -> None:
    console = Console()
    title = f"{len(rows)} conflicts among {tracks} tracks, look-ahead {lookahead_s:g} s"
    table = Table(title=title, title_justify="left")
    table.add_column("track A", no_wrap=True)
    table.add_column("track B", no_wrap=True)
    for header in ("in s", "out s", "CPA s", "dCPA NM", "dz ft"):
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        style = "bold red" if row["los"] else None
        table.add_row(
            f"{row['party_a']}/{row['track_a']}",
            f"{row['party_b']}/{row['track_b']}",
            "LoS" if row["los"] else f"{row['t_in_s']:.0f}",
            f"{row['t_out_s']:.0f}",
            f"{row['t_cpa_s']:.0f}",
            f"{row['dcpa_nm']:.2f}",
            f"{row['dz_cpa_ft']:.0f}",
            style=style,
        )
    console.print(table)
