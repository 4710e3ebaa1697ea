"""Do the idempotent answers tell the truth? Each names the journal record it acknowledged.

A retry is answered from the ``idempotency`` table, not from the journal. Every answer
stored there (`airhotline.core.ingest`) holds the ``seq`` and ``hash`` of the record that
committed its request, in the same transaction as that record. So the answers are many
small witnesses of the journal's past, kept beside it: one that names a record the
journal no longer holds (a cut-off tail), holds with another hash (a rewritten one) or
holds for another party tells a party that something is committed which the journal
does not say. This audit checks each answer against the record it names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, select

from airhotline.store.schema import idempotency, journal

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
    seqs = sorted({n[0] for _, n in claims if n is not None and 0 < n[0] <= _MAX_SEQ})
    records = {
        row.seq: row
        for row in connection.execute(
            select(journal.c.seq, journal.c.hash, journal.c.party_id).where(journal.c.seq.in_(seqs))
        )
    }
    for answer, named in claims:
        # The key is the client's text: JSON-quoted, it stays on one line and in ASCII.
        where = f"answer to party {answer.party_id}, key {json.dumps(answer.key)}"
        if named is None:
            yield f"{where}: names no journal record (seq and hash)"
            continue
        seq, digest = named
        record = records.get(seq)
        if record is None:
            yield f"{where}: names seq {seq}, which the journal does not hold"
        elif record.hash != digest:
            yield f"{where}: names seq {seq} with a hash the journal does not hold there"
        elif record.party_id != answer.party_id:
            owner = "no party" if record.party_id is None else f"party {record.party_id}"
            yield f"{where}: names seq {seq}, a record of {owner}"


def _named_record(response_json: str) -> tuple[int, str] | None:
    """The ``(seq, hash)`` an answer names, or None when it names none."""
    try:
        response = json.loads(response_json)
    except ValueError:
        return None
    if not isinstance(response, dict):
        return None
    seq, digest = response.get("seq"), response.get("hash")
    if type(seq) is not int or not isinstance(digest, str):  # bool is an int too
        return None
    return seq, digest
