"""A state report's body is strict: properties over many inputs, through the JSON path.

Each property takes one valid report, changes one field, and validates the JSON text as
``POST /v1/tracks`` does; the error, when there is one, is located at that field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from tests.service.conftest import START_S, report

from airhotline.core.identifiers import identifier_problem
from airhotline.service.schemas import StateReportIn, time_us_of

NUMBERS = ["lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm"]
IDENTIFIERS = {"track_id": 64, "callsign": 16, "aircraft_type": 8}


def refused_at(body: dict[str, Any]) -> set[str] | None:
    """The fields a validation error names, or None when the body is accepted."""
    try:
        StateReportIn.model_validate_json(json.dumps(body))
    except ValidationError as error:
        return {str(e["loc"][0]) for e in error.errors()}
    return None


def accepted_time(value: Any) -> float | int | datetime:
    return StateReportIn.model_validate_json(json.dumps(report(at_s=value))).time


text_like_numbers = (
    st.booleans()
    | st.integers(-1000, 1000).map(str)
    | st.floats(-90, 90).map(str)
    | st.floats(-90, 90).map(lambda f: f" {f} ")
    | st.integers(0, 99).map(lambda i: f"{i // 10}_{i % 10}")
)


@given(field=st.sampled_from(NUMBERS), value=text_like_numbers)
def test_numbers_are_json_numbers(field: str, value: Any) -> None:
    assert refused_at(report(**{field: value})) == {field}


@given(field=st.sampled_from(NUMBERS), value=st.integers(0, 80) | st.floats(0, 80))
def test_json_integers_and_floats_are_numbers(field: str, value: float) -> None:
    body = report(**{field: value})
    assert refused_at(body) is None
    parsed = StateReportIn.model_validate_json(json.dumps(body))
    assert getattr(parsed, field) == value
    assert type(getattr(parsed, field)) is float


zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30))]
)
moments = st.datetimes(
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001 (made aware by timezones=)
    max_value=datetime(2099, 12, 30),  # noqa: DTZ001
    timezones=zones,
)


@given(moment=moments, digits=st.sampled_from(["seconds", "milliseconds", "microseconds"]))
def test_an_iso_date_time_with_zone_is_that_instant(moment: datetime, digits: str) -> None:
    text = moment.isoformat(timespec=digits)
    if moment.utcoffset() == timedelta(0) and digits == "seconds":
        text = text.replace("+00:00", "Z")
    parsed = accepted_time(text)
    assert isinstance(parsed, datetime)
    expected = moment.replace(microsecond=0) if digits == "seconds" else moment
    if digits == "milliseconds":
        expected = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    assert time_us_of(parsed) == time_us_of(expected)


@given(
    value=st.dates().map(lambda d: d.isoformat())
    | st.datetimes().map(lambda d: d.isoformat())  # no zone: UTC or local?
    | st.integers(0, 2**40).map(str)
    | st.floats(0, 4e9).map(str)
    | st.booleans()
    | st.none()
    | st.lists(st.integers(), max_size=2)
)
def test_other_times_are_refused(value: Any) -> None:
    assert refused_at(report(at_s=value)) == {"time"}


@given(st.text(max_size=40))
def test_a_text_time_is_accepted_only_in_the_one_form(text: str) -> None:
    """Whatever the text, if it is accepted it is an RFC 3339 date-time in ASCII."""
    if refused_at(report(at_s=text)) is None:
        assert text.isascii()
        assert text[10] == "T"
        assert text.endswith("Z") or text[-6] in "+-"
        assert isinstance(accepted_time(text), datetime)


@given(field=st.sampled_from(sorted(IDENTIFIERS)), text=st.text(max_size=20))
def test_identifiers_follow_the_one_rule(field: str, text: str) -> None:
    expected_ok = identifier_problem(text) is None and len(text) <= IDENTIFIERS[field]
    refused = refused_at(report(**{field: text}))
    assert (refused is None) == expected_ok, ascii(text)
    if refused is not None:
        assert refused == {field}


@pytest.mark.parametrize("value", [START_S, float(START_S), START_S + 0.25])
def test_epoch_seconds_stay_as_sent(value: float) -> None:
    parsed = accepted_time(value)
    assert parsed == value
    assert type(parsed) is type(value)
