"""Appending and reading the journal: audiences, kinds, time windows, restarts."""

from __future__ import annotations

import enum
import json
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airhotline.store import GENESIS_HASH, JournalHead, PartyRow, Record, Store, Transaction
from airhotline.store.canonical import content, dumps, link
from airhotline.store.journal import parse_payload, stored_payload


def make_parties(store: Store, *names: str) -> list[PartyRow]:
    return store.write(lambda tx: [tx.insert_party(n, "en", 1) for n in names])


def append(
    store: Store,
    kind: str,
    time_us: int,
    audience: set[int],
    party_id: int | None = None,
    **payload: object,
) -> Record:
    return store.write(
        lambda tx: tx.append(
            kind, payload, time_us=time_us, party_id=party_id, audience=frozenset(audience)
        )
    )


def test_an_empty_journal(store: Store) -> None:
    assert store.head() == JournalHead(0, GENESIS_HASH)
    assert store.records_after(0) == []
    assert store.records_in_time(0, 2**62) == []


def test_append_returns_the_record_as_stored_and_chained(store: Store) -> None:
    north, south = make_parties(store, "north", "south")
    first = append(store, "party.created", 10, {north.id}, name="north", ü="ß")
    second = append(store, "hotline.message", 20, {north.id, south.id}, north.id, text="курс")
    assert store.records_after(0) == [first, second]
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert first.payload_json == '{"name":"north","ü":"ß"}'
    assert second.payload == {"text": "курс"}
    expected = link(
        first.hash,
        content(
            seq=2,
            time_us=20,
            kind="hotline.message",
            party_id=north.id,
            audience={north.id, south.id},
            payload_json=second.payload_json,
        ),
    )
    assert second.hash == expected
    assert store.head() == JournalHead(2, second.hash)


def test_each_party_reads_only_its_audience(store: Store) -> None:
    a, b, c = make_parties(store, "a", "b", "c")
    audiences = [{a.id}, {a.id, b.id}, set(), {b.id}, {a.id, b.id, c.id}, {a.id}]
    records = [append(store, "x", i, aud, i=i) for i, aud in enumerate(audiences)]
    assert store.records_after(0) == records
    assert [r.seq for r in store.records_after(0, audience=a.id)] == [1, 2, 5, 6]
    assert [r.seq for r in store.records_after(2, audience=b.id)] == [4, 5]
    assert [r.seq for r in store.records_after(0, audience=c.id)] == [5]
    assert store.records_after(0, audience=c.id)[0].audience == {a.id, b.id, c.id}
    assert [r.seq for r in store.records_after(0, audience=a.id, limit=2)] == [1, 2]
    assert store.records_after(6, audience=a.id) == []


def test_kinds_and_time_windows(store: Store) -> None:
    (a,) = make_parties(store, "a")
    kinds = ["tracks.reported", "track.lost", "tracks.reported", "agreement.set"]
    for i, kind in enumerate(kinds):
        append(store, kind, 100 + 10 * i, {a.id}, i=i)
    reported = store.records_after(0, kinds={"tracks.reported"})
    assert [r.seq for r in reported] == [1, 3]
    assert [r.seq for r in store.records_after(0, audience=a.id, kinds=["track.lost"])] == [2]
    assert store.records_after(0, kinds=()) == []
    assert [r.seq for r in store.records_in_time(110, 130)] == [2, 3]  # end excluded
    in_window = store.records_in_time(100, 200, kinds=["tracks.reported", "agreement.set"])
    assert [r.seq for r in in_window] == [1, 3, 4]


def test_many_records_read_in_pages(store: Store) -> None:
    (a,) = make_parties(store, "a")

    def many(tx: Transaction) -> None:
        for i in range(1200):
            tx.append("x", {"i": i}, time_us=i, party_id=None, audience=frozenset({a.id}))

    store.write(many)
    page = store.records_after(0, audience=a.id)
    assert [r.seq for r in page] == list(range(1, 1001))
    assert all(r.audience == {a.id} for r in page)
    assert len(store.records_after(page[-1].seq, audience=a.id)) == 200
    assert len(store.records_in_time(0, 2000)) == 1200


