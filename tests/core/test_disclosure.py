"""What an alert discloses, and to whom: the review's fake-track oracle, closed.

A party that reports invented tracks near another party's aircraft must learn nothing
of them, while the other party is warned at once; under ``conflicts-only`` a party sees
the other aircraft's kinematics, never its identity; and however many plausible tracks
a party flies into others' traffic, it is shown at most its exposure budget of foreign
tracks, the admin being told when the budget is spent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.core.test_alerts import Flight

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.clock import US_PER_S, SimulatedClock
from airhotline.core.access import AgreementMode, AgreementStatus, Principal, Role
from airhotline.core.alerts import ALERT_KINDS
from airhotline.core.node import HotlineConfig, HotlineNode
from airhotline.core.reports import ReportBatch

START_US = 1_800_000_000_000_000
B1 = Flight.through("B1", (34.5, 33.0), 90.0, at_s=60.0, gs_kt=450.0, alt_ft=30_000.0)


@dataclass
class Line:
    node: HotlineNode
    clock: SimulatedClock
    ids: dict[str, int]

    def principal(self, party: str) -> Principal:
        return Principal(token_id=0, role=Role.OPERATOR, party_id=self.ids[party], party_name=party)

    def post(self, party: str, rows: list[dict[str, Any]]) -> None:
        now = self.clock.now_us()
        batch = ReportBatch.from_rows([{**r, "time_us": now} for r in rows])
        self.node.submit_reports(
            self.ids[party], batch, idempotency_key=None, body_sha256="-"
        ).result()

    def cycle(self) -> None:
        self.node.run_cycle()
        self.clock.advance(1.0)

    def t(self) -> float:
        return (self.clock.now_us() - START_US) / US_PER_S

    def visible(self, party: str) -> dict[str, Any]:
        """The tracks of other parties in ``party``'s picture, by track id."""
        view, owners = self.node.picture_for(self.principal(party))
        return {
            view.track_id[r]: {
                "owner": owners[r],
                "callsign": view.callsign[r],
                "icao24": view.icao24[r],
                "type": view.aircraft_type[r],
            }
            for r in range(len(view))
            if owners[r] != party
        }

    def alert_records(self, party: str) -> list[Any]:
        return self.node.store.records_after(
            0, audience=self.ids[party], kinds=ALERT_KINDS, limit=100_000
        )


def open_line(tmp_path: Path, config: HotlineConfig | None = None) -> Line:
    clock = SimulatedClock(START_US)
    node = build_node(f"sqlite:///{tmp_path / 'line.db'}", clock=clock, config=config)
    ids = {name: node.add_party(name, "en").party.id for name in ("ATLAS", "BOREAS")}
    return Line(node, clock, ids)


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Line]:
    opened = open_line(tmp_path)
    try:
        yield opened
    finally:
        opened.node.close()


def identified(flight: Flight, t_s: float, n: int) -> dict[str, Any]:
    return {
        **flight.state(t_s),
        "callsign": f"BOR{n:03d}",
        "icao24": f"15{n:04x}",
        "aircraft_type": "SU27",
    }


def column_grid(centre: tuple[float, float], *, vrate_fpm: float) -> list[dict[str, Any]]:
    """The finding's fake "columns": 15 × 15, 4 NM apart, gs 0, at -2 000 ft, climbing."""
    rows = []
    spacing = float(units.m_from_nm(4.0))
    for i in range(-7, 8):
        for j in range(-7, 8):
            lat, lon, _ = geo.geodesic_forward(centre[0], centre[1], 0.0, i * spacing)
            lat, lon, _ = geo.geodesic_forward(lat, lon, np.pi / 2, j * spacing)
            rows.append(
                {
                    "track_id": f"X{i + 7:02d}{j + 7:02d}",
                    "lat": float(lat),
                    "lon": float(lon),
                    "alt_ft": -2_000.0,
                    "gs_kt": 0.0,
                    "track_deg": 0.0,
                    "vrate_fpm": vrate_fpm,
                }
            )
    return rows


