"""The alert engine on a simulated clock, without HTTP.

Every encounter is planned: both aircraft fly WGS-84 geodesics through a chosen point at
a chosen time, so the instant separation is lost (``entry_s``) and regained (``exit_s``)
follows from the geometry, and with it the cycle at which each tier must show. The clock
starts at cycle 0 and moves one second per cycle; both aircraft report every cycle at
the cycle's instant. ``entry_s`` sits half a second off the cycle grid, so no prediction
falls on a threshold.

What must hold: both parties' streams see the alert raised at the right tier and cycle,
both acknowledge, and it resolves with the smallest separation a brute force over the
reported pairs finds; the prediction may flicker, the alert does not; a silent party is
escalated against, one that acknowledged is not; adjacent flight levels never alert; and
a node reopened on the same journal carries the alert on.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.clock import US_PER_S, SimulatedClock
from airhotline.core.access import AgreementMode, AgreementStatus, Role
from airhotline.core.alerts import ALERT_KINDS, AlertPolicy, Tier
from airhotline.core.node import HotlineConfig, HotlineNode, NewParty
from airhotline.core.plausibility import PlausibilityRules
from airhotline.core.reports import ReportBatch
from airhotline.detect import detect_conflicts
from airhotline.errors import NotFoundError
from airhotline.store import Record

START_US = 1_800_000_000_000_000
#: These tests follow the alert life cycle: a track counts as established at its first
#: possible report, so that a cycle's alert reaches both parties at once. Establishment
#: and what it withholds are tested in ``tests/core/test_disclosure.py``.
TRUSTING = HotlineConfig(plausibility=PlausibilityRules(establish_reports=1, establish_s=0.0))
POLICY = AlertPolicy()
H_M = float(units.m_from_nm(3.0))
V_FT = 1000.0
#: Where the planned encounters happen: over the eastern Mediterranean.
POINT = (34.5, 33.0)
GEOD = Geod(ellps="WGS84")
PARTIES = ("ATLAS", "BOREAS", "CIRRUS")

State = dict[str, Any]


def mps(kt: float) -> float:
    return float(units.mps_from_kt(kt))


# --- planned geometry --------------------------------------------------------------------


@dataclass(frozen=True)
class Flight:
    """One aircraft at constant speed along a geodesic, with a constant vertical rate."""

    track_id: str
    lat0: float
    lon0: float
    az0_rad: float
    gs_kt: float
    alt0_ft: float
    vrate_fpm: float = 0.0

    @classmethod
    def through(
        cls,
        track_id: str,
        point: tuple[float, float],
        course_deg: float,
        *,
        at_s: float,
        gs_kt: float,
        alt_ft: float,
        vrate_fpm: float = 0.0,
    ) -> Flight:
        """Passing ``point`` on ``course_deg`` at ``alt_ft``, ``at_s`` seconds after t 0."""
        lat, lon, back = geo.geodesic_forward(
            point[0], point[1], math.radians(course_deg) + math.pi, mps(gs_kt) * at_s
        )
        return cls(
            track_id,
            float(lat),
            float(lon),
            (float(back) + math.pi) % (2 * math.pi),
            gs_kt,
            alt_ft - vrate_fpm / 60.0 * at_s,
            vrate_fpm,
        )

    def state(self, t_s: float) -> State:
        """Where it is at ``t_s``, as its party reports it (a row without time)."""
        lat, lon, az = geo.geodesic_forward(
            self.lat0, self.lon0, self.az0_rad, mps(self.gs_kt) * t_s
        )
        track = math.degrees(float(az)) % 360.0
        return {
            "track_id": self.track_id,
            "lat": float(lat),
            "lon": float(lon),
            "alt_ft": self.alt0_ft + self.vrate_fpm / 60.0 * t_s,
            "gs_kt": self.gs_kt,
            "track_deg": track if track < 360.0 else 0.0,
            "vrate_fpm": self.vrate_fpm,
        }


@dataclass(frozen=True)
class Encounter:
    """ATLAS's ``a`` against BOREAS's ``b``; separation lost over [entry_s, exit_s]."""

    a: Flight
    b: Flight
    entry_s: float
    exit_s: float
    policy: AlertPolicy = field(default=POLICY)

    def first_cycle(self, threshold_s: float) -> int:
        """The first cycle predicting loss of separation within ``threshold_s``."""
        return max(0, math.ceil(self.entry_s - threshold_s))

    @property
    def raise_cycle(self) -> int:
        """Advisory and caution need a second hit; a warning is raised at once."""
        first = self.first_cycle(self.policy.advisory_s)
        if first >= self.first_cycle(self.policy.warning_s):
            return first
        return first + self.policy.confirm_hits - 1

    @property
    def caution_cycle(self) -> int:
        return self.first_cycle(self.policy.caution_s)

    @property
    def warning_cycle(self) -> int:
        return self.first_cycle(self.policy.warning_s)

    @property
    def resolve_cycle(self) -> int:
        """Regained at exit_s; the alert resolves after ``clear_cycles`` quiet cycles."""
        return math.ceil(self.exit_s) + self.policy.clear_cycles - 1

    def states(self, k: int) -> dict[str, list[State]]:
        return {"ATLAS": [self.a.state(k)], "BOREAS": [self.b.state(k)]}


def head_on(
    entry_s: float = 310.5, *, gs_kt: float = 450.0, alt_ft: float = 30_000.0, b_alt_ft: float = 0
) -> Encounter:
    """Opposite courses on one geodesic, meeting at POINT (450 kt each: 12 s per 3 NM)."""
    half = H_M / (2 * mps(gs_kt))
    t_cpa = entry_s + half
    a = Flight.through("A1", POINT, 90.0, at_s=t_cpa, gs_kt=gs_kt, alt_ft=alt_ft)
    b = Flight.through("B1", POINT, 270.0, at_s=t_cpa, gs_kt=gs_kt, alt_ft=b_alt_ft or alt_ft)
    return Encounter(a, b, entry_s, t_cpa + half)


def crossing(entry_s: float = 310.5, *, gs_kt: float = 450.0) -> Encounter:
    """Courses 90° apart, both over POINT at the same instant, at the same level."""
    half = H_M / (math.sqrt(2) * mps(gs_kt))
    t_cpa = entry_s + half
    a = Flight.through("A1", POINT, 90.0, at_s=t_cpa, gs_kt=gs_kt, alt_ft=31_000.0)
    b = Flight.through("B1", POINT, 0.0, at_s=t_cpa, gs_kt=gs_kt, alt_ft=31_000.0)
    return Encounter(a, b, entry_s, t_cpa + half)


def climbing(entry_s: float = 310.5) -> Encounter:
    """B climbs at 3000 fpm through A's FL300 as their crossing paths meet at POINT.

    The vertical band (±1000 ft: ±20 s) is narrower than the horizontal disc (±30.5 s at
    250 kt each, 90° apart): the climb decides when separation is lost and regained.
    """
    half = V_FT / (3000.0 / 60.0)
    assert half < H_M / (math.sqrt(2) * mps(250.0))
    t_cpa = entry_s + half
    a = Flight.through("A1", POINT, 90.0, at_s=t_cpa, gs_kt=250.0, alt_ft=30_000.0)
    b = Flight.through("B1", POINT, 0.0, at_s=t_cpa, gs_kt=250.0, alt_ft=30_000.0, vrate_fpm=3000.0)
    return Encounter(a, b, entry_s, t_cpa + half)


def brute_force_minima(
    pairs: Sequence[tuple[int, State, State]],
) -> tuple[float, float, set[int], set[int]]:
    """Smallest horizontal (m) and vertical (ft) separation, and the cycles reaching them
    (within 1 m / 1 ft), over report pairs made at the same instant."""
    horizontal: dict[int, float] = {}
    vertical: dict[int, float] = {}
    for k, a, b in pairs:
        _, _, distance = GEOD.inv(a["lon"], a["lat"], b["lon"], b["lat"])
        horizontal[k] = float(distance)
        vertical[k] = abs(a["alt_ft"] - b["alt_ft"])
    h, v = min(horizontal.values()), min(vertical.values())
    return (
        h,
        v,
        {k for k, d in horizontal.items() if d <= h + 1.0},
        {k for k, d in vertical.items() if d <= v + 1.0},
    )


def assert_minima(payload: Mapping[str, Any], pairs: Sequence[tuple[int, State, State]]) -> None:
    h, v, h_at, v_at = brute_force_minima(pairs)
    assert float(units.m_from_nm(payload["min_h_sep_nm"])) == pytest.approx(h, abs=1.0)
    assert payload["min_v_sep_ft"] == pytest.approx(v, abs=1.0)
    assert cycle_of_us(payload["min_h_sep_at_us"]) in h_at
    assert cycle_of_us(payload["min_v_sep_at_us"]) in v_at


# --- the node on a simulated clock -------------------------------------------------------


def cycle_of_us(time_us: int) -> int:
    cycles, rest = divmod(time_us - START_US, US_PER_S)
    assert rest == 0
    return cycles


def cycle_of(record: Record) -> int:
    return cycle_of_us(record.time_us)


@dataclass
class Bench:
    """A node on a simulated clock with parties ATLAS, BOREAS and CIRRUS."""

    url: str
    clock: SimulatedClock
    node: HotlineNode
    parties: dict[str, NewParty]
    #: Every report made, by cycle and party.
    sent: dict[int, dict[str, list[State]]] = field(default_factory=dict)
    config: HotlineConfig = TRUSTING

    def id(self, party: str) -> int:
        return self.parties[party].party.id

    def operator_token_id(self, party: str) -> int:
        return self.parties[party].tokens[Role.OPERATOR][0]

    @property
    def cycle(self) -> int:
        return cycle_of_us(self.clock.now_us())

    def reopen(self) -> None:
        """Close the node and open a fresh one on the same journal: a restart."""
        self.node.close()
        self.node = build_node(self.url, clock=self.clock, config=self.config)

    def fly(
        self,
        until: int,
        states: Callable[[int], Mapping[str, Sequence[State]]],
        on_cycle: Callable[[int], None] | None = None,
    ) -> None:
        """Cycles from the clock's up to ``until`` (excluded): report, run, look, tick."""
        for k in range(self.cycle, until):
            now = self.clock.now_us()
            made = states(k)
            self.sent[k] = {party: list(rows) for party, rows in made.items()}
            futures = [
                self.node.submit_reports(
                    self.id(party),
                    ReportBatch.from_rows([{**row, "time_us": now} for row in rows]),
                    idempotency_key=None,
                    body_sha256="-",
                )
                for party, rows in made.items()
                if rows
            ]
            for future in futures:
                future.result()
            self.node.run_cycle()
            if on_cycle is not None:
                on_cycle(k)
            self.clock.advance(1.0)

    def alert_records(self, party: str | None) -> list[Record]:
        """Alert records of the journal that ``party`` may see (None: the admin's view)."""
        audience = None if party is None else self.id(party)
        return self.node.store.records_after(0, audience=audience, kinds=ALERT_KINDS, limit=10_000)

    def acknowledge(self, party: str) -> None:
        (alert,) = self.node.alerts.alerts(party_id=self.id(party), active=True)
        self.node.alerts.acknowledge(
            alert.id, party_id=self.id(party), token_id=self.operator_token_id(party)
        )

    def pairs(self, first: int, last: int, a: str = "A1", b: str = "B1") -> list[Any]:
        """(cycle, A's report, B's report) for every cycle in [first, last]."""
        found = []
        for k in range(first, last + 1):
            reported = [row for rows in self.sent[k].values() for row in rows]
            (ra,) = [r for r in reported if r["track_id"] == a]
            (rb,) = [r for r in reported if r["track_id"] == b]
            found.append((k, ra, rb))
        return found


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    clock = SimulatedClock(START_US)
    node = build_node(url, clock=clock, config=TRUSTING)
    made = {name: node.add_party(name, "en") for name in PARTIES}
    opened = Bench(url, clock, node, made)
    try:
        yield opened
    finally:
        opened.node.close()


