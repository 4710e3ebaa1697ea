"""The operator's commands: parties, tokens, agreements, journal, alerts, serve's checks."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from tests.core.parties import three_parties
from tests.core.test_incursion_alerts import HEADING_IN, firing_range, fly_north
from typer.testing import CliRunner

from airhotline.bootstrap import build_node
from airhotline.cli import app
from airhotline.clock import SimulatedClock, iso_from_us
from airhotline.core.alerts import AlertPolicy
from airhotline.core.node import HotlineConfig
from airhotline.core.reports import ReportBatch

runner = CliRunner()
TOKEN = re.compile(r"ahl_[A-Za-z0-9_-]{43}")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ops.db'}"


def test_parties_tokens_and_agreements(db: str) -> None:
    code, out, _ = run("party", "add", "ATLAS", "--lang", "en", "--db", db)
    assert code == 0
    assert len(TOKEN.findall(out)) == 2  # feed and operator, shown once
    assert "shown once" in out
    assert run("party", "add", "BOREAS", "--lang", "ru", "--db", db)[0] == 0
    code, out, _ = run("party", "list", "--db", db)
    assert "ATLAS" in out
    assert "BOREAS" in out
    code, out, _ = run("agreement", "set", "ATLAS", "BOREAS", "--mode", "full", "--db", db)
    assert code == 0
    code, out, _ = run("agreement", "list", "--db", db)
    assert "full" in out
    assert "active" in out
    code, out, _ = run("admin-token", "--db", db)
    assert len(TOKEN.findall(out)) == 1
    code, out, _ = run("party", "token", "ATLAS", "--role", "feed", "--db", db)
    token_id = int(re.search(r"token id (\d+)", out).group(1))  # type: ignore[union-attr]
    assert run("party", "revoke-token", str(token_id), "--db", db)[0] == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("party", "add", "ATLAS", "--lang", "fr"), "lang: must be one of en, ru, ar, he, tr"),
        (("party", "add", "bad name!"), "name:"),
        (("party", "token", "NOBODY"), "party 'NOBODY' does not exist"),
        (("party", "revoke-token", "999"), "token 999 does not exist"),
        (("agreement", "set", "ATLAS", "ATLAS"), "two different parties"),
        (("agreement", "set", "ATLAS", "B", "--mode", "some"), "--mode must be"),
        (("alerts", "--since", "yesterday"), "--since: not an ISO 8601 time"),
        (("alerts", "--format", "xml"), "--format: must be table or json"),
    ],
)
def test_mistakes_are_one_line(db: str, args: tuple[str, ...], expected: str) -> None:
    assert run("party", "add", "ATLAS", "--db", db)[0] == 0
    code, _, err = run(*args, "--db", db)
    assert code == 2
    assert err.count("\n") == 1, err
    assert expected in err
    assert "Traceback" not in err


def test_an_unusable_database_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    for url in (
        "mysql://nowhere/x",
        "sqlite:///:memory:",
        f"sqlite:///{tmp_path}",
        "sqlite:////proc/x.db",  # a folder no one may create files in
        "sqlite:////proc/airhotline/x.db",  # a folder no one may create
        f"sqlite:///{a_file}/x.db",  # a file where the folder should be
    ):
        for command in (("party", "list"), ("alerts",), ("party", "add", "ATLAS")):
            code, _, err = run(*command, "--db", url)
            assert code == 2, (url, command)
            assert err.startswith("airhotline: error: --db:"), err
            assert err.count("\n") == 1, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_a_folder_without_write_permission_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    code, _, err = run("party", "list", "--db", f"sqlite:///{folder / 'sub' / 'x.db'}")
    assert code == 2
    assert err.startswith("airhotline: error: --db:"), err
    assert err.count("\n") == 1, err


def test_an_empty_database_url_is_refused_not_replaced_by_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("party", "list", "--db", "")
    assert code == 2
    assert err == "airhotline: error: --db: must not be empty; give a database URL\n"
    monkeypatch.setenv("AIRHOTLINE_DB", " ")
    code, _, err = run("alerts")
    assert code == 2
    assert "AIRHOTLINE_DB: must not be empty" in err
    assert list(tmp_path.iterdir()) == []  # the default database was not created


def test_a_token_id_beyond_any_stored_one_is_one_line(db: str) -> None:
    code, _, err = run("party", "revoke-token", "99999999999999999999", "--db", db)
    assert code == 2
    assert err.count("\n") == 1, err
    assert "TOKEN_ID: token ids run from 1 to 9223372036854775807" in err
    assert "Traceback" not in err


def test_serve_refuses_bad_settings_in_one_line(db: str, tmp_path: Path) -> None:
    settings = tmp_path / "airhotline.toml"
    settings.write_text("[alerts]\ncaution_s = 'soon'\n", encoding="utf-8")
    code, _, err = run("serve", "--db", db, "--config", str(settings))
    assert code == 2
    assert "alerts.caution_s: must be a number" in err


def test_journal_head_and_verify_then_tampering_names_the_row(db: str) -> None:
    for name in ("ATLAS", "BOREAS", "CIRRUS"):
        assert run("party", "add", name, "--db", db)[0] == 0
    code, out, _ = run("journal", "head", "--db", db)
    seq, digest = out.strip().split(":")
    assert (code, int(seq), len(digest)) == (0, 3, 64)
    code, out, _ = run("journal", "verify", "--db", db)
    assert code == 0
    assert "3 records, chain intact" in out

    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE journal SET payload = replace(payload, 'BOREAS', 'BOREAX') WHERE seq = 2"
        )
    code, _, err = run("journal", "verify", "--db", db)
    assert code == 1
    assert "journal BROKEN at seq 2" in err


def test_alerts_table_and_json(db: str) -> None:
    clock = SimulatedClock(1_700_000_000_000_000)
    config = HotlineConfig(alert_policy=AlertPolicy(confirm_hits=1))
    node = build_node(db, clock=clock, config=config)
    try:
        a = node.add_party("ATLAS", "en").party.id
        b = node.add_party("BOREAS", "ru").party.id
        for party, track, lon, heading in ((a, "A1", 0.0, 90.0), (b, "B1", 0.1, 270.0)):
            row = {
                "track_id": track,
                "time_us": clock.now_us(),
                "lat": 0.0,
                "lon": lon,
                "alt_ft": 30000.0,
                "gs_kt": 400.0,
                "track_deg": heading,
                "vrate_fpm": 0.0,
            }
            node.submit_reports(
                party, ReportBatch.from_rows([row]), idempotency_key=None, body_sha256=""
            ).result()
        node.run_cycle()  # 6 NM apart head-on: separation already lost — a warning
    finally:
        node.close()
    code, out, _ = run("alerts", "--db", db)
    assert code == 0
    assert "1 alerts" in out
    assert "warning" in out
    assert "ATLAS/A1" in out
    assert "BOREAS/B1" in out
    code, out, _ = run("alerts", "--db", db, "--active", "--format", "json")
    (alert,) = json.loads(out)
    assert alert["tier"] == "warning"
    assert alert["state"] == "active"
    code, out, _ = run("alerts", "--db", db, "--since", "2100-01-01T00:00:00Z", "--format", "json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    "command", [("party", "list"), ("agreement", "list"), ("alerts",), ("journal", "verify")]
)
def test_a_command_that_only_reads_creates_no_database(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "typo" / "airhotline.db"
    code, _, err = run(*command, "--db", f"sqlite:///{missing}")
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert not missing.exists()
    assert not missing.parent.exists()


def test_alerts_table_names_an_incursions_notice(db: str) -> None:
    with three_parties(db) as node:
        notice_id = firing_range(node)
        fly_north(node, [HEADING_IN], 10)
    code, out, _ = run("alerts", "--db", db)
    assert code == 0
    assert "BOREAS/B-IN" in out
    assert f"ATLAS/notice {notice_id}" in out
    code, out, _ = run("alerts", "--db", db, "--format", "json")
    (alert,) = json.loads(out)
    assert alert["kind"] == "notice-incursion"
    assert alert["notice"]["notice_id"] == notice_id


@pytest.fixture(scope="module")
def silent_line(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A journal with an alert's words, a line check and a request that nobody answers."""
    from airhotline.drill.runner import run_drill
    from airhotline.drill.scenario import SCENARIOS, load_scenario

    url = f"sqlite:///{tmp_path_factory.mktemp('messages') / 'journal.db'}"
    assert run_drill(load_scenario(SCENARIOS / "silent-line.yaml"), url).passed
    return url


