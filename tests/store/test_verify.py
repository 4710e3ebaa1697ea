"""Verifying the chain finds every edit made behind the store's back, and where.

Each test builds a journal of six records, then edits the database with plain SQL.
"""

from __future__ import annotations

import pytest

from airhotline.store import Store, Transaction
from airhotline.store.canonical import content, link

from .conftest import RawDatabase

ROWS = 6


@pytest.fixture
def parties(store: Store) -> tuple[int, int]:
    def fill(tx: Transaction) -> tuple[int, int]:
        a = tx.insert_party("a", "en", 1).id
        b = tx.insert_party("b", "ru", 1).id
        for i in range(1, ROWS + 1):
            audience = frozenset({a, b} if i % 2 else {a})
            tx.append("x", {"i": i, "note": "ok"}, time_us=i, party_id=a, audience=audience)
        return a, b

    return store.write(fill)


def delete_row(raw: RawDatabase, seq: int) -> None:
    raw.execute("DELETE FROM journal_audience WHERE seq = :seq", seq=seq)
    raw.execute("DELETE FROM journal WHERE seq = :seq", seq=seq)


def test_an_empty_journal_verifies(store: Store) -> None:
    result = store.verify()
    assert (result.ok, result.rows_checked, result.first_bad_seq, result.reason) == (
        True,
        0,
        None,
        None,
    )


def test_a_clean_journal_verifies_and_reports_progress(
    store: Store, parties: tuple[int, int]
) -> None:
    progress: list[tuple[int, int]] = []
    result = store.verify(progress=lambda done, total: progress.append((done, total)))
    assert (result.ok, result.rows_checked) == (True, ROWS)
    assert progress[-1] == (ROWS, ROWS)


def test_an_edited_payload(store: Store, raw: RawDatabase, parties: tuple[int, int]) -> None:
    raw.execute("UPDATE journal SET payload = :p WHERE seq = 3", p='{"i":3,"note":"no"}')
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.rows_checked) == (False, 3, 2)
    assert result.reason is not None
    assert "edited" in result.reason


def test_a_payload_respaced_but_equal_as_json(
    store: Store, raw: RawDatabase, parties: tuple[int, int]
) -> None:
    raw.execute("UPDATE journal SET payload = :p WHERE seq = 2", p='{"i": 2, "note": "ok"}')
    assert store.verify().first_bad_seq == 2


@pytest.mark.parametrize(
    "edit",
    [
        "DELETE FROM journal_audience WHERE seq = 4",
        "INSERT INTO journal_audience (seq, party_id) VALUES (4, :b)",
        "UPDATE journal_audience SET party_id = :b WHERE seq = 4",
    ],
    ids=["removed", "added", "changed"],
)
def test_an_edited_audience(
    store: Store, raw: RawDatabase, parties: tuple[int, int], edit: str
) -> None:
    raw.execute(edit, **({"b": parties[1]} if ":b" in edit else {}))
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert result.reason is not None
    assert "audience was edited" in result.reason


def test_an_edited_time_kind_or_author(
    store: Store, raw: RawDatabase, parties: tuple[int, int]
) -> None:
    raw.execute("UPDATE journal SET time_us = 99 WHERE seq = 5")
    assert store.verify().first_bad_seq == 5
    raw.execute("UPDATE journal SET time_us = 5, kind = 'y' WHERE seq = 5")
    assert store.verify().first_bad_seq == 5
    raw.execute("UPDATE journal SET kind = 'x', party_id = NULL WHERE seq = 5")
    assert store.verify().first_bad_seq == 5
    raw.execute("UPDATE journal SET party_id = :a WHERE seq = 5", a=parties[0])
    assert store.verify().ok


@pytest.mark.parametrize("seq", [3, ROWS - 1], ids=["middle", "last-but-one"])
def test_a_deleted_row(store: Store, raw: RawDatabase, parties: tuple[int, int], seq: int) -> None:
    delete_row(raw, seq)
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.rows_checked) == (False, seq, seq - 1)
    assert result.reason == f"seq {seq} is missing: the next row is seq {seq + 1}"


def test_a_deleted_last_row_is_caught_by_the_store_that_wrote_it(
    store: Store, raw: RawDatabase, parties: tuple[int, int]
) -> None:
    delete_row(raw, ROWS)
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, ROWS)
    assert result.reason is not None
    assert f"committed up to seq {ROWS}" in result.reason


def test_a_rehashed_last_row_is_caught_by_the_store_that_wrote_it(
    store: Store, raw: RawDatabase, parties: tuple[int, int]
) -> None:
    """A forger who recomputes the last hash over new content fools the chain alone."""
    (last,) = store.records_after(ROWS - 1)
    payload = '{"i":6,"note":"forged"}'
    text = content(
        seq=ROWS,
        time_us=last.time_us,
        kind=last.kind,
        party_id=last.party_id,
        audience=last.audience,
        payload_json=payload,
    )
    raw.execute(
        "UPDATE journal SET payload = :p, hash = :h WHERE seq = :s",
        p=payload,
        h=link(last.prev_hash, text),
        s=ROWS,
    )
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, ROWS)
    assert result.reason is not None
    assert "rewritten" in result.reason


def test_two_rows_swapped(store: Store, raw: RawDatabase, parties: tuple[int, int]) -> None:
    columns = ["time_us", "kind", "party_id", "payload", "prev_hash", "hash"]
    three, four = (
        raw.rows(f"SELECT {', '.join(columns)} FROM journal WHERE seq = {s}") for s in (3, 4)
    )
    for seq, values in ((3, four[0]), (4, three[0])):
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
        raw.execute(
            f"UPDATE journal SET {assignments} WHERE seq = :seq",
            seq=seq,
            **dict(zip(columns, values, strict=True)),
        )
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.rows_checked) == (False, 3, 2)
    assert result.reason is not None
    assert "prev_hash does not link" in result.reason


def test_payloads_swapped(store: Store, raw: RawDatabase, parties: tuple[int, int]) -> None:
    raw.execute(
        "UPDATE journal SET payload = CASE seq WHEN 2 THEN (SELECT payload FROM journal "
        "WHERE seq = 3) ELSE (SELECT payload FROM journal WHERE seq = 2) END "
        "WHERE seq IN (2, 3)"
    )
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_a_broken_journal_is_still_broken_after_a_restart(
    database_url: str, store: Store, raw: RawDatabase, parties: tuple[int, int]
) -> None:
    raw.execute("UPDATE journal SET payload = :p WHERE seq = 2", p="{}")
    store.close()
    with Store.open(database_url) as reopened:
        assert reopened.verify().first_bad_seq == 2