def milestones(records: Sequence[Record]) -> list[tuple[int, str, str]]:
    """(cycle, kind, tier) of every record but the updates that keep the tier."""
    return [
        (cycle_of(r), r.kind, r.payload["tier"])
        for r in records
        if r.kind != "alert.updated" or r.payload["tier_changed"]
    ]


def predicted_tiers(bench: Bench) -> dict[tuple[str, str], Tier]:
    """What detection alone says this cycle, per (track, track): no hysteresis."""
    view = bench.node.picture.view(bench.clock.now_us())
    conflicts = detect_conflicts(view.states, lookahead_s=POLICY.advisory_s)
    found = {}
    for k in range(len(conflicts)):
        tier = POLICY.tier(float(conflicts.t_in_s[k]), bool(conflicts.los[k]))
        if tier is not None:
            pair = sorted((view.key(int(conflicts.i[k]))[1], view.key(int(conflicts.j[k]))[1]))
            found[(pair[0], pair[1])] = tier
    return found


def tier_changes(records: Sequence[Record]) -> list[tuple[int, str]]:
    return [
        (cycle_of(r), r.payload["tier"])
        for r in records
        if r.kind == "alert.updated" and r.payload["tier_changed"]
    ]


# --- 1. an encounter from raise to resolution --------------------------------------------


