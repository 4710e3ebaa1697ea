"""A message's parameters checked against its form: data a reader can trust, or a refusal
naming the field (``params.heading``) and the reason, before anything is journaled.

Whether a track parameter names a track the sender may see is the node's question (it
needs the picture and the agreements); here a track is only a well-formed track id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from airhotline.bounds import LAT_RANGE, LON_RANGE
from airhotline.core.identifiers import identifier_problem
from airhotline.core.messages.catalogue import CATALOGUE, Form, Param, ParamKind
from airhotline.errors import InputError

__all__ = ["MAX_TEXT", "checked_params", "form_of"]

#: Free text a duty officer may send in one message (a few paragraphs).
MAX_TEXT = 2_000
#: Ids and names: the length of a track id or callsign anywhere else in the hotline.
_MAX_NAME = 64
#: An altitude a message may name, in feet: never below the surface datum the hotline
#: deconflicts at, never above any aircraft it follows.
_LEVEL_FT = (0, 100_000)
_FLIGHT_LEVEL = (0, 999)
#: Radio bands a centre may name: HF, the VHF air band, military UHF (MHz).
_BANDS = ((2.0, 30.0), (118.0, 136.975), (225.0, 399.975))
#: 1970 to 2100, in microseconds: outside, a time is a unit mistake.
_TIME_US = (0, 4_102_444_800_000_000)


def form_of(type_id: object, form_name: object) -> Form:
    """The form a message names; `InputError` on ``type`` or ``form`` otherwise."""
    message_type = CATALOGUE.get(type_id) if isinstance(type_id, str) else None
    if message_type is None:
        raise InputError("type", f"unknown message type: one of {', '.join(CATALOGUE)}")
    form = message_type.forms.get(form_name) if isinstance(form_name, str) else None
    if form is None:
        raise InputError("form", f"{message_type.id} has the forms {', '.join(message_type.forms)}")
    return form


def checked_params(form: Form, params: Mapping[str, object]) -> dict[str, Any]:
    """``params`` as the form wants them, each value normalised (a heading an int, a
    position a pair of floats); `InputError` naming the first field that is wrong."""
    wanted = {p.name: p for p in form.params}
    for name in params:
        if name not in wanted:
            raise InputError(f"params.{name}", f"not a parameter of {form.name}")
    values: dict[str, Any] = {}
    for name, param in wanted.items():
        if name not in params:
            raise InputError(f"params.{name}", "missing")
        try:
            values[name] = _CHECKS[param.kind](param, params[name])
        except _RefusedError as refused:
            raise InputError(f"params.{name}", str(refused)) from None
    return values


class _RefusedError(ValueError):
    pass


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _RefusedError("must be a number")
    if not math.isfinite(value):
        raise _RefusedError("must be a finite number")
    return float(value)


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _RefusedError("must be a whole number")
    return value


def _within(value: float, low: float, high: float, what: str) -> None:
    if not low <= value <= high:
        raise _RefusedError(f"{what} must be from {low:g} to {high:g}")


def _string(value: object, longest: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _RefusedError("must be a non-empty string")
    if len(value) > longest:
        raise _RefusedError(f"at most {longest} characters")
    return value


def _name(param: Param, value: object) -> str:
    """An id or a name: what every identifier of the hotline is (no control, format or
    bidi character that would make it display like another)."""
    name = _string(value, _MAX_NAME)
    problem = identifier_problem(name)
    if problem is not None:
        raise _RefusedError(problem)
    return name


def _text(param: Param, value: object) -> str:
    """Free text may run over lines; otherwise it obeys the identifiers' rules."""
    if param.name != "text":
        return _name(param, value)
    text = _string(value, MAX_TEXT)
    problem = identifier_problem(text.replace("\n", ""))
    if problem is not None:
        raise _RefusedError(problem)
    return text


def _level(param: Param, value: object) -> str | int:
    """``"FL350"`` (three digits), or an altitude in whole feet, never negative."""
    if isinstance(value, str):
        digits = value.removeprefix("FL")
        if value.startswith("FL") and len(digits) == 3 and digits.isascii() and digits.isdigit():
            return value
        raise _RefusedError("a flight level is FL and three digits (FL350)")
    feet = _integer(value)
    _within(feet, *_LEVEL_FT, "an altitude in feet")
    return feet


def _heading(param: Param, value: object) -> int:
    degrees = _integer(value)
    _within(degrees, 1, 360, "a heading")  # north is 360, as operators say it
    return degrees


def _bounded(
    read: Callable[[object], float], low: float, high: float, what: str
) -> Callable[[Param, object], float]:
    """A check that reads a number (`_number` or `_integer`) and bounds it."""

    def check(param: Param, value: object) -> float:
        number = read(value)
        _within(number, low, high, what)
        return number

    return check


def _position(param: Param, value: object) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _RefusedError("must be [latitude, longitude]")
    lat, lon = _number(value[0]), _number(value[1])
    _within(lat, *LAT_RANGE, "latitude")
    _within(lon, *LON_RANGE, "longitude")
    return lat, lon


def _frequency(param: Param, value: object) -> float:
    mhz = _number(value)
    if not any(low <= mhz <= high for low, high in _BANDS):
        bands = ", ".join(f"{low:g}-{high:g}" for low, high in _BANDS)
        raise _RefusedError(f"a frequency in MHz within {bands}")
    return mhz


def _choice(param: Param, value: object) -> str:
    if value not in param.choices:
        raise _RefusedError(f"must be one of {', '.join(param.choices)}")
    assert isinstance(value, str)
    return value


_CHECKS: Mapping[ParamKind, Callable[[Param, Any], Any]] = {
    ParamKind.TRACK: _name,
    ParamKind.CALLSIGN: _name,
    ParamKind.TEXT: _text,
    ParamKind.LEVEL: _level,
    ParamKind.HEADING: _heading,
    ParamKind.DISTANCE: _bounded(_number, 0.0, 1_000.0, "a distance in NM"),
    ParamKind.SPEED: _bounded(_integer, 0, 4_000, "a speed in kt"),
    ParamKind.CLOCK: _bounded(_integer, 1, 12, "a clock position"),
    ParamKind.SECONDS: _bounded(_integer, 0, 86_400, "a duration in seconds"),
    ParamKind.COUNT: _bounded(_integer, 0, 10_000, "a count"),
    ParamKind.TIME: _bounded(_integer, *_TIME_US, "a time in microseconds since 1970"),
    ParamKind.POSITION: _position,
    ParamKind.FREQUENCY: _frequency,
    ParamKind.CHOICE: _choice,
}
