"""The admin's writes refuse names and languages that are not exactly what they look like."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.node import HotlineNode
from airhotline.errors import InputError
from airhotline.i18n import LANGUAGES


@pytest.fixture
def node(tmp_path: Path) -> Iterator[HotlineNode]:
    opened = build_node(f"sqlite:///{tmp_path / 'a.db'}", clock=SimulatedClock(0))
    try:
        yield opened
    finally:
        opened.close()


#: What ``$`` let through (a final newline) and what never was a name.
BAD_NAMES = [
    "ATLAS\n",
    "ATLAS\r\n",
    "\nATLAS",
    "ATLAS ",
    "AT\x00LAS",
    "ATLAS\u202e",
    "ATLÁS",
    "_ATLAS",
    "A" * 65,
    "",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_party_name_is_exactly_letters_digits_and_marks(node: HotlineNode, name: str) -> None:
    head = node.store.head()
    with pytest.raises(InputError) as refused:
        node.add_party(name, "en")
    assert refused.value.field == "name"
    assert node.store.head() == head
    assert node.store.parties() == []


@pytest.mark.parametrize("lang", ["en\n", "EN", " en", "fr", ""])
def test_a_language_is_one_of_the_hotlines(node: HotlineNode, lang: str) -> None:
    with pytest.raises(InputError) as refused:
        node.add_party("ATLAS", lang)
    assert refused.value.field == "lang"
    assert node.store.parties() == []


def test_every_language_of_the_message_catalogue_may_be_a_partys(node: HotlineNode) -> None:
    for n, lang in enumerate(LANGUAGES):
        assert node.add_party(f"P{n}", lang).party.lang == lang
    assert LANGUAGES == ("en", "ru", "ar", "he", "tr")


def test_a_good_name_is_kept_as_given(node: HotlineNode) -> None:
    made = node.add_party("ATLAS-2.north_1", "ru")
    assert (made.party.name, made.party.lang) == ("ATLAS-2.north_1", "ru")
