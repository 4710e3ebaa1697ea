"""Debriefs: the least separations are the alert engine's own computation on the
recorded tracks; the HTML opens with no network; a party's debrief shows only what it
was allowed to see; the command's bad input is one line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from airhotline.cli import app
from airhotline.clock import iso_from_us
from airhotline.debrief import debrief_of_store
from airhotline.debrief.report import debrief_html, debrief_json
from airhotline.debrief.stats import encounters
from airhotline.debrief.words import to_translate
from airhotline.drill.runner import run_drill
from airhotline.drill.scenario import SCENARIOS, load_scenario, parse_scenario
from airhotline.i18n import LANGUAGES, translations
from airhotline.store import Store


def _three_party_text() -> str:
    text = (SCENARIOS / "head-on.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - {name: BOREAS, lang: ru, acknowledge_after_s: never}",
        "  - {name: BOREAS, lang: ru, acknowledge_after_s: never}\n"
        "  - {name: CIRRUS, lang: ar, acknowledge_after_s: 5}",
    )
    cirrus = (
        "  - party: CIRRUS\n    track: C1\n"
        "    start: {lat: 36.5, lon: 32.6, alt_ft: 20000, gs_kt: 300, track_deg: 0}\n"
    )
    return text.replace("expect:\n", cirrus + "expect:\n")


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    folder = tmp_path_factory.mktemp("debrief")
    scenario = parse_scenario(_three_party_text(), "three.yaml")
    url = f"sqlite:///{folder}/journal.db"
    run_drill(scenario, url)
    return url, scenario


def _data(
    url: str, scenario: Any, party: str | None, lang: str | None = None, all_tracks: bool = True
) -> Any:
    store = Store.open(url, create=False)
    try:
        return debrief_of_store(
            store,
            start_us=scenario.start_us,
            end_us=scenario.start_us + (scenario.duration_s + 1) * 1_000_000,
            party=party,
            lang=lang,
            all_tracks=all_tracks,
        )
    finally:
        store.close()


def test_least_separations_are_the_engines_own_on_the_recorded_tracks(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "overtaking.yaml")  # resolved within the drill
    url = f"sqlite:///{tmp_path}/journal.db"
    run_drill(scenario, url)
    (found,) = encounters(_data(url, scenario, None))
    store = Store.open(url, create=False)
    try:
        (resolved,) = store.records_after(0, kinds=["alert.resolved"], limit=10)
    finally:
        store.close()
    # The resolution carries the minima the engine measured, cycle by cycle.
    assert found.min_h_nm == pytest.approx(resolved.payload["min_h_sep_nm"], abs=1e-3)
    assert found.min_v_ft == pytest.approx(resolved.payload["min_v_sep_ft"], abs=0.5)
    assert 2.0 < found.min_h_nm < 6.0


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "data") and value:
                self.found.append(f"{tag} {name}={value}")
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.found.append(tag)


def test_the_html_opens_with_no_network(drilled: tuple[str, Any]) -> None:
    url, scenario = drilled
    page = debrief_html(_data(url, scenario, None))
    links = _Links()
    links.feed(page)
    # Only in-document references (SVG's own #ids); nothing fetched, no script.
    assert [x for x in links.found if not re.search(r"=#", x)] == []
    assert "@import" not in page
    assert "url(http" not in page
    assert page.count("<svg") >= 2  # the plan view and the separation chart, inline


def test_a_partys_debrief_shows_only_what_it_was_allowed_to_see(
    drilled: tuple[str, Any],
) -> None:
    url, scenario = drilled
    cirrus = _data(url, scenario, "CIRRUS")
    assert cirrus.alerts == []
    assert set(cirrus.tracks) == {("CIRRUS", "C1")}
    page = debrief_html(cirrus) + json.dumps(debrief_json(cirrus), ensure_ascii=False)
    for secret in ("A1", "B1", "ATL101", "BOR202"):
        assert secret not in page
    assert "dir='rtl'" in page  # CIRRUS reads Arabic
    boreas = _data(url, scenario, "BOREAS")
    (story,) = boreas.alerts
    first = story.records[0].time_us
    # Still active when the drill ends: disclosed to the window's end.
    assert story.last["state"] == "active"
    last = boreas.end_us
    other = boreas.tracks[("ATLAS", "A1")]
    # ATLAS's aircraft only while the alert was disclosed to BOREAS.
    assert first <= int(other.time_us.min())
    assert int(other.time_us.max()) <= last
    assert ("CIRRUS", "C1") not in boreas.tracks
    everything = _data(url, scenario, None)
    assert int(everything.tracks[("ATLAS", "A1")].time_us.min()) < first


def test_a_partys_transcript_is_in_its_language_with_the_originals(
    drilled: tuple[str, Any],
) -> None:
    url, scenario = drilled
    boreas = debrief_json(_data(url, scenario, "BOREAS"))
    texts = [m["text"] for m in boreas["messages"]]
    assert texts
    assert all("оповещение" in t.lower() for t in texts)
    assert all(m["original"]["lang"] == "en" for m in boreas["messages"])
    assert boreas["journal"]["verified"] is True


def test_the_command_writes_html_and_json(drilled: tuple[str, Any], tmp_path: Path) -> None:
    url, scenario = drilled
    window = [
        "--from",
        iso_from_us(scenario.start_us),
        "--to",
        iso_from_us(scenario.start_us + 600_000_000),
    ]
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["debrief", "--db", url, *window, "--out", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["encounters"][0]["tier"] == "warning"
    html_out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["debrief", "--db", url, *window, "--out", str(html_out), "--party", "ATLAS"]
    )
    assert result.exit_code == 0, result.output
    assert html_out.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-06-01T10:00:00Z", "--to", "2026-06-01T09:00:00Z"], "--to: must be after"),
        (["--from", "soon", "--to", "2026-06-01T09:00:00Z"], "--from: not an ISO 8601 time"),
        (
            ["--from", "2026-06-01T09:00:00Z", "--to", "2026-06-01T10:00:00Z", "--party", "NOBODY"],
            "no party named 'NOBODY'",
        ),
        (
            ["--from", "2026-06-01T09:00:00Z", "--to", "2026-06-01T10:00:00Z", "--format", "pdf"],
            "--format: must be html or json",
        ),
    ],
)
def test_bad_input_is_one_line(
    drilled: tuple[str, Any], tmp_path: Path, args: list[str], message: str
) -> None:
    url, _ = drilled
    result = CliRunner().invoke(
        app, ["debrief", "--db", url, *args, "--out", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("airhotline: error: ")
    assert message in line


def test_the_pdf_has_every_section(drilled: tuple[str, Any], tmp_path: Path) -> None:
    url, scenario = drilled
    window = [
        "--from",
        iso_from_us(scenario.start_us),
        "--to",
        iso_from_us(scenario.start_us + 600_000_000),
    ]
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["debrief", "--db", url, *window, "--out", str(out), "--pdf", "--party", "BOREAS"]
    )
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftoppm"):  # Debian's poppler-utils, installed by make setup
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
            check=True,
        )
        assert len(list(tmp_path.glob("page-*.png"))) >= 2


def test_by_default_only_the_encounters_aircraft_are_read(drilled: tuple[str, Any]) -> None:
    url, scenario = drilled
    encounters_only = _data(url, scenario, None, all_tracks=False)
    assert set(encounters_only.tracks) == {("ATLAS", "A1"), ("BOREAS", "B1")}
    assert ("CIRRUS", "C1") in _data(url, scenario, None).tracks
    # The same encounter figures either way.
    assert encounters(encounters_only) == encounters(_data(url, scenario, None))


def test_a_foreign_track_past_the_exposure_budget_stays_hidden(tmp_path: Path) -> None:
    from airhotline.core.node import HotlineConfig

    text = _three_party_text().replace(
        "  - party: CIRRUS\n    track: C1\n",
        "  - party: BOREAS\n    track: B2\n"
        "    start: {lat: 34.52, lon: 33.2, alt_ft: 30000, gs_kt: 450, track_deg: 270}\n"
        "  - party: CIRRUS\n    track: C1\n",
    )
    scenario = parse_scenario(text, "budget.yaml")
    url = f"sqlite:///{tmp_path}/journal.db"
    run_drill(scenario, url, config=HotlineConfig(exposure_limit=1))
    store = Store.open(url, create=False)
    try:
        assert store.records_after(0, kinds=["exposure.limited"], limit=10)  # one refused
        atlas = debrief_of_store(
            store,
            start_us=scenario.start_us,
            end_us=scenario.start_us + 300_000_000,
            party="ATLAS",
            lang=None,
            exposure_limit=1,
        )
    finally:
        store.close()
    assert len(atlas.alerts) == 2  # told of both encounters ...
    foreign = {key for key in atlas.tracks if key[0] == "BOREAS"}
    assert len(foreign) == 1  # ... but shown only the aircraft its budget admitted


def test_a_window_that_starts_mid_alert_tells_the_alert_whole(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "incursion.yaml")
    url = f"sqlite:///{tmp_path}/journal.db"
    run_drill(scenario, url)
    store = Store.open(url, create=False)
    try:
        late = debrief_of_store(
            store,
            start_us=scenario.start_us + 10_000_000,
            end_us=scenario.start_us + 200_000_000,
            party="BOREAS",
            lang=None,
        )
    finally:
        store.close()
    (found,) = encounters(late)
    assert found.raised_us == scenario.start_us + 1_000_000  # raised before the window
    assert found.to_acknowledge_s["ATLAS"] is not None
    assert [n["kind"] for n in late.notices] == ["live-firing"]  # published before it too


def test_encounters_held_back_by_a_cleared_proximity_are_in_the_debrief(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "refuelling.yaml")
    url = f"sqlite:///{tmp_path}/journal.db"
    run_drill(scenario, url)
    for party in (None, "BOREAS"):
        report = debrief_json(_data(url, scenario, party))
        (held,) = report["suppressed"]
        assert held["tracks"] == ["TANKER", "RECEIVER"]
        assert held["parties"] == ["ATLAS", "BOREAS"]
    assert debrief_json(_data(url, scenario, "ATLAS"))["suppressed"]


def test_a_pair_in_a_zone_is_judged_by_the_zones_minima(tmp_path: Path) -> None:
    # 4 NM abeam inside a 5 NM / 2 000 ft drill zone: alerted, and no nuisance.
    text = """
