"""A suspended agreement shares nothing — but each party is still warned about its own
aircraft: tier, time to loss, closest approach, and the intruder's relative bearing,
range and level, without anything that names it (review finding 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.core.test_alerts import Flight
from tests.core.test_disclosure import Line, open_line

from airhotline.core.access import AgreementMode, AgreementStatus
from airhotline.core.alerts import ALERT_KINDS

# Head-on at FL300, meeting at 60 s: 900 kt closing, 15 NM apart at 0 s.
A1 = Flight.through("A1", (34.5, 33.0), 90.0, at_s=60.0, gs_kt=450.0, alt_ft=30_000.0)
B1 = Flight.through("B1", (34.5, 33.0), 270.0, at_s=60.0, gs_kt=450.0, alt_ft=30_000.0)


@pytest.fixture
def line(tmp_path: Path) -> Line:
    opened = open_line(tmp_path)
    opened.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.SUSPENDED)
    return opened


def fly(line: Line, cycles: int, *, boreas: bool = True) -> None:
    for _ in range(cycles):
        line.post("ATLAS", [{**A1.state(line.t()), "callsign": "ATL1"}])
        if boreas:
            line.post("BOREAS", [{**B1.state(line.t()), "callsign": "BOR1", "icao24": "155555"}])
        line.cycle()


def safety_of(line: Line, party: str) -> list[dict[str, object]]:
    records = line.node.store.records_after(
        0, audience=line.ids[party], kinds=["alert.safety"], limit=10_000
    )
    return [dict(r.payload) for r in records]


def test_each_party_is_warned_about_its_own_aircraft_only(line: Line) -> None:
    try:
        fly(line, 100)
        (alert,) = line.node.alerts.alerts(party_id=None)
        assert not alert.active
        # The full alert is the admin's alone; the parties see no alert, no other track.
        assert all(not r.audience for r in line.node.store.records_after(0, kinds=ALERT_KINDS))
        assert line.node.alerts.alerts(party_id=line.ids["ATLAS"]) == []
        assert line.visible("ATLAS") == {}
        for party, own, other in (("ATLAS", "A1", "B1"), ("BOREAS", "B1", "A1")):
            warnings = safety_of(line, party)
            assert warnings[0]["transition"] == "raised"
            assert warnings[-1]["transition"] == "resolved"
            assert {w["own_track_id"] for w in warnings} == {own}
            assert {w["alert_id"] for w in warnings} == {alert.id}
            text = json.dumps(warnings)
            for secret in (other, "BOREAS" if party == "ATLAS" else "ATLAS", "BOR1", "ATL1"):
                assert secret not in text, f"{party}'s warning names {secret}"
            assert all("party_id" not in w for w in warnings)
            first = warnings[0]
            assert first["tier"] == "warning"
            intruder = first["intruder"]
            assert isinstance(intruder, dict)
            # Head-on: dead ahead, at its level, 15 NM less what the 5 s of establishing
            # the tracks took (900 kt closing: 1.25 NM).
            assert min(intruder["relative_bearing_deg"], 360 - intruder["relative_bearing_deg"]) < 1
            assert intruder["alt_ft"] == pytest.approx(30_000.0, abs=1.0)
            assert intruder["range_nm"] == pytest.approx(15.0 - 900.0 * 5 / 3600, abs=0.1)
    finally:
        line.node.close()


def test_a_party_whose_track_is_not_established_is_not_warned(line: Line) -> None:
    try:
        # BOREAS's aircraft reports for four seconds only, as they meet: never
        # established; ATLAS is warned, BOREAS hears nothing, until its track is lost.
        fly(line, 58, boreas=False)
        fly(line, 4)
        fly(line, 80, boreas=False)
        assert safety_of(line, "ATLAS")
        assert safety_of(line, "BOREAS") == []
    finally:
        line.node.close()


def test_with_the_agreement_active_there_are_no_safety_alerts(line: Line) -> None:
    try:
        line.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
        fly(line, 100)
        assert safety_of(line, "ATLAS") == []
        assert line.node.alerts.alerts(party_id=line.ids["ATLAS"])
    finally:
        line.node.close()