def test_messages_list_reads_each_message_in_the_readers_language(silent_line: str) -> None:
    code, out, _ = run("messages", "list", "--db", silent_line, "--format", "json")
    assert code == 0
    every = json.loads(out)
    assert {m["from"] for m in every} >= {"hotline", "ATLAS"}
    code, out, _ = run(
        "messages", "list", "--db", silent_line, "--party", "BOREAS", "--format", "json"
    )
    boreas = json.loads(out)
    assert boreas
    assert all("BOREAS" in (m["from"], m["to"]) for m in boreas)
    assert len(boreas) < len(every)
    raised = next(m for m in boreas if m["form"] == "raised")
    assert "(ATLAS)" in raised["text"]
    assert "нарушение интервала" in raised["text"]  # BOREAS reads Russian by default
    assert "will lose separation" in raised["original"]
    _, out, _ = run("messages", "list", "--db", silent_line, "--party", "BOREAS", "--lang", "tr")
    assert "ayırma" in out
    assert "BOREAS reads them, in tr" in out


def test_messages_list_open_shows_what_waits_for_an_answer(silent_line: str) -> None:
    _, out, _ = run("messages", "list", "--db", silent_line, "--open", "--format", "json")
    waiting = json.loads(out)
    assert waiting
    assert {m["state"] for m in waiting} <= {"open", "standby"}
    _, out, _ = run("messages", "list", "--db", silent_line, "--format", "json")
    assert {m["state"] for m in json.loads(out)} - {"open", "standby"}  # some were answered
    _, out, _ = run(
        "messages", "list", "--db", silent_line, "--since", "2100-01-01", "--format", "json"
    )
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--party", "NOBODY"), "--party: no party named 'NOBODY' (parties: ATLAS, BOREAS)"),
        (("--lang", "fr"), "--lang: no catalogue for 'fr'"),
        (("--since", "soon"), "--since: not an ISO 8601 time: 'soon'"),
        (("--format", "xml"), "--format: must be table or json"),
    ],
)
def test_messages_list_refuses_bad_options_in_one_line(
    silent_line: str, args: tuple[str, ...], expected: str
) -> None:
    code, out, err = run("messages", "list", "--db", silent_line, *args)
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("nosuch",), "No such command 'nosuch'. (see 'airhotline --help')"),
        (("feed",), "Missing argument 'FORMAT'. (see 'airhotline feed --help')"),
        (("alerts", "--nosuch"), "No such option: --nosuch (see 'airhotline alerts --help')"),
        (("journal", "head", "--db"), "Option '--db' requires an argument."),
    ],
)
def test_the_parsers_own_refusals_are_one_line_too(args: tuple[str, ...], expected: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("airhotline: error: ")
    assert expected in err
    assert err.count("\n") == 1, err


def test_version_needs_no_command() -> None:
    from airhotline import __version__

    code, out, _ = run("--version")
    assert code == 0
    assert out == f"{__version__}\n"


def test_notices_list_shows_each_party_what_it_was_told(db: str) -> None:
    """Four notices of ATLAS around the system clock's now — in force (to BOREAS only),
    over, upcoming, cancelled — as the admin, BOREAS and CIRRUS see them."""
    import time

    from tests.core.parties import operator

    from airhotline.core.access import AgreementMode, AgreementStatus
    from airhotline.core.notices.model import Notice

    hour_us = 3_600_000_000
    now_us = time.time_ns() // 1000
    node = build_node(db, clock=SimulatedClock(now_us - hour_us))
    try:
        for name in ("ATLAS", "BOREAS", "CIRRUS"):
            node.add_party(name, "en")
        for other in ("BOREAS", "CIRRUS"):
            node.set_agreement("ATLAS", other, AgreementMode.FULL, AgreementStatus.ACTIVE)
        atlas = operator(node, "ATLAS")

        def publish(start_us: int, end_us: int, text: str, **extra: object) -> Notice:
            body = {
                "kind": "live-firing",
                "area": {"type": "Circle", "center": [34.5, 33.0], "radius_nm": 5.0},
                "lower": "SFC",
                "upper": "FL200",
                "window": {"start": iso_from_us(start_us), "end": iso_from_us(end_us)},
                "description": text,
                **extra,
            }
            return node.notices.publish(atlas, body)

        publish(now_us - hour_us, now_us + hour_us, "in force", to=["BOREAS"])
        publish(now_us - hour_us, now_us - hour_us // 2, "over")
        publish(now_us + hour_us, now_us + 2 * hour_us, "upcoming")
        cancelled = publish(now_us + hour_us, now_us + 3 * hour_us, "called off")
        node.notices.cancel(atlas, cancelled.id)
    finally:
        node.close()

    def listed(*args: str) -> dict[str, str]:
        code, out, err = run("notices", "list", "--db", db, "--format", "json", *args)
        assert code == 0, err
        return {n["description"]: n["state"] for n in json.loads(out)}

    assert listed() == {
        "in force": "in force",
        "over": "over",
        "upcoming": "upcoming",
        "called off": "cancelled",
    }
    assert listed("--party", "CIRRUS") == {
        "over": "over",
        "upcoming": "upcoming",
        "called off": "cancelled",
    }
    assert listed("--party", "BOREAS", "--active") == {
        "in force": "in force",
        "upcoming": "upcoming",
    }
    code, out, _ = run("notices", "list", "--db", db)
    assert code == 0
    assert "4 notices, every party's" in out
    assert "live-firing" in out
    assert "SFC–FL200" in out
    code, _, err = run("notices", "list", "--db", db, "--party", "DELTA")
    assert code == 2
    assert err == (
        "airhotline: error: --party: no party named 'DELTA' (parties: ATLAS, BOREAS, CIRRUS)\n"
    )


def drilled(tmp_path: Path, name: str) -> str:
    from airhotline.drill.runner import run_drill
    from airhotline.drill.scenario import SCENARIOS, load_scenario

    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    assert run_drill(load_scenario(SCENARIOS / f"{name}.yaml"), url).passed
    return url


def test_zones_list_reads_the_designated_zones(tmp_path: Path) -> None:
    url = drilled(tmp_path, "joint-drill-3nm")
    code, out, _ = run("zones", "list", "--db", url, "--format", "json")
    assert code == 0
    (zone,) = json.loads(out)
    assert (zone["name"], zone["lower"], zone["upper"]) == ("DRILL-1", "FL100", "FL400")
    assert (zone["h_sep_nm"], zone["v_sep_ft"]) == (3, 1000)
    assert zone["area"]["radius_nm"] == 40
    code, out, _ = run("zones", "list", "--db", url)
    assert "1 zones" in out
    assert "3 NM / 1000 ft" in out


def test_exemptions_list_reads_the_cleared_proximities(tmp_path: Path) -> None:
    url = drilled(tmp_path, "refuelling")
    code, out, _ = run("exemptions", "list", "--db", url, "--format", "json")
    assert code == 0
    (cleared,) = json.loads(out)
    assert cleared["proposer"] == {"party": "ATLAS", "track_id": "TANKER"}
    assert cleared["other"] == {"party": "BOREAS", "track_id": "RECEIVER"}
    assert cleared["accepted"] is not None
    assert cleared["state"] == "over"  # the drill's hour is in the past of the system clock
    _, out, _ = run("exemptions", "list", "--db", url, "--party", "BOREAS", "--format", "json")
    assert len(json.loads(out)) == 1
    code, _, err = run("exemptions", "list", "--db", url, "--party", "DELTA")
    assert code == 2
    assert err.startswith("airhotline: error: --party: no party named 'DELTA' (parties: ATLAS")
    code, out, _ = run("exemptions", "list", "--db", url)
    assert "ATLAS/TANKER" in out
    assert "BOREAS/RECEIVER" in out
    code, _, err = run("zones", "list", "--db", url, "--format", "xml")
    assert (code, err) == (2, "airhotline: error: --format: must be table or json\n")


ZONE_YAML = """\
name: DRILL-2
area: {type: Circle, center: [35.0, 34.0], radius_nm: 20}
lower: FL100
upper: FL300
h_sep_nm: 2
quiet: [ATLAS, BOREAS]
"""


def test_zones_are_designated_changed_and_removed_from_the_command_line(
    db: str, tmp_path: Path
) -> None:
    """The admin's zone commands write to the journal a running node follows: it has the
    zone at its next catch-up."""
    for name in ("ATLAS", "BOREAS"):
        assert run("party", "add", name, "--db", db)[0] == 0
    node = build_node(db)
    try:
        zone = tmp_path / "zone.yaml"
        zone.write_text(ZONE_YAML, encoding="utf-8")
        code, out, err = run("zones", "set", str(zone), "--db", db)
        assert code == 0, err
        zone_id = out.split()[1]
        assert out == f"zone {zone_id} designated: DRILL-2\n"
        node.catch_up()
        seen = node.zones.get(zone_id)
        assert seen is not None
        assert (seen.h_sep_nm, seen.quiet) == (2.0, ("ATLAS", "BOREAS"))
        zone.write_text(ZONE_YAML.replace("h_sep_nm: 2", "h_sep_nm: 4"), encoding="utf-8")
        code, out, _ = run("zones", "set", str(zone), "--id", zone_id, "--db", db)
        assert out == f"zone {zone_id} changed: DRILL-2\n"
        node.catch_up()
        changed = node.zones.get(zone_id)
        assert changed is not None
        assert changed.h_sep_nm == 4.0
        _, out, _ = run("zones", "list", "--db", db, "--format", "json")
        assert [z["id"] for z in json.loads(out)] == [zone_id]
        assert run("zones", "remove", zone_id, "--db", db) == (0, f"zone {zone_id} removed\n", "")
        node.catch_up()
        assert node.zones.get(zone_id) is None
    finally:
        node.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ZONE_YAML.replace("radius_nm: 20", "radius_nm: -1"), "area.radius_nm: must be more"),
        (ZONE_YAML.replace("[ATLAS, BOREAS]", "[ATLAS, DELTA]"), "quiet[1]: no party named"),
        (ZONE_YAML + "colour: red\n", "colour: not a field of a zone"),
        ("name: [\n", "zone.yaml: not YAML (line 2)"),
        ("- a list\n", "zone.yaml: must hold one zone, a mapping of its fields"),
    ],
)
def test_a_bad_zone_file_is_one_line_and_writes_nothing(
    db: str, tmp_path: Path, text: str, expected: str
) -> None:
    for name in ("ATLAS", "BOREAS"):
        assert run("party", "add", name, "--db", db)[0] == 0
    _, head, _ = run("journal", "head", "--db", db)
    zone = tmp_path / "zone.yaml"
    zone.write_text(text, encoding="utf-8")
    code, out, err = run("zones", "set", str(zone), "--db", db)
    assert code == 2
    assert out == ""
    assert expected in err
    assert err.count("\n") == 1
    assert run("journal", "head", "--db", db)[1] == head
