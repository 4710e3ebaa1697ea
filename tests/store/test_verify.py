"""Verifying the chain finds every edit made behind the store's back, and where.

Each test builds a journal of six records, then edits the database with plain SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from tests.forgery import REWRITE_ROW, rehashed

from airhotline.clock import iso_from_us
from airhotline.store import GENESIS_HASH, IdempotentAnswer, JournalHead, Store, Transaction
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
        "INSERT INTO journal_audience (seq, party_id, ordinal) VALUES (4, :b, 999)",
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


# --- what the chain alone cannot see: a cut-off tail, a rewritten one ---------------------


def reopen(database_url: str) -> Store:
    """A store that wrote nothing, as ``airhotline journal verify`` opens one."""
    return Store.open(database_url)


def rewrite_from(store: Store, raw: RawDatabase, seq: int) -> None:
    """Edit row ``seq`` and rehash it and every later row: a forger's consistent chain."""
    prev_hash = store.records_after(seq - 2, limit=1)[0].hash if seq > 1 else GENESIS_HASH
    forged = '{"i":0,"note":"forged"}'
    rows = rehashed(
        store.records_after(seq - 1),
        prev_hash,
        lambda r: forged if r.seq == seq else r.payload_json,
    )
    for row in rows:
        raw.execute(REWRITE_ROW, **row)


def test_a_cut_off_tail_fails_against_the_expected_head(
    database_url: str, store: Store, raw: RawDatabase, parties: tuple[int, int]
) -> None:
    kept = store.head()
    store.close()
    delete_row(raw, ROWS)
    delete_row(raw, ROWS - 1)
    with reopen(database_url) as fresh:
        assert fresh.verify().ok  # the chain alone: a shorter journal, intact
        result = fresh.verify(expected=kept)
    assert (result.ok, result.first_bad_seq, result.rows_checked) == (False, ROWS - 1, ROWS - 2)
    assert result.reason == (
        f"seq {ROWS - 1} is missing: the journal ends at seq {ROWS - 2} "
        f"but the expected head is seq {ROWS}"
    )


def test_a_rewritten_tail_fails_against_the_expected_head(
    database_url: str, store: Store, raw: RawDatabase, parties: tuple[int, int]
) -> None:
    kept = store.head()
    before_the_edit = store.records_after(1, limit=1)[0]
    rewrite_from(store, raw, 3)
    store.close()
    with reopen(database_url) as fresh:
        assert fresh.verify().ok  # the chain alone: consistent, every hash recomputed
        result = fresh.verify(expected=kept)
        assert (result.ok, result.first_bad_seq) == (False, ROWS)
        assert result.reason is not None
        assert "expected head" in result.reason
        assert "rewritten" in result.reason
        # An older head, from before the edit, is still part of the journal.
        older = JournalHead(before_the_edit.seq, before_the_edit.hash)
        assert fresh.verify(expected=older).ok


def test_a_journal_that_grew_since_its_head_was_kept_verifies(
    store: Store, parties: tuple[int, int]
) -> None:
    (third,) = store.records_after(2, limit=1)
    for head in (JournalHead(3, third.hash), store.head(), JournalHead(0, GENESIS_HASH)):
        result = store.verify(expected=head)
        assert (result.ok, result.rows_checked) == (True, ROWS), head


@pytest.mark.parametrize(
    ("seq", "digest", "bad_seq", "says"),
    [
        (3, "f" * 64, 3, "hash differs from the expected head's"),
        (ROWS + 1, "f" * 64, ROWS + 1, f"the journal ends at seq {ROWS}"),
        (0, "f" * 64, 0, "seq 0 is the empty journal"),
    ],
    ids=["other-hash", "beyond-the-end", "not-the-empty-head"],
)
def test_a_head_the_journal_never_had(
    store: Store, parties: tuple[int, int], seq: int, digest: str, bad_seq: int, says: str
) -> None:
    result = store.verify(expected=JournalHead(seq, digest))
    assert (result.ok, result.first_bad_seq) == (False, bad_seq)
    assert result.reason is not None
    assert says in result.reason


# --- idempotent answers name the records they acknowledged --------------------------------


