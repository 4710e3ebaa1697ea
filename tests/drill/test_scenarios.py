"""Shipped drill scenarios meet their expected outcomes at --speed max; each check has
its heading in the scenario's Markdown and the reverse; a broken outcome fails with a
clear table; invalid scenario files are refused with the line and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airhotline.cli import app
from airhotline.drill.runner import run_drill
from airhotline.drill.scenario import SCENARIOS, ScenarioError, load_scenario, parse_scenario

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def test_the_issues_scenarios_are_shipped() -> None:
    assert set(SHIPPED) >= {
        "joint-drill-3nm",
        "head-on",
        "crossing",
        "overtaking",
        "climb-through",
        "incursion",
        "refuelling",
        "silent-line",
    }


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_scenario_meets_its_outcomes(name: str, tmp_path: Path) -> None:
    result = run_drill(load_scenario(SCENARIOS / f"{name}.yaml"), f"sqlite:///{tmp_path}/j.db")
    failed = [(o.check, o.expected, o.observed) for o in result.outcomes if not o.passed]
    assert failed == []
    assert result.head_seq > 0


@pytest.mark.parametrize("name", SHIPPED)
def test_every_check_has_its_heading_and_every_heading_its_check(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    text = (SCENARIOS / f"{name}.md").read_text(encoding="utf-8")
    checks_part = text.split("\n## Checks\n", 1)[1]
    headings = re.findall(r"^### (\S+)\s*$", checks_part, flags=re.MULTILINE)
    assert sorted(headings) == sorted(scenario.checks)
    assert text.startswith(f"# {name} ")


def test_a_broken_outcome_fails_with_a_clear_table(tmp_path: Path) -> None:
    text = (SCENARIOS / "head-on.yaml").read_text(encoding="utf-8")
    broken = text.replace("within_s: [155, 175]", "within_s: [20, 45]")
    assert broken != text
    path = tmp_path / "head-on-broken.yaml"
    path.write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["drill", "run", str(path), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 1, result.output
    (line,) = [x for x in result.output.splitlines() if "warning-in-time" in x]
    assert line.split()[0] == "FAIL"
    assert "within 20-45 s" in line
    assert "warning at 167 s" in line
    assert "4 passed, 1 failed" in result.output


def test_the_cli_runs_a_shipped_scenario_by_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["drill", "run", "incursion", "--out", str(tmp_path)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "5 passed, 0 failed" in result.output
    assert (tmp_path / "journal.db").exists()


GOOD = (SCENARIOS / "head-on.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("accept", "failing"),
    [
        # Accepted at once: nothing is alerted while the receiver closes; held back at 10 s.
        (
            "accept_at_s: 5",
            {"alerted-until-accepted", "held-back-once-accepted", "the-alert-ends-once-accepted"},
        ),
        # Never accepted: the proposal alone holds nothing back, the alert stays.
        ("", {"held-back-once-accepted", "the-alert-ends-once-accepted"}),
    ],
)
def test_the_refuelling_checks_tell_when_the_proximity_was_accepted(
    accept: str, failing: set[str], tmp_path: Path
) -> None:
    text = (SCENARIOS / "refuelling.yaml").read_text(encoding="utf-8")
    changed = text.replace("    accept_at_s: 160\n", f"    {accept}\n" if accept else "")
    assert changed != text
    result = run_drill(parse_scenario(changed, "refuelling.yaml"), f"sqlite:///{tmp_path}/j.db")
    assert {o.check for o in result.outcomes if not o.passed} == failing


#: (text replaced, its replacement, a text of the line the error must name, field, reason)
INVALID = [
    (
        "gs_kt: 450, track_deg: 90}",
        "gs_kt: -5, track_deg: 90}",
        "gs_kt: -5",
        "aircraft[0].start.gs_kt",
        "minimum",
    ),
    (
        "duration_s: 240",
        "duration_s: 240\nweather: fine",
        "weather:",
        "weather",
        "unknown field",
    ),
    (
        "  - party: BOREAS\n    track: B1",
        "  - party: CIRRUS\n    track: B1",
        "party: CIRRUS",
        "aircraft[1].party",
        "no party named 'CIRRUS'",
    ),
    (
        "    track: B1\n",
        "    track: A1\n",
        "    track: A1\n    callsign: BOR202",
        "aircraft[1].track",
        "appears twice",
    ),
    (
        "between: [A1, B1], by: ATLAS",
        "between: [A1, Z9], by: ATLAS",
        "Z9",
        "expect[2].acknowledged.between[1]",
        "no track or notice label 'Z9'",
    ),
    ('start: "2026-06-01T09:00:00Z"', 'start: "yesterday"', "yesterday", "start", "date-time"),
    (
        "  - check: they-meet\n",
        "  - check: they-meet\n    no_alert: {between: [A1, B1]}\n",
        "check: they-meet",
        "expect[4]",
        "one action (or check)",
    ),
    ("name: head-on", "name: head-on: again", "name:", "yaml", "mapping values are not allowed"),
    (
        "duration_s: 240",
        "duration_s: 240\nduration_s: 300",
        "duration_s: 300",
        "duration_s",
        "twice",
    ),
    (
        "gs_kt: 450, track_deg: 90}",
        "gs_kt: .nan, track_deg: 90}",
        "gs_kt: .nan",
        "aircraft[0].start.gs_kt",
        "finite",
    ),
    (
        "    callsign: ATL101\n",
        "    callsign: ATL101\n    manoeuvres:\n      - {at_s: .inf, turn: {heading_deg: 0}}\n",
        "at_s: .inf",
        "aircraft[0].manoeuvres[0].at_s",
        "finite",
    ),
    (
        "    callsign: ATL101\n",
        "    callsign: ATL101\n    manoeuvres:\n      - {at_s: 900, turn: {heading_deg: 0}}\n",
        "at_s: 900",
        "aircraft[0].manoeuvres[0].at_s",
        "after the drill's end",
    ),
    (
        "    callsign: ATL101\n",
        "    callsign: ATL101\n    manoeuvres:\n      - {at_s: 9, level: {to: FLabc}}\n",
        "FLabc",
        "aircraft[0].manoeuvres[0].level.to",
        "",
    ),
    (
        "within_s: [155, 175]",
        "within_s: [175, 155]",
        "[175, 155]",
        "expect[1].alert.within_s",
        "first bound above",
    ),
    (
        "aircraft:\n",
        "notices:\n  - {party: ATLAS, kind: bombing,"
        " area: {type: Circle, center: [33, 34], radius_nm: 5},"
        " window: {start_s: 0, end_s: 60}}\naircraft:\n",
        "kind: bombing",
        "notices[0].kind",
        "one of air-operations",
    ),
    (
        "aircraft:\n",
        "notices:\n  - {party: ATLAS, kind: drill,"
        " area: {type: Circle, center: [33, 34], radius_nm: -5},"
        " window: {start_s: 0, end_s: 60}}\naircraft:\n",
        "radius_nm: -5",
        "notices[0].area.radius_nm",
        "",
    ),
    (
        "aircraft:\n",
        "messages:\n  - {at_s: 5, from: ATLAS, to: BOREAS,"
        " type: smoke-signal, form: puff}\naircraft:\n",
        "smoke-signal",
        "messages[0].type",
        "unknown message type",
    ),
    (
        "  - check: they-meet\n",
        "  - check: quiet-later\n    no_alert: {between: [A1, B1], after_s: 900}\n"
        "  - check: they-meet\n",
        "after_s: 900",
        "expect[4].no_alert.after_s",
        "after the drill's end",
    ),
    (
        "  - check: they-meet\n",
        "  - check: held-back\n    suppressed: {between: [A1, Z9]}\n  - check: they-meet\n",
        "Z9",
        "expect[4].suppressed.between[1]",
        "no track 'Z9'",
    ),
    ('start: "2026-06-01T09:00:00Z"', "start: 2026-06-01T09:00:00Z", "", "", ""),
]


@pytest.mark.parametrize(("old", "new", "marker", "field", "reason"), INVALID)
def test_an_invalid_scenario_is_refused_with_its_line_and_field(
    old: str, new: str, marker: str, field: str, reason: str
) -> None:
    assert old in GOOD
    bad = GOOD.replace(old, new, 1)
    if not marker:  # not an error after all: an unquoted YAML timestamp is a fine start
        assert (
            parse_scenario(bad, "fine.yaml").start_us
            == load_scenario(SCENARIOS / "head-on.yaml").start_us
        )
        return
    line = bad[: bad.index(marker)].count("\n") + 1
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(bad, "bad.yaml")
    message = str(caught.value)
    assert message.startswith(f"bad.yaml:{line}: {field}: "), message
    assert reason in message


def test_an_invalid_scenario_is_one_line_on_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("gs_kt: 450, track_deg: 270", "gs_kt: 450, track_deg: 400"))
    result = CliRunner().invoke(app, ["drill", "run", str(path)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert re.match(r"airhotline: error: .*bad\.yaml:\d+: aircraft\[1\]\.start\.track_deg: ", line)


def test_a_paced_drill_sleeps_out_each_simulated_second(tmp_path: Path) -> None:
    text = (SCENARIOS / "head-on.yaml").read_text(encoding="utf-8")
    short = parse_scenario(text.replace("duration_s: 240", "duration_s: 9"), "short.yaml")
    slept: list[float] = []
    run_drill(short, f"sqlite:///{tmp_path}/j.db", speed=20.0, sleep=slept.append)
    assert len(slept) == 10  # seconds 0 to 9
    # Paced against the drill's start: each wait is what is left of (t + 1) / 20 s (this
    # sleep returns at once, so the waits grow towards the whole half second).
    assert all(0.0 <= s <= 0.5 for s in slept)
    assert slept[-1] > slept[0]
    slept.clear()
    run_drill(short, f"sqlite:///{tmp_path}/k.db", speed=None, sleep=slept.append)
    assert slept == []  # --speed max never sleeps


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scripted", "ATLAS"], "--scripted: goes with --live"),
        (["--live", "--scripted", "CIRRUS"], "--scripted: no party named 'CIRRUS'"),
        (["--speed", "fast"], "--speed: a number of simulated seconds per second, or max"),
        (["--speed", "0"], "--speed: must be above 0"),
    ],
)
def test_bad_drill_options_are_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["drill", "run", "head-on", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("airhotline: error: ")
    assert message in line


def test_a_live_drill_scripts_nothing_for_a_real_centre() -> None:
    from airhotline.drill.runner import _scripted_messages

    spec = load_scenario(SCENARIOS / "joint-drill-3nm.yaml").spec
    kept = _scripted_messages(spec, frozenset({"ATLAS"}))
    # ATLAS's own messages, and BOREAS's answer to ATLAS's question, are not sent.
    assert [(m["from"], m.get("label")) for m in kept] == [("BOREAS", "ask-level")]
    assert len(_scripted_messages(spec, frozenset())) == len(spec["messages"])
