"""``airhotline journal head`` and ``verify --expect``: a kept head proves the past.

A hash chain shows an edited row, but not a journal whose newest rows were cut off or
rewritten and rehashed: what is left is a shorter, intact chain. A head kept elsewhere
(``journal head`` prints it as one token) catches both; so do the idempotent answers,
each of which names the record it acknowledged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool
from tests.forgery import REWRITE_ROW, rehashed
from typer.testing import CliRunner

from airhotline.bootstrap import build_node
from airhotline.cli import app
from airhotline.clock import SimulatedClock
from airhotline.core.reports import ReportBatch
from airhotline.store import Store

runner = CliRunner()
HEAD = re.compile(r"([0-9]+):([0-9a-f]{64})\n")
T0 = 1_700_000_000_000_000


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def sql(url: str, statement: str, **params: object) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), params)
    finally:
        engine.dispose()


def head_of(db: str) -> str:
    code, out, err = run("journal", "head", "--db", db)
    assert code == 0, err
    assert HEAD.fullmatch(out), out
    return out.strip()


@pytest.fixture
def db(database_url: str) -> str:
    """Two parties and three batches of ATLAS, each under an Idempotency-Key: seq 1-5."""
    clock = SimulatedClock(T0)
    node = build_node(database_url, clock=clock)
    try:
        atlas = node.add_party("ATLAS", "en").party.id
        node.add_party("BOREAS", "ru")
        for i in range(3):
            row = {"track_id": "A1", "time_us": clock.now_us(), "lat": 1.0 * i, "lon": 0.0}
            row |= {"alt_ft": 1e4, "gs_kt": 1e2, "track_deg": 0.0, "vrate_fpm": 0.0}
            batch = ReportBatch.from_rows([row])
            node.submit_reports(atlas, batch, idempotency_key=f"k{i}", body_sha256=f"{i}").result()
            clock.advance(1.0)
    finally:
        node.close()
    return database_url


def grow(db: str) -> None:
    assert run("party", "add", "CIRRUS", "--db", db)[0] == 0


def cut(db: str, *, after: int) -> None:
    sql(db, "DELETE FROM idempotency")  # the forger hides the answers too
    sql(db, "DELETE FROM journal_audience WHERE seq > :s", s=after)
    sql(db, "DELETE FROM journal WHERE seq > :s", s=after)


def rewrite_from(db: str, seq: int) -> None:
    """Edit the party at ``seq`` and rehash every row from there: an intact chain."""
    with Store.open(db) as store:
        records = store.records_after(0)
    rows = rehashed(
        records[seq - 1 :],
        records[seq - 2].hash,
        lambda r: r.payload_json.replace("BOREAS", "BOREAX"),
    )
    for row in rows:
        sql(db, REWRITE_ROW, **row)


def assert_broken(db: str, expect: str, seq: int) -> str:
    code, _, err = run("journal", "verify", "--db", db, "--expect", expect)
    assert code == 1, err
    assert err.count("\n") == 1, err
    assert err.startswith(f"airhotline: journal BROKEN at seq {seq}: "), err
    return err


def test_head_is_one_token_that_verify_accepts(db: str) -> None:
    kept = head_of(db)
    assert kept.split(":")[0] == "5"
    code, out, err = run("journal", "verify", "--db", db, "--expect", kept)
    assert code == 0, err
    assert "5 records, chain intact" in out
    assert f"extends {kept}" in out


def test_a_journal_that_grew_still_extends_the_head(db: str) -> None:
    kept = head_of(db)
    grow(db)
    assert head_of(db) != kept
    code, _, err = run("journal", "verify", "--db", db, "--expect", kept)
    assert code == 0, err


def test_a_cut_off_tail_fails_against_a_kept_head(db: str) -> None:
    kept = head_of(db)
    cut(db, after=3)
    code, _, err = run("journal", "verify", "--db", db)
    assert code == 0, err  # the chain alone: seq 1-3, intact
    err = assert_broken(db, kept, 4)
    assert "the expected head is seq 5" in err


def test_a_rewritten_and_rehashed_journal_fails_against_a_kept_head(db: str) -> None:
    kept = head_of(db)
    rewrite_from(db, 2)
    sql(db, "UPDATE parties SET name = 'BOREAX' WHERE name = 'BOREAS'")
    code, _, err = run("journal", "verify", "--db", db)
    assert code == 1, err  # the answers to ATLAS's batches name the old hashes
    assert err.count("idempotency answers differ from the journal") == 3, err
    sql(db, "DELETE FROM idempotency")
    code, _, err = run("journal", "verify", "--db", db)
    assert code == 0, err  # the chain and the access tables: all consistent
    assert "rewritten" in assert_broken(db, kept, 5)


def test_answers_vouch_for_the_records_they_acknowledged(db: str) -> None:
    cut(db, after=4)
    sql(
        db,
        "INSERT INTO idempotency (party_id, key, body_sha256, status, response_json, created_us)"
        " VALUES (1, 'k2', '2', 200, :r, 0)",
        r=json.dumps({"accepted": 1, "seq": 5, "hash": "0" * 64}),
    )
    code, _, err = run("journal", "verify", "--db", db)
    assert code == 1, err
    assert err == (
        "airhotline: idempotency answers differ from the journal: "
        'answer to party 1, key "k2": names seq 5, which the journal does not hold\n'
    )


def test_a_tampered_answer_is_found(db: str) -> None:
    # The receipt moved one microsecond: it names a record the journal does not hold.
    swap = "UPDATE idempotency SET response_json = replace(response_json, :old, :new)"
    sql(db, swap, old="22:13:21.000000Z", new="22:13:21.000001Z")
    code, _, err = run("journal", "verify", "--db", db)
    assert code == 1, err
    assert (
        'key "k1": names a record committed at 2023-11-14T22:13:21.000001Z with a hash the'
        " journal does not hold"
    ) in err


MALFORMED_HEADS = [
    "",
    "5",
    "5 " + "a" * 64,
    "five:" + "a" * 64,
    "-1:" + "a" * 64,
    "٥:" + "a" * 64,  # an Arabic-Indic five: int() would take it
    "5:" + "a" * 63,
    "5:" + "A" * 64,
    "5:" + "g" * 64,
    "5:" + "a" * 64 + ":x",
    "5:" + "a" * 64 + "\n",
]


@pytest.mark.parametrize("expect", MALFORMED_HEADS)
def test_a_malformed_expect_is_one_line(db: str, expect: str) -> None:
    code, out, err = run("journal", "verify", "--db", db, "--expect", expect)
    assert code == 2, (out, err)
    assert err.startswith("airhotline: error: --expect: "), err
    assert err.count("\n") == 1, err
    assert "SEQ:HASH" in err


@pytest.mark.parametrize("command", ["verify", "head"])
def test_a_database_that_does_not_exist_is_not_created(tmp_path: Path, command: str) -> None:
    path = tmp_path / "nowhere" / "airhotline.db"
    code, out, err = run("journal", command, "--db", f"sqlite:///{path}")
    assert code == 2, (out, err)
    assert err == f"airhotline: error: --db: {path} does not exist; nothing was created\n"
    assert not path.parent.exists()


def test_a_database_without_a_journal_is_left_as_it_was(database_url: str) -> None:
    sql(database_url, "CREATE TABLE notes (note TEXT)")  # someone else's database
    code, out, err = run("journal", "verify", "--db", database_url)
    assert code == 2, (out, err)
    assert err.startswith("airhotline: error: --db: "), err
    assert err.endswith(" holds no airhotline journal; nothing was created\n"), err
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        assert inspect(engine).get_table_names() == ["notes"]
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                mode = connection.execute(text("PRAGMA journal_mode")).scalar()
            assert mode == "delete"  # not switched to WAL
    finally:
        engine.dispose()
