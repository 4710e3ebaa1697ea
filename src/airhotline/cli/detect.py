"""``airhotline detect``: conflicts in a snapshot file.

NumPy, PyArrow and detection are imported inside the command, and the table is plain
aligned text: a Rich table of a few thousand conflicts takes seconds to lay out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airhotline.cli.common import fail as _fail
from airhotline.errors import AirhotlineError

if TYPE_CHECKING:
    from airhotline.files.conflict_table import ConflictRow

__all__ = ["detect"]

#: Beyond these the broad phase pairs nearly everything with everything: no real
#: minimum is wider, and an hour is longer than any tactical look-ahead.
MAX_H_SEP_NM = 100.0
MAX_V_SEP_FT = 10_000.0
MAX_LOOKAHEAD_S = 3_600.0


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
    from airhotline import units
    from airhotline.detect import detect_conflicts
    from airhotline.files.conflict_table import OUTPUT_SUFFIXES, conflict_rows, write_conflicts
    from airhotline.files.snapshot import read_snapshot

    if h_sep_nm <= 0.0 or v_sep_ft <= 0.0:
        raise _fail("--h-sep-nm, --v-sep-ft: minima must be positive")
    for option, value, most in (
        ("--h-sep-nm", h_sep_nm, MAX_H_SEP_NM),
        ("--v-sep-ft", v_sep_ft, MAX_V_SEP_FT),
        ("--lookahead-s", lookahead_s, MAX_LOOKAHEAD_S),
    ):
        if not value <= most:  # also refuses infinity
            raise _fail(f"{option}: at most {most:g}, got {value:g}")
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
            typer.echo(f"{len(rows)} conflicts written to {out}", err=True)
            return
    except AirhotlineError as error:
        raise _fail(f"{snapshot.name}: {error}") from None
    _print_table(rows, len(snap), lookahead_s)


#: Column headings, and which are text (left-aligned) rather than numbers.
HEADINGS = ("track A", "track B", "in s", "out s", "CPA s", "dCPA NM", "dz ft")
TEXT_COLUMNS = 2


def _print_table(rows: list[ConflictRow], tracks: int, lookahead_s: float) -> None:
    """A title, then one aligned line per conflict; losses of separation in bold red on a
    terminal (`typer.echo` drops the colour in a pipe)."""
    cells = [_cells(row) for row in rows]
    widths = [max([len(h), *(len(c[k]) for c in cells)]) for k, h in enumerate(HEADINGS)]
    lines = [
        f"{len(rows)} conflicts among {tracks} tracks, look-ahead {lookahead_s:g} s",
        _line(HEADINGS, widths),
        _line(tuple("-" * w for w in widths), widths),
    ]
    for row, values in zip(rows, cells, strict=True):
        text = _line(values, widths)
        lines.append(typer.style(text, fg="red", bold=True) if row["los"] else text)
    typer.echo("\n".join(lines))


def _cells(row: ConflictRow) -> tuple[str, ...]:
    return (
        f"{row['party_a']}/{row['track_a']}",
        f"{row['party_b']}/{row['track_b']}",
        "LoS" if row["los"] else f"{row['t_in_s']:.0f}",
        f"{row['t_out_s']:.0f}",
        f"{row['t_cpa_s']:.0f}",
        f"{row['dcpa_nm']:.2f}",
        f"{row['dz_cpa_ft']:.0f}",
    )


def _line(values: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(
        value.ljust(width) if k < TEXT_COLUMNS else value.rjust(width)
        for k, (value, width) in enumerate(zip(values, widths, strict=True))
    ).rstrip()
