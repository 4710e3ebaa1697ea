"""Snapshots: the states of many tracks at (about) one moment, read from CSV or Parquet.

Columns, in aviation units as everywhere at the edges: ``party, track_id, lat, lon,
alt_ft, gs_kt, track_deg, vrate_fpm`` and optionally ``time`` (UTC seconds, or ISO 8601;
a time without a zone is UTC). When times differ, every state is flown forward along its
geodesic to the latest time, so that detection compares aircraft at one instant.

Every value is checked before anything is computed; the first problem found becomes a
`SnapshotError` that names the column, the rows and the reason.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pa_csv

from airhotline import geo, units
from airhotline.bounds import ALT_FT_RANGE, LAT_RANGE, LON_RANGE
from airhotline.detect import DEFAULT_H_SEP_M, DEFAULT_V_SEP_M, TrackStates
from airhotline.errors import SnapshotError

__all__ = ["COLUMNS", "Snapshot", "read_snapshot"]

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]

#: Required columns, in the order they are checked.
COLUMNS = ("party", "track_id", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm")
NUMBER_COLUMNS = frozenset(COLUMNS[2:])


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Validated states at one instant, with the names detection does not need."""

    party_names: tuple[str, ...]
    party: StrArray
    track_id: StrArray
    time_s: float | None
    states: TrackStates

    def __len__(self) -> int:
        return len(self.states)


def read_snapshot(
    path: Path,
    *,
    h_sep_m: float = DEFAULT_H_SEP_M,
    v_sep_m: float = DEFAULT_V_SEP_M,
) -> Snapshot:
    """Read, check and normalise a snapshot file; raise `SnapshotError` if it is unusable."""
    table = _read_table(path)
    missing = [name for name in COLUMNS if name not in table.column_names]
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        raise SnapshotError("", f"missing column{'s' if len(missing) > 1 else ''} {names}")

    party = _text_column(table, "party")
    track_id = _text_column(table, "track_id")
    lat = _number_column(table, "lat")
    lon = _number_column(table, "lon")
    alt_ft = _number_column(table, "alt_ft")
    gs_kt = _number_column(table, "gs_kt")
    track_deg = _number_column(table, "track_deg")
    vrate_fpm = _number_column(table, "vrate_fpm")
    _check_range("lat", lat, *LAT_RANGE, "latitude outside [-90, 90]")
    _check_range("lon", lon, *LON_RANGE, "longitude outside [-180, 180]")
    _check_range("alt_ft", alt_ft, *ALT_FT_RANGE, "altitude outside [-2000, 100000] ft")
    _check_range("gs_kt", gs_kt, 0.0, np.inf, "ground speed cannot be negative")
    # 360 is north as operators write it, and a feed rounding 359.97 prints it too.
    _check_rows("track_deg", (track_deg < 0.0) | (track_deg > 360.0), "track outside [0, 360]")
    _check_unique(party, track_id)
    time_s = _time_column(table) if "time" in table.column_names else None

    lat_deg, lon_deg = lat, lon
    track_rad = units.rad_from_deg(track_deg)
    alt_m = units.m_from_ft(alt_ft)
    gs_mps = units.mps_from_kt(gs_kt)
    vrate_mps = units.mps_from_fpm(vrate_fpm)
    latest: float | None = None
    if time_s is not None and time_s.size:
        latest = float(time_s.max())
        behind = latest - time_s
        if np.any(behind > 0.0):
            lat_deg, lon_deg, track_rad = geo.geodesic_forward(lat, lon, track_rad, gs_mps * behind)
            alt_m = alt_m + vrate_mps * behind

    party_names, codes = np.unique(party, return_inverse=True)
    states = TrackStates.build(
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        alt_m=alt_m,
        gs_mps=gs_mps,
        track_rad=track_rad,
        vrate_mps=vrate_mps,
        party=codes.astype(np.int64),
        h_sep_m=h_sep_m,
        v_sep_m=v_sep_m,
    )
    return Snapshot(
        party_names=tuple(str(n) for n in party_names),
        party=party,
        track_id=track_id,
        time_s=latest,
        states=states,
    )


def _read_table(path: Path) -> pa.Table:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise SnapshotError("", f"cannot read '{path}': expected a .csv or .parquet file")
    if not path.is_file():
        raise SnapshotError("", f"cannot read '{path}': no such file")
    try:
        if suffix == ".csv":
            return _read_csv(path)
        import pyarrow.parquet as pq  # only for Parquet files

        # ParquetFile, not read_table: read_table goes through pyarrow.dataset, whose
        # import (pyarrow.compute with it) costs 80 ms for a one-file read.
        return pq.ParquetFile(path).read()
    except (pa.ArrowException, OSError, UnicodeDecodeError, csv.Error) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SnapshotError("", f"cannot read '{path}': {reason}") from None


