"""The journal as stored: records, the head, reading and verifying the hash chain.

Functions here run on a connection the `Store` opens; they only read. Records are
written by `airhotline.store.transaction.Transaction.append`, in the writer thread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from airhotline.core.records import Audience, JournalHead, Record
from airhotline.store.canonical import GENESIS_HASH, content, link
from airhotline.store.schema import journal, journal_audience

__all__ = [
    "EMPTY_HEAD",
    "HEAD_SQL",
    "Audience",
    "JournalHead",
    "Record",
    "VerifyResult",
    "claim_head",
    "format_head",
    "parse_head",
    "party_head",
    "party_records_after",
    "read_head",
    "records_after",
    "records_in_time",
    "stored_payload",
    "verify",
]

#: A result row of any shape.
AnyRow = Row[*tuple[Any, ...]]

#: Records whose audiences are fetched with one ``IN`` list (kept under SQLite's limit).
_AUDIENCE_CHUNK = 500
#: Rows fetched at a time while verifying.
_VERIFY_BATCH = 1000


EMPTY_HEAD = JournalHead(0, GENESIS_HASH)
#: A head as one token, ``SEQ:HASH``: ASCII digits (``\d`` and `int` take any script's).
_HEAD_TOKEN = re.compile(r"(0|[1-9][0-9]{0,18}):([0-9a-f]{64})")


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of `verify`: ``first_bad_seq`` and ``reason`` are set when not ``ok``.

    ``rows_checked`` counts the rows found intact before the first broken one.
    """

    ok: bool
    rows_checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


_COLUMNS = (
    journal.c.seq,
    journal.c.time_us,
    journal.c.kind,
    journal.c.party_id,
    journal.c.payload,
    journal.c.prev_hash,
    journal.c.hash,
)


def parse_payload(payload_json: str) -> Mapping[str, Any]:
    """The payload of a stored record (an object, as `Transaction.append` stores it)."""
    payload = json.loads(payload_json)
    if not isinstance(payload, dict):
        raise ValueError("a journal payload is a JSON object")
    return payload


class _NotPlainError(Exception):
    """A value that JSON would give back as something else (a tuple, an enum, ...)."""


#: Immutable values that JSON gives back equal and of the same type.
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: object) -> object:
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return value
    if kind is dict:
        assert isinstance(value, dict)
        if not all(type(key) is str for key in value):
            raise _NotPlainError()
        return {key: _plain(value[key]) for key in sorted(value)}
    if kind is list:
        assert isinstance(value, list)
        if set(map(type, value)) <= _PLAIN_SCALARS:
            return list(value)
        return [_plain(item) for item in value]
    raise _NotPlainError()


def stored_payload(payload: Mapping[str, Any], payload_json: str) -> Mapping[str, Any]:
    """What `parse_payload` reads back from ``payload_json``, the canonical text of
    ``payload``: a copy of it, made without parsing when it is plain JSON already
    (dicts with text keys, lists, text, numbers, booleans, None)."""
    if type(payload) is dict:
        try:
            copied = _plain(payload)
        except _NotPlainError:
            pass
        else:
            assert isinstance(copied, dict)
            return copied
    return parse_payload(payload_json)


def format_head(head: JournalHead) -> str:
    """The head as one token, ``SEQ:HASH``, easy to copy and to keep elsewhere."""
    return f"{head.seq}:{head.hash}"


def parse_head(token: str) -> JournalHead:
    """The head a `format_head` token names; `ValueError` saying why if it names none."""
    found = _HEAD_TOKEN.fullmatch(token)
    if found is None:
        raise ValueError(
            "must be SEQ:HASH as 'airhotline journal head' prints it: a sequence number, "
            "a colon and 64 lowercase hexadecimal digits"
        )
    return JournalHead(int(found[1]), found[2])


#: The head's query, as the driver takes it (the same on SQLite and PostgreSQL): the
#: writer reads the head for every group, each node once a cycle, and SQLAlchemy's
#: execution of a compiled select costs twice the statement itself.
HEAD_SQL = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1"


def read_head(connection: Connection) -> JournalHead:
    """The last stored record's seq and hash."""
    row = connection.exec_driver_sql(HEAD_SQL).first()
    return EMPTY_HEAD if row is None else JournalHead(int(row[0]), str(row[1]))