def test_bad_appends_fail_before_writing(store: Store) -> None:
    def bad(**kwargs: object) -> Callable[[Transaction], Record]:
        args: dict[str, object] = {
            "kind": "x",
            "payload": {},
            "time_us": 1,
            "party_id": None,
            "audience": frozenset(),
            **kwargs,
        }
        return lambda tx: tx.append(**args)  # type: ignore[arg-type]

    for unit, error in [
        (bad(kind=""), ValueError),
        (bad(payload=[1, 2]), TypeError),
        (bad(payload={"x": float("nan")}), ValueError),
        (bad(payload={"x": object()}), TypeError),
        (bad(time_us=1.5), TypeError),
        (bad(audience=frozenset({True})), TypeError),
    ]:
        with pytest.raises(error):
            store.write(unit)
    assert store.head().seq == 0


def test_restart_continues_the_chain(database_url: str) -> None:
    with Store.open(database_url) as store:
        (a,) = make_parties(store, "a")
        for i in range(3):
            append(store, "x", i, {a.id}, i=i)
        head = store.head()
    with Store.open(database_url) as store:
        assert store.head() == head
        after = append(store, "x", 9, {a.id}, i=9)
        assert (after.seq, after.prev_hash) == (head.seq + 1, head.hash)
        assert store.verify().ok
        assert len(store.records_after(0, audience=a.id)) == 4


def test_readers_run_alongside_the_writer(store: Store) -> None:
    (a,) = make_parties(store, "a")
    done = threading.Event()
    problems: list[str] = []

    def read() -> None:
        while not done.is_set():
            seqs = [r.seq for r in store.records_after(0, audience=a.id, limit=10_000)]
            if seqs != list(range(1, len(seqs) + 1)):
                problems.append(f"not a prefix: {seqs[:5]}...")
            if store.head().seq < len(seqs):
                problems.append("head behind what was read")

    def write(thread: int) -> None:
        futures = [
            store.submit(partial(append_in, party=a.id, thread=thread, i=i)) for i in range(50)
        ]
        for future in futures:
            future.result(10)

    readers = [threading.Thread(target=read) for _ in range(3)]
    writers = [threading.Thread(target=write, args=(t,)) for t in range(4)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(30)
    done.set()
    for thread in readers:
        thread.join(30)
    assert problems == []
    assert store.head().seq == 200
    assert store.verify().ok


def append_in(tx: Transaction, party: int, thread: int, i: int) -> Record:
    return tx.append(
        "x", {"t": thread, "i": i}, time_us=i, party_id=None, audience=frozenset({party})
    )


plain_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=25,
)


@given(payload=st.dictionaries(st.text(), plain_json, max_size=6))
def test_a_stored_payload_is_what_its_text_parses_back_to(payload: dict[str, Any]) -> None:
    """`Transaction.append` copies the payload instead of parsing its text again: the
    copy must be the parse, to the types and the order of the keys."""
    text = dumps(payload)
    stored = stored_payload(payload, text)
    parsed = parse_payload(text)
    assert stored == parsed
    assert json.dumps(stored) == json.dumps(parsed)  # the same keys in the same order
    assert _types(stored) == _types(parsed)


def test_a_stored_payload_never_aliases_nor_keeps_what_json_would_change() -> None:
    class Level(enum.IntEnum):
        HIGH = 2

    inner = [1.5, 2]
    payload: dict[str, Any] = {"b": inner, "a": {"x": (1, 2)}, "level": Level.HIGH}
    stored = stored_payload(payload, dumps(payload))
    assert stored == {"a": {"x": [1, 2]}, "b": [1.5, 2], "level": 2}
    assert type(stored["level"]) is int
    assert list(stored) == ["a", "b", "level"]
    plain = {"b": inner, "a": {"x": [1]}}
    copied = stored_payload(plain, dumps(plain))
    inner.append(3)
    assert copied["b"] == [1.5, 2]


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__