@pytest.mark.parametrize("build", [head_on, crossing, climbing], ids=lambda f: f.__name__)
def test_both_parties_see_the_alert_raised_acknowledged_and_resolved(
    bench: Bench, build: Callable[[], Encounter]
) -> None:
    encounter = build()
    raised = encounter.raise_cycle
    assert (raised, encounter.caution_cycle, encounter.warning_cycle) == (12, 191, 251)

    def acknowledge(k: int) -> None:
        if k == raised + 1:
            bench.acknowledge("ATLAS")
            bench.acknowledge("BOREAS")

    bench.fly(encounter.resolve_cycle + 5, encounter.states, acknowledge)

    atlas, boreas = bench.alert_records("ATLAS"), bench.alert_records("BOREAS")
    assert [r.seq for r in atlas] == [r.seq for r in boreas]
    assert bench.alert_records("CIRRUS") == []
    assert [r.seq for r in bench.alert_records(None)] == [r.seq for r in atlas]
    assert len({r.payload["alert_id"] for r in atlas}) == 1
    assert milestones(atlas) == [
        (raised, "alert.raised", "advisory"),
        (raised + 1, "alert.acknowledged", "advisory"),
        (raised + 1, "alert.acknowledged", "advisory"),
        (encounter.caution_cycle, "alert.updated", "caution"),
        (encounter.warning_cycle, "alert.updated", "warning"),
        (encounter.resolve_cycle, "alert.resolved", "warning"),
    ]
    first = atlas[0].payload
    assert [(t["party"], t["track_id"]) for t in first["tracks"]] == [
        ("ATLAS", "A1"),
        ("BOREAS", "B1"),
    ]
    assert first["t_in_s"] == pytest.approx(encounter.entry_s - raised, abs=0.05)
    assert first["los"] is False
    assert [r.payload["by"] for r in atlas if r.kind == "alert.acknowledged"] == [
        "ATLAS",
        "BOREAS",
    ]
    last = atlas[-1].payload
    assert last["state"] == "resolved"
    assert last["resolution"] == "clear"
    assert last["escalation"] == 0
    assert [a["party"] for a in last["acknowledgements"]] == ["ATLAS", "BOREAS"]
    assert [a["time_us"] for a in last["acknowledgements"]] == [atlas[1].time_us] * 2
    assert_minima(last, bench.pairs(raised, encounter.resolve_cycle))
    (alert,) = bench.node.alerts.alerts(party_id=bench.id("ATLAS"))
    assert not alert.active
    assert [r.seq for r in bench.node.alerts.history(alert.id)] == [r.seq for r in atlas]


