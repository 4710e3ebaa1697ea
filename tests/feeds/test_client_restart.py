"""The feed client against a real server process that is killed and restarted: every
report is in the journal exactly once (a batch whose answer was lost is retried with its
Idempotency-Key and answered from the record, never stored twice)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.serverproc import Server, free_port

from airhotline.bootstrap import build_node
from airhotline.core.access import Role
from airhotline.feeds import Row
from airhotline.feeds.client import Batcher, Retry, Sender
from airhotline.store import Store

ROWS = 3_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    served = Server(f"http://127.0.0.1:{free_port()}", f"sqlite:///{tmp_path / 'j.db'}", tmp_path)
    yield served
    served.stop()


def feed_token(db: str) -> str:
    node = build_node(db)
    try:
        return node.add_party("ATLAS", "en").tokens[Role.FEED][1]
    finally:
        node.close()


def rows(now_s: float) -> list[Row]:
    return [
        {
            "track_id": f"A{k}",
            "time_us": round((now_s + k * 1e-4) * 1e6),
            "lat": 34.0 + (k % 100) * 0.01,
            "lon": 35.0 + (k // 100) * 0.01,
            "alt_ft": 20_000.0,
            "gs_kt": 300.0,
            "track_deg": 90.0,
            "vrate_fpm": 0.0,
            "icao24": f"{k:06x}",
        }
        for k in range(ROWS)
    ]


def reported_track_ids(db: str) -> Counter[str]:
    store = Store.open(db, create=False)
    try:
        seen: Counter[str] = Counter()
        for record in store.iter_records_after(0, kinds=["tracks.reported"]):
            seen.update(record.payload["track_id"])
        return seen
    finally:
        store.close()


def test_a_server_restart_loses_and_duplicates_nothing(server: Server) -> None:
    token = feed_token(server.db)
    server.start()
    sender = Sender(
        server.url,
        {"ATLAS": token},
        block=True,
        retry=Retry(base_s=0.05, cap_s=0.5),
        timeout_s=5.0,
        rng=random.Random(7),
    ).start()
    batcher = Batcher(max_rows=50)
    produce = threading.Thread(target=lambda: sender.put(batcher.add("ATLAS", rows(time.time()))))
    produce.start()
    deadline = time.monotonic() + 20
    while sender.stats.sent_batches < 10 and time.monotonic() < deadline:
        time.sleep(0.005)
    server.kill()  # in the middle of the stream: some batch's answer is likely lost
    time.sleep(0.3)
    assert sender.queued > 0, "the batches wait while the server is down"
    server.start()
    produce.join(20)
    sender.put(batcher.due(everything=True))
    assert sender.close(deadline_s=30), sender.stats
    assert sender.stats.retries > 0
    assert sender.stats.sent_rows == ROWS
    assert sender.stats.dropped_rows == 0
    assert not sender.stats.refused_rows
    seen = reported_track_ids(server.db)
    assert sum(seen.values()) == ROWS
    assert set(seen.values()) == {1}
