"""A node of three parties on a simulated clock, and their operators, for core tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.access import Principal, Role
from airhotline.core.node import HotlineNode

START_US = 1_800_000_000_000_000


@contextlib.contextmanager
def three_parties(url: str, langs: Sequence[str] = ("en", "en", "en")) -> Iterator[HotlineNode]:
    """ATLAS, BOREAS and CIRRUS, reading ``langs``, on a fresh node at ``url``."""
    node = build_node(url, clock=SimulatedClock(START_US))
    try:
        for name, lang in zip(("ATLAS", "BOREAS", "CIRRUS"), langs, strict=True):
            node.add_party(name, lang)
        yield node
    finally:
        node.close()


def operator(node: HotlineNode, name: str) -> Principal:
    """The party's first operator, as the API would authenticate it."""
    party = node.party_by_name(name)
    (token,) = [t for t in node.store.tokens() if t.party_id == party.id and t.role == "operator"]
    return Principal(token.id, Role.OPERATOR, party.id, name)
