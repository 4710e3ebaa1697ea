"""Journals written by earlier releases still verify and rebuild the same hotline.

Each folder here is a corpus (`make_corpus`): a SQLite database written by one release,
holding every journal kind, and ``expected.json``, what that release rebuilt from it.
This release must verify the chain and the access tables, read every record as its
typed event and journal exactly the same payload from it, and rebuild the same head,
parties, tokens, agreements, picture, alerts and exposures.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from tests.golden.make_corpus import rebuilt

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.events import decode, encode, kinds
from airhotline.core.node import HotlineConfig
from airhotline.store import Store
from airhotline.store.audit import audit_access

HERE = Path(__file__).resolve().parent
CORPORA = sorted(p for p in HERE.iterdir() if (p / "journal.db").exists())


@pytest.fixture(params=CORPORA, ids=[p.name for p in CORPORA])
def corpus(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """A copy of one corpus's database (opening migrates it), and what it must rebuild."""
    folder: Path = request.param
    shutil.copy(folder / "journal.db", tmp_path / "journal.db")
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return f"sqlite:///{tmp_path / 'journal.db'}", expected


def test_there_is_a_corpus_of_the_first_release() -> None:
    assert "0.1.0" in [p.name for p in CORPORA]


def test_the_corpus_verifies(corpus: tuple[str, dict[str, Any]]) -> None:
    url, expected = corpus
    with Store.open(url) as store:
        verified = store.verify()
        assert verified.ok, verified.reason
        assert store.head().seq == expected["head"]["seq"]
        assert store.head().hash == expected["head"]["hash"]
        audit = audit_access(store)
        assert audit.ok, audit.problems


def test_every_record_reads_as_its_type_and_journals_the_same(
    corpus: tuple[str, dict[str, Any]],
) -> None:
    url, _ = corpus
    seen: set[str] = set()
    with Store.open(url) as store:
        for record in store.iter_records_after(0):
            event = decode(record)
            assert event.kind == record.kind
            if record.payload.get("v", 1) == event.version:  # older versions are read only
                assert encode(event) == dict(record.payload), f"seq {record.seq} ({record.kind})"
            assert event.party_id == record.party_id, f"seq {record.seq}"
            seen.add(record.kind)
    assert seen <= kinds()


def test_every_kind_is_in_some_corpus() -> None:
    """A release that adds a kind (or a version) adds a corpus that holds it."""
    found: set[str] = set()
    for folder in CORPORA:
        # Read only, with sqlite3 itself: opening a Store would migrate the corpus.
        with closing(sqlite3.connect(f"file:{folder / 'journal.db'}?mode=ro", uri=True)) as db:
            found |= {kind for (kind,) in db.execute("SELECT DISTINCT kind FROM journal")}
    assert found == kinds()


def test_the_corpus_rebuilds_the_same_hotline(corpus: tuple[str, dict[str, Any]]) -> None:
    url, expected = corpus
    # Corpora before 0.2.0 carry no limits: theirs were the defaults.
    config = HotlineConfig(
        exposure_limit=expected.get("exposure_limit", 100),
        flood_limit=expected.get("flood_limit", 50),
    )
    node = build_node(url, clock=SimulatedClock(expected["now_us"]), config=config)
    try:
        found = rebuilt(node)
        for setting in ("exposure_limit", "flood_limit", "messages", "lines", "notices"):
            if setting not in expected:  # a corpus older than the setting
                del found[setting]
        assert found == expected
    finally:
        node.close()
