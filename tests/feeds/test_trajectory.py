"""Recorded trajectories to reports: traffic's samples, and CSV/Parquet files with the
snapshot columns of ``airhotline detect``."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.feeds.samples import SAMPLES, trajectory_records
from tests.feeds.test_rows import validates

from airhotline.feeds.trajectory import TrajectoryAssembler, read_trajectory
from airhotline.files.snapshot import COLUMNS, read_snapshot

T0 = 1_700_000_000_000_000


@pytest.mark.parametrize("name", ["firefighting/calfire", "collections/switzerland"])
def test_traffics_samples_become_their_reports(name: str) -> None:
    rows, rejections = read_trajectory(SAMPLES / f"{name}.json.gz")
    records = trajectory_records(name)
    assert len(rows) + rejections.total() == len(records)
    assert len(rows) > 0.99 * len(records)
    assert [r["time_us"] for r in rows] == sorted(r["time_us"] for r in rows)
    by_key = {(r.get("flight_id") or r["icao24"], r["timestamp"]): r for r in records}
    for row in rows[:: max(1, len(rows) // 2_000)]:
        validates(dict(row))
        record = by_key[(row["track_id"], row["time_us"] // 1000)]
        assert (row["lat"], row["lon"], row["alt_ft"]) == (
            record["latitude"],
            record["longitude"],
            record["altitude"],
        )
        assert (row["gs_kt"], row["track_deg"], row["vrate_fpm"]) == (
            record["groundspeed"],
            record["track"],
            record["vertical_rate"],
        )
        assert row["icao24"] == record["icao24"]


def test_calfires_flights_keep_their_ids_and_callsigns() -> None:
    rows, _ = read_trajectory(SAMPLES / "firefighting" / "calfire.json.gz")
    ids = {r["track_id"] for r in rows}
    assert "N342WN_014" in ids
    assert len(ids) == len({r["flight_id"] for r in trajectory_records("firefighting/calfire")})
    assert {r.get("callsign") for r in rows if r["track_id"] == "N342WN_014"} == {"N342WN"}


def snapshot_table(rows: list[dict[str, object]]) -> pa.Table:
    """The reports as a table with the snapshot columns and a time, a party by callsign."""
    return pa.table(
        {
            "party": [str(r.get("callsign") or "none")[:3] for r in rows],
            "track_id": [r["track_id"] for r in rows],
            "lat": [r["lat"] for r in rows],
            "lon": [r["lon"] for r in rows],
            "alt_ft": [r["alt_ft"] for r in rows],
            "gs_kt": [r["gs_kt"] for r in rows],
            "track_deg": [r["track_deg"] for r in rows],
            "vrate_fpm": [r["vrate_fpm"] for r in rows],
            "time": [int(r["time_us"]) / 1e6 for r in rows],  # type: ignore[call-overload]
        }
    )


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_real_recording_written_with_the_snapshot_columns_reads_back(
    tmp_path: Path, kind: str
) -> None:
    recorded, _ = read_trajectory(SAMPLES / "firefighting" / "calfire.json.gz")
    table = snapshot_table([dict(r) for r in recorded[:3_000]])
    path = tmp_path / f"calfire.{kind}"
    if kind == "csv":
        import pyarrow.csv as pa_csv

        pa_csv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    rows, rejections = read_trajectory(path)
    assert not rejections
    assert len(rows) == 3_000
    for row, original in zip(rows, recorded[:3_000], strict=True):
        party = row.pop("party")
        assert party == str(original.get("callsign") or "none")[:3]
        assert row == {k: v for k, v in original.items() if k not in ("callsign", "icao24")}


def test_a_snapshot_reads_as_airhotline_detect_reads_it(tmp_path: Path) -> None:
    """One state per track and no time: the same file `read_snapshot` takes, reported at
    the time given."""
    recorded, _ = read_trajectory(SAMPLES / "firefighting" / "calfire.json.gz")
    latest = {r["track_id"]: r for r in recorded}
    table = snapshot_table([dict(r) for r in latest.values()]).drop_columns(["time"])
    path = tmp_path / "snapshot.csv"
    import pyarrow.csv as pa_csv

    pa_csv.write_csv(table, path)
    rows, rejections = read_trajectory(path, received_us=T0)
    snapshot = read_snapshot(path)
    assert not rejections
    assert len(rows) == len(snapshot) == len(latest)
    assert [r["track_id"] for r in rows] == snapshot.track_id.tolist()
    assert [r["lat"] for r in rows] == snapshot.states.lat_deg.tolist()
    assert {r["time_us"] for r in rows} == {T0}


def test_bad_rows_are_counted_and_skipped() -> None:
    header = ",".join((*COLUMNS, "time"))
    data = "\n".join(
        [
            header,
            "a,t1,45,7,1000,100,90,0,1700000000",
            "a,t2,95,7,1000,100,90,0,1700000000",  # latitude beyond the pole
            "a,t3,45,7,high,100,90,0,1700000000",  # text for a number
            "a,t4,45,7,1000,100,90,0,2023-11-14T22:13:20",  # ISO, read as UTC
            "a,,45,7,1000,100,90,0,1700000000",  # no track id
            "b,t5,45,7,1000,100,90,0,yesterday",
        ]
    ).encode()
    assembler = TrajectoryAssembler()
    rows = assembler.feed(data, T0)
    # 2023-11-14T22:13:20 is T0 to the second: both at T0, in file order.
    assert [(r["party"], r["track_id"], r["time_us"]) for r in rows] == [
        ("a", "t1", T0),
        ("a", "t4", T0),
    ]
    assert dict(assembler.rejections) == {"out-of-range": 1, "garbled": 3}


def test_a_file_without_the_columns_or_not_a_file_at_all() -> None:
    assembler = TrajectoryAssembler()
    assert assembler.feed(b"party,track_id\na,b\n", T0) == []
    assert assembler.feed(gzip.compress(b"[1, {}]"), T0) == []
    assert assembler.feed(b"\x1f\x8bnot gzip", T0) == []
    assert assembler.feed(b"PAR1 not parquet", T0) == []
    assert dict(assembler.rejections) == {"garbled": 5}


def test_records_with_gaps_are_skipped_as_carrying_no_state() -> None:
    record = dict(trajectory_records("firefighting/calfire")[0])
    gap = {**record, "groundspeed": None}
    no_baro = {**record, "altitude": None}
    assembler = TrajectoryAssembler()
    rows = assembler.feed(json.dumps([record, gap, no_baro]).encode(), T0)
    assert [r["alt_ft"] for r in rows] == [record["altitude"], record["geoaltitude"]]
    assert dict(assembler.rejections) == {"ignored": 1}


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    for prefix in (b"", b"\x1f\x8b", b"PAR1", ",".join(COLUMNS).encode() + b"\n"):
        for row in TrajectoryAssembler().feed(prefix + data, T0):
            validates(dict(row))


RECORD_KEYS = st.sampled_from(
    (
        *("timestamp", "icao24", "latitude", "longitude", "altitude", "geoaltitude"),
        *("groundspeed", "track", "vertical_rate", "callsign", "flight_id", "typecode"),
    )
)
values = st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=12)


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.lists(st.dictionaries(RECORD_KEYS, values), max_size=5))
def test_arbitrary_records_never_raise(records: list[dict[str, object]]) -> None:
    base = trajectory_records("firefighting/calfire")[0]
    body = json.dumps([{**base, **record} for record in records]).encode()
    for row in TrajectoryAssembler().feed(body, T0):
        validates(dict(row))


def test_parquet_in_memory() -> None:
    table = pa.table({name: ["x"] for name in COLUMNS})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    assembler = TrajectoryAssembler()
    assert assembler.feed(sink.getvalue(), T0) == []
    assert dict(assembler.rejections) == {"garbled": 1}