def test_a_warning_is_raised_at_once(bench: Bench) -> None:
    encounter = head_on(entry_s=40.5)
    bench.fly(encounter.resolve_cycle + 3, encounter.states)
    records = bench.alert_records("BOREAS")
    assert milestones(records) == [
        (0, "alert.raised", "warning"),
        (30, "alert.escalated", "warning"),  # nobody acknowledged for 30 s
        (encounter.resolve_cycle, "alert.resolved", "warning"),
    ]
    assert records[1].payload["silent"] == ["ATLAS", "BOREAS"]
    assert_minima(records[-1].payload, bench.pairs(0, encounter.resolve_cycle))


# --- 2. hysteresis -----------------------------------------------------------------------


def test_speed_flicker_around_the_caution_threshold_does_not_chatter(bench: Bench) -> None:
    """A reports 420 and 480 kt in turn (it flies 450): t_in hovers around 120 s."""
    encounter = head_on()
    predicted: dict[int, Tier] = {}

    def states(k: int) -> dict[str, list[State]]:
        made = encounter.states(k)
        made["ATLAS"][0]["gs_kt"] = 420.0 if k % 2 else 480.0
        return made

    def watch(k: int) -> None:
        tier = predicted_tiers(bench).get(("A1", "B1"))
        if tier is not None:
            predicted[k] = tier

    bench.fly(encounter.resolve_cycle + 5, states, watch)

    # The scenario really flickers: caution and advisory predicted in turn for a while.
    flips = [
        k
        for k in predicted
        if k - 1 in predicted and {predicted[k], predicted[k - 1]} == {Tier.ADVISORY, Tier.CAUTION}
    ]
    assert len(flips) >= 5, predicted
    records = bench.alert_records("ATLAS")
    assert len({r.payload["alert_id"] for r in records}) == 1
    assert [r.kind for r in records].count("alert.raised") == 1
    assert records[-1].kind == "alert.resolved"
    changes = tier_changes(records)
    assert [tier for _, tier in changes] == ["caution", "warning"]
    assert changes[0][0] == min(k for k, t in predicted.items() if t is Tier.CAUTION)
    assert_no_chatter(records)


