"""Message benchmark: from ``POST /v1/messages`` to the rendered message on the
recipient's event stream, over real HTTP; and the cost of rendering one message for
one reader.

A server subprocess (SQLite, 1 s cycle) has 20 parties reading the hotline's five
languages in turn, each with an operator's SSE stream open. A sender posts 50 messages
a second — intentions, contacts, level reports, traffic information, free text — each
from one party to another, paced on a fixed schedule; each message's latency runs from
just before its POST to the arrival of its ``message.received`` on the recipient's
stream, rendered in the recipient's language (checked).

Then, in process: the microseconds to render one message in one language
(`airhotline.core.messages.render`) and to build a reader's whole event payload
(`payload_for`: the party's view, the text in its language and the original).

Run: ``.venv/bin/python -m benchmarks.messages [--seconds 30] [--rate 50] [--parties 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

import httpx

from airhotline.core.events import payload_for
from airhotline.core.messages import render
from airhotline.core.records import Record
from airhotline.i18n import LANGUAGES
from benchmarks import _stats as stats
from benchmarks._server import provision, start_server, stop_server

#: What the sender says, in turn: (type, form, params).
SAMPLES: list[tuple[str, str, dict[str, Any]]] = [
    ("intentions", "climb", {"track": "T1", "level": "FL320"}),
    ("intentions", "turn", {"track": "T1", "direction": "left", "heading": 270}),
    ("contact", "contact", {"unit": "NICOSIA CONTROL", "frequency": 124.2}),
    ("level-report", "report", {"track": "T1", "level": 9500}),
    ("free-text", "text", {"text": "Confirm you have the tanker in sight"}),
    (
        "emergency",
        "pan-pan",
        {"track": "T1", "position": [34.5, 33.25], "level": "FL200", "persons": 3},
    ),
]


async def _listen(
    url: str,
    token: str,
    party: str,
    arrived: dict[str, float],
    ready: asyncio.Event,
    lang: str,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(timeout=None) as client,
        client.stream("GET", f"{url}/v1/events", headers=headers) as response,
    ):
        ready.set()
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event["kind"] != "message.received":
                continue
            payload = event["payload"]
            if payload["to"] == party and payload["text_lang"] == lang:
                arrived[payload["message_id"]] = time.perf_counter()


async def _run(url: str, operators: list[str], langs: list[str], seconds: float, rate: float):  # type: ignore[no-untyped-def]
    parties = len(operators)
    arrived: dict[str, float] = {}
    readies = [asyncio.Event() for _ in range(parties)]
    listeners = [
        asyncio.create_task(_listen(url, operators[k], f"P{k}", arrived, readies[k], langs[k]))
        for k in range(parties)
    ]
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(1.0)
    sent: dict[str, float] = {}
    refused = 0
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def post(k: int) -> None:
            nonlocal refused
            sender, recipient = k % parties, (k * 7 + 3) % parties
            if recipient == sender:
                recipient = (recipient + 1) % parties
            kind, form, params = SAMPLES[k % len(SAMPLES)]
            started = time.perf_counter()
            response = await client.post(
                "/v1/messages",
                json={"to": f"P{recipient}", "type": kind, "form": form, "params": params},
                headers={"Authorization": f"Bearer {operators[sender]}"},
            )
            if response.status_code != 201:
                refused += 1
                return
            sent[response.json()[0]["message_id"]] = started

        tasks = []
        start = time.perf_counter()
        total = int(seconds * rate)
        for k in range(total):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(k)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    await asyncio.sleep(2.0)
    for task in listeners:
        task.cancel()
    latencies = sorted((arrived[i] - t) * 1000.0 for i, t in sent.items() if i in arrived)
    return latencies, len(sent), refused, total / elapsed


def _render_costs() -> tuple[float, float]:
    """Microseconds per render, and per reader's payload, over the samples and languages."""
    cases = [(t, f, p, lang) for t, f, p in SAMPLES for lang in LANGUAGES]
    n = 2_000
    per_render = timeit.timeit(
        lambda: [render(t, f, p, lang) for t, f, p, lang in cases], number=n // len(cases) + 1
    ) / ((n // len(cases) + 1) * len(cases))
    records = [
        Record(
            seq=1,
            time_us=0,
            kind="message.received",
            party_id=None,
            ordinals={2: 1},
            payload={
                "message_id": "m",
                "type": t,
                "form": f,
                "params": p,
                "lang": "ru",
                "from": "P1",
                "from_id": 1,
                "to": "P2",
                "to_id": 2,
                "in_reply_to": None,
                "alert_id": None,
                "attribute": "N",
                "wants_answer": False,
            },
            payload_json="",
            prev_hash="",
            hash="",
        )
        for t, f, p in SAMPLES
    ]
    rounds = n // (len(records) * len(LANGUAGES)) + 1
    per_payload = timeit.timeit(
        lambda: [payload_for(r, 2, lang) for r in records for lang in LANGUAGES], number=rounds
    ) / (rounds * len(records) * len(LANGUAGES))
    return per_render * 1e6, per_payload * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=50.0, help="messages a second")
    parser.add_argument("--parties", type=int, default=20)
    args = parser.parse_args()
    render_us, payload_us = _render_costs()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db = f"sqlite:///{workdir / 'bench.db'}"
        langs = [LANGUAGES[k % len(LANGUAGES)] for k in range(args.parties)]
        _, operators, _ = provision(db, args.parties, tuple(LANGUAGES))
        process, url = start_server(db, workdir)
        try:
            latencies, sent, refused, rate = asyncio.run(
                _run(url, operators, langs, args.seconds, args.rate)
            )
        finally:
            stop_server(process)
    print(
        f"messages: {args.parties} parties connected, {rate:.1f} messages/s"
        f" for {args.seconds:.0f} s"
    )
    print(f"  sent {sent}, refused {refused}, arrived {len(latencies)}")
    if latencies:
        print(
            f"  POST -> recipient's stream: p50 {statistics.median(latencies):.1f} ms,"
            f" p99 {stats.p99(latencies):.1f} ms, max {latencies[-1]:.1f} ms"
        )
    print(f"  render one message in one language: {render_us:.1f} µs")
    print(f"  a reader's event payload (view, text, original): {payload_us:.1f} µs")


if __name__ == "__main__":
    main()
