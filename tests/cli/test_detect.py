"""The `airhotline detect` command: outputs, and one clear line for every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from airhotline.cli import app
from airhotline.files.conflict_table import OUTPUT_COLUMNS

DEMO = Path(__file__).resolve().parents[2] / "src/airhotline/data/demo_snapshot.csv"
HEADER = "party,track_id,lat,lon,alt_ft,gs_kt,track_deg,vrate_fpm"
# Head-on at FL310, 20 NM apart (0.3333° of longitude at the equator ≈ 20.0 NM).
HEAD_ON = [
    "RED,R1,0.0,0.0,31000,450,90,0",
    "BLUE,B1,0.0,0.33333,31000,450,270,0",
]

runner = CliRunner()


def write_csv(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "snapshot.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_table_on_stdout_for_the_demo() -> None:
    code, out, _ = run("detect", str(DEMO))
    assert code == 0
    assert "conflicts among 40 tracks" in out
    assert "ALPHA/AF101" in out
    assert "BRAVO/BR202" in out


def test_json_output_keys_order_and_values(tmp_path: Path) -> None:
    snapshot = write_csv(tmp_path, HEAD_ON)
    out = tmp_path / "c.json"
    code, _, _ = run("detect", str(snapshot), "--out", str(out))
    assert code == 0
    rows = json.loads(out.read_text())
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == list(OUTPUT_COLUMNS)
    # ("BLUE", "B1") < ("RED", "R1"): the pair is spelt with BLUE first.
    assert (row["party_a"], row["track_a"], row["party_b"], row["track_b"]) == (
        "BLUE",
        "B1",
        "RED",
        "R1",
    )
    closing_kt = 900.0
    distance_nm = 0.33333 * 60.0 * 1.00069  # equatorial degree of longitude ≈ 60.04 NM
    assert row["t_in_s"] == pytest.approx((distance_nm - 3.0) / closing_kt * 3600, abs=0.5)
    assert row["t_cpa_s"] == pytest.approx(distance_nm / closing_kt * 3600, abs=0.5)
    assert row["dcpa_nm"] == pytest.approx(0.0, abs=0.01)
    assert row["los"] is False


def test_json_sorted_by_time_to_conflict(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    assert run("detect", str(DEMO), "--out", str(out))[0] == 0
    rows = json.loads(out.read_text())
    assert [r["t_in_s"] for r in rows] == sorted(r["t_in_s"] for r in rows)
    assert all((r["party_a"], r["track_a"]) < (r["party_b"], r["track_b"]) for r in rows)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tabular_outputs_have_the_same_rows_as_json(tmp_path: Path, suffix: str) -> None:
    as_json = tmp_path / "c.json"
    other = tmp_path / f"c{suffix}"
    assert run("detect", str(DEMO), "--out", str(as_json))[0] == 0
    assert run("detect", str(DEMO), "--out", str(other))[0] == 0
    table = pa_csv.read_csv(other) if suffix == ".csv" else pq.read_table(other)
    assert table.column_names == list(OUTPUT_COLUMNS)
    assert table.to_pylist() == json.loads(as_json.read_text())


def test_parquet_input_with_iso_times_is_extrapolated(tmp_path: Path) -> None:
    # Same head-on, but B1 reported 10 s earlier from 10 s × 450 kt further east.
    table = pa.table(
        {
            "time": ["2026-11-23T03:00:10Z", "2026-11-23T03:00:00+00:00"],
            "party": ["RED", "BLUE"],
            "track_id": ["R1", "B1"],
            "lat": [0.0, 0.0],
            "lon": [0.0, 0.33333 + 1.25 / 60.04],
            "alt_ft": [31000.0, 31000.0],
            "gs_kt": [450.0, 450.0],
            "track_deg": [90.0, 270.0],
            "vrate_fpm": [0.0, 0.0],
        }
    )
    path = tmp_path / "s.parquet"
    pq.write_table(table, path)
    out = tmp_path / "c.json"
    assert run("detect", str(path), "--out", str(out))[0] == 0
    (row,) = json.loads(out.read_text())
    distance_nm = 0.33333 * 60.0 * 1.00069
    assert row["t_cpa_s"] == pytest.approx(distance_nm / 900.0 * 3600, abs=0.5)


def test_options_change_minima_lookahead_and_pairs(tmp_path: Path) -> None:
    snapshot = write_csv(
        tmp_path,
        [
            *HEAD_ON,
            "RED,R2,0.0,0.0,31000,450,90,0",  # same place as R1, same party
        ],
    )
    out = tmp_path / "c.json"
    assert run("detect", str(snapshot), "--lookahead-s", "30", "--out", str(out))[0] == 0
    assert json.loads(out.read_text()) == []
    assert run("detect", str(snapshot), "--all-pairs", "--out", str(out))[0] == 0
    assert len(json.loads(out.read_text())) == 3  # R1/R2 formation joins the two head-ons
    assert run("detect", str(snapshot), "--h-sep-nm", "5", "--out", str(out))[0] == 0
    wide = json.loads(out.read_text())
    assert wide[0]["t_in_s"] == pytest.approx((20.0138 - 5.0) / 900.0 * 3600, abs=0.5)
    assert run("detect", str(snapshot), "--v-sep-ft", "1000", "--out", str(out))[0] == 0


BAD_INPUTS = [
    pytest.param(
        HEADER.replace(",gs_kt", ""),
        ["RED,R1,0.0,0.0,31000,90,0"],
        "missing column 'gs_kt'",
        id="missing-column",
    ),
    pytest.param(HEADER, ["RED,R1,0,0,31000,nan,90,0"], "column 'gs_kt', row 1", id="nan"),
    pytest.param(HEADER, ["RED,R1,0,0,31000,,90,0"], "missing value", id="empty"),
    pytest.param(HEADER, [HEAD_ON[0], "RED,R2,91,0,31000,450,90,0"], "row 2", id="lat"),
    pytest.param(HEADER, ["RED,R1,0,0,31000,-5,90,0"], "negative", id="negative-speed"),
    pytest.param(HEADER, ["RED,R1,0,0,31000,450,360.5,0"], "[0, 360]", id="track"),
    pytest.param(HEADER, ["RED,R1,0,0,abc,450,90,0"], "not a number: 'abc'", id="text"),
    pytest.param(HEADER, ["RED,R1,0,200,31000,450,90,0"], "longitude", id="lon"),
    pytest.param(HEADER, ["RED,R1,0,0,200000,450,90,0"], "altitude", id="altitude"),
    pytest.param(
        HEADER,
        [HEAD_ON[0], HEAD_ON[1], "RED,R1,1,1,31000,450,90,0"],
        "rows 1, 3: duplicated (party, track_id) ('RED', 'R1')",
        id="duplicate",
    ),
    pytest.param(
        "time," + HEADER, ["yesterday," + HEAD_ON[0]], "column 'time', row 1", id="bad-time"
    ),
]


@pytest.mark.parametrize(("header", "lines", "expected"), BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, header: str, lines: list[str], expected: str
) -> None:
    code, out, err = run("detect", str(write_csv(tmp_path, lines, header)))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("airhotline: error: snapshot.csv: ")
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda p: p / "absent.csv", "no such file", id="absent"),
        pytest.param(lambda p: p, "expected a .csv or .parquet file", id="directory"),
        pytest.param(lambda p: _binary(p / "x.parquet"), "cannot read", id="corrupt-parquet"),
        pytest.param(lambda p: _binary(p / "x.csv"), "cannot read", id="binary-csv"),
    ],
)
def test_unreadable_files(tmp_path: Path, make: object, expected: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, _, err = run("detect", str(path))
    assert code == 2
    assert err.count("\n") == 1, err
    assert expected in err


def _binary(path: Path) -> Path:
    path.write_bytes(b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n" * 20)
    return path


def test_unknown_output_format_is_refused_before_work(tmp_path: Path) -> None:
    code, _, err = run("detect", str(DEMO), "--out", str(tmp_path / "c.xlsx"))
    assert code == 2
    assert "--out: unknown output format '.xlsx'" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [("--lookahead-s", "inf"), ("--h-sep-nm", "1e9"), ("--v-sep-ft", "inf")],
)
def test_unbounded_options_are_one_line(option: str, value: str) -> None:
    code, out, err = run("detect", str(DEMO), option, value)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert f"{option}: at most" in err


def test_non_positive_minimum_is_refused() -> None:
    code, _, err = run("detect", str(DEMO), "--h-sep-nm", "0")
    assert code == 2
    assert "minima must be positive" in err


def test_padded_numbers_are_read_like_any_other(tmp_path: Path) -> None:
    # Arrow's number parser refuses padding; the text path behind it must not.
    padded = [HEAD_ON[0].replace(",450,", ", 450 ,"), HEAD_ON[1]]
    out = tmp_path / "c.json"
    assert run("detect", str(write_csv(tmp_path, padded)), "--out", str(out))[0] == 0
    assert len(json.loads(out.read_text())) == 1


def test_one_track_id_in_two_parties_is_two_tracks(tmp_path: Path) -> None:
    lines = [HEAD_ON[0], HEAD_ON[1].replace("BLUE,B1,", "BLUE,R1,")]
    out = tmp_path / "c.json"
    assert run("detect", str(write_csv(tmp_path, lines)), "--out", str(out))[0] == 0
    assert len(json.loads(out.read_text())) == 1


def test_a_track_of_360_is_north(tmp_path: Path) -> None:
    # Head-on along the meridian: north written as operators write it, then as 0.
    def conflicts(north: str) -> list[dict[str, object]]:
        lines = [f"RED,R1,0.0,0.0,31000,450,{north},0", "BLUE,B1,0.33333,0.0,31000,450,180,0"]
        out = tmp_path / f"north-{north}.json"
        assert run("detect", str(write_csv(tmp_path, lines)), "--out", str(out))[0] == 0
        return list(json.loads(out.read_text()))

    written_360 = conflicts("360")
    assert len(written_360) == 1
    assert written_360 == conflicts("0")


def test_a_large_conflict_table_is_one_line_per_conflict(tmp_path: Path) -> None:
    # 200 head-on pairs side by side, 0.1° of latitude (6 NM) apart.
    lines = []
    for k in range(200):
        lat = k * 0.1 - 10.0
        lines.append(f"RED,R{k},{lat:.1f},0.0,31000,450,90,0")
        lines.append(f"BLUE,B{k},{lat:.1f},0.33333,31000,450,270,0")
    code, out, _ = run("detect", str(write_csv(tmp_path, lines)))
    assert code == 0
    rows = out.splitlines()
    assert rows[0] == "200 conflicts among 400 tracks, look-ahead 300 s"
    assert " ".join(rows[1].split()) == "track A track B in s out s CPA s dCPA NM dz ft"
    assert len(rows) == 3 + 200
    assert all(len(row.split()) == 7 for row in rows[3:])