def receipts(store: Store, form: str) -> dict[str, str]:
    """Party a's answers for its batches at seq 2, 4 and 6, keys k2, k4 and k6, as the
    0.2 ingest writes them (``committed`` time and hash) or as 0.1 did (seq and hash)."""
    return {
        f"k{r.seq}": json.dumps(
            {"accepted": 1, "seq": r.seq, "hash": r.hash}
            if form == "0.1"
            else {"accepted": 1, "committed": iso_from_us(r.time_us, exact=True), "hash": r.hash}
        )
        for r in store.records_after(0)
        if r.seq % 2 == 0
    }


@pytest.fixture(params=["0.2", "0.1"])
def form(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def answered(store: Store, parties: tuple[int, int], form: str) -> None:
    answers = receipts(store, form)

    def answer(tx: Transaction) -> None:
        for key, body in answers.items():
            tx.idempotency_put(parties[0], key, IdempotentAnswer("sha", 200, body))

    store.write(answer)


def test_answers_that_match_the_journal(store: Store, answered: None) -> None:
    audit = store.audit_answers()
    assert (audit.ok, audit.answers_checked, audit.problems) == (True, 3, ())
    assert store.verify().ok


#: How the audit names k6's record once it is cut off or rewritten, by receipt form.
K6_LOST = (
    "names a record committed at 1970-01-01T00:00:00.000006Z with a hash the journal does not hold"
)


@pytest.mark.parametrize(
    ("forge", "by_seq"),
    [
        (lambda store, raw: delete_row(raw, ROWS), "names seq 6, which the journal does not hold"),
        (
            lambda store, raw: rewrite_from(store, raw, 5),
            "names seq 6 with a hash the journal does not hold there",
        ),
    ],
    ids=["cut off", "rewritten"],
)
def test_an_answer_for_a_record_cut_off_or_rewritten(
    store: Store,
    raw: RawDatabase,
    answered: None,
    parties: tuple[int, int],
    form: str,
    forge: Callable[[Store, RawDatabase], None],
    by_seq: str,
) -> None:
    forge(store, raw)
    named = by_seq if form == "0.1" else K6_LOST
    assert store.audit_answers().problems == (f'answer to party {parties[0]}, key "k6": {named}',)


def test_an_answer_moved_to_another_party(
    store: Store, raw: RawDatabase, answered: None, parties: tuple[int, int]
) -> None:
    a, b = parties
    raw.execute("UPDATE idempotency SET party_id = :b WHERE key = 'k4'", b=b)
    assert store.audit_answers().problems == (
        f'answer to party {b}, key "k4": names seq 4, a record of party {a}',
    )


@pytest.mark.parametrize(
    "response",
    [
        "not json",
        "[]",
        '{"seq": "4", "hash": "x"}',
        '{"seq": 4}',
        '{"seq": true, "hash": "x"}',
        '{"committed": "yesterday", "hash": "x"}',
        '{"committed": "1970-01-01T02:00:00.000004+02:00", "hash": "x"}',
        '{"committed": "1970-01-01T00:00:00.000004Z"}',
    ],
)
def test_an_answer_that_names_no_record(
    store: Store, raw: RawDatabase, answered: None, response: str
) -> None:
    raw.execute("UPDATE idempotency SET response_json = :r WHERE key = 'k2'", r=response)
    problems = store.audit_answers().problems
    assert any(
        p.endswith('key "k2": names no journal record (committed time or seq, and hash)')
        for p in problems
    )


# --- each party's stream ids -------------------------------------------------------------


def test_each_party_numbers_its_own_records_densely(store: Store, parties: tuple[int, int]) -> None:
    a, b = parties
    records = store.records_after(0)
    assert [r.ordinals[a] for r in records] == [1, 2, 3, 4, 5, 6]
    assert [r.ordinals.get(b) for r in records] == [1, None, 2, None, 3, None]
    assert [r.seq for r in store.party_records_after(b, 1)] == [3, 5]
    assert (store.party_head(a), store.party_head(b)) == (6, 3)


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE journal_audience SET ordinal = 7 WHERE seq = 6",
        "UPDATE journal_audience SET ordinal = ordinal + 10 WHERE seq >= 4 AND party_id = :a",
    ],
    ids=["one", "a tail"],
)
def test_an_edited_stream_id(
    store: Store, raw: RawDatabase, parties: tuple[int, int], edit: str
) -> None:
    raw.execute(edit, **({"a": parties[0]} if ":a" in edit else {}))
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, 6 if "= 7" in edit else 4)
    assert result.reason is not None
    assert "stream id" in result.reason