def test_lateral_flicker_across_three_nm_keeps_one_alert(bench: Bench) -> None:
    """B reports itself 2.8 NM and 3.2 NM off A's course in turn: conflict, none, …"""
    base = head_on()
    t_cpa = base.exit_s - H_M / (2 * mps(450.0))
    legs = []
    for offset_nm in (2.8, 3.2):
        lat, lon, _ = geo.geodesic_forward(POINT[0], POINT[1], 0.0, units.m_from_nm(offset_nm))
        legs.append(
            Flight.through(
                "B1", (float(lat), float(lon)), 270.0, at_s=t_cpa, gs_kt=450.0, alt_ft=30_000.0
            )
        )
    predicted: dict[int, Tier | None] = {}

    def states(k: int) -> dict[str, list[State]]:
        return {"ATLAS": [base.a.state(k)], "BOREAS": [legs[k % 2].state(k)]}

    def watch(k: int) -> None:
        predicted[k] = predicted_tiers(bench).get(("A1", "B1"))

    bench.fly(math.ceil(base.exit_s) + 10, states, watch)

    hits = sorted(k for k, tier in predicted.items() if tier is not None)
    assert hits, "the 2.8 NM leg must conflict"
    assert all(k % 2 == 0 for k in hits), "the 3.2 NM leg must not"
    assert len(hits) > 100
    records = bench.alert_records("BOREAS")
    assert len({r.payload["alert_id"] for r in records}) == 1
    kinds = [r.kind for r in records]
    assert kinds.count("alert.raised") == 1
    assert kinds.count("alert.resolved") == 1
    # Two hits of the last three confirm; three quiet cycles clear.
    assert cycle_of(records[0]) == hits[1]
    assert records[0].payload["tier"] == "advisory"
    assert cycle_of(records[-1]) == hits[-1] + 3
    assert [tier for _, tier in tier_changes(records)] == ["caution", "warning"]
    assert_no_chatter(records)


