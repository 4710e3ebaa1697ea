"""Do the idempotent answers tell the truth? Each names the journal record it acknowledged.

A retry is answered from the ``idempotency`` table, not from the journal. Every answer
stored there (`airhotline.core.ingest`) names the record that committed its request by
its ``committed`` time and ``hash`` (0.1's answers: by ``seq`` and ``hash``), in the same
transaction as that record. So the answers are many small witnesses of the journal's
past, kept beside it: one that names a record the journal no longer holds (a cut-off
tail), holds with another hash (a rewritten one) or holds for another party tells a
party that something is committed which the journal does not say. This audit checks
each answer against the record it names. A hotline message's answer (`core.messages`)
names the hotline's record of it, which belongs to no party: that one must have the
party in its audience.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, select

from airhotline.clock import us_from_iso
from airhotline.store.schema import idempotency, journal, journal_audience

__all__ = ["AnswerAudit", "audit_answers"]

#: Answers checked with one ``IN`` list of seqs (kept under SQLite's limit).
_CHUNK = 500

_MAX_SEQ = 2**63 - 1

AnyRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class AnswerAudit:
    ok: bool
    answers_checked: int
    problems: tuple[str, ...]


def audit_answers(connection: Connection) -> AnswerAudit:
    """Check every stored answer against the journal record it names."""
    answers = connection.execution_options(yield_per=_CHUNK).execute(
        select(idempotency.c.party_id, idempotency.c.key, idempotency.c.response_json).order_by(
            idempotency.c.party_id, idempotency.c.key
        )
    )
    problems: list[str] = []
    checked = 0
    try:
        for chunk in answers.partitions():
            problems += _check(connection, chunk)
            checked += len(chunk)
    finally:
        answers.close()
    return AnswerAudit(ok=not problems, answers_checked=checked, problems=tuple(problems))


def _check(connection: Connection, answers: Sequence[AnyRow]) -> Iterable[str]:
    claims = [(answer, _named_record(answer.response_json)) for answer in answers]
    # A seq beyond BIGINT is held by no journal, and PostgreSQL would refuse the query.
    seqs = sorted(
        {n.seq for _, n in claims if n is not None and n.seq is not None and 0 < n.seq <= _MAX_SEQ}
    )
    times = sorted({n.time_us for _, n in claims if n is not None and n.time_us is not None})
    by_seq: dict[int, AnyRow] = {}
    by_time: dict[tuple[int, str], AnyRow] = {}
    columns = (journal.c.seq, journal.c.time_us, journal.c.hash, journal.c.party_id)
    if seqs:
        for row in connection.execute(select(*columns).where(journal.c.seq.in_(seqs))):
            by_seq[row.seq] = row
    if times:
        for row in connection.execute(select(*columns).where(journal.c.time_us.in_(times))):
            by_time[(row.time_us, row.hash)] = row
    # Who was told of the hotline's own records among them (a message's sender is).
    unowned = sorted(
        {row.seq for row in [*by_seq.values(), *by_time.values()] if row.party_id is None}
    )
    told: set[tuple[int, int]] = set()
    if unowned:
        audience = select(journal_audience.c.seq, journal_audience.c.party_id)
        for seq, party_id in connection.execute(
            audience.where(journal_audience.c.seq.in_(unowned))
        ):
            told.add((seq, party_id))
    for answer, named in claims:
        # The key is the client's text: JSON-quoted, it stays on one line and in ASCII.
        where = f"answer to party {answer.party_id}, key {json.dumps(answer.key)}"
        if named is None:
            yield f"{where}: names no journal record (committed time or seq, and hash)"
            continue
        if named.seq is not None:
            record = by_seq.get(named.seq)
            if record is None:
                yield f"{where}: names seq {named.seq}, which the journal does not hold"
                continue
            if record.hash != named.hash:
                yield f"{where}: names seq {named.seq} with a hash the journal does not hold there"
                continue
            name = f"seq {named.seq}"
        else:
            assert named.time_us is not None
            record = by_time.get((named.time_us, named.hash))
            if record is None:
                yield (
                    f"{where}: names a record committed at {named.committed} with a hash the"
                    " journal does not hold"
                )
                continue
            name = f"seq {record.seq}"
        if record.party_id is None and (record.seq, answer.party_id) in told:
            continue  # the hotline's record of a message the party sent
        if record.party_id != answer.party_id:
            owner = "no party" if record.party_id is None else f"party {record.party_id}"
            yield f"{where}: names {name}, a record of {owner}"


@dataclass(frozen=True, slots=True)
class _Claim:
    """The record an answer names: by ``committed`` time and hash (the receipts of
    0.2), or by ``seq`` and hash (those of 0.1, which told a party the global seq)."""

    hash: str
    seq: int | None = None
    time_us: int | None = None
    committed: str | None = None


def _named_record(response_json: str) -> _Claim | None:
    """The record an answer names, or None when it names none."""
    try:
        response = json.loads(response_json)
    except ValueError:
        return None
    if not isinstance(response, dict):
        return None
    digest, seq, committed = response.get("hash"), response.get("seq"), response.get("committed")
    if not isinstance(digest, str):
        return None
    if type(seq) is int:  # bool is an int too
        return _Claim(digest, seq=seq)
    if isinstance(committed, str):
        try:
            return _Claim(digest, time_us=us_from_iso(committed), committed=committed)
        except ValueError:
            return None
    return None
