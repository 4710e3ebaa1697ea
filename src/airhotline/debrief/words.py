"""A debrief's words in the reader's language: its headings, table headers, labels and
captions, from the project's gettext catalogue (`airhotline.i18n`, context
``debrief``), and its values written as the message renderer writes them
(`airhotline.core.messages.render`): Latin digits in every language, grouped and with
the decimal sign as the locale writes them, times in UTC on the 24-hour clock with the
locale's month names, units (NM, ft, s) as operators write them everywhere. For a
right-to-left reader every value is a left-to-right isolate (U+2066 ... U+2069), so
that ``2.75 NM`` or ``09:14:05`` never comes out backwards.

A word is marked where it is used: ``words.tr("Encounters")`` (``tr_html`` in a page,
with values that are HTML already), ``words.tr_n(singular, plural, count)``, and
``tr_noop("conflict")`` for one looked up later. `to_translate`
reads those calls from this package's source for ``tools/i18n.py extract``.
"""

from __future__ import annotations

import ast
import html
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

from airhotline.i18n import RIGHT_TO_LEFT, translations

__all__ = ["CONTEXT", "Words", "to_translate", "tr_noop"]

CONTEXT = "debrief"
LRI, PDI = "\u2066", "\u2069"
_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def tr_noop(msgid: str) -> str:
    """Mark ``msgid`` for translation where it is defined; `Words.tr` it where shown."""
    return msgid


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


class Words:
    """The debrief's words and values for one reader's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.rtl = lang in RIGHT_TO_LEFT
        self._catalogue = translations(lang)
        self._locale = _locale(lang)

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    def tr(self, msgid: str, **values: str) -> str:
        """``msgid`` in the reader's language, its ``{placeholders}`` filled with
        ``values`` (already written: see `value`)."""
        text = self._catalogue.pgettext(CONTEXT, msgid)
        return text.format(**values) if values else text

    def tr_html(self, msgid: str, **values: str) -> str:
        """`tr` for HTML: the translation escaped, ``values`` HTML already."""
        return html.escape(self._catalogue.pgettext(CONTEXT, msgid)).format(**values)

    def tr_n(self, singular: str, plural: str, count: int, **values: str) -> str:
        """The plural form ``count`` asks for; ``{count}`` is filled in."""
        text = self._catalogue.npgettext(CONTEXT, singular, plural, count)
        return text.format(count=self.number(count), **values)

    def choice(self, context: str, word: str) -> str:
        """A word of the message catalogue (a tier, a notice's kind), as messages say it."""
        return self._catalogue.pgettext(context, word)

    def value(self, text: str) -> str:
        """A value as it stands in the reader's text (isolated for right-to-left)."""
        return f"{LRI}{text}{PDI}" if self.rtl else text

    def number(self, value: float, digits: int = 0) -> str:
        """``value`` grouped and with the decimal sign as the locale writes them, Latin
        digits, ``digits`` decimals."""
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return self.value(
            format_decimal(value, pattern, locale=self._locale, numbering_system="latn")
        )

    def measure(self, value: float | None, unit: str, digits: int = 0) -> str:
        """``2.75 NM``, ``400 ft``, ``12 s``; a dash for none."""
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        text = format_decimal(value, pattern, locale=self._locale, numbering_system="latn")
        return self.value(f"{text} {unit}")

    def clock(self, time_us: int) -> str:
        """``09:14:05``: the time of day, UTC."""
        moment = datetime.fromtimestamp(time_us / 1e6, tz=UTC)
        return self.value(moment.strftime("%H:%M:%S"))

    def moment(self, time_us: int) -> str:
        """``1 Jun 2026 09:14 UTC``: the date as the locale writes it, in the reader's
        own direction (an Arabic month's name is a word of the sentence), then the
        time of day, a value."""
        moment = datetime.fromtimestamp(time_us / 1e6, tz=UTC)
        day = format_datetime(moment, "d MMM y", tzinfo=UTC, locale=self._locale)
        return f"{day.translate(_TO_LATIN)} {self.value(moment.strftime('%H:%M') + ' UTC')}"


#: The calls that mark a word, and the positions of their message ids.
_MARKERS = {"tr": 1, "tr_html": 1, "tr_n": 2, "tr_noop": 1}


def to_translate() -> list[tuple[str, str | tuple[str, str]]]:
    """Every ``(context, msgid)`` marked in the debrief's modules, in source order."""
    found: dict[tuple[str, str | tuple[str, str]], None] = {}
    for path in sorted(Path(__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
            name = getattr(call.func, "attr", None) or getattr(call.func, "id", None)
            count = _MARKERS.get(str(name))
            if count is None or len(call.args) < count:
                continue
            ids = [
                a.value
                for a in call.args[:count]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if len(ids) != count:
                continue
            found[(CONTEXT, ids[0] if count == 1 else (ids[0], ids[1]))] = None
    return list(found)
