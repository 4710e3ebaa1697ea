"""Identifiers that read as what they are: track ids, callsigns, party names.

An identifier is shown to the operators of other parties, in consoles, logs and
debriefs; text that displays like another identifier, or not at all, misleads them. So an
identifier holds no Unicode *other* character (category C*: controls such as NUL, tab and
newline; format characters such as the zero-width joiner, the bidirectional embeddings
and overrides U+202A-U+202E and isolates U+2066-U+2069; surrogates; private-use and
unassigned code points) and no *separator* but the ASCII space (no line or paragraph
separator, no no-break or ideographic space that looks like a space and is not one), and
it neither starts nor ends with a space.

That is exactly what Python's `str.isprintable` tests, in C: fast enough for every
report of a batch. Unassigned means unassigned in the Unicode version of the running
Python.
"""

from __future__ import annotations

import unicodedata

__all__ = ["identifier_problem"]


def identifier_problem(text: str) -> str | None:
    """Why ``text`` is not an identifier, or None when it is one."""
    if not text:
        return "must not be empty"
    if not text.isprintable():
        bad = next(c for c in text if not c.isprintable())
        return (
            f"holds U+{ord(bad):04X} (Unicode category {unicodedata.category(bad)}): "
            "no control, format, private-use or unassigned character, no separator "
            "but the space"
        )
    if text[0] == " " or text[-1] == " ":
        return "must not start or end with a space"
    return None
