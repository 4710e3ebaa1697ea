"""A message in a reader's language: its form's template translated, its values formatted.

Values are written as operators write them, in every language: levels ``FL350`` or
``5,000 ft`` (grouped as the locale groups), headings in three digits, ``NM``, ``kt``,
frequencies ``121.500 MHz``, times in UTC on the 24-hour clock with the locale's month
names, positions as degrees and minutes with N/S/E/W. Digits are Latin everywhere,
Arabic included, as on every chart and radar screen. For a right-to-left reader (Arabic,
Hebrew) every value is a left-to-right isolate (U+2066 ... U+2069), so that ``FL350`` or
a callsign never comes out backwards or drags the words around it; free text, whose
direction is its own, is a first-strong isolate (U+2068).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

from airhotline.core.messages.catalogue import CATALOGUE, Form, Param, ParamKind, Response
from airhotline.i18n import RIGHT_TO_LEFT, translations

__all__ = ["placeholders", "render", "render_response"]

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
_LOCALES: dict[str, Locale] = {}


def _locale(lang: str) -> Locale:
    found = _LOCALES.get(lang)
    if found is None:
        found = _LOCALES[lang] = Locale.parse(lang)
    return found


def placeholders(template: str) -> set[str]:
    """The parameter names a template refers to."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def template_for(form: Form, lang: str, params: Mapping[str, Any]) -> str:
    """The form's template in ``lang``, in the plural form its count asks for."""
    catalogue = translations(lang)
    if form.plural is None:
        return catalogue.pgettext(form.context, form.template)
    assert form.template_plural is not None
    count = int(params[form.plural])
    return catalogue.npgettext(form.context, form.template, form.template_plural, count)


def render(type_id: str, form_name: str, params: Mapping[str, Any], lang: str) -> str:
    """The message as ``lang``'s reader reads it. ``params`` are checked beforehand
    (`airhotline.core.messages.params`); here each is only formatted."""
    message_type = CATALOGUE[type_id]
    form = message_type.forms[form_name]
    rtl = lang in RIGHT_TO_LEFT
    if message_type.verbatim:
        text = str(params["text"])
        return f"{FSI}{text}{PDI}" if rtl else text
    template = template_for(form, lang, params)
    unsaid = {name for name in form.added if name not in params}  # journaled before
    for name in unsaid:
        template = template.replace(f" ({{{name}}})", "")
    values = {
        p.name: _value(p, params[p.name], lang, rtl) for p in form.params if p.name not in unsaid
    }
    return template.format(**values)


def render_response(response: Response, lang: str) -> str:
    """A response word (WILCO, UNABLE, ...) as ``lang``'s reader reads it."""
    return translations(lang).pgettext("response", response.name)


def _value(param: Param, value: Any, lang: str, rtl: bool) -> str:
    kind = param.kind
    if kind is ParamKind.CHOICE:
        return translations(lang).pgettext(f"choice/{param.name}", str(value))
    text = _format(kind, value, lang)
    if not rtl:
        return text
    if kind is ParamKind.TIME:
        # "3 يونيو 14:30 UTC": the date is words of the sentence (a month's name), read
        # in the reader's direction; only the time of day is a left-to-right value. One
        # left-to-right isolate round it all would show the month before the day.
        day, clock = _day_and_clock(value, lang)
        return f"{FSI}{day} {LRI}{clock}{PDI}{PDI}"
    return f"{FSI if kind is ParamKind.TEXT else LRI}{text}{PDI}"


def _format(kind: ParamKind, value: Any, lang: str) -> str:
    locale = _locale(lang)
    if kind in (ParamKind.TRACK, ParamKind.CALLSIGN, ParamKind.TEXT):
        return str(value)
    if kind is ParamKind.LEVEL:
        if isinstance(value, str):  # "FL350"
            return value
        return f"{format_decimal(int(value), locale=locale, numbering_system='latn')} ft"
    if kind is ParamKind.HEADING:
        return f"{int(value):03d}"
    if kind is ParamKind.DISTANCE:
        nm = format_decimal(float(value), "#,##0.0", locale=locale, numbering_system="latn")
        return f"{nm} NM"
    if kind is ParamKind.SPEED:
        return f"{format_decimal(int(value), locale=locale, numbering_system='latn')} kt"
    if kind in (ParamKind.SECONDS, ParamKind.COUNT, ParamKind.CLOCK):
        return format_decimal(int(value), locale=locale, numbering_system="latn")
    if kind is ParamKind.TIME:
        return " ".join(_day_and_clock(value, lang))
    if kind is ParamKind.POSITION:
        lat, lon = value
        return f"{_dm(lat, 'N', 'S', 2)} {_dm(lon, 'E', 'W', 3)}"
    if kind is ParamKind.FREQUENCY:
        return f"{float(value):.3f} MHz"
    raise ValueError(f"no format for {kind}")


def _day_and_clock(time_us: Any, lang: str) -> tuple[str, str]:
    """``("1 Dec", "12:30 UTC")``: the day as the locale writes it, the time of day."""
    moment = datetime.fromtimestamp(int(time_us) / 1e6, tz=UTC)
    day = format_datetime(moment, "d MMM", tzinfo=UTC, locale=_locale(lang))
    return _latin_digits(day), f"{moment:%H:%M} UTC"


def _dm(degrees: float, positive: str, negative: str, width: int) -> str:
    """Degrees and whole minutes, ``33°30′N`` / ``035°15′E``."""
    hemisphere = positive if degrees >= 0 else negative
    minutes_total = round(abs(degrees) * 60)
    whole, minutes = divmod(minutes_total, 60)
    return f"{whole:0{width}d}°{minutes:02d}′{hemisphere}"


_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _latin_digits(text: str) -> str:
    # CLDR writes Arabic dates in Arabic-Indic digits; the hotline keeps Latin ones.
    return text.translate(_TO_LATIN)
