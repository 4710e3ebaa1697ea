"""Quotas per party: live tracks and reports a second, refused with 429 and Retry-After.

A refused batch writes nothing; another party's feed is not affected.
"""

from __future__ import annotations

from pathlib import Path

from tests.service.conftest import assert_problem, open_hotline, report

from airhotline.core.node import HotlineConfig
from airhotline.core.quotas import Quotas


def batch(prefix: str, n: int, at_s: float) -> list[dict[str, object]]:
    return [report(f"{prefix}{k}", at_s=at_s, lat=10.0 + k * 0.1) for k in range(n)]


def test_live_tracks_past_the_quota_are_refused_whole(tmp_path: Path) -> None:
    config = HotlineConfig(quotas=Quotas(max_live_tracks=300))
    url = f"sqlite:///{tmp_path / 'q.db'}"
    with open_hotline(url, node_options={"config": config}) as hotline:
        now = hotline.clock.now_us() / 1e6
        assert hotline.post_reports("ATLAS", batch("A", 250, now)).status_code == 200
        head = hotline.head()
        refused = hotline.post_reports("ATLAS", batch("N", 51, now))
        problem = assert_problem(refused, 429)
        assert problem["field"] == "max_live_tracks"
        assert int(refused.headers["retry-after"]) == 60
        assert hotline.head() == head, "a refused batch wrote something"
        # Known tracks may go on reporting, and up to the quota new ones may join.
        assert hotline.post_reports("ATLAS", batch("A", 250, now)).status_code == 200
        assert hotline.post_reports("ATLAS", batch("N", 50, now)).status_code == 200
        # Another party has a quota of its own.
        assert hotline.post_reports("BOREAS", batch("B", 300, now)).status_code == 200


def test_reports_a_second_past_the_quota_wait_for_the_bucket(tmp_path: Path) -> None:
    config = HotlineConfig(quotas=Quotas(reports_per_s=100.0, burst_s=2.0))
    url = f"sqlite:///{tmp_path / 'q.db'}"
    with open_hotline(url, node_options={"config": config}) as hotline:
        now = hotline.clock.now_us() / 1e6
        assert hotline.post_reports("ATLAS", batch("A", 150, now)).status_code == 200
        refused = hotline.post_reports("ATLAS", batch("A", 100, now))
        problem = assert_problem(refused, 429)
        assert problem["field"] == "reports_per_s"
        assert int(refused.headers["retry-after"]) == 1  # 50 tokens short at 100 a second
        assert hotline.post_reports("BOREAS", batch("B", 200, now)).status_code == 200
        hotline.clock.advance(0.5)
        assert hotline.post_reports("ATLAS", batch("A", 100, now + 0.5)).status_code == 200
        hotline.clock.advance(0.1)
        assert_problem(hotline.post_reports("ATLAS", batch("A", 100, now + 0.6)), 429)
        # An idempotent retry of a committed batch is an answer, not new work.
        key = {"Idempotency-Key": "k-1"}
        hotline.clock.advance(10.0)
        first = hotline.post_reports("ATLAS", batch("A", 200, now + 10.6), headers=key)
        assert first.status_code == 200
        again = hotline.post_reports("ATLAS", batch("A", 200, now + 10.6), headers=key)
        assert again.status_code == 200
        assert again.headers["idempotent-replayed"] == "true"
