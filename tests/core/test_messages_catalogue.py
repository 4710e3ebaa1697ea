"""The message catalogue and its five languages: complete, faithful to their placeholders,
right in their plurals, never English in disguise, and rendered as golden files record.

Regenerate the golden renderings after a reviewed change of wording with
``AIRHOTLINE_REGENERATE=1 .venv/bin/python -m pytest tests/core/test_messages_catalogue.py``
and read the diff: it is the review.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from airhotline.core.messages.catalogue import (
    CATALOGUE,
    Attribute,
    ParamKind,
    Response,
    allowed,
    closes,
    messages_to_translate,
)
from airhotline.core.messages.render import (
    FSI,
    LRI,
    PDI,
    placeholders,
    render,
    render_response,
    template_for,
)
from airhotline.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, RIGHT_TO_LEFT, translations

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "messages"
sys.path.insert(0, str(ROOT / "tools"))
import i18n as i18n_tool  # noqa: E402

#: A value of each kind, for rendering every form.
SAMPLE: dict[ParamKind, Any] = {
    ParamKind.TRACK: "RFF201",
    ParamKind.CALLSIGN: "BOR456",
    ParamKind.LEVEL: "FL350",
    ParamKind.HEADING: 90,
    ParamKind.DISTANCE: 2.44,
    ParamKind.SPEED: 450,
    ParamKind.CLOCK: 2,
    ParamKind.SECONDS: 45,
    ParamKind.COUNT: 3,
    ParamKind.TIME: 1_796_128_200_000_000,  # 2026-12-01 12:30 UTC
    ParamKind.POSITION: (33.5, 35.25),
    ParamKind.FREQUENCY: 121.5,
    ParamKind.TEXT: "N-12",
}
FREE_TEXT = {"en": "Tanker on station at 1200", "ru": "Заправщик в зоне в 12:00"}
#: Values by parameter name where the kind's sample would read oddly (own == other).
BY_NAME: dict[str, Any] = {
    "own": "RFF201",
    "other": "BOR456",
    "alert": "a7f3",
    "vertical": 800,
    "lower": "FL100",
    "upper": 25_000,
    "end": 1_796_135_400_000_000,  # two hours after the start
    "unit": "Latakia Control",
    "drill": "JOINT-3NM",
    "party": "BOREAS",
}


def sample(type_id: str, form_name: str) -> dict[str, Any]:
    form = CATALOGUE[type_id].forms[form_name]
    values = {
        p.name: p.choices[-1] if p.choices else BY_NAME.get(p.name, SAMPLE[p.kind])
        for p in form.params
    }
    if type_id == "free-text":
        values["text"] = FREE_TEXT["ru"]
    return values


def catalogue_of(lang: str) -> Any:
    with i18n_tool.po_path(lang).open("rb") as stream:
        return read_po(stream, locale=lang)


def every_form() -> list[tuple[str, str]]:
    return [(t.id, name) for t in CATALOGUE.values() for name in t.forms]


# --- completeness -------------------------------------------------------------------------


def test_the_template_file_is_extracted_from_the_catalogue() -> None:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as stream:
        pot = read_po(stream)
    in_pot = [(m.context, m.id) for m in pot if m.id]
    # The message catalogue's, then the debrief's words (`airhotline.debrief.words`).
    expected = [(m.context, m.id) for m in i18n_tool.template_catalogue() if m.id]
    assert expected[: len(messages_to_translate())] == messages_to_translate()
    assert in_pot == expected, "run 'python tools/i18n.py extract'"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang: str) -> None:
    catalog = catalogue_of(lang)
    for context, msgid in messages_to_translate():
        message = catalog.get(msgid, context=context)
        assert message is not None, f"{lang}: {context} {msgid!r} is missing"
        assert not message.fuzzy, f"{lang}: {context} is fuzzy"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: {context} is not translated"
        if isinstance(msgid, tuple):
            assert len(strings) == catalog.num_plurals, f"{lang}: {context} lacks plural forms"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_exactly_the_placeholders(lang: str) -> None:
    catalog = catalogue_of(lang)
    for context, msgid in messages_to_translate():
        message = catalog.get(msgid, context=context)
        wanted = placeholders(msgid[0] if isinstance(msgid, tuple) else msgid)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert placeholders(text) == wanted, f"{lang}: {context}: {text!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_gnu_msgfmt_checks_each_catalogue(lang: str) -> None:
    # Babel compiles a catalogue with missing plural forms and reports 100 %: GNU's
    # checker does not, and checks python-brace-format placeholders too.
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (Debian's gettext) is not installed")
        pytest.skip("msgfmt (Debian's gettext) is not installed")
    done = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(i18n_tool.po_path(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_no_language_falls_back_to_english(lang: str) -> None:
    for type_id, form_name in every_form():
        if CATALOGUE[type_id].verbatim:
            continue
        params = sample(type_id, form_name)
        assert render(type_id, form_name, params, lang) != render(
            type_id, form_name, params, "en"
        ), f"{lang}: {type_id}/{form_name} reads as English"
    assert translations(lang).info()["language"] == lang


# --- plurals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        # n = 0, 1, 2, 3, 5, 11, 21, 100: which msgstr[] each count takes.
        ("ru", [2, 0, 1, 1, 2, 2, 0, 2]),
        ("ar", [0, 1, 2, 3, 3, 4, 4, 5]),
        ("he", [2, 0, 1, 2, 2, 2, 2, 2]),
        ("en", [1, 0, 1, 1, 1, 1, 1, 1]),
        ("tr", [1, 0, 1, 1, 1, 1, 1, 1]),
    ],
)
def test_plural_forms_follow_the_language(lang: str, expected: list[int]) -> None:
    form = CATALOGUE["emergency"].forms["mayday"]
    message = catalogue_of(lang).get((form.template, form.template_plural), context=form.context)
    counts = [0, 1, 2, 3, 5, 11, 21, 100]
    chosen = [
        translations(lang).npgettext(form.context, form.template, form.template_plural or "", n)
        for n in counts
    ]
    assert chosen == [message.string[k] for k in expected]


def test_russian_and_arabic_counts_read_right() -> None:
    def persons(n: int, lang: str) -> str:
        params = {**sample("emergency", "mayday"), "persons": n}
        return render("emergency", "mayday", params, lang)

    assert persons(1, "ru").endswith("на борту 1 человек.")
    assert persons(3, "ru").endswith("на борту 3 человека.")
    assert persons(5, "ru").endswith("на борту 5 человек.")
    assert persons(3, "ar").endswith(f"{LRI}3{PDI} أشخاص.")
    assert persons(11, "ar").endswith(f"{LRI}11{PDI} شخصًا.")


# --- how values are written ---------------------------------------------------------------


def test_values_are_written_as_operators_write_them() -> None:
    params = {
        "track": "RFF201",
        "other": "BOR456",
        "clock": 2,
        "distance": 2.44,
        "level": 5000,
        "heading": 90,
        "speed": 450,
    }
    assert render("traffic-information", "traffic", params, "en") == (
        "Traffic for RFF201: BOR456, 2 o'clock, 2.4 NM, 5,000 ft, track 090, 450 kt."
    )
    ru = render("traffic-information", "traffic", params, "ru")
    assert "2,4 NM" in ru
    assert "5\xa0000 ft" in ru
    contact = {"unit": "Latakia Control", "frequency": 121.5}
    assert render("contact", "contact", contact, "en") == (
        "Contact Latakia Control on 121.500 MHz."
    )
    start = {"drill": "D1", "time": SAMPLE[ParamKind.TIME]}
    assert render("drill-start", "start", start, "en") == "Drill D1 starts at 1 Dec 12:30 UTC."


@pytest.mark.parametrize("lang", sorted(RIGHT_TO_LEFT))
def test_right_to_left_readers_get_values_as_left_to_right_isolates(lang: str) -> None:
    params = {"track": "RFF201", "level": "FL350"}
    text = render("intentions", "climb", params, lang)
    assert f"{LRI}RFF201{PDI}" in text
    assert f"{LRI}FL350{PDI}" in text
    assert text.count(LRI) + text.count(FSI) == text.count(PDI)
    free = render("free-text", "text", {"text": "Tanker on station"}, lang)
    assert free == f"{FSI}Tanker on station{PDI}"


def test_left_to_right_readers_get_no_isolates() -> None:
    text = render("intentions", "climb", {"track": "RFF201", "level": "FL350"}, "ru")
    assert not {LRI, FSI, PDI} & set(text)


def test_arabic_keeps_latin_digits() -> None:
    text = render("drill-start", "start", {"drill": "D1", "time": SAMPLE[ParamKind.TIME]}, "ar")
    assert "12:30" in text
    assert not any("\u0660" <= c <= "\u0669" for c in text)


# --- response attributes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "closing"),
    [
        (Attribute.WILCO_UNABLE, {Response.WILCO, Response.UNABLE}),
        (Attribute.AFFIRM_NEGATIVE, {Response.AFFIRM, Response.NEGATIVE}),
        (Attribute.ROGER, {Response.ROGER}),
        (Attribute.ANY, set(Response) - {Response.STANDBY}),
        (Attribute.NONE, set()),
    ],
)
def test_responses_close_only_what_their_attribute_allows(
    attribute: Attribute, closing: set[Response]
) -> None:
    assert {r for r in Response if closes(attribute, r)} == closing
    assert not closes(attribute, Response.STANDBY)
    assert allowed(attribute, Response.STANDBY) == (attribute is not Attribute.NONE)


def test_wilco_cannot_answer_free_text_nor_roger_a_contact() -> None:
    assert not allowed(CATALOGUE["free-text"].attribute, Response.WILCO)
    assert not closes(CATALOGUE["contact"].attribute, Response.ROGER)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_response_word_is_translated(lang: str) -> None:
    words = [render_response(r, lang) for r in Response]
    assert len(set(words)) == len(words)
    if lang != "en":
        assert words != [render_response(r, "en") for r in Response]


def test_the_catalogue_has_the_types_the_hotline_needs() -> None:
    assert set(CATALOGUE) >= {
        "conflict-alert",
        "traffic-information",
        "request-intentions",
        "intentions",
        "request-level-report",
        "level-report",
        "contact",
        "unable-to-comply",
        "notice-published",
        "notice-cancelled",
        "drill-start",
        "drill-end",
        "line-check",
        "line-check-reply",
        "emergency",
        "free-text",
    }
    intentions = set(CATALOGUE["intentions"].forms)
    assert intentions == {"climb", "descend", "turn", "direct", "hold", "leave-area", "maintain"}
    assert CATALOGUE["free-text"].attribute is Attribute.ROGER
    assert CATALOGUE["contact"].attribute is Attribute.WILCO_UNABLE


# --- golden renderings --------------------------------------------------------------------


def rendered(lang: str) -> str:
    lines = []
    for type_id, form_name in every_form():
        params = sample(type_id, form_name)
        lines.append(f"{type_id}/{form_name}: {render(type_id, form_name, params, lang)}")
    lines.append("responses: " + " / ".join(render_response(r, lang) for r in Response))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_form_renders_as_its_golden_file(lang: str) -> None:
    path = GOLDEN / f"{lang}.txt"
    text = rendered(lang)
    if os.environ.get("AIRHOTLINE_REGENERATE"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


# --- parameters a form gained after messages of it were journaled -----------------------


def added_params() -> list[tuple[str, str, str]]:
    return [
        (type_id, form_name, name)
        for type_id, form_name in every_form()
        for name in CATALOGUE[type_id].forms[form_name].added
    ]


def test_the_conflict_words_name_the_other_party() -> None:
    assert ("conflict-alert", "raised", "party") in added_params()
    params = sample("conflict-alert", "raised")
    text = render("conflict-alert", "raised", params, "en")
    assert text == (
        "WARNING, alert a7f3: your RFF201 and BOR456 (BOREAS) will lose separation in 45 seconds."
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_wording_writes_an_added_parameter_as_the_fallback_expects(lang: str) -> None:
    """A journaled message without an added parameter reads whole only if every wording
    of its form writes it as `` ({name})``, once, in every plural form."""
    for type_id, form_name, name in added_params():
        form = CATALOGUE[type_id].forms[form_name]
        counts = [1] if form.plural is None else range(0, 30)
        for count in counts:
            params = {form.plural: count} if form.plural else {}
            wording = template_for(form, lang, params)
            assert wording.count(f" ({{{name}}})") == 1, (lang, form.name, count, wording)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_message_journaled_before_a_parameter_was_added_reads_whole(lang: str) -> None:
    for type_id, form_name, name in added_params():
        params = sample(type_id, form_name)
        del params[name]
        text = render(type_id, form_name, params, lang)
        assert "()" not in text, (lang, form_name, text)
        assert "{" not in text, (lang, form_name, text)
        assert "BOR456" in text  # the rest of it is there
        assert "BOREAS" not in text


# --- the command line ---------------------------------------------------------------------


def test_the_catalog_command_lists_every_type_in_every_language() -> None:
    from typer.testing import CliRunner

    from airhotline.cli import app

    result = CliRunner().invoke(app, ["messages", "catalog"])
    assert result.exit_code == 0, result.output
    for type_id in CATALOGUE:
        assert f"{type_id}  [{CATALOGUE[type_id].attribute.value}]" in result.stdout
    assert "ru  Сообщите намерения {track}." in result.stdout
    assert "he  " in result.stdout
    only = CliRunner().invoke(app, ["messages", "catalog", "--lang", "tr"])
    assert "    ru  " not in only.stdout
    assert "    tr  " in only.stdout
    wrong = CliRunner().invoke(app, ["messages", "catalog", "--lang", "fr"])
    assert wrong.exit_code == 2
    assert "--lang: no catalogue for 'fr'" in wrong.stderr


@pytest.mark.parametrize("lang", sorted(RIGHT_TO_LEFT))
def test_a_date_reads_in_the_readers_direction_its_time_of_day_left_to_right(lang: str) -> None:
    import unicodedata

    start = {"drill": "D1", "time": SAMPLE[ParamKind.TIME]}
    text = render("drill-start", "start", start, lang)
    opened = text.index(FSI, text.index("D1"))
    date = text[opened + 1 : text.index(LRI, opened)]
    # The isolate takes its direction from its first strong letter: the month's name.
    first_strong = next(c for c in date if unicodedata.bidirectional(c) in ("L", "R", "AL"))
    assert unicodedata.bidirectional(first_strong) in ("R", "AL"), date
    assert f"{LRI}12:30 UTC{PDI}{PDI}" in text
    assert text.count(LRI) + text.count(FSI) == text.count(PDI)
