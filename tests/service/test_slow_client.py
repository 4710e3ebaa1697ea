"""A slow stream client is cut off, never slows anyone, and catches up by resuming."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.access import AgreementMode, AgreementStatus, Principal, Role
from airhotline.core.node import HotlineConfig, HotlineNode
from airhotline.service.routes.events import _events
from airhotline.service.streams import StreamLimits, StreamSlots

CAP = 5


class _Connected:
    """The part of a Starlette request the stream looks at: the client never leaves."""

    async def is_disconnected(self) -> bool:
        return False


def _node(tmp_path: Path) -> HotlineNode:
    clock = SimulatedClock(1_700_000_000_000_000)
    node = build_node(
        f"sqlite:///{tmp_path / 'slow.db'}",
        clock=clock,
        config=HotlineConfig(stream_max_pending=CAP),
    )
    for name, lang in (("ATLAS", "en"), ("BOREAS", "ru")):
        _OPERATOR_TOKENS[name] = node.add_party(name, lang).tokens[Role.OPERATOR][0]
    return node


_OPERATOR_TOKENS: dict[str, int] = {}


def _principal(node: HotlineNode, name: str) -> Principal:
    party = node.party_by_name(name)
    return Principal(
        token_id=_OPERATOR_TOKENS[name], role=Role.OPERATOR, party_id=party.id, party_name=name
    )


async def _flood(node: HotlineNode, changes: int) -> None:
    """Agreement changes, each one event for both parties, written from another thread."""
    for k in range(changes):
        status = AgreementStatus.SUSPENDED if k % 2 else AgreementStatus.ACTIVE
        await asyncio.to_thread(node.set_agreement, "ATLAS", "BOREAS", AgreementMode.FULL, status)
    await asyncio.sleep(0.05)  # let the bus hand the events to the subscriptions


def test_a_stalled_client_is_cut_off_and_resumes_from_the_journal(tmp_path: Path) -> None:
    node = _node(tmp_path)
    atlas = _principal(node, "ATLAS")

    async def scenario() -> tuple[list[Any], list[Any], list[int], list[int]]:
        slots = StreamSlots(StreamLimits())

        def stream(after: int = 0) -> Any:
            ticket = slots.take(atlas.party_id)
            assert ticket is not None
            connected: Any = _Connected()
            return _events(connected, node, atlas, after, "en", slots.replay, ticket)

        slow, brisk = stream(), stream()
        first_slow = await anext(slow)  # backlog: ATLAS's party.created; now subscribed
        first_brisk = await anext(brisk)
        brisk_seen: list[Any] = [first_brisk]
        reader_done = asyncio.Event()

        async def keep_reading() -> None:
            async for event in brisk:
                brisk_seen.append(event)
                if len(brisk_seen) == 1 + 3 * CAP:
                    reader_done.set()
                    return

        reader = asyncio.create_task(keep_reading())
        await _flood(node, 3 * CAP)  # the slow client reads nothing meanwhile
        await asyncio.wait_for(reader_done.wait(), timeout=10)
        await reader
        slow_seen = [first_slow]
        async for event in slow:  # what it gets once it reads again
            slow_seen.append(event)
        assert atlas.party_id is not None
        expected = [
            r.ordinals[atlas.party_id] for r in node.store.party_records_after(atlas.party_id, 0)
        ]
        last_id = max(int(e.id) for e in slow_seen if e.id is not None)
        resumed = stream(last_id)
        caught_up = [int((await anext(resumed)).id) for _ in range(len(expected) - 1 - CAP)]
        await resumed.aclose()
        return slow_seen, brisk_seen, expected, caught_up

    try:
        slow_seen, brisk_seen, expected, caught_up = asyncio.run(scenario())
    finally:
        node.close()

    # The slow client got what fitted in its bound, then the overflow notice, then the end.
    assert [e.event for e in slow_seen[1:-1]] == ["agreement.set"] * CAP
    overflow = slow_seen[-1]
    assert overflow.event == "stream.overflow"
    assert overflow.id is None  # so that Last-Event-ID stays on the last real event
    resume_after = json.loads(overflow.data)["resume_after"]
    assert resume_after == int(slow_seen[-2].id)
    # The brisk client on the same party missed nothing.
    assert [int(e.id) for e in brisk_seen] == expected
    # Resuming after the last event received delivers exactly the rest, in order.
    assert caught_up == expected[1 + CAP :]


def test_publishing_to_a_stalled_subscription_does_not_block(tmp_path: Path) -> None:
    node = _node(tmp_path)

    async def scenario() -> int:
        stalled = node.bus.subscribe(None, max_pending=1)
        await _flood(node, 20)  # would hang here if publishing waited for readers
        got = [await stalled.next(), await stalled.next()]
        stalled.close()
        assert got[1] is None  # cut off
        return node.bus.subscribers

    try:
        assert asyncio.run(scenario()) == 0
    finally:
        node.close()
