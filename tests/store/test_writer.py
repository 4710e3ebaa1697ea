"""Group commit: many units, few COMMITs, each unit all or nothing, durable when resolved."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from sqlalchemy import event

from airhotline.errors import NotFoundError, StoreClosedError, StoreError
from airhotline.store import Record, Store, Transaction


def appender(kind: str = "test.event", **payload: object) -> Callable[[Transaction], Record]:
    def unit(tx: Transaction) -> Record:
        return tx.append(kind, payload, time_us=1, party_id=None, audience=frozenset())

    return unit


class Gate:
    """A unit that holds the writer until released, so that others queue behind it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, tx: Transaction) -> None:
        self.entered.set()
        assert self.release.wait(10)


def hold_writer(store: Store) -> tuple[Gate, Future[None]]:
    gate = Gate()
    future = store.submit(gate)
    assert gate.entered.wait(10)
    return gate, future


def wait_for_lag(store: Store, lag: int) -> None:
    deadline = time.monotonic() + 10
    while store.writer_lag < lag:
        assert time.monotonic() < deadline, f"lag {store.writer_lag}, waiting for {lag}"
        time.sleep(0.001)


def test_concurrent_submits_share_commits_and_stay_contiguous(store: Store) -> None:
    before = store.commit_count
    units = 400

    def submit_many(thread: int) -> list[Future[Record]]:
        return [store.submit(appender(thread=thread, i=i)) for i in range(units // 8)]

    with ThreadPoolExecutor(8) as pool:
        futures = [f for batch in pool.map(submit_many, range(8)) for f in batch]
    records = [f.result(timeout=30) for f in futures]
    commits = store.commit_count - before
    assert commits < units / 4
    assert sorted(r.seq for r in records) == list(range(1, units + 1))
    assert [r.seq for r in store.records_after(0, limit=units)] == list(range(1, units + 1))
    assert store.verify().ok


def test_units_queued_together_commit_once(store: Store) -> None:
    gate, held = hold_writer(store)
    before = store.commit_count
    futures = [store.submit(appender(i=i)) for i in range(100)]
    wait_for_lag(store, 101)
    gate.release.set()
    held.result(10)
    assert [f.result(10).seq for f in futures] == list(range(1, 101))
    assert store.commit_count - before == 2  # the gate's group, then all hundred at once
    assert store.writer_lag == 0


def test_a_failing_unit_rolls_back_alone(store: Store) -> None:
    party = store.write(lambda tx: tx.insert_party("north", "en", 1))

    def fails(tx: Transaction) -> None:
        tx.append("doomed", {"n": 1}, time_us=1, party_id=None, audience=frozenset({party.id}))
        tx.append("doomed", {"n": 2}, time_us=1, party_id=None, audience=frozenset())
        tx.insert_party("south", "ru", 1)
        raise RuntimeError("the unit changed its mind")

    gate, held = hold_writer(store)
    first = store.submit(appender(n=1))
    failed = store.submit(fails)
    last = store.submit(appender(n=3))
    gate.release.set()
    held.result(10)
    assert first.result(10).seq == 1
    with pytest.raises(RuntimeError, match="changed its mind"):
        failed.result(10)
    assert last.result(10).seq == 2  # the failed unit's seqs were given back
    assert last.result(10).prev_hash == first.result(10).hash
    assert [r.kind for r in store.records_after(0)] == ["test.event", "test.event"]
    assert store.records_after(0, audience=party.id) == []
    assert [p.name for p in store.parties()] == ["north"]
    assert store.verify().ok
    # The party's stream id the failed unit took is given back too.
    seen = store.write(
        lambda tx: tx.append("x", {}, time_us=1, party_id=None, audience=frozenset({party.id}))
    )
    assert seen.ordinals == {party.id: 1} == store.records_after(seen.seq - 1)[0].ordinals


def test_a_unit_that_swallows_a_database_error_still_fails(store: Store) -> None:
    def swallows(tx: Transaction) -> str:
        tx.append("kept?", {}, time_us=1, party_id=None, audience=frozenset())
        with contextlib.suppress(NotFoundError):  # no party 999: the database refuses
            tx.append("bad", {}, time_us=1, party_id=999, audience=frozenset())
        return "pretends all is well"

    with pytest.raises(NotFoundError, match="party 999"):
        store.write(swallows)
    assert store.write(appender()).seq == 1
    assert store.verify().ok


def test_a_failed_commit_fails_the_whole_group_and_restores_the_chain(store: Store) -> None:
    store.write(appender(n=0))
    head = store.head()
    failures = iter([False, True])  # the gate's group commits, the next one fails

    def commit_fails_once(connection: object) -> None:
        if next(failures, False):
            raise OSError("disk full")

    event.listen(store._engine, "commit", commit_fails_once)
    gate, held = hold_writer(store)
    futures = [store.submit(appender(i=i)) for i in range(5)]
    wait_for_lag(store, 6)
    gate.release.set()
    held.result(10)
    for future in futures:
        with pytest.raises(StoreError, match="rolled back") as caught:
            future.result(10)
        assert isinstance(caught.value.__cause__, OSError)
    assert store.head() == head
    after = store.write(appender(n=1))
    assert (after.seq, after.prev_hash) == (head.seq + 1, head.hash)
    assert store.verify().ok


def test_listeners_see_committed_records_in_order_before_futures_resolve(
    store: Store,
) -> None:
    seen: list[tuple[list[int], bool]] = []
    futures: list[Future[Record]] = []

    def listener(records: Sequence[Record]) -> None:
        seen.append(([r.seq for r in records], any(f.done() for f in futures)))

    def broken_listener(records: Sequence[Record]) -> None:
        raise RuntimeError("a listener's bug is logged, not spread")

    store.add_commit_listener(listener)
    store.add_commit_listener(broken_listener)
    gate, _ = hold_writer(store)
    futures.extend(store.submit(appender(i=i)) for i in range(3))
    futures.append(store.submit(lambda tx: [appender()(tx), appender()(tx)][-1]))
    wait_for_lag(store, 5)
    gate.release.set()
    assert futures[-1].result(10).seq == 5
    assert seen[-1] == ([1, 2, 3, 4, 5], False)


def test_close_commits_everything_queued_then_refuses(database_url: str) -> None:
    store = Store.open(database_url)
    gate, _ = hold_writer(store)
    futures = [store.submit(appender(i=i)) for i in range(20)]
    closer = threading.Thread(target=store.close)
    closer.start()
    gate.release.set()
    closer.join(10)
    assert [f.result(0).seq for f in futures] == list(range(1, 21))
    with pytest.raises(StoreClosedError):
        store.submit(appender())
    with pytest.raises(StoreClosedError):
        store.head()
    assert not store.healthy()
    store.close()  # again: nothing happens
    with Store.open(database_url) as reopened:
        assert reopened.head().seq == 20


def test_a_transaction_is_dead_outside_its_unit(store: Store) -> None:
    kept = store.write(lambda tx: tx)
    with pytest.raises(StoreError, match="only while its unit"):
        kept.append("late", {}, time_us=1, party_id=None, audience=frozenset())


def test_write_inside_a_unit_is_refused_instead_of_hanging(store: Store) -> None:
    with pytest.raises(StoreError, match="wait forever"):
        store.write(lambda tx: store.write(appender()))


def test_health_and_lag(store: Store) -> None:
    assert store.healthy()
    assert store.writer_lag == 0


def test_two_stores_on_one_database_keep_one_chain(database_url: str) -> None:
    with Store.open(database_url) as first, Store.open(database_url) as second:

        def write(store: Store, n: int) -> list[Future[Record]]:
            return [store.submit(appender(writer=id(store), i=i)) for i in range(n)]

        with ThreadPoolExecutor(2) as pool:
            batches = list(pool.map(write, [first, second, first, second], [30, 30, 5, 5]))
        seqs = sorted(f.result(10).seq for batch in batches for f in batch)
        assert seqs == list(range(1, 71))
        # Each store's own cache of the party's last stream id yields to the other's.
        shared = first.write(lambda tx: tx.insert_party("shared", "en", 1)).id

        def tell(tx: Transaction) -> Record:
            return tx.append("x", {}, time_us=1, party_id=None, audience=frozenset({shared}))

        told = [(first if i % 3 else second).write(tell) for i in range(9)]
        assert [r.ordinals[shared] for r in told] == list(range(1, 10))
        assert first.head() == second.head()
        assert first.verify().ok
        assert second.verify().ok
