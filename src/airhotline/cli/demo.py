"""``airhotline serve --demo``: demo parties, and a feeder posting a simulated airspace."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import httpx
from rich.console import Console

from airhotline.core.access import AgreementMode, AgreementStatus, Role
from airhotline.core.node import HotlineNode
from airhotline.service.console import ConsoleLinks
from airhotline.simulate.airspace import DEMO_ENCOUNTERS, RegionalAirspace

__all__ = ["DEMO_AIRCRAFT", "DEMO_PARTIES", "DemoFeeder", "prepare_demo"]

log = logging.getLogger("airhotline.demo")

#: The demo's parties: one per first language of the hotline.
DEMO_PARTIES = (("ATLAS", "en"), ("BOREAS", "ru"), ("CEDAR", "ar"))
DEMO_AIRCRAFT = 36


def prepare_demo(node: HotlineNode, base: str, links: ConsoleLinks) -> dict[int, str]:
    """Create (or reuse) the demo parties; print fresh operator tokens, a one-time
    console link per party (``links`` will honour it once) and the URLs."""
    feed_tokens: dict[int, str] = {}
    rows: list[tuple[str, str, str]] = []
    existing = {p.name for p in node.parties()}
    for index, (name, lang) in enumerate(DEMO_PARTIES):
        if name in existing:
            _, feed = node.issue_token(name, Role.FEED)
            _, operator = node.issue_token(name, Role.OPERATOR)
        else:
            created = node.add_party(name, lang)
            feed, operator = created.tokens[Role.FEED][1], created.tokens[Role.OPERATOR][1]
        feed_tokens[index] = feed
        rows.append((name, lang, operator))
    node.set_agreement("ATLAS", "BOREAS", AgreementMode.CONFLICTS_ONLY, AgreementStatus.ACTIVE)
    node.set_agreement("ATLAS", "CEDAR", AgreementMode.FULL, AgreementStatus.ACTIVE)
    node.set_agreement("BOREAS", "CEDAR", AgreementMode.CONFLICTS_ONLY, AgreementStatus.ACTIVE)
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    console.print("airhotline demo — operator tokens (shown once):")
    for name, lang, token in rows:  # plain lines: a narrow terminal must not cut a token
        console.print(f"  {name:<7} {lang}  {token}", markup=False)
    console.print("Operator console — open one link per party (each signs in once):")
    for name, _, token in rows:
        console.print(f"  {name:<7} {base}/#signin={links.issue(name, token)}", markup=False)
    console.print(
        f"API docs:  {base}/docs\n"
        f"Picture:   curl -H 'Authorization: Bearer <token>' {base}/v1/picture\n"
        f"Events:    curl -N -H 'Authorization: Bearer <token>' {base}/v1/events\n"
        f"Health:    {base}/healthz   Metrics: {base}/metrics\n"
        "Agreements: ATLAS–CEDAR full; ATLAS–BOREAS and BOREAS–CEDAR conflicts only."
    )
    return feed_tokens


class DemoFeeder:
    """A feed client per demo party, posting the simulated airspace once a second.

    It goes through the public ingest API with each party's feed token, exactly as a
    party's control centre would; it starts once the server answers.
    """

    def __init__(self, base: str, feed_tokens: dict[int, str]) -> None:
        self._base = base
        self._tokens = feed_tokens
        self._airspace = RegionalAirspace(
            aircraft=DEMO_AIRCRAFT, parties=len(feed_tokens), encounters=DEMO_ENCOUNTERS
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-feeder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        with httpx.Client(base_url=self._base, timeout=10.0) as client:
            last = time.monotonic()
            while not self._stop.wait(1.0):
                now = time.monotonic()
                states = self._airspace.advance(now - last)
                last = now
                stamp = datetime.now(tz=UTC).isoformat(timespec="milliseconds")
                for party, token in self._tokens.items():
                    batch = [
                        {
                            "track_id": s.track_id,
                            "callsign": s.callsign,
                            "time": stamp,
                            "lat": round(s.lat, 6),
                            "lon": round(s.lon, 6),
                            "alt_ft": s.alt_ft,
                            "gs_kt": s.gs_kt,
                            "track_deg": s.track_deg,
                            "vrate_fpm": s.vrate_fpm,
                        }
                        for s in states
                        if s.party == party
                    ]
                    try:
                        client.post(
                            "/v1/tracks", json=batch, headers={"Authorization": f"Bearer {token}"}
                        ).raise_for_status()
                    except httpx.HTTPError as error:
                        log.warning("demo feed post failed: %s", error)
