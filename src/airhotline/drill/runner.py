"""The drill runner: a scenario through the very same core a control centre uses —
built by the composition root (`airhotline.bootstrap.build_node`) on a simulated clock —
second by second: the aircraft fly (`flight`), each party reports its own, the cycle
detects and alerts, the scripted operators acknowledge and the scripted centres talk;
then the expected outcomes are judged (`outcomes`).

``speed`` is simulated seconds per wall-clock second; None (``--speed max``) never
sleeps. A live drill (`DrillSession` on a real clock) runs at one second a second while
the service serves its node, so that real centres take part.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.clock import Clock, SimulatedClock, iso_from_us
from airhotline.core.access import AgreementMode, AgreementStatus, Minima, Principal, Role
from airhotline.core.administration import NewParty
from airhotline.core.messages.engine import Outgoing
from airhotline.core.node import HotlineConfig, HotlineNode
from airhotline.core.track_events import all_but_reports
from airhotline.drill.flight import Fleet
from airhotline.drill.outcomes import Observed, Outcome, judge
from airhotline.drill.scenario import Scenario

__all__ = ["DrillResult", "DrillSession", "run_drill"]

US_PER_S = 1_000_000


@dataclass(frozen=True, slots=True)
class DrillResult:
    scenario: Scenario
    outcomes: list[Outcome]
    #: The journal the drill wrote, and its head when it ended.
    url: str
    head_seq: int
    head_hash: str
    wall_s: float
    #: When the drill began (the scenario's start on a simulated clock; live, now).
    start_us: int = 0
    #: Wall-clock seconds spent, over the whole drill, on each part of its simulated
    #: seconds: ``reports`` (every party's batch made, journaled and in the picture),
    #: ``cycle`` (the node's picture cycle: detection, alerts, messages) and ``script``
    #: (the rest: flying the aircraft, the scripted operators and centres, the pacing).
    spent_s: Mapping[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)


def run_drill(
    scenario: Scenario,
    url: str,
    *,
    speed: float | None = None,
    config: HotlineConfig | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DrillResult:
    """Run ``scenario`` on a fresh journal at ``url``, on a simulated clock; the
    outcomes judged."""
    session = DrillSession(scenario, url, speed=speed, config=config, sleep=sleep)
    session.open()
    return session.run()


class DrillSession:
    """One drill: `open` builds the node and the parties (a live drill serves the node
    then), `run` flies the scenario second by second and judges it, closing the node.

    On the default simulated clock the drill starts at the scenario's ``start``; on a
    real clock (``--live``) it starts now, and the ``real`` parties are played by real
    centres: none of their scripted acknowledgements, line-check answers or messages
    is made for them — what they do themselves counts.
    """

    def __init__(
        self,
        scenario: Scenario,
        url: str,
        *,
        clock: Clock | None = None,
        speed: float | None = None,
        config: HotlineConfig | None = None,
        sleep: Callable[[float], None] = time.sleep,
        real: frozenset[str] = frozenset(),
    ) -> None:
        self.scenario = scenario
        self._url = url
        self._clock = clock or SimulatedClock(scenario.start_us)
        self._speed = speed
        self._config = config
        self._sleep = sleep
        self._real = real
        self._node: HotlineNode | None = None
        self.parties: dict[str, NewParty] = {}
        self.start_us = scenario.start_us

    @property
    def node(self) -> HotlineNode:
        assert self._node is not None, "open the session first"
        return self._node

    def open(self) -> dict[str, NewParty]:
        """The node, its parties, agreements and zones; each party's tokens."""
        # At --speed max a drill is a rehearsal that can be run again: its journal syncs
        # at checkpoints; run in real time (real centres' words in it), every commit.
        self._node = build_node(
            self._url, clock=self._clock, config=self._config, durable=self._speed is not None
        )
        try:
            self.parties = _set_up(self._node, self.scenario.spec)
        except BaseException:
            self._node.close()
            raise
        return self.parties

    def run(self, stop: threading.Event | None = None, *, close: bool = True) -> DrillResult:
        """Fly the scenario (until its end, or ``stop``), judge it; close the node, unless
        the caller serves it still (``close=False``: a live drill's server closes it)."""
        started = time.perf_counter()
        node, spec, clock = self.node, self.scenario.spec, self._clock
        simulated = isinstance(clock, SimulatedClock)
        # On a real clock the drill starts now: when its first second is flown.
        self.start_us = self.scenario.start_us if simulated else clock.now_us()
        operators = {
            name: Principal(made.tokens[Role.OPERATOR][0], Role.OPERATOR, made.party.id, name)
            for name, made in self.parties.items()
        }
        scripted = [p for p in spec["parties"] if p["name"] not in self._real]
        try:
            fleet = Fleet(spec["aircraft"])
            watched = _watched_pairs(spec)
            closest: dict[tuple[str, str], tuple[float, float]] = {}
            notices: dict[str, str] = {}
            messages: dict[str, str] = {}
            told: dict[tuple[str, int], int] = {}
            due_notices = _by_second(spec.get("notices", []))
            due_messages = _by_second(_scripted_messages(spec, self._real))
            patience = {p["name"]: p.get("acknowledge_after_s", "never") for p in scripted}
            due_checks = {int(np.ceil(float(t))) for t in spec.get("line_checks", [])}
            due_exemptions = _by_second(spec.get("exemptions", []))
            due_acceptances = _by_second(
                [e for e in spec.get("exemptions", []) if "accept_at_s" in e], key="accept_at_s"
            )
            proposed: dict[int, str] = {}
            answering = {p["name"]: p.get("answer_line_checks_after_s", 5.0) for p in scripted}
            checks_seen: dict[str, int] = {}
            paced_from = time.perf_counter()
            reporting = cycling = 0.0
            for t in range(self.scenario.duration_s + 1):
                if stop is not None and stop.is_set():
                    break
                for notice in due_notices.get(t, []):
                    _publish(node, operators, notice, self.start_us, notices)
                for message in due_messages.get(t, []):
                    _send(node, operators, message, messages)
                for exemption in due_exemptions.get(t, []):
                    proposed[id(exemption)] = _propose(node, operators, exemption, self.start_us)
                for exemption in due_acceptances.get(t, []):
                    other = operators[exemption["other_party"]]
                    node.accept_exemption(other, proposed[id(exemption)])
                if t in due_checks:
                    node.messages.check_lines()
                _answer_line_checks(node, operators, answering, checks_seen, t)
                now = clock.now_us()
                began = time.perf_counter()
                # Every party's batch submitted before any is awaited: one group commit.
                pending = [
                    node.submit_reports(
                        operators[party].party_id or 0,
                        batch,
                        idempotency_key=None,
                        body_sha256=f"drill-{party}-{t}",
                    )
                    for party, batch in fleet.batches(t, now).items()
                ]
                for submitted in pending:
                    submitted.result()
                reported = time.perf_counter()
                node.run_cycle()
                cycled = time.perf_counter()
                reporting += reported - began
                cycling += cycled - reported
                _acknowledge(node, operators, patience, told, t)
                _measure(fleet, t, watched, closest)
                fleet.step(t)  # the manoeuvres due at t, then on to t + 1
                if simulated:
                    assert isinstance(clock, SimulatedClock)
                    clock.advance(1.0)
                if self._speed is not None:
                    # Paced against the drill's own start, so that waits do not drift.
                    due = paced_from + (t + 1) / self._speed
                    self._sleep(max(0.0, due - time.perf_counter()))
            flown = time.perf_counter() - paced_from
            if simulated:
                assert isinstance(clock, SimulatedClock)
                clock.advance(-1.0)
            # The outcomes are judged on everything but the reports (the bulk of it).
            records = node.store.records_after(0, kinds=all_but_reports(), limit=10_000_000)
            head = node.store.head()
        finally:
            if close:
                node.close()
        seen = Observed(records, self.start_us, closest, notices, messages)
        return DrillResult(
            self.scenario,
            judge(spec["expect"], seen),
            self._url,
            head.seq,
            head.hash,
            time.perf_counter() - started,
            self.start_us,
            {"reports": reporting, "cycle": cycling, "script": flown - reporting - cycling},
        )


