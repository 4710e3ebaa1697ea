"""Conflicts of a snapshot as rows for people and files, in aviation units.

One row per pair, named ``(party_a, track_a) < (party_b, track_b)`` so that a pair has
exactly one spelling, sorted by time to loss of separation — the order a controller
reads them in. Written as JSON (an array of objects), CSV or Parquet by file extension.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

import pyarrow as pa
import pyarrow.csv as pa_csv

from airhotline import units
from airhotline.detect import Conflicts
from airhotline.errors import InputError
from airhotline.files.snapshot import Snapshot

__all__ = ["OUTPUT_COLUMNS", "ConflictRow", "conflict_rows", "write_conflicts"]

OUTPUT_COLUMNS = (
    "party_a",
    "track_a",
    "party_b",
    "track_b",
    "t_in_s",
    "t_out_s",
    "t_cpa_s",
    "dcpa_nm",
    "dz_cpa_ft",
    "los",
)

OUTPUT_SUFFIXES = (".json", ".csv", ".parquet")


class ConflictRow(TypedDict):
    party_a: str
    track_a: str
    party_b: str
    track_b: str
    t_in_s: float
    t_out_s: float
    t_cpa_s: float
    dcpa_nm: float
    dz_cpa_ft: float
    los: bool


def conflict_rows(snapshot: Snapshot, conflicts: Conflicts) -> list[ConflictRow]:
    rows: list[ConflictRow] = []
    for k in range(len(conflicts)):
        a = (str(snapshot.party[conflicts.i[k]]), str(snapshot.track_id[conflicts.i[k]]))
        b = (str(snapshot.party[conflicts.j[k]]), str(snapshot.track_id[conflicts.j[k]]))
        first, second = (a, b) if a < b else (b, a)
        rows.append(
            ConflictRow(
                party_a=first[0],
                track_a=first[1],
                party_b=second[0],
                track_b=second[1],
                # Rounded to what a sensor can resolve, so files diff cleanly.
                t_in_s=round(float(conflicts.t_in_s[k]), 2),
                t_out_s=round(float(conflicts.t_out_s[k]), 2),
                t_cpa_s=round(float(conflicts.t_cpa_s[k]), 2),
                dcpa_nm=round(float(units.nm_from_m(conflicts.dcpa_m[k])), 4),
                dz_cpa_ft=round(float(units.ft_from_m(conflicts.dz_cpa_m[k])), 1),
                los=bool(conflicts.los[k]),
            )
        )
    rows.sort(key=lambda r: (r["t_in_s"], r["party_a"], r["track_a"], r["party_b"], r["track_b"]))
    return rows


def write_conflicts(rows: list[ConflictRow], path: Path) -> None:
    """Write rows to ``path``; the format follows the extension."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError("--out", f"unknown output format '{suffix}': use .json, .csv or .parquet")
    try:
        if suffix == ".json":
            path.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
            return
        table = pa.Table.from_pylist(list(rows), schema=_schema())
        if suffix == ".csv":
            pa_csv.write_csv(table, path)
        else:
            import pyarrow.parquet as pq  # only to write Parquet

            pq.write_table(table, path)
    except OSError as error:
        raise InputError("--out", f"cannot write '{path}': {error.strerror or error}") from None


def _schema() -> pa.Schema:
    text = ("party_a", "track_a", "party_b", "track_b")
    return pa.schema(
        [
            (name, pa.string() if name in text else pa.bool_() if name == "los" else pa.float64())
            for name in OUTPUT_COLUMNS
        ]
    )