@pytest.mark.parametrize("vrate_fpm", [60_000.0, 30_000.0, 8_000.0])
@pytest.mark.parametrize("mode", [AgreementMode.CONFLICTS_ONLY, None])
def test_fake_columns_learn_nothing_while_the_real_aircraft_is_warned_at_once(
    line: Line, vrate_fpm: float, mode: AgreementMode | None
) -> None:
    if mode is not None:
        line.node.set_agreement("ATLAS", "BOREAS", mode, AgreementStatus.ACTIVE)
    for _ in range(5):  # BOREAS's aircraft is established before the columns appear
        line.post("BOREAS", [identified(B1, line.t(), 1)])
        line.cycle()
    first_column_cycle = line.t()
    for _ in range(20):
        centre = B1.state(line.t())
        line.post("BOREAS", [identified(B1, line.t(), 1)])
        line.post("ATLAS", column_grid((centre["lat"], centre["lon"]), vrate_fpm=vrate_fpm))
        line.cycle()

    warned = [r for r in line.alert_records("BOREAS") if r.kind == "alert.raised"]
    assert warned, "the real aircraft must be warned"
    # At once: at the columns' first cycle, or the next when a lesser tier needs its
    # confirming second hit.
    first_us = START_US + round(first_column_cycle * US_PER_S)
    assert min(r.time_us for r in warned) - first_us in (0, US_PER_S)
    assert line.alert_records("ATLAS") == [], "the columns' owner heard of an alert"
    assert line.node.alerts.alerts(party_id=line.ids["ATLAS"]) == []
    assert line.visible("ATLAS") == {}, "the columns' owner sees the other aircraft"
    assert line.node.exposed_to(line.ids["ATLAS"]) == set()


def test_conflicts_only_shows_kinematics_and_full_shows_identities(line: Line) -> None:
    a1 = Flight.through("A1", (34.5, 33.0), 270.0, at_s=60.0, gs_kt=450.0, alt_ft=30_000.0)
    for _ in range(8):
        line.post("BOREAS", [identified(B1, line.t(), 1)])
        line.post("ATLAS", [a1.state(line.t())])
        line.cycle()
    shown = line.visible("ATLAS")
    assert shown == {"B1": {"owner": "BOREAS", "callsign": None, "icao24": None, "type": None}}
    line.node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
    shown = line.visible("ATLAS")
    assert shown["B1"] == {
        "owner": "BOREAS",
        "callsign": "BOR001",
        "icao24": "150001",
        "type": "SU27",
    }


def test_a_party_is_shown_at_most_its_budget_of_foreign_tracks(tmp_path: Path) -> None:
    """Three real head-on encounters, far apart, with a budget of two: each party is
    warned of all three, but its picture shows two of the other's aircraft; the admin
    hears once per party; a restart keeps what was shown and what was spent."""
    config = HotlineConfig(exposure_limit=2, exposure_window_s=3_600.0)
    line = open_line(tmp_path, config)
    try:
        pairs = [
            (
                Flight.through(f"A{k}", (30.0 + 3 * k, 30.0), 270.0, at_s=60.0, gs_kt=450.0,
                               alt_ft=30_000.0),
                Flight.through(f"B{k}", (30.0 + 3 * k, 30.0), 90.0, at_s=60.0, gs_kt=450.0,
                               alt_ft=30_000.0),
            )
            for k in range(3)
        ]  # fmt: skip
        for _ in range(10):
            line.post("ATLAS", [a.state(line.t()) for a, _ in pairs])
            line.post("BOREAS", [b.state(line.t()) for _, b in pairs])
            line.cycle()

        def seen() -> dict[str, tuple[int, int, int]]:
            return {
                party: (
                    len(line.node.alerts.alerts(party_id=line.ids[party], active=True)),
                    len(line.node.exposed_to(line.ids[party])),
                    len(line.visible(party)),
                )
                for party in ("ATLAS", "BOREAS")
            }

        assert seen() == {"ATLAS": (3, 2, 2), "BOREAS": (3, 2, 2)}
        limited = line.node.store.records_after(0, kinds=["exposure.limited"])
        assert sorted((r.payload["party"], r.payload["limit"], r.audience) for r in limited) == [
            ("ATLAS", 2, frozenset()),
            ("BOREAS", 2, frozenset()),
        ]
        line.node.close()
        line.node = build_node(f"sqlite:///{tmp_path / 'line.db'}", clock=line.clock, config=config)
        assert seen() == {"ATLAS": (3, 2, 2), "BOREAS": (3, 2, 2)}
        line.cycle()
        assert seen() == {"ATLAS": (3, 2, 2), "BOREAS": (3, 2, 2)}
        assert line.node.store.records_after(0, kinds=["exposure.limited"]) == limited
    finally:
        line.node.close()