def assert_no_chatter(records: Sequence[Record]) -> None:
    """Tiers only rise here, and never twice within ``clear_cycles`` cycles."""
    tiers = [Tier[r.payload["tier"].upper()] for r in records]
    assert tiers == sorted(tiers)
    at = [cycle_of(records[0])] + [k for k, _ in tier_changes(records)]
    assert all(b - a >= POLICY.clear_cycles for a, b in itertools.pairwise(at))


# --- 3. escalation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acks", "expected"),
    [
        pytest.param(
            {"ATLAS": 2},
            [(71, 1, ["BOREAS"], "parties"), (131, 2, ["BOREAS"], "admin")],
            id="boreas-silent",
        ),
        pytest.param(
            {"ATLAS": 100},
            [(71, 1, ["ATLAS", "BOREAS"], "parties"), (131, 2, ["BOREAS"], "admin")],
            id="atlas-late",
        ),
        pytest.param({"ATLAS": 2, "BOREAS": 70}, [], id="both-acknowledge"),
    ],
)
def test_escalation_names_the_silent_parties(
    bench: Bench, acks: dict[str, int], expected: list[tuple[int, int, list[str], str]]
) -> None:
    """Caution from cycle 11: escalated at +60 s to both parties, at +120 s to the admin."""
    encounter = head_on(entry_s=130.5)
    assert (encounter.raise_cycle, encounter.caution_cycle) == (1, 11)
    assert encounter.resolve_cycle > 131

    def acknowledge(k: int) -> None:
        for party, at in acks.items():
            if k == at:
                bench.acknowledge(party)

    bench.fly(encounter.resolve_cycle + 3, encounter.states, acknowledge)
    records = bench.alert_records("ATLAS")
    escalated = [
        (cycle_of(r), r.payload["escalation"], r.payload["silent"], r.payload["to"])
        for r in records
        if r.kind == "alert.escalated"
    ]
    assert escalated == expected
    assert [r.seq for r in records] == [r.seq for r in bench.alert_records("BOREAS")]
    assert records[-1].payload["escalation"] == len(expected)


# --- 4. adjacent flight levels -----------------------------------------------------------


@pytest.mark.parametrize("upper_ft", [36_000.0, 34_000.0])
def test_level_aircraft_1000_ft_apart_raise_nothing(bench: Bench, upper_ft: float) -> None:
    encounter = head_on(entry_s=299.5, alt_ft=35_000.0, b_alt_ft=upper_ft)
    predicted: list[int] = []

    def watch(k: int) -> None:
        if predicted_tiers(bench):
            predicted.append(k)

    bench.fly(math.ceil(encounter.exit_s) + 5, encounter.states, watch)
    assert predicted == []
    assert bench.alert_records(None) == []
    assert bench.node.alerts.alerts(party_id=None) == []
    h, v, _, _ = brute_force_minima(bench.pairs(0, bench.cycle - 1))
    assert h < 500.0  # they did pass right over each other
    assert v == 1000.0


# --- visibility of the journal ---------------------------------------------------------------


def test_a_suspended_agreement_leaves_the_alert_to_the_admin(bench: Bench) -> None:
    bench.node.set_agreement(
        "ATLAS", "BOREAS", AgreementMode.CONFLICTS_ONLY, AgreementStatus.SUSPENDED
    )
    encounter = head_on(entry_s=30.5)
    bench.fly(encounter.resolve_cycle + 2, encounter.states)
    records = bench.alert_records(None)
    assert [r.kind for r in records] == ["alert.raised", "alert.escalated", "alert.resolved"]
    assert all(r.audience == frozenset() for r in records)
    assert bench.alert_records("ATLAS") == bench.alert_records("BOREAS") == []


