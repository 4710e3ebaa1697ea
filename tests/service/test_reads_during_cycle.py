"""API reads never wait for a cycle's detection (or its commit).

The detector is injected through bootstrap and blocks until the test lets it go: while
a cycle sits inside detection, ``GET /v1/alerts``, ``GET /v1/alerts/{id}``,
``GET /v1/picture`` and an acknowledgement must all answer.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tests.core.test_alerts import head_on
from tests.service.conftest import open_hotline

from airhotline.detect import Conflicts, TrackStates, detect_conflicts

WAIT_S = 10.0


class GatedDetector:
    """The real detector, held at a gate once armed."""

    def __init__(self) -> None:
        self.armed = False
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, states: TrackStates, lookahead_s: float) -> Conflicts:
        if self.armed:
            self.entered.set()
            assert self.release.wait(WAIT_S), "the test never released the detector"
        return detect_conflicts(states, lookahead_s=lookahead_s)


def test_reads_and_acknowledgements_answer_while_a_cycle_is_inside_detection(
    tmp_path: Path,
) -> None:
    gate = GatedDetector()
    url = f"sqlite:///{tmp_path / 'reads.db'}"
    with open_hotline(url, node_options={"detector": gate}) as hotline:
        encounter = head_on(entry_s=20.5)  # a warning at once, told once established
        for k in range(6):  # established after reports spanning five seconds
            for party, rows in encounter.states(k).items():
                stamped = [{**row, "time": hotline.clock.now_us() / 1e6} for row in rows]
                assert hotline.post_reports(party, stamped).status_code == 200
            hotline.node.run_cycle()
            hotline.clock.advance(1.0)
        alerts = hotline.client.get("/v1/alerts", headers=hotline.operator("ATLAS")).json()
        (alert,) = alerts
        gate.armed = True
        cycle = threading.Thread(target=hotline.node.run_cycle, daemon=True)
        cycle.start()
        try:
            assert gate.entered.wait(WAIT_S), "the cycle never reached detection"
            answers = {
                "list": hotline.client.get("/v1/alerts", headers=hotline.operator("ATLAS")),
                "one": hotline.client.get(
                    f"/v1/alerts/{alert['alert_id']}", headers=hotline.operator("BOREAS")
                ),
                "picture": hotline.client.get("/v1/picture", headers=hotline.operator("ATLAS")),
                "ack": hotline.client.post(
                    f"/v1/alerts/{alert['alert_id']}/ack", headers=hotline.operator("BOREAS")
                ),
            }
            assert cycle.is_alive(), "the cycle must still be held inside detection"
        finally:
            gate.release.set()
            cycle.join(WAIT_S)
        assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 200)
        assert [a["alert_id"] for a in answers["list"].json()] == [alert["alert_id"]]
        acknowledged = [a["party"] for a in answers["ack"].json()["acknowledgements"]]
        assert acknowledged == ["BOREAS"]
        # The held cycle, let go, took the acknowledgement made meanwhile into its book.
        (after,) = hotline.node.alerts.alerts(party_id=None, active=True)
        assert [a.party for _, a in after.acknowledgements] == ["BOREAS"]
