"""The message engine without HTTP, on a simulated clock: what the book folds, what
survives a restart, and that receipts and messages never wait on each other."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from tests.core.parties import operator, three_parties

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.messages.book import LineState
from airhotline.core.messages.engine import Outgoing
from airhotline.core.node import HotlineNode
from airhotline.errors import InputError

START_US = 1_800_000_000_000_000
TEXT = Outgoing(type="free-text", form="text", params={"text": "radio check"})


@pytest.fixture
def node(database_url: str) -> Iterator[HotlineNode]:
    with three_parties(database_url, ("en", "ru", "he")) as built:
        yield built


def test_a_message_to_several_parties_is_one_each_with_its_own_answer(node: HotlineNode) -> None:
    sent = node.messages.send(operator(node, "ATLAS"), TEXT)
    assert [m.recipient_name for m in sent] == ["BOREAS", "CIRRUS"]
    node.messages.send(operator(node, "BOREAS"), Outgoing(response="roger", in_reply_to=sent[0].id))
    assert [node.messages.get(m.id, party_id=None).open for m in sent] == [False, True]


def test_standby_keeps_a_message_open_and_restarts_its_escalation_clock(
    node: HotlineNode,
) -> None:
    clock = node.clock
    assert isinstance(clock, SimulatedClock)
    contact = Outgoing(
        type="contact", form="contact", params={"unit": "ROSTOV", "frequency": 127.5}, to="BOREAS"
    )
    (sent,) = node.messages.send(operator(node, "ATLAS"), contact)
    clock.advance(50.0)
    node.messages.send(operator(node, "BOREAS"), Outgoing(response="standby", in_reply_to=sent.id))
    clock.advance(50.0)  # 100 s after sending, 50 s after STANDBY
    node.run_cycle()
    message = node.messages.get(sent.id, party_id=None)
    assert message.open
    assert message.escalation == 0
    clock.advance(10.0)
    node.run_cycle()
    assert node.messages.get(sent.id, party_id=None).escalation == 1


def test_a_degraded_line_stays_degraded_after_a_restart(database_url: str) -> None:
    clock = SimulatedClock(START_US)
    node = build_node(database_url, clock=clock)
    node.add_party("ATLAS", "en")
    party = node.party_by_name("ATLAS").id
    (check,) = node.messages.check_lines("ATLAS")
    clock.advance(61.0)
    node.run_cycle()
    assert node.messages.line(party).state is LineState.DEGRADED
    node.close()
    # Days later: the check is out of the message window, the line state is not.
    clock.advance(3 * 86_400.0)
    again = build_node(database_url, clock=clock)
    try:
        assert again.messages.line(party).state is LineState.DEGRADED
        assert again.messages.book.get(check.id) is None
    finally:
        again.close()


def test_nothing_refused_is_journaled(node: HotlineNode) -> None:
    head = node.store.head()
    with pytest.raises(InputError) as refused:
        node.messages.send(
            operator(node, "ATLAS"),
            Outgoing(type="intentions", form="turn", params={"track": "A1"}, to="BOREAS"),
        )
    assert refused.value.field.startswith("params.")
    assert node.store.head() == head


def test_receipts_and_messages_never_wait_on_each_other(node: HotlineNode) -> None:
    """A stream's delivery receipt is journaled without waiting while another thread
    sends: its completion must never need the lock a sender holds across its write."""
    atlas, boreas = operator(node, "ATLAS"), operator(node, "BOREAS")
    done = threading.Event()
    errors: list[BaseException] = []

    def talk() -> None:
        try:
            for _ in range(300):
                node.messages.send(atlas, replace(TEXT, to="BOREAS"))
        except BaseException as error:
            errors.append(error)
        finally:
            done.set()

    def deliver() -> None:
        delivered = 0
        while True:
            finished = done.is_set()  # before reading: the last records are then in
            records = node.store.records_after(
                0, audience=boreas.party_id, kinds=["message.received"], limit=10_000
            )
            for record in records[delivered:]:
                node.messages.delivered(boreas.party_id or 0, record)
                delivered += 1
            if finished:
                return
            done.wait(0.001)

    threads = [threading.Thread(target=f, daemon=True) for f in (talk, deliver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30.0)
        assert not thread.is_alive(), "a sender and a receipt deadlocked"
    assert not errors
    node.store.write(lambda tx: None)  # the last receipts land
    assert all(m.delivered_us is not None for m in node.messages.messages(party_id=boreas.party_id))
