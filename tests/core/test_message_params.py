"""A message's parameters are checked against its form before anything is journaled."""

from __future__ import annotations

from typing import Any

import pytest

from airhotline.core.messages.catalogue import CATALOGUE
from airhotline.core.messages.params import MAX_TEXT, checked_params, form_of
from airhotline.errors import InputError

from .test_messages_catalogue import sample


@pytest.mark.parametrize(
    ("type_id", "form_name"), [(t.id, f) for t in CATALOGUE.values() for f in t.forms]
)
def test_every_forms_sample_is_accepted_as_it_is(type_id: str, form_name: str) -> None:
    params = sample(type_id, form_name)
    assert checked_params(form_of(type_id, form_name), params) == params


@pytest.mark.parametrize(
    ("type_id", "form_name", "field"),
    [("no-such-type", "x", "type"), ("intentions", "loop", "form"), (7, "x", "type")],
)
def test_an_unknown_type_or_form_is_named(type_id: Any, form_name: str, field: str) -> None:
    with pytest.raises(InputError) as refused:
        form_of(type_id, form_name)
    assert refused.value.field == field


TURN = {"track": "RFF201", "direction": "left", "heading": 90}
CLIMB = {"track": "RFF201", "level": "FL350"}


@pytest.mark.parametrize(
    ("form", "params", "field", "reason"),
    [
        (("intentions", "turn"), {**TURN, "heading": 361}, "heading", "from 1 to 360"),
        (("intentions", "turn"), {**TURN, "heading": 0}, "heading", "from 1 to 360"),
        (("intentions", "turn"), {**TURN, "heading": 90.5}, "heading", "whole number"),
        (("intentions", "turn"), {**TURN, "heading": True}, "heading", "whole number"),
        (("intentions", "turn"), {**TURN, "direction": "up"}, "direction", "left, right"),
        (("intentions", "climb"), {**CLIMB, "level": -500}, "level", "from 0"),
        (("intentions", "climb"), {**CLIMB, "level": "FL35"}, "level", "three digits"),
        (("intentions", "climb"), {**CLIMB, "level": "350"}, "level", "three digits"),
        (("intentions", "climb"), {**CLIMB, "track": "R\u202eF"}, "track", "U+202E"),
        (("intentions", "climb"), {**CLIMB, "track": ""}, "track", "non-empty"),
        (("intentions", "climb"), {"track": "RFF201"}, "level", "missing"),
        (("intentions", "climb"), {**CLIMB, "speed": 300}, "speed", "not a parameter"),
        (
            ("contact", "contact"),
            {"unit": "Latakia Control", "frequency": 150.0},
            "frequency",
            "118-136.975",
        ),
        (
            ("intentions", "direct"),
            {"track": "RFF201", "position": [91.0, 0.0]},
            "position",
            "latitude",
        ),
        (("intentions", "direct"), {"track": "RFF201", "position": "33N"}, "position", "["),
        (("free-text", "text"), {"text": "x" * (MAX_TEXT + 1)}, "text", "at most"),
        (("free-text", "text"), {"text": "a\x00b"}, "text", "U+0000"),
    ],
)
def test_a_wrong_parameter_is_refused_naming_it(
    form: tuple[str, str], params: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InputError) as refused:
        checked_params(form_of(*form), params)
    assert refused.value.field == f"params.{field}"
    assert reason in refused.value.reason


def test_free_text_may_run_over_lines() -> None:
    text = "Tanker on station.\nRefuelling until 1230."
    assert checked_params(form_of("free-text", "text"), {"text": text}) == {"text": text}


def test_values_are_normalised() -> None:
    checked = checked_params(
        form_of("intentions", "direct"), {"track": "RFF201", "position": [33, 35.25]}
    )
    assert checked == {"track": "RFF201", "position": (33.0, 35.25)}
