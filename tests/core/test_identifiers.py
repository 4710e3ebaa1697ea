"""Identifiers: the fast rule (`str.isprintable`) agrees with the rule as written."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from airhotline.core.identifiers import identifier_problem


def reference_ok(text: str) -> bool:
    """The rule as the module states it, one character at a time."""
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("C"):
            return False
        if category.startswith("Z") and char != " ":
            return False
    return bool(text) and not text.startswith(" ") and not text.endswith(" ")


#: Any code point, surrogates included, with the troublesome ones drawn often.
characters = st.characters(codec=None) | st.sampled_from(
    ["\x00", "\t", "\n", "\x7f", "\x85", "\u00a0", "\u200b", "\u200d", "\u2028", "\u2029"]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    + ["\ud800", "\ue000", "\U000f0000", "\u0378", "\U000e0001", "\ufeff", "\u3000", " "]
)


@given(st.text(characters, max_size=12))
@example("A 1")
@example("ATLAS\n")
@example("")
def test_the_fast_rule_is_the_stated_rule(text: str) -> None:
    assert (identifier_problem(text) is None) == reference_ok(text), ascii(text)


@pytest.mark.parametrize(
    "text", ["A1", "ATL123", "A 1", "Борей-7", "صقر", "飛行機", "Ã", "x.y_z-1"]
)
def test_ordinary_identifiers_pass(text: str) -> None:
    assert identifier_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "must not be empty"),
        (" A1", "must not start or end with a space"),
        ("A1 ", "must not start or end with a space"),
        ("A1\n", "holds U+000A (Unicode category Cc)"),
        ("A\u202e1", "holds U+202E (Unicode category Cf)"),
        ("A\u20661", "holds U+2066 (Unicode category Cf)"),
        ("A\ud8001", "holds U+D800 (Unicode category Cs)"),
        ("A\ue0001", "holds U+E000 (Unicode category Co)"),
        ("A\u03781", "holds U+0378 (Unicode category Cn)"),
        ("A\u00a01", "holds U+00A0 (Unicode category Zs)"),
    ],
)
def test_the_reason_names_the_character(text: str, reason: str) -> None:
    problem = identifier_problem(text)
    assert problem is not None
    assert problem.startswith(reason), problem
