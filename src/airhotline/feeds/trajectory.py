"""Recorded trajectories to state reports: traffic's sample files, CSV and Parquet.

Two kinds of recording, told apart by their first bytes:

- **traffic's JSON** (``.json`` or gzip-compressed ``.json.gz``, as the ``traffic``
  library ships its samples): a pandas DataFrame written ``orient="records"``, one
  object per state with ``timestamp`` (UTC milliseconds), ``icao24``, ``latitude``,
  ``longitude``, ``altitude`` (barometric, ft; ``geoaltitude`` when it is missing),
  ``groundspeed`` (kt), ``track`` (degrees), ``vertical_rate`` (fpm), and optionally
  ``callsign``, ``flight_id`` (the track id when present, else the address) and
  ``typecode``.
- **CSV or Parquet with the snapshot columns** of ``airhotline detect``
  (`airhotline.files.snapshot.COLUMNS`: ``party, track_id, lat, lon, alt_ft, gs_kt,
  track_deg, vrate_fpm``) and a ``time`` column (UTC seconds, or ISO 8601; a time without
  a zone is UTC) — a snapshot taken again and again. A file without ``time`` is one
  snapshot, reported at ``received_us``. The party goes into each row as ``party``, for
  the feed client to route.

Rows come out in time order. Unlike ``airhotline detect``, which refuses a whole
snapshot for one bad value, a recording keeps its good rows: each bad one is counted
by reason and skipped.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from airhotline.feeds._registry import register
from airhotline.feeds._rejects import GARBLED, IGNORED, OUT_OF_RANGE, Rejections
from airhotline.feeds._rows import Row, clean_callsign, clean_icao24, make_row
from airhotline.files.snapshot import COLUMNS

__all__ = ["TrajectoryAssembler", "read_trajectory", "rows_of_records", "rows_of_table"]

_GZIP = b"\x1f\x8b"
_PARQUET = b"PAR1"
_MAX_TYPE = 8


def _number(value: object) -> float | None:
    """A finite float from a number or numeric text; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # track ids written as numbers
    return None


def _aircraft_type(value: object) -> str | None:
    text = _text(value)
    return text if text is not None and len(text) <= _MAX_TYPE and text.isprintable() else None


def _time_us(value: object) -> int | None:
    """UTC µs from seconds (a number or numeric text) or an ISO 8601 time."""
    seconds = _number(value)
    if seconds is None and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = moment.timestamp()
    if seconds is None or abs(seconds) > 1e11:
        return None
    return round(seconds * 1_000_000)


def rows_of_records(records: Iterable[object], rejections: Rejections) -> list[Row]:
    """Rows of traffic's records (dicts), in time order; bad records counted, skipped."""
    rows: list[Row] = []
    for record in records:
        if not isinstance(record, Mapping):
            rejections[GARBLED] += 1
            continue
        address = clean_icao24(record["icao24"]) if isinstance(record.get("icao24"), str) else None
        timestamp_ms = _number(record.get("timestamp"))
        alt_ft = _number(record.get("altitude"))
        if alt_ft is None:
            alt_ft = _number(record.get("geoaltitude"))
        values = (
            _number(record.get("latitude")),
            _number(record.get("longitude")),
            alt_ft,
            _number(record.get("groundspeed")),
            _number(record.get("track")),
            _number(record.get("vertical_rate")),
        )
        if address is None or timestamp_ms is None or abs(timestamp_ms) > 1e14:
            rejections[GARBLED] += 1
            continue
        if any(v is None for v in values):
            rejections[IGNORED] += 1  # a state with a gap (on the ground, lost): no report
            continue
        lat, lon, alt, gs, track, vrate = (float(v) for v in values if v is not None)
        callsign = record.get("callsign")
        row = make_row(
            _text(record.get("flight_id")) or address,
            round(timestamp_ms * 1_000),
            lat,
            lon,
            alt,
            gs,
            track,
            vrate,
            callsign=clean_callsign(callsign) if isinstance(callsign, str) else None,
            icao24=address,
            aircraft_type=_aircraft_type(record.get("typecode")),
        )
        if row is None:
            rejections[OUT_OF_RANGE] += 1
        else:
            rows.append(row)
    rows.sort(key=lambda row: row["time_us"])
    return rows