def _set_up(node: HotlineNode, spec: Mapping[str, Any]) -> dict[str, NewParty]:
    made = {p["name"]: node.add_party(p["name"], p.get("lang", "en")) for p in spec["parties"]}
    for a in spec.get("agreements", []):
        node.set_agreement(
            a["parties"][0],
            a["parties"][1],
            AgreementMode(a.get("mode", "conflicts-only")),
            AgreementStatus(a.get("status", "active")),
            Minima(
                h_sep_nm=a.get("h_sep_nm"),
                v_sep_ft=a.get("v_sep_ft"),
                lookahead_s=a.get("lookahead_s"),
            ),
        )
    for zone in spec.get("zones", []):
        node.set_zone(zone)
    return made


def _scripted_messages(spec: Mapping[str, Any], real: frozenset[str]) -> list[Mapping[str, Any]]:
    """The scenario's messages the script sends: none from a real centre (it speaks for
    itself), nor a scripted answer to one of those (its label names nothing sent)."""
    unsent: set[str] = set()
    kept = []
    for m in spec.get("messages", []):
        if m["from"] in real or m.get("reply_to") in unsent:
            if "label" in m:
                unsent.add(str(m["label"]))
            continue
        kept.append(m)
    return kept


def _by_second(
    items: list[Mapping[str, Any]], key: str = "at_s"
) -> dict[int, list[Mapping[str, Any]]]:
    due: dict[int, list[Mapping[str, Any]]] = {}
    for item in items:
        due.setdefault(int(np.ceil(float(item.get(key, 0)))), []).append(item)
    return due