name: zone-five
start: "2026-06-01T09:00:00Z"
duration_s: 60
parties:
  - {name: ATLAS, acknowledge_after_s: 2}
  - {name: BOREAS, acknowledge_after_s: 2}
zones:
  - name: DRILL-5
    area: {type: Circle, center: [32.0, 34.5], radius_nm: 40}
    h_sep_nm: 5
    v_sep_ft: 2000
aircraft:
  - party: ATLAS
    track: A1
    start: {lat: 34.5, lon: 32.0, alt_ft: 20000, gs_kt: 300, track_deg: 0}
  - party: BOREAS
    track: B1
    start: {lat: 34.5, lon: 32.0812, alt_ft: 20000, gs_kt: 300, track_deg: 0}
expect:
  - check: alerted
    alert: {between: [A1, B1], tier: warning}
"""
    scenario = parse_scenario(text, "zone.yaml")
    url = f"sqlite:///{tmp_path}/journal.db"
    assert run_drill(scenario, url).passed
    (found,) = encounters(_data(url, scenario, None))
    assert found.minima == (5.0, 2_000.0)
    assert 3.9 < found.min_h_nm < 4.1
    assert not found.nuisance


class _Chrome(HTMLParser):
    """The page's language, direction, headings and table headers."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] = {}
        self.texts: dict[str, list[str]] = {"h1": [], "h2": [], "th": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.attrs = dict(attrs)
        if tag in self.texts:
            self._open = tag
            self.texts[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.texts[self._open][-1] += data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_languages_debrief_has_its_own_headings_and_direction(
    drilled: tuple[str, Any], lang: str
) -> None:
    url, scenario = drilled
    chrome = _Chrome()
    chrome.feed(debrief_html(_data(url, scenario, None, lang)))
    assert chrome.attrs["lang"] == lang
    assert chrome.attrs["dir"] == ("rtl" if lang in ("ar", "he") else "ltr")
    words = translations(lang)
    headings = [h.strip() for h in chrome.texts["h2"]]
    for english in ("Summary", "Encounters", "Per pair of parties", "Plan view"):
        assert words.pgettext("debrief", english) in headings
    assert words.pgettext("debrief", "least horizontal") in chrome.texts["th"]
    if lang != "en":
        # Not a word of the chrome left in English (UTC is UTC everywhere).
        untranslated = {m for _, m in to_translate() if isinstance(m, str)} - {"UTC"}
        left = [t for t in headings + chrome.texts["th"] if t.strip() in untranslated]
        assert left == []
        assert chrome.texts["h1"][0].split(",")[0] != "Debrief"


def test_values_are_written_as_the_readers_locale_writes_them(drilled: tuple[str, Any]) -> None:
    url, scenario = drilled
    russian = debrief_html(_data(url, scenario, None, "ru"))
    assert "3,0 NM" in russian  # the decimal comma
    assert "1\u00a0000 ft" in russian  # grouped with a no-break space
    assert "июн." in russian  # the month as Russian writes it
    arabic = debrief_html(_data(url, scenario, None, "ar"))
    assert "\u20663.0 NM\u2069" in arabic  # Latin digits, a left-to-right isolate
    assert "يونيو" in arabic
    assert not re.search("[\u0660-\u0669]", arabic)  # no Arabic-Indic digits


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_debrief_word_is_translated_with_its_placeholders(lang: str) -> None:
    from babel.messages.pofile import read_po

    from airhotline.core.messages.render import placeholders
    from airhotline.i18n import LOCALE_DIR

    with (LOCALE_DIR / lang / "LC_MESSAGES" / "airhotline.po").open("rb") as stream:
        catalog = read_po(stream, locale=lang)
    for context, msgid in to_translate():
        assert isinstance(msgid, str)
        message = catalog.get(msgid, context=context)
        assert message is not None, f"{lang}: {msgid!r} missing"
        assert message.string, f"{lang}: {msgid!r} untranslated"
        assert not message.fuzzy
        assert placeholders(str(message.string)) == placeholders(msgid), f"{lang}: {msgid!r}"


def test_reports_read_in_other_processes_are_the_same(drilled: tuple[str, Any]) -> None:
    url, scenario = drilled
    store = Store.open(url, create=False)
    try:
        found = [
            debrief_of_store(
                store,
                start_us=scenario.start_us,
                end_us=scenario.start_us + (scenario.duration_s + 1) * 1_000_000,
                party=party,
                lang=None,
                url=url,
                workers=workers,
            )
            for party in (None, "BOREAS")
            for workers in (1, 2)
        ]
    finally:
        store.close()
    for one, two in (found[:2], found[2:]):
        assert one.verified
        assert two.verified
        assert encounters(one) == encounters(two)
        assert set(one.tracks) == set(two.tracks)
        for key, series in one.tracks.items():
            assert series.time_us.tolist() == two.tracks[key].time_us.tolist()
            assert series.lat.tolist() == two.tracks[key].lat.tolist()