def rows_of_table(
    columns: Mapping[str, Sequence[object]], rejections: Rejections, default_us: int
) -> list[Row]:
    """Rows of a table with the snapshot columns (and ``time``), in time order."""
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        # Every row is unusable; a file with no row at all still counts once.
        rejections[GARBLED] += max(1, *(len(column) for column in columns.values()))
        return []
    times = columns.get("time")
    party, track_id = columns["party"], columns["track_id"]
    numbers = [columns[name] for name in COLUMNS[2:]]
    rows: list[Row] = []
    for index in range(len(track_id)):
        time_us = default_us if times is None else _time_us(times[index])
        owner, name = _text(party[index]), _text(track_id[index])
        values = [_number(column[index]) for column in numbers]
        if time_us is None or owner is None or name is None or None in values:
            rejections[GARBLED] += 1
            continue
        lat, lon, alt, gs, track, vrate = (float(v) for v in values if v is not None)
        row = make_row(name, time_us, lat, lon, alt, gs, track, vrate)
        if row is None:
            rejections[OUT_OF_RANGE] += 1
            continue
        row["party"] = owner
        rows.append(row)
    rows.sort(key=lambda row: row["time_us"])
    return rows


def _table_columns(data: bytes) -> dict[str, list[Any]]:
    """A CSV or Parquet file's columns as Python lists (every CSV value as text, so
    that one bad value costs its row, not the column)."""
    if data.startswith(_PARQUET):
        import pyarrow.parquet as pq

        table = pq.ParquetFile(io.BytesIO(data)).read()
    else:
        import pyarrow.csv as pa_csv

        header = data.split(b"\n", 1)[0].decode("utf-8").strip().split(",")
        options = pa_csv.ConvertOptions(
            column_types={name.strip(): pa.string() for name in header},
            strings_can_be_null=True,
        )
        table = pa_csv.read_csv(io.BytesIO(data), convert_options=options)
    return {name.strip(): table.column(name).to_pylist() for name in table.column_names}


@register("trajectory", "recorded trajectories: traffic's JSON(.gz), snapshot-column CSV/Parquet")
class TrajectoryAssembler:
    """Whole recordings in, their state reports out, in time order.

    ``feed`` takes the bytes of one whole file (a recording is not a stream: its rows
    must be sorted before any is sent). Stateless between calls but for the tally.

    **Thread-safety.** None (the tally is a plain Counter): one per reading thread.
    """

    def __init__(self) -> None:
        self.rejections = Rejections()
        self.messages = 0

    def feed(self, data: bytes, received_us: int) -> list[Row]:
        """The rows of the recording ``data``; ``received_us`` times a snapshot file
        without a ``time`` column."""
        before = self.rejections.total()
        rows = self._rows(data, received_us)
        self.messages += len(rows) + self.rejections.total() - before
        return rows

    def _rows(self, data: bytes, received_us: int) -> list[Row]:
        try:
            if data.startswith(_GZIP):
                data = gzip.decompress(data)
            if data.lstrip()[:1] in (b"[", b"{"):
                document = json.loads(data)
                records = document if isinstance(document, list) else [document]
                return rows_of_records(records, self.rejections)
            return rows_of_table(_table_columns(data), self.rejections, received_us)
        except (
            OSError,  # gzip's bad header
            EOFError,  # a truncated gzip stream
            zlib.error,
            ValueError,  # JSON that is not (UnicodeDecodeError is one too)
            RecursionError,  # JSON nested beyond Python's stack
            pa.ArrowException,  # a CSV or Parquet file pyarrow cannot read
        ):
            self.rejections[GARBLED] += 1
            return []


def read_trajectory(path: Path, received_us: int = 0) -> tuple[list[Row], Rejections]:
    """The rows of the recording at ``path`` and what was skipped."""
    assembler = TrajectoryAssembler()
    rows = assembler.feed(path.read_bytes(), received_us)
    return rows, assembler.rejections