def _window(window: Mapping[str, Any], start_us: int) -> dict[str, str]:
    return {
        "start": iso_from_us(start_us + round(float(window["start_s"]) * US_PER_S)),
        "end": iso_from_us(start_us + round(float(window["end_s"]) * US_PER_S)),
    }


def _propose(
    node: HotlineNode,
    operators: Mapping[str, Principal],
    exemption: Mapping[str, Any],
    start_us: int,
) -> str:
    body = {
        "track_id": exemption["track"],
        "other_party": exemption["other_party"],
        "other_track_id": exemption["other_track"],
        "window": _window(exemption["window"], start_us),
    }
    return node.propose_exemption(operators[exemption["party"]], body).id


def _answer_line_checks(
    node: HotlineNode,
    operators: Mapping[str, Principal],
    answering: Mapping[str, object],
    seen: dict[str, int],
    t: int,
) -> None:
    """Each scripted centre answers the hotline's line checks its own time after."""
    if not node.messages.messages(party_id=None, type_id="line-check", open_only=True):
        return  # nothing to answer (most seconds): no list of each party's messages
    for name, after in answering.items():
        if after == "never":
            continue
        principal = operators[name]
        for check in node.messages.messages(party_id=principal.party_id, type_id="line-check"):
            if not check.open:
                continue
            first = seen.setdefault(check.id, t)
            if t - first >= float(str(after)):
                node.messages.send(
                    principal,
                    Outgoing(type="line-check-reply", form="reply", in_reply_to=check.id),
                )


def _publish(
    node: HotlineNode,
    operators: Mapping[str, Principal],
    notice: Mapping[str, Any],
    start_us: int,
    labels: dict[str, str],
) -> None:
    body: dict[str, Any] = {
        "kind": notice["kind"],
        "area": notice["area"],
        "lower": notice.get("lower", "SFC"),
        "upper": notice.get("upper", "UNL"),
        "window": _window(notice["window"], start_us),
        "description": notice.get("description", ""),
    }
    if "to" in notice:
        body["to"] = list(notice["to"])
    published = node.notices.publish(operators[notice["party"]], body)
    if "label" in notice:
        labels[str(notice["label"])] = published.id


def _send(
    node: HotlineNode,
    operators: Mapping[str, Principal],
    message: Mapping[str, Any],
    labels: dict[str, str],
) -> None:
    sent = node.messages.send(
        operators[message["from"]],
        Outgoing(
            type=message.get("type"),
            form=message.get("form"),
            params=message.get("params", {}),
            to=message.get("to"),
            lang=message.get("lang"),
            in_reply_to=labels[message["reply_to"]] if "reply_to" in message else None,
            response=message.get("response"),
        ),
    )
    if "label" in message and sent:
        labels[str(message["label"])] = sent[0].id


def _acknowledge(
    node: HotlineNode,
    operators: Mapping[str, Principal],
    patience: Mapping[str, object],
    told: dict[tuple[str, int], int],
    t: int,
) -> None:
    """Each scripted operator acknowledges its alerts its own time after it was told."""
    for name, after in patience.items():
        if after == "never":
            continue
        principal = operators[name]
        party_id = principal.party_id or 0
        for alert in node.alerts.alerts(party_id=party_id, active=True):
            first = told.setdefault((alert.id, party_id), t)
            if not alert.acknowledged_by(party_id) and t - first >= float(str(after)):
                node.alerts.acknowledge(alert.id, party_id=party_id, token_id=principal.token_id)


def _watched_pairs(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The pairs of tracks whose separation a check bounds (a track and a notice are
    judged on the incursion alert's own measure)."""
    tracks = {str(a["track"]) for a in spec["aircraft"]}
    return sorted(
        {
            (min(e["separation"]["between"]), max(e["separation"]["between"]))
            for e in spec["expect"]
            if "separation" in e and set(e["separation"]["between"]) <= tracks
        }
    )


def _measure(
    fleet: Fleet,
    t: int,
    pairs: list[tuple[str, str]],
    closest: dict[tuple[str, str], tuple[float, float]],
) -> None:
    """The least horizontal and vertical separation each watched pair has flown."""
    if not pairs:
        return
    rows = {track: k for k, track in enumerate(fleet.track)}
    flying = fleet.flying(t)
    for a, b in pairs:
        i, j = rows[a], rows[b]
        if not (flying[i] and flying[j]):
            continue
        horizontal = float(
            units.nm_from_m(geo.distance_m(fleet.lat[i], fleet.lon[i], fleet.lat[j], fleet.lon[j]))
        )
        vertical = abs(float(fleet.alt_ft[i] - fleet.alt_ft[j]))
        h0, v0 = closest.get((a, b), (float("inf"), float("inf")))
        closest[(a, b)] = (min(h0, horizontal), min(v0, vertical))
