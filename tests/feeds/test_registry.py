"""The registry: every format by name, each assembler stating its thread-safety."""

from __future__ import annotations

import pytest

import airhotline.feeds as feeds
from airhotline.feeds import ADAPTERS, Rejections, adapter, make_assembler


def test_every_format_is_registered() -> None:
    assert sorted(ADAPTERS) == ["asterix", "beast", "opensky", "sbs", "trajectory"]


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_an_assembler_is_made_by_name_and_says_it_is_not_thread_safe(name: str) -> None:
    assembler = make_assembler(name)
    assert isinstance(assembler.rejections, Rejections)
    assert assembler.feed(b"", 0) == []
    doc = adapter(name).make.__doc__ or ""
    assert "Thread-safety" in doc


def test_an_unknown_format_is_named_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown feed format 'cat048'.*asterix"):
        adapter("cat048")


def test_the_public_surface() -> None:
    assert sorted(feeds.__all__) == sorted(
        [
            "ADAPTERS",
            "REASONS",
            "Adapter",
            "Assembler",
            "Freshness",
            "Rejections",
            "Row",
            "adapter",
            "asterix",
            "beast",
            "make_assembler",
            "opensky",
            "sbs",
            "trajectory",
        ]
    )


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_an_assembler_counts_what_it_reads(name: str) -> None:
    assembler = make_assembler(name)
    assembler.feed(b"garbage\n", 0)
    assert assembler.messages >= 1
    assert assembler.rejections.total() == assembler.messages
