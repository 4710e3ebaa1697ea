"""The access tables are checked against the journal: a planted or edited row shows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airhotline.bootstrap import build_node
from airhotline.cli import app
from airhotline.clock import SimulatedClock
from airhotline.core.access import AgreementMode, AgreementStatus, Role, hash_token
from airhotline.store import Store
from airhotline.store.audit import audit_access


@pytest.fixture
def populated(database_url: str) -> str:
    """Parties, extra tokens (one revoked, one admin) and an agreement, then closed."""
    clock = SimulatedClock(1_700_000_000_000_000)
    node = build_node(database_url, clock=clock)
    try:
        node.add_party("ATLAS", "en")
        node.add_party("BOREAS", "ru")
        token_id, _ = node.issue_token("ATLAS", Role.OPERATOR)
        node.revoke_token(token_id)
        node.issue_token(None, Role.ADMIN)
        node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.SUSPENDED)
    finally:
        node.close()
    return database_url


def audit(url: str) -> list[str]:
    store = Store.open(url)
    try:
        return list(audit_access(store).problems)
    finally:
        store.close()


def tamper(url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def test_a_clean_node_matches_its_journal(populated: str) -> None:
    assert audit(populated) == []


def test_a_planted_token_is_found(populated: str) -> None:
    planted = hash_token("ahl_planted")
    tamper(
        populated,
        "INSERT INTO tokens (id, party_id, role, token_hash, created_us)"
        f" VALUES (99, 1, 'operator', '{planted}', 0)",
    )
    assert audit(populated) == ["token 99 is in the table but no journal record made it"]


def test_an_unrevoked_token_is_found(populated: str) -> None:
    tamper(populated, "UPDATE tokens SET revoked_us = NULL")
    assert audit(populated) == ["token 5 differs from the journal"]


def test_an_agreement_switched_behind_the_journal_is_found(populated: str) -> None:
    tamper(populated, "UPDATE agreements SET status = 'active'")
    assert audit(populated) == ["agreement (1, 2) differs from the journal"]


def test_journal_verify_reports_it_and_fails(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["party", "add", "ATLAS", "--db", url]).exit_code == 0
    clean = runner.invoke(app, ["journal", "verify", "--db", url])
    assert clean.exit_code == 0
    assert "tokens and agreements match its 1 access records" in clean.stdout
    with sqlite3.connect(tmp_path / "a.db") as connection:
        connection.execute("UPDATE parties SET lang = 'ru'")
    broken = runner.invoke(app, ["journal", "verify", "--db", url])
    assert broken.exit_code == 1
    assert "access tables differ from the journal: party 1 differs" in broken.stderr
