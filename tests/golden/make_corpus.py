"""Write a golden journal: every journal kind, as one release of airhotline writes it.

The corpus is a SQLite database (the journal and the tables beside it) and
``expected.json``: what that release rebuilds from it — journal head, parties, active
tokens, agreements, the picture and the alerts in memory — when reopened at the
journal's last moment. Every later release must verify the database and rebuild the
same (``tests/golden``). Run it once per release whose journal format is kept::

    .venv/bin/python -m tests.golden.make_corpus tests/golden/0.1.0

The scenario, on a simulated clock at one cycle a second: three parties; agreements
full, conflicts-only and suspended; an operator token issued and revoked; an encounter
head-on that goes advisory → caution → warning → loss of separation, acknowledged by one
party, escalated against the other (to both parties, then to the admin) and resolved;
a slow convergence still at advisory when the journal ends; a track that falls silent
and is lost; a party past its exposure budget; a flood past its limit; safety alerts under a
suspended agreement. Over the line: ATLAS asks BOREAS the intentions of B1 (read,
delivered, answered with an intention), asks CEDAR to contact a unit (STANDBY, then
WILCO), BOREAS's free text to ATLAS goes unanswered (escalated to both, then to the
admin); a line check CEDAR leaves unanswered degrades its line, and its answer to the
next one restores it; the hotline's word on every alert, answered by an acknowledgement.
ATLAS publishes a notice, amends it and cancels it; BOREAS publishes a short notice to
ATLAS alone, which overlaps ATLAS's (``notice.overlap``). The admin designates a zone
far from any traffic and removes it. BOREAS and CEDAR clear B5 and C5 to fly close
(proposed, accepted: the encounter is held back, ``exemption.suppressed``), then revoke.
CEDAR announces live firing just ahead of ATLAS's A2, which flies into it: a notice
incursion alert, active when the journal ends.

Corpora of released versions are never rewritten. The one of the version in the making
(``*-dev``) is written again whenever the journal gains a kind or a version, and keeps
its name once released.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from airhotline import geo, units
from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock, iso_from_us
from airhotline.core.access import AgreementMode, AgreementStatus, Minima, Principal, Role
from airhotline.core.messages.engine import Outgoing
from airhotline.core.node import HotlineConfig, HotlineNode
from airhotline.core.reports import ReportBatch

START_US = 1_800_000_000_000_000
#: A budget of one foreign track per party and hour: ATLAS's second encounter is
#: disclosed to it but not exposed, and the admin hears of it (``exposure.limited``).
EXPOSURE_LIMIT = 1
#: One encounter followed per pair of parties: A3-B3 is held back (``flood.reported``).
FLOOD_LIMIT = 1
CONFIG = HotlineConfig(exposure_limit=EXPOSURE_LIMIT, flood_limit=FLOOD_LIMIT)
CYCLES = 220
ATLAS, BOREAS, CEDAR = "ATLAS", "BOREAS", "CEDAR"


def flight(lat: float, lon: float, course_deg: float, gs_kt: float, alt_ft: float):  # type: ignore[no-untyped-def]
    def at(t_s: float) -> dict[str, Any]:
        la, lo, az = geo.geodesic_forward(
            lat, lon, math.radians(course_deg), float(units.mps_from_kt(gs_kt)) * t_s
        )
        return {
            "lat": round(float(la), 7),
            "lon": round(float(lo), 7),
            "alt_ft": alt_ft,
            "gs_kt": gs_kt,
            "track_deg": round(math.degrees(float(az)) % 360.0, 4),
            "vrate_fpm": 0.0,
        }

    return at


#: (party, track id, callsign, icao24, type, the flight, last cycle it reports)
FLIGHTS = [
    (ATLAS, "A1", "ATL101", "4b1801", "F16", flight(34.5, 32.0, 90.0, 450.0, 30_000.0), CYCLES),
    (BOREAS, "B1", "BOR202", None, None, flight(34.5, 32.0 + 0.81, 270.0, 450.0, 30_000.0), CYCLES),
    (ATLAS, "A2", None, None, None, flight(35.5, 33.0, 0.0, 100.0, 20_000.0), CYCLES),
    (CEDAR, "C1", "CDR303", "710aa1", "C130", flight(36.0, 33.0, 180.0, 100.0, 20_000.0), CYCLES),
    (CEDAR, "C2", "CDR304", None, None, flight(33.0, 35.0, 45.0, 300.0, 25_000.0), 30),
    # A second ATLAS-BOREAS encounter at once: past the flood limit of one, held back.
    (ATLAS, "A3", None, None, None, flight(37.5, 32.0, 90.0, 450.0, 30_000.0), CYCLES),
    (BOREAS, "B3", None, None, None, flight(37.5, 32.0 + 0.85, 270.0, 450.0, 30_000.0), CYCLES),
    # BOREAS and CEDAR, whose agreement is suspended: each is warned about its own only.
    (BOREAS, "B5", None, None, None, flight(31.0, 30.0, 90.0, 450.0, 25_000.0), CYCLES),
    (CEDAR, "C5", None, None, None, flight(31.0, 30.0 + 0.8, 270.0, 450.0, 25_000.0), CYCLES),
]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    db = out / "journal.db"
    if db.exists():
        raise SystemExit(f"{db} exists: a golden corpus is never rewritten")
    url = f"sqlite:///{db}"
    clock = SimulatedClock(START_US)
    node = build_node(url, clock=clock, config=CONFIG)
    languages = ((ATLAS, "en"), (BOREAS, "ru"), (CEDAR, "ar"))
    made = {name: node.add_party(name, lang) for name, lang in languages}
    node.set_agreement(ATLAS, BOREAS, AgreementMode.FULL, AgreementStatus.ACTIVE)
    node.set_agreement(ATLAS, CEDAR, AgreementMode.CONFLICTS_ONLY, AgreementStatus.ACTIVE)
    node.set_agreement(BOREAS, CEDAR, AgreementMode.FULL, AgreementStatus.ACTIVE)
    # Minima of their own, the same as the deployment's: version 2 of agreement.set.
    node.set_agreement(
        BOREAS,
        CEDAR,
        AgreementMode.CONFLICTS_ONLY,
        AgreementStatus.SUSPENDED,
        Minima(h_sep_nm=3.0, v_sep_ft=1_000.0, lookahead_s=300.0),
    )
    node.issue_token(None, Role.ADMIN)
    ids = {name: created.party.id for name, created in made.items()}
    operator = {
        name: Principal(created.tokens[Role.OPERATOR][0], Role.OPERATOR, ids[name], name)
        for name, created in made.items()
    }
    for k in range(CYCLES):
        now = clock.now_us()
        if k == 5:
            extra, _ = node.issue_token(ATLAS, Role.OPERATOR)
        if k == 10:
            node.revoke_token(extra)
        for party in (ATLAS, BOREAS, CEDAR):
            rows = [
                {
                    **fly(k),
                    "track_id": track,
                    "time_us": now,
                    **({"callsign": callsign} if callsign else {}),
                    **({"icao24": icao24} if icao24 else {}),
                    **({"aircraft_type": kind} if kind else {}),
                }
                for owner, track, callsign, icao24, kind, fly, last in FLIGHTS
                if owner == party and k <= last
            ]
            if rows:
                node.submit_reports(
                    ids[party],
                    ReportBatch.from_rows(rows),
                    idempotency_key=f"{party}-{k}",
                    body_sha256=f"{party}-{k}",
                ).result()
        node.run_cycle()
        talk(node, k, operator)
        if k == 20:
            (alert,) = node.alerts.alerts(party_id=ids[BOREAS], active=True)
            node.alerts.acknowledge(
                alert.id, party_id=ids[BOREAS], token_id=made[BOREAS].tokens[Role.OPERATOR][0]
            )
        clock.advance(1.0)
    clock.advance(-1.0)
    node.close()
    reopened = build_node(url, clock=clock, config=CONFIG)
    try:
        expected = rebuilt(reopened)
    finally:
        reopened.close()
    (out / "expected.json").write_text(
        json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {db} ({expected['head']['seq']} records) and expected.json")


def talk(node: HotlineNode, k: int, operator: dict[str, Principal]) -> None:
    """The scenario's hotline messages, by cycle (see the module's docstring)."""
    messages = node.messages
    said = {m.type + "/" + m.form: m for m in messages.messages(party_id=None)}

    def send(party: str, **fields: Any) -> None:
        messages.send(operator[party], Outgoing(**fields))

    def deliver(party: str, message_id: str) -> None:
        for record in node.store.records_after(0, kinds=["message.received"], limit=10_000):
            if record.payload["message_id"] == message_id:
                messages.delivered(operator[party].party_id or 0, record)
        node.store.write(lambda tx: None)  # the receipt is submitted: let it land

    def last_check(party: str) -> str:
        party_id = operator[party].party_id
        return messages.messages(party_id=party_id, type_id="line-check")[-1].id

    if k == 25:
        send(ATLAS, type="request-intentions", form="request", params={"track": "B1"}, to=BOREAS)
        send(
            ATLAS,
            type="contact",
            form="contact",
            params={"unit": "NICOSIA CONTROL", "frequency": 124.2},
            to=CEDAR,
        )
        send(
            BOREAS,
            type="free-text",
            form="text",
            params={"text": "Прошу подтвердить связь"},
            to=ATLAS,
            lang="ru",
        )
    elif k == 26:
        asked = said["request-intentions/request"]
        deliver(BOREAS, asked.id)
        messages.mark_read(operator[BOREAS], asked.id)
    elif k == 27:
        send(
            BOREAS,
            type="intentions",
            form="climb",
            params={"track": "B1", "level": "FL320"},
            in_reply_to=said["request-intentions/request"].id,
        )
    elif k == 30:
        send(CEDAR, response="standby", in_reply_to=said["contact/contact"].id)
    elif k == 40:
        send(CEDAR, response="wilco", in_reply_to=said["contact/contact"].id)
    elif k == 50:
        messages.check_lines()
    elif k == 52:
        send(BOREAS, type="line-check-reply", form="reply", in_reply_to=last_check(BOREAS))
    elif k == 55:
        send(ATLAS, response="roger", in_reply_to=last_check(ATLAS))
    elif k == 56:
        window = {
            "start": iso_from_us(node.clock.now_us()),
            "end": iso_from_us(node.clock.now_us() + 3_600_000_000),
        }
        cleared = {"track_id": "B5", "other_party": CEDAR, "other_track_id": "C5", "window": window}
        node.propose_exemption(operator[BOREAS], cleared)
    elif k == 57:
        (proposed,) = node.exemptions.all()
        node.accept_exemption(operator[CEDAR], proposed.id)
    elif k == 60:
        node.notices.publish(
            operator[ATLAS], notice_body(node, kind="air-operations", lead_s=1_200)
        )
    elif k == 61:
        (published,) = node.notices.notices(party_id=None)
        node.notices.amend(operator[ATLAS], published.id, {"replaces": 1, "upper": "FL250"})
    elif k == 62:
        short = {**notice_body(node, kind="drill", lead_s=600), "to": [ATLAS]}
        node.notices.publish(operator[BOREAS], short)
    elif k == 70:
        mine = [n for n in node.notices.notices(party_id=None) if n.owner_name == ATLAS]
        node.notices.cancel(operator[ATLAS], mine[0].id)
    elif k == 80:
        far = {"type": "Circle", "center": [10.0, 60.0], "radius_nm": 20}
        node.set_zone({"name": "DRILL-N", "area": far, "h_sep_nm": 5.0, "quiet": [ATLAS, CEDAR]})
    elif k == 90:
        (zone,) = node.zones.zones()
        node.remove_zone(zone.id)
    elif k == 95:
        # CEDAR's live firing just ahead of ATLAS's A2: a notice incursion, still active
        # when the journal ends.
        lat, lon, _ = geo.geodesic_forward(
            35.5, 33.0, 0.0, float(units.m_from_nm(100.0 * k / 3600.0 + 3.0))
        )
        ahead = {"type": "Circle", "center": [float(lon), float(lat)], "radius_nm": 1.5}
        firing = {**notice_body(node, kind="live-firing", lead_s=0), "area": ahead}
        node.notices.publish(operator[CEDAR], {**firing, "upper": "FL250", "to": [ATLAS]})
    elif k == 150:
        messages.check_lines(CEDAR)
        (cleared_pair,) = node.exemptions.all()
        node.revoke_exemption(operator[BOREAS], cleared_pair.id)
    elif k == 152:
        send(CEDAR, response="roger", in_reply_to=last_check(CEDAR))


def notice_body(node: HotlineNode, *, kind: str, lead_s: int) -> dict[str, Any]:
    start = node.clock.now_us() + lead_s * 1_000_000
    return {
        "kind": kind,
        "area": {"type": "Polygon", "coordinates": [[[33, 34], [34, 34], [34, 35], [33, 35]]]},
        "lower": "SFC",
        "upper": "FL200",
        "window": {"start": iso_from_us(start), "end": iso_from_us(start + 3_600_000_000)},
        "description": "Range active",
    }


def rebuilt(node: HotlineNode) -> dict[str, Any]:
    """What a node rebuilds from its journal, in plain JSON (the corpus's expectation)."""
    head = node.store.head()
    view = node.picture.view(node.clock.now_us())
    picture = sorted(
        (
            {
                "party_id": int(view.party_id[row]),
                "track_id": view.track_id[row],
                "report_time_us": int(view.report_time_us[row]),
                "lat": round(float(view.states.lat_deg[row]), 7),
                "lon": round(float(view.states.lon_deg[row]), 7),
                "alt_ft": round(float(units.ft_from_m(view.states.alt_m[row])), 3),
                "coasting": bool(view.coasting[row]),
                "callsign": view.callsign[row],
                "icao24": view.icao24[row],
                "aircraft_type": view.aircraft_type[row],
            }
            for row in range(len(view))
        ),
        key=lambda t: (t["party_id"], t["track_id"]),
    )
    return {
        "now_us": node.clock.now_us(),
        "exposure_limit": node.config.exposure_limit,
        "flood_limit": node.config.flood_limit,
        "head": {"seq": head.seq, "hash": head.hash},
        "parties": [[p.id, p.name, p.lang] for p in node.parties()],
        "agreements": [
            [a.name, b.name, s.mode.value, s.status.value] for a, b, s in node.agreements_of(None)
        ],
        "tokens": sorted(
            [t.id, t.role, t.party_id] for t in node.store.tokens() if t.revoked_us is None
        ),
        "picture": picture,
        "alerts": [node.alerts.payload(a) for a in node.alerts.alerts(party_id=None)],
        "messages": [
            {
                "id": m.id,
                "type": m.type,
                "form": m.form,
                "from": m.sender_name,
                "to": m.recipient_name,
                "open": m.open,
                "delivered_us": m.delivered_us,
                "read_us": m.read_us,
                "answered_us": m.answered_us,
                "answer": m.answer,
                "escalation": m.escalation,
            }
            for m in node.messages.messages(party_id=None)
        ],
        "notices": [
            {
                "id": n.id,
                "version": n.version,
                "party": n.owner_name,
                "kind": n.kind,
                "upper": n.band.upper,
                "active": n.active,
                "short_notice": n.short_notice,
                "recipients": list(n.recipients),
            }
            for n in sorted(node.notices.notices(party_id=None), key=lambda n: n.published_us)
        ],
        "lines": {
            str(pid): node.messages.line(pid).state.value
            for pid in sorted(p.id for p in node.parties())
        },
        "exposed": {
            str(pid): sorted([list(k) for k in node.exposed_to(pid)])
            for pid in sorted(p.id for p in node.parties())
        },
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m tests.golden.make_corpus OUT_DIR")
    main(Path(sys.argv[1]))
