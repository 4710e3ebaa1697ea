"""An alert lives through a SIGKILL of the server: same id, same acknowledgement.

A real server process (``python -m airhotline serve``) is fed over HTTP, in real time, by
two parties whose aircraft close head-on at 900 kt each (1800 kt closing: 0.5 NM a
second), 8 NM apart when the feed starts: separation is lost 10 s later, so the alert is
a warning at once, and regained 12 s after that. Once the alert is raised and ATLAS has
acknowledged it, the server is killed and started again while the feed goes on; the
alert must carry on with its id and acknowledgement, never be raised a second time, and
resolve. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from tests.core.test_alerts import POINT, Flight
from tests.serverproc import Server

from airhotline import units
from airhotline.bootstrap import build_node
from airhotline.core.access import Role
from airhotline.core.alerts import ALERT_KINDS
from airhotline.store import Store

GS_KT = 900.0
ENTRY_S = 10.0
HALF_S = float(units.m_from_nm(3.0)) / (2 * float(units.mps_from_kt(GS_KT)))  # 6 s
FEED_EVERY_S = 0.5
#: From the feed's start to the alert's resolution (about 25 s) with room for restarts.
DEADLINE_S = 45.0


def provision(db: str) -> dict[str, str]:
    """ATLAS and BOREAS with a feed and an operator token each, and an admin token."""
    node = build_node(db)
    try:
        tokens = {}
        for name, lang in (("ATLAS", "en"), ("BOREAS", "ru")):
            created = node.add_party(name, lang)
            tokens[f"{name}/feed"] = created.tokens[Role.FEED][1]
            tokens[f"{name}/operator"] = created.tokens[Role.OPERATOR][1]
        tokens["admin"] = node.issue_token(None, Role.ADMIN)[1]
        return tokens
    finally:
        node.close()


class Feeder:
    """Posts both aircraft every half second, stamped now, flown from ``t0``; a post the
    server is not there to take is simply lost, as with a real feed."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        t_cpa = ENTRY_S + HALF_S
        self.flights = {
            "ATLAS": Flight.through("A1", POINT, 90.0, at_s=t_cpa, gs_kt=GS_KT, alt_ft=30_000.0),
            "BOREAS": Flight.through("B1", POINT, 270.0, at_s=t_cpa, gs_kt=GS_KT, alt_ft=30_000.0),
        }
        self.url = url
        self.tokens = tokens
        self.accepted = 0
        self.t0 = time.time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feeder", daemon=True)

    def __enter__(self) -> Feeder:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=2.0) as client:
            while not self._stop.is_set():
                now = time.time()
                for party, flight in self.flights.items():
                    report = {**flight.state(now - self.t0), "time": now}
                    headers = {"Authorization": f"Bearer {self.tokens[f'{party}/feed']}"}
                    try:
                        response = client.post("/v1/tracks", json=[report], headers=headers)
                    except httpx.HTTPError:
                        continue
                    if response.status_code == 200:
                        self.accepted += 1
                self._stop.wait(FEED_EVERY_S)


def get(url: str, path: str, token: str) -> Any:
    response = httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def post(url: str, path: str, token: str) -> httpx.Response:
    return httpx.post(f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=5)


def wait_for(what: str, check: Any, deadline: float) -> Any:
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_alert_survives_a_sigkill(server: Server) -> None:
    tokens = provision(server.db)
    server.start()
    deadline = time.monotonic() + DEADLINE_S
    atlas, boreas = tokens["ATLAS/operator"], tokens["BOREAS/operator"]

    with Feeder(server.url, tokens) as feeder:
        (alert,) = wait_for(
            "the alert",
            lambda: get(server.url, "/v1/alerts?active=true", atlas),
            deadline,
        )
        assert alert["tier"] == "warning"  # t_in about 10 s: no confirmation needed
        alert_id = alert["alert_id"]
        acked = post(server.url, f"/v1/alerts/{alert_id}/ack", atlas)
        assert acked.status_code == 200, acked.text
        acknowledgements = acked.json()["acknowledgements"]
        assert [a["party"] for a in acknowledgements] == ["ATLAS"]
        assert time.time() - feeder.t0 < ENTRY_S, "too slow to kill before the encounter"

        server.kill()
        server.start()

        # The alert is there again, active, with ATLAS's acknowledgement as it was.
        after = get(server.url, f"/v1/alerts/{alert_id}", boreas)
        assert after["state"] == "active"
        assert after["acknowledgements"] == acknowledgements
        again = post(server.url, f"/v1/alerts/{alert_id}/ack", atlas)
        assert again.status_code == 200, again.text
        assert again.json()["acknowledgements"] == acknowledgements
        acked = post(server.url, f"/v1/alerts/{alert_id}/ack", boreas)
        assert acked.status_code == 200, acked.text

        resolved = wait_for(
            "the resolution",
            lambda: (
                (a := get(server.url, f"/v1/alerts/{alert_id}", boreas))["state"] == "resolved"
                and a
            ),
            deadline,
        )
        assert feeder.accepted > 0
    assert resolved["resolution"] == "clear"
    assert [a["party"] for a in resolved["acknowledgements"]] == ["ATLAS", "BOREAS"]
    assert resolved["acknowledgements"][0] == acknowledgements[0]
    # Both flew through POINT at the same instant, reported twice a second.
    assert resolved["min_h_sep_nm"] < 1.0
    assert resolved["min_v_sep_ft"] == 0.0
    assert [a["alert_id"] for a in get(server.url, "/v1/alerts", tokens["admin"])] == [alert_id]
    server.stop()
    assert "picture cycle failed" not in server.log()

    store = Store.open(server.db)
    try:
        assert store.verify().ok
        records = store.records_after(0, kinds=ALERT_KINDS, limit=10_000)
    finally:
        store.close()
    assert {r.payload["alert_id"] for r in records} == {alert_id}
    kinds = [r.kind for r in records]
    assert kinds.count("alert.raised") == 1
    assert kinds[0] == "alert.raised"
    assert kinds[-1] == "alert.resolved"
    assert kinds.count("alert.resolved") == 1
    assert [r.payload["by"] for r in records if r.kind == "alert.acknowledged"] == [
        "ATLAS",
        "BOREAS",
    ]