def claim_head(connection: Connection) -> JournalHead:
    """Hold the journal's write lock until the transaction ends; return its head.

    Several stores, in several processes, may write to one database (a command-line
    ``party add`` beside a running node): whoever holds this lock appends next, after the
    head it returns. SQLite's writer connection holds the lock already (``BEGIN
    IMMEDIATE``); PostgreSQL takes an EXCLUSIVE lock on the journal, which lets readers be.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE journal IN EXCLUSIVE MODE")
    return read_head(connection)


def records_after(
    connection: Connection,
    seq: int,
    *,
    audience: int | None,
    kinds: Collection[str] | None,
    limit: int,
) -> list[Record]:
    """Records with a seq above ``seq``, in seq order, at most ``limit`` of them.

    ``audience=None`` reads every record; a party id reads only the records whose
    audience holds it, through the ``(party_id, seq)`` index.
    """
    if limit <= 0 or (kinds is not None and not kinds):
        return []
    if audience is None:
        query = select(*_COLUMNS).where(journal.c.seq > seq).order_by(journal.c.seq)
    else:
        query = (
            select(*_COLUMNS)
            .join(journal_audience, journal_audience.c.seq == journal.c.seq)
            .where(journal_audience.c.party_id == audience, journal_audience.c.seq > seq)
            .order_by(journal_audience.c.seq)
        )
    if kinds is not None:
        query = query.where(journal.c.kind.in_(sorted(kinds)))
    return _with_audiences(connection, connection.execute(query.limit(limit)).all())


def party_records_after(
    connection: Connection, party_id: int, ordinal: int, *, limit: int
) -> list[Record]:
    """A party's records numbered above ``ordinal`` on its stream, in order, at most
    ``limit``, through the ``(party_id, ordinal)`` index."""
    if limit <= 0:
        return []
    query = (
        select(*_COLUMNS)
        .join(journal_audience, journal_audience.c.seq == journal.c.seq)
        .where(journal_audience.c.party_id == party_id, journal_audience.c.ordinal > ordinal)
        .order_by(journal_audience.c.ordinal)
        .limit(limit)
    )
    return _with_audiences(connection, connection.execute(query).all())


def party_head(connection: Connection, party_id: int) -> int:
    """The ordinal of the party's last record: 0 when it has none."""
    found = connection.execute(
        select(func.max(journal_audience.c.ordinal)).where(journal_audience.c.party_id == party_id)
    ).scalar_one()
    return int(found or 0)


def records_in_time(
    connection: Connection,
    start_us: int,
    end_us: int,
    *,
    kinds: Collection[str] | None,
) -> list[Record]:
    """Records with ``start_us <= time_us < end_us``, in seq order."""
    if kinds is not None and not kinds:
        return []
    query: Select[Any] = (
        select(*_COLUMNS)
        .where(journal.c.time_us >= start_us, journal.c.time_us < end_us)
        .order_by(journal.c.seq)
    )
    if kinds is not None:
        query = query.where(journal.c.kind.in_(sorted(kinds)))
    return _with_audiences(connection, connection.execute(query).all())


def _with_audiences(connection: Connection, rows: Sequence[AnyRow]) -> list[Record]:
    members: dict[int, dict[int, int]] = {row.seq: {} for row in rows}
    seqs = list(members)
    for start in range(0, len(seqs), _AUDIENCE_CHUNK):
        chunk = seqs[start : start + _AUDIENCE_CHUNK]
        found = connection.execute(
            select(
                journal_audience.c.seq, journal_audience.c.party_id, journal_audience.c.ordinal
            ).where(journal_audience.c.seq.in_(chunk))
        )
        for seq, party_id, ordinal in found:
            members[seq][party_id] = ordinal
    return [_record(row, members[row.seq]) for row in rows]


