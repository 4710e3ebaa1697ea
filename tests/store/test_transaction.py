"""Parties, tokens, agreements and idempotent answers, written through a Transaction."""

from __future__ import annotations

import contextlib

import pytest

from airhotline.errors import ConflictError, InputError, NotFoundError
from airhotline.store import AgreementRow, IdempotentAnswer, PartyRow, Store, Transaction

from .conftest import CLOCK_US


@pytest.fixture
def two(store: Store) -> tuple[PartyRow, PartyRow]:
    return store.write(
        lambda tx: (tx.insert_party("north", "en", 5), tx.insert_party("south", "ru", 6))
    )


def test_parties_are_stored_with_ids(store: Store, two: tuple[PartyRow, PartyRow]) -> None:
    north, south = two
    assert store.parties() == [north, south]
    assert north != south
    assert (north.name, north.lang, north.created_us) == ("north", "en", 5)
    assert store.write(lambda tx: tx.party(south.id)) == south
    assert store.write(lambda tx: tx.party(999)) is None


def test_a_duplicate_party_name_is_a_conflict_the_unit_may_catch(
    store: Store, two: tuple[PartyRow, PartyRow]
) -> None:
    with pytest.raises(ConflictError) as caught:
        store.write(lambda tx: tx.insert_party("north", "fr", 7))
    assert (caught.value.entity, caught.value.field, caught.value.value) == (
        "party",
        "name",
        "north",
    )

    def create_if_missing(tx: Transaction) -> str:
        with contextlib.suppress(ConflictError):
            tx.insert_party("north", "en", 8)
        return tx.insert_party("east", "en", 8).name

    assert store.write(create_if_missing) == "east"
    assert [p.name for p in store.parties()] == ["north", "south", "east"]


def test_tokens(store: Store, two: tuple[PartyRow, PartyRow]) -> None:
    north, _ = two
    feed = store.write(lambda tx: tx.insert_token(north.id, "feed", "h-feed", 10))
    admin = store.write(lambda tx: tx.insert_token(None, "admin", "h-admin", 11))
    assert store.tokens() == [feed, admin]
    assert store.token_by_hash("h-admin") == admin
    assert store.token_by_hash("nope") is None
    revoked = store.write(lambda tx: tx.revoke_token(feed.id, 20))
    assert revoked is not None
    assert revoked.revoked_us == 20
    again = store.write(lambda tx: tx.revoke_token(feed.id, 30))
    assert again is not None
    assert again.revoked_us == 20  # the first revocation stands
    assert store.write(lambda tx: tx.revoke_token(999, 30)) is None


def test_bad_tokens(store: Store, two: tuple[PartyRow, PartyRow]) -> None:
    north, _ = two
    store.write(lambda tx: tx.insert_token(north.id, "operator", "h1", 1))
    with pytest.raises(ConflictError, match="token_hash") as caught:
        store.write(lambda tx: tx.insert_token(north.id, "feed", "h1", 1))
    assert "h1" not in str(caught.value)  # a hash is never repeated
    with pytest.raises(NotFoundError, match="party 999"):
        store.write(lambda tx: tx.insert_token(999, "feed", "h2", 1))
    with pytest.raises(InputError, match="role"):
        store.write(lambda tx: tx.insert_token(north.id, "pilot", "h3", 1))
    with pytest.raises(InputError, match="party_id"):
        store.write(lambda tx: tx.insert_token(None, "feed", "h4", 1))
    assert len(store.tokens()) == 1


def test_agreements_are_one_row_per_pair_in_either_order(
    store: Store, two: tuple[PartyRow, PartyRow]
) -> None:
    north, south = two
    low, high = sorted((north.id, south.id))
    first = store.write(lambda tx: tx.set_agreement(high, low, "full", "active", 1))
    assert first == AgreementRow(low, high, "full", "active", 1)
    second = store.write(lambda tx: tx.set_agreement(low, high, "conflicts-only", "suspended", 2))
    assert store.agreements() == [second]
    assert store.write(lambda tx: tx.agreement(high, low)) == second


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((1, 1, "full", "active"), InputError, "different parties"),
        ((1, 2, "everything", "active"), InputError, "mode"),
        ((1, 2, "full", "paused"), InputError, "status"),
        ((1, 999, "full", "active"), NotFoundError, "party 999"),
    ],
)
def test_bad_agreements(
    store: Store,
    two: tuple[PartyRow, PartyRow],
    args: tuple[int, int, str, str],
    error: type[Exception],
    match: str,
) -> None:
    a, b, mode, status = args
    ids = {1: two[0].id, 2: two[1].id, 999: 999}
    with pytest.raises(error, match=match):
        store.write(lambda tx: tx.set_agreement(ids[a], ids[b], mode, status, 1))
    assert store.agreements() == []


def test_idempotent_answers(store: Store, two: tuple[PartyRow, PartyRow]) -> None:
    north, south = two
    answer = IdempotentAnswer("ab" * 32, 201, '{"ok":true}')
    assert store.write(lambda tx: tx.idempotency_get(north.id, "k1")) is None
    store.write(lambda tx: tx.idempotency_put(north.id, "k1", answer))
    assert store.idempotent_answer(north.id, "k1") == answer
    assert store.write(lambda tx: tx.idempotency_get(north.id, "k1")) == answer
    assert store.idempotent_answer(south.id, "k1") is None  # keys are per party
    with pytest.raises(ConflictError, match="k1"):
        store.write(lambda tx: tx.idempotency_put(north.id, "k1", answer))
    with pytest.raises(NotFoundError, match="party 999"):
        store.write(lambda tx: tx.idempotency_put(999, "k1", answer))


def test_idempotent_answers_are_timed_by_the_store_clock_and_purged(
    store: Store, two: tuple[PartyRow, PartyRow]
) -> None:
    north, _ = two
    answer = IdempotentAnswer("00" * 32, 200, "{}")
    store.write(lambda tx: tx.idempotency_put(north.id, "old", answer))
    assert store.write(lambda tx: tx.idempotency_purge(CLOCK_US)) == 0
    assert store.write(lambda tx: tx.idempotency_purge(CLOCK_US + 1)) == 1
    assert store.idempotent_answer(north.id, "old") is None


def test_rows_and_records_commit_together(store: Store) -> None:
    def create(tx: Transaction) -> PartyRow:
        party = tx.insert_party("west", "en", 1)
        tx.append(
            "party.created",
            {"name": "west"},
            time_us=1,
            party_id=None,
            audience=frozenset({party.id}),
        )
        return party

    party = store.write(create)
    (record,) = store.records_after(0, audience=party.id)
    assert record.payload == {"name": "west"}