def _read_csv(path: Path) -> pa.Table:
    """The number columns parsed by Arrow; should one value defeat its parser, everything
    is read again as text, so that the checks name that value's column and rows."""
    with path.open(newline="", encoding="utf-8") as stream:
        header = [name.strip() for name in next(csv.reader(stream), [])]
    typed = {name: pa.float64() if name in NUMBER_COLUMNS else pa.string() for name in header}
    try:
        return _read_csv_as(path, typed)
    except pa.ArrowInvalid:
        return _read_csv_as(path, dict.fromkeys(header, pa.string()))


def _read_csv_as(path: Path, column_types: dict[str, pa.DataType]) -> pa.Table:
    options = pa_csv.ConvertOptions(column_types=column_types, strings_can_be_null=True)
    return pa_csv.read_csv(path, convert_options=options)


def _check_unique(party: StrArray, track_id: StrArray) -> None:
    """Refuse a (party, track_id) that appears twice: which state would be the truth?"""
    # Track ids are mostly unique across parties too, and then so are the pairs: a set
    # of the ids says so in a sixth of the time of sorting the pairs' strings.
    if len(set(track_id.tolist())) == track_id.size:
        return
    keys = np.char.add(np.char.add(party, "\x1f"), track_id)
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    duplicated = counts[inverse] > 1
    if np.any(duplicated):
        first = int(np.flatnonzero(duplicated)[0])
        raise SnapshotError(
            "track_id",
            f"duplicated (party, track_id) ({str(party[first])!r}, {str(track_id[first])!r})",
            _rows(duplicated),
        )


def _rows(mask: npt.NDArray[np.bool_]) -> list[int]:
    return [int(r) + 1 for r in np.flatnonzero(mask)]


def _check_rows(name: str, bad: npt.NDArray[np.bool_], reason: str) -> None:
    if np.any(bad):
        raise SnapshotError(name, reason, _rows(bad))


def _check_range(name: str, values: FloatArray, low: float, high: float, reason: str) -> None:
    _check_rows(name, (values < low) | (values > high), reason)


def _null_check(table: pa.Table, name: str) -> pa.ChunkedArray:
    column = table.column(name)
    if column.null_count:
        _check_rows(
            name, np.asarray(column.is_null().to_numpy(zero_copy_only=False)), "missing value"
        )
    return column


def _text_column(table: pa.Table, name: str) -> StrArray:
    column = _null_check(table, name)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = _compute().cast(column, pa.string())  # track ids written as numbers
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.str_)
    values = np.char.strip(values)
    _check_rows(name, values == "", "missing value")
    return values


def _number_column(table: pa.Table, name: str) -> FloatArray:
    column = _null_check(table, name)
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        values = np.asarray(column.to_numpy(), dtype=np.float64)
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        values = _text_to_numbers(name, column)
    else:
        raise SnapshotError(name, f"expected numbers, found {column.type}")
    _check_rows(name, ~np.isfinite(values), "not a finite number")
    return values


def _text_to_numbers(name: str, column: pa.ChunkedArray) -> FloatArray:
    """Arrow's own parser first (10x faster than a list of Python strings); what it
    refuses (a typo, or padding Python would accept) takes the slow path that names rows."""
    try:
        return np.asarray(_compute().cast(column, pa.float64()).to_numpy(), dtype=np.float64)
    except pa.ArrowInvalid:
        return _parse_numbers(name, column.to_pylist())


def _compute() -> ModuleType:
    """``pyarrow.compute``, imported when a column needs a cast: its import alone costs
    about 50 ms, a twentieth of ``airhotline detect`` on 100 000 aircraft."""
    import importlib

    return importlib.import_module("pyarrow.compute")


def _parse_numbers(name: str, texts: Sequence[str]) -> FloatArray:
    try:
        return np.array(texts, dtype=np.float64)
    except ValueError:
        pass
    bad = []
    for row, text in enumerate(texts, start=1):
        try:
            float(text)
        except ValueError:
            bad.append(row)
    first = texts[bad[0] - 1]
    raise SnapshotError(name, f"not a number: {first!r}", bad)


def _time_column(table: pa.Table) -> FloatArray:
    column = _null_check(table, "time")
    if pa.types.is_timestamp(column.type):
        pc = _compute()
        seconds = pc.divide(pc.cast(pc.cast(column, pa.timestamp("us", "UTC")), pa.int64()), 1e6)
        return np.asarray(seconds.to_numpy(), dtype=np.float64)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return _number_column(table, "time")
    texts = column.to_pylist()
    try:
        values = np.array(texts, dtype=np.float64)
    except ValueError:
        values = np.array([_parse_iso(text, row) for row, text in enumerate(texts, 1)])
    _check_rows("time", ~np.isfinite(values), "not a finite time")
    return values


def _parse_iso(text: str, row: int) -> float:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SnapshotError(
            "time", f"not UTC seconds nor an ISO 8601 time: {text!r}", [row]
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