def _record(row: AnyRow, ordinals: dict[int, int]) -> Record:
    return Record(
        seq=row.seq,
        time_us=row.time_us,
        kind=row.kind,
        party_id=row.party_id,
        ordinals=ordinals,
        payload=parse_payload(row.payload),
        payload_json=row.payload,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def verify(
    connection: Connection,
    *,
    committed: JournalHead = EMPTY_HEAD,
    expected: JournalHead | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyResult:
    """Recompute the whole chain, streaming it in seq order; stop at the first break.

    Checks, row by row: seq follows on from the previous one (a deleted row); prev_hash
    is the previous row's hash (rows reordered or removed); the hash is that of the
    row's content with its audience (an edited row); each party's ordinals run 1, 2,
    3, ... in seq order (a party's stream ids, which are not hashed). A chain alone
    cannot tell that its newest rows were cut off, or edited and every later row
    rehashed: what is left is a shorter or another intact chain. Heads known from
    elsewhere can: ``committed`` is the head the calling store itself committed,
    ``expected`` one kept since (``airhotline journal verify --expect``). The journal
    must still hold each, with exactly its hash; rows after it are fine. Rows appended
    while verifying are not checked. ``progress(done, total)`` is called every thousand
    rows and at the end.
    """
    anchors = [_Anchor(committed, "this store committed up to", "the one this store committed")]
    if expected is not None:
        anchors.append(_Anchor(expected, "the expected head is", "the expected head's"))
    total = read_head(connection).seq
    rows = connection.execution_options(yield_per=_VERIFY_BATCH).execute(
        select(*_COLUMNS).where(journal.c.seq <= total).order_by(journal.c.seq)
    )
    members = connection.execution_options(yield_per=_VERIFY_BATCH * 4).execute(
        select(journal_audience.c.seq, journal_audience.c.party_id, journal_audience.c.ordinal)
        .where(journal_audience.c.seq <= total)
        .order_by(journal_audience.c.seq, journal_audience.c.party_id)
    )
    try:
        result = _verify_rows(iter(rows), iter(members), anchors, total, progress)
    finally:
        rows.close()
        members.close()
    if progress is not None:
        progress(result.rows_checked, total)
    return result


@dataclass(frozen=True, slots=True)
class _Anchor:
    """A head the journal must still hold, and how to name it in a reason."""

    head: JournalHead
    ends_before: str
    whose_hash: str


def _verify_rows(
    rows: Iterator[AnyRow],
    members: Iterator[AnyRow],
    anchors: Sequence[_Anchor],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> VerifyResult:
    checked = 0
    prev_hash = GENESIS_HASH
    wanted = {anchor.head.seq for anchor in anchors}
    hash_at = {0: GENESIS_HASH}
    last_ordinal: dict[int, int] = {}
    member = next(members, None)
    for row in rows:
        expected = checked + 1
        if row.seq != expected:
            return _broken(
                checked, expected, f"seq {expected} is missing: the next row is seq {row.seq}"
            )
        audience: list[int] = []
        ordinals: list[int] = []
        while member is not None and member.seq <= row.seq:
            if member.seq < row.seq:
                return _broken(checked, member.seq, "audience rows without a journal row")
            audience.append(member.party_id)
            ordinals.append(member.ordinal)
            member = next(members, None)
        if row.prev_hash != prev_hash:
            return _broken(
                checked,
                row.seq,
                f"prev_hash does not link to the hash of seq {row.seq - 1}: "
                "rows were removed, reordered or rewritten",
            )
        recomputed = link(
            row.prev_hash,
            content(
                seq=row.seq,
                time_us=row.time_us,
                kind=row.kind,
                party_id=row.party_id,
                audience=audience,
                payload_json=row.payload,
            ),
        )
        if recomputed != row.hash:
            return _broken(
                checked,
                row.seq,
                "hash does not match the content: the row or its audience was edited",
            )
        for party_id, ordinal in zip(audience, ordinals, strict=True):
            following = last_ordinal.get(party_id, 0) + 1
            if ordinal != following:
                return _broken(
                    checked,
                    row.seq,
                    f"party {party_id}'s stream id here is {ordinal}, not {following}:"
                    " its stream ids were edited",
                )
            last_ordinal[party_id] = following
        prev_hash = row.hash
        checked += 1
        if row.seq in wanted:
            hash_at[row.seq] = row.hash
        if progress is not None and checked % _VERIFY_BATCH == 0:
            progress(checked, total)
    if member is not None:
        return _broken(checked, member.seq, "audience rows without a journal row")
    for anchor in sorted(anchors, key=lambda a: a.head.seq):
        head = anchor.head
        if head.seq > checked:
            return _broken(
                checked,
                checked + 1,
                f"seq {checked + 1} is missing: the journal ends at seq {checked} "
                f"but {anchor.ends_before} seq {head.seq}",
            )
        if hash_at[head.seq] != head.hash:
            if head.seq == 0:
                return _broken(checked, 0, "seq 0 is the empty journal, whose hash is 64 zeros")
            return _broken(
                checked,
                head.seq,
                f"hash differs from {anchor.whose_hash}: the chain was rewritten",
            )
    return VerifyResult(ok=True, rows_checked=checked)


def _broken(checked: int, seq: int, reason: str) -> VerifyResult:
    return VerifyResult(ok=False, rows_checked=checked, first_bad_seq=seq, reason=reason)