# --- a node reopened on its journal ----------------------------------------------------------


@pytest.mark.parametrize("restart_at", [5, 48], ids=["before-cpa", "after-cpa"])
def test_a_reopened_node_carries_the_alert_on(bench: Bench, restart_at: int) -> None:
    """Closed mid-alert and reopened: same id, same acknowledgement, true minima."""
    encounter = head_on(entry_s=30.5)  # closest at 42.5 s, regained at 54.5 s
    bench.fly(restart_at, encounter.states, lambda k: k == 2 and bench.acknowledge("ATLAS"))
    (before,) = bench.node.alerts.alerts(party_id=None)
    bench.reopen()
    (after,) = bench.node.alerts.alerts(party_id=None, active=True)
    assert after.id == before.id
    assert after.acknowledged_by(bench.id("ATLAS"))
    assert not after.acknowledged_by(bench.id("BOREAS"))
    assert after.acknowledgements == before.acknowledgements
    bench.acknowledge("ATLAS")  # again: changes nothing
    bench.acknowledge("BOREAS")
    bench.fly(encounter.resolve_cycle + 3, encounter.states)

    records = bench.alert_records("ATLAS")
    assert {r.payload["alert_id"] for r in records} == {before.id}
    assert [r.kind for r in records].count("alert.raised") == 1
    assert [r.payload.get("by") for r in records if r.kind == "alert.acknowledged"] == [
        "ATLAS",
        "BOREAS",
    ]
    last = records[-1].payload
    assert (cycle_of(records[-1]), last["resolution"]) == (encounter.resolve_cycle, "clear")
    assert_minima(last, bench.pairs(0, encounter.resolve_cycle))


# --- a lost track ----------------------------------------------------------------------------


def test_a_lost_track_resolves_its_alert(bench: Bench) -> None:
    encounter = head_on(entry_s=40.5, gs_kt=200.0)  # in conflict until 94.5 s
    lost_after = bench.node.config.lost_after_s
    assert lost_after == 60.0

    def states(k: int) -> dict[str, list[State]]:
        made = encounter.states(k)
        if k > 3:
            made["BOREAS"] = []  # B falls silent; it coasts, then is lost
        return made

    bench.fly(70, states)
    records = bench.alert_records("ATLAS")
    assert [r.kind for r in records] == [
        "alert.raised",
        "alert.updated",
        "alert.escalated",
        "alert.resolved",
    ]
    # B last reported at cycle 3: more than 10 s later it coasts, and both parties are
    # told at once that its position is now flown on from an old report.
    coasting = records[1].payload["tracks"]
    assert (cycle_of(records[1]), coasting[0]["coasting"], coasting[1]["coasting"]) == (
        14,
        False,
        True,
    )
    # More than 60 s after its last report, at cycle 64, it is lost.
    assert (cycle_of(records[-1]), records[-1].payload["resolution"]) == (64, "track-lost")
    assert bench.node.alerts.exposed_to(bench.id("ATLAS")) == set()


def test_resolved_alerts_leave_memory_after_a_day_but_stay_in_the_journal(bench: Bench) -> None:
    encounter = head_on(entry_s=40.5, gs_kt=200.0)
    bench.fly(encounter.resolve_cycle + 1, encounter.states)
    (alert,) = bench.node.alerts.alerts(party_id=None)
    assert not alert.active
    bench.clock.advance(86_400.0)
    bench.node.run_cycle()
    assert bench.node.alerts.alerts(party_id=None) == []
    with pytest.raises(NotFoundError):
        bench.node.alerts.get(alert.id, party_id=None)
    # The record is whole in the journal, where `airhotline alerts` reads it.
    assert [r.kind for r in bench.alert_records(None)][-1] == "alert.resolved"
    # A restart does not bring it back into memory either.
    bench.reopen()
    assert bench.node.alerts.alerts(party_id=None) == []
