"""What a unit of work may do, inside the writer's database transaction.

A `Transaction` is handed to one unit and is usable only while that unit runs, in the
writer thread. Every change it makes (journal records, parties, tokens, ...) lands in
the unit's savepoint: all of them commit with the group, or none does.

Errors: a duplicate raises `ConflictError`, a reference to a missing party
`NotFoundError`, a bad mode or role `InputError`, a payload JSON cannot hold `TypeError`
or `ValueError`, all found before any row is written, so a unit may catch them and go
on. An error the database itself raises (`StoreError`; or `NotFoundError` when `append`
names a party that does not exist, which only the foreign keys check) spoils the
transaction: the unit fails with that error even if it caught it and went on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from airhotline.errors import (
    AirhotlineError,
    ConflictError,
    InputError,
    NotFoundError,
    StoreError,
)
from airhotline.store.canonical import content, dumps, link
from airhotline.store.journal import Audience, JournalHead, Record, stored_payload
from airhotline.store.rows import (
    AgreementRow,
    IdempotentAnswer,
    PartyRow,
    TokenRow,
    agreement_row,
    party_row,
    read_idempotent_answer,
    token_row,
)
from airhotline.store.schema import (
    AGREEMENT_MODES,
    AGREEMENT_STATUSES,
    ROLES,
    agreements,
    idempotency,
    journal,
    journal_audience,
    parties,
    tokens,
)

__all__ = ["Chain", "Transaction"]


class _DriverInsert:
    """An INSERT of every column of a table, compiled once per dialect and sent as the
    driver takes it (`Connection.exec_driver_sql`): the journal's two inserts a record
    are the writer's hottest statements, and SQLAlchemy Core's execution of a cached
    compiled insert costs two and a half times the driver's own (24.5 against 9.8 µs
    on SQLite). Errors come wrapped as from any other statement.
    """

    __slots__ = ("_compiled", "_table")

    def __init__(self, table: Table) -> None:
        self._table = table
        #: By dialect: the statement's text and, for a positional paramstyle (SQLite's
        #: ``?``), the order of its parameters.
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def execute(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (one statement, or an executemany of several)."""
        found = self._compiled.get(connection.dialect.name)
        if found is None:
            compiled = insert(self._table).compile(dialect=connection.dialect)
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            found = self._compiled[connection.dialect.name] = (compiled.string, order)
        sql, order = found
        if order is None:
            params: list[Any] = rows
        else:
            params = [tuple(row[name] for name in order) for row in rows]
        connection.exec_driver_sql(sql, params[0] if len(params) == 1 else params)


_INSERT_RECORD = _DriverInsert(journal)
_INSERT_AUDIENCE = _DriverInsert(journal_audience)


class Chain:
    """The end of the journal as the writer knows it; touched by the writer thread only.

    ``ordinals`` caches each party's last ordinal (see `airhotline.store.schema`), read
    from the database the first time a party is appended to. A reset forgets them all:
    after a rollback, or a group written by another store, the database is the one that
    knows, and asking it once per party costs one index lookup.
    """

    __slots__ = ("hash", "ordinals", "seq")

    def __init__(self, head: JournalHead) -> None:
        self.seq = head.seq
        self.hash = head.hash
        self.ordinals: dict[int, int] = {}

    def head(self) -> JournalHead:
        return JournalHead(self.seq, self.hash)

    def reset(self, head: JournalHead) -> None:
        self.seq = head.seq
        self.hash = head.hash
        self.ordinals.clear()


class Transaction:
    """The handle a unit of work writes through (see the module docstring)."""

    def __init__(self, connection: Connection, chain: Chain, clock_us: Callable[[], int]):
        self._connection = connection
        self._chain = chain
        self._clock_us = clock_us
        self._records: list[Record] = []
        self._open = True
        self._failure: AirhotlineError | None = None

    # -- the journal -----------------------------------------------------------------

    def append(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        time_us: int,
        party_id: int | None,
        audience: Audience,
    ) -> Record:
        """Append one record to the journal and return it as it will be stored.

        ``payload`` must be a JSON object of plain values (no NaN): `TypeError` or
        `ValueError` otherwise, raised before anything is written. ``party_id`` and
        the members of ``audience`` must be stored parties (checked by the database's
        foreign keys, so a missing one spoils the transaction). The record's
        ``payload`` is what the stored text parses back to (`journal.stored_payload`): it
        never aliases the argument.
        """
        if not isinstance(kind, str) or not kind:
            raise ValueError("kind must be a non-empty string")
        if not isinstance(payload, Mapping):
            raise TypeError("payload must be a mapping")
        _require_int("time_us", time_us)
        if party_id is not None:
            _require_int("party_id", party_id)
        members = frozenset(audience)
        for member in members:
            _require_int("audience", member)
        payload = dict(payload)
        payload_json = dumps(payload)
        seq = self._chain.seq + 1
        prev_hash = self._chain.hash
        text = content(
            seq=seq,
            time_us=time_us,
            kind=kind,
            party_id=party_id,
            audience=members,
            payload_json=payload_json,
        )
        digest = link(prev_hash, text)
        with self._statements():
            ordinals = {p: self._last_ordinal(p) + 1 for p in sorted(members)}
        with self._statements(lambda: NotFoundError("party", _missing(party_id, members))):
            _INSERT_RECORD.execute(
                self._connection,
                [
                    {
                        "seq": seq,
                        "time_us": time_us,
                        "kind": kind,
                        "party_id": party_id,
                        "payload": payload_json,
                        "prev_hash": prev_hash,
                        "hash": digest,
                    }
                ],
            )
            if members:
                _INSERT_AUDIENCE.execute(
                    self._connection,
                    [{"seq": seq, "party_id": p, "ordinal": n} for p, n in ordinals.items()],
                )
        self._chain.seq = seq
        self._chain.hash = digest
        self._chain.ordinals.update(ordinals)
        record = Record(
            seq=seq,
            time_us=time_us,
            kind=kind,
            party_id=party_id,
            ordinals=ordinals,
            payload=stored_payload(payload, payload_json),
            payload_json=payload_json,
            prev_hash=prev_hash,
            hash=digest,
        )
        self._records.append(record)
        return record

    def _last_ordinal(self, party_id: int) -> int:
        known = self._chain.ordinals.get(party_id)
        if known is None:
            known = self._connection.execute(
                select(func.coalesce(func.max(journal_audience.c.ordinal), 0)).where(
                    journal_audience.c.party_id == party_id
                )
            ).scalar_one()
            self._chain.ordinals[party_id] = known
        return known

    # -- parties and tokens ----------------------------------------------------------

    def insert_party(self, name: str, lang: str, created_us: int) -> PartyRow:
        """Store a new party; `ConflictError` (field ``name``) if the name is taken."""
        with self._statements(lambda: ConflictError("party", "name", name)):
            taken = self._connection.execute(
                select(parties.c.id).where(parties.c.name == name)
            ).first()
            if taken is not None:
                raise ConflictError("party", "name", name)
            result = self._connection.execute(
                insert(parties).values(name=name, lang=lang, created_us=created_us)
            )
        (party_id,) = result.inserted_primary_key or (None,)
        assert isinstance(party_id, int)
        return PartyRow(id=party_id, name=name, lang=lang, created_us=created_us)

    def party(self, party_id: int) -> PartyRow | None:
        """The stored party with this id."""
        with self._statements():
            row = self._connection.execute(select(parties).where(parties.c.id == party_id))
            found = row.first()
        return None if found is None else party_row(found)

    def token(self, token_id: int) -> TokenRow | None:
        """The stored token with this id, as this transaction sees it."""
        with self._statements():
            found = self._connection.execute(select(tokens).where(tokens.c.id == token_id)).first()
        return None if found is None else token_row(found)

    def insert_token(
        self, party_id: int | None, role: str, token_hash: str, created_us: int
    ) -> TokenRow:
        """Store a token hash with its role.

        ``role`` is one of ``feed``, ``operator``, ``admin``; only an admin token may
        have no party. A hash already stored raises `ConflictError` (field
        ``token_hash``, the value withheld).
        """
        if role not in ROLES:
            raise InputError("role", f"must be one of {', '.join(ROLES)}")
        if party_id is None and role != "admin":
            raise InputError("party_id", f"a {role} token belongs to a party")
        if party_id is not None:
            self._require_parties(party_id)
        with self._statements(lambda: ConflictError("token", "token_hash")):
            taken = self._connection.execute(
                select(tokens.c.id).where(tokens.c.token_hash == token_hash)
            ).first()
            if taken is not None:
                raise ConflictError("token", "token_hash")
            result = self._connection.execute(
                insert(tokens).values(
                    party_id=party_id, role=role, token_hash=token_hash, created_us=created_us
                )
            )
        (token_id,) = result.inserted_primary_key or (None,)
        assert isinstance(token_id, int)
        return TokenRow(
            id=token_id,
            party_id=party_id,
            role=role,
            token_hash=token_hash,
            created_us=created_us,
            revoked_us=None,
        )

    def revoke_token(self, token_id: int, revoked_us: int) -> TokenRow | None:
        """Revoke a token; ``None`` if there is none. Revoking twice keeps the first time."""
        with self._statements():
            self._connection.execute(
                update(tokens)
                .where(tokens.c.id == token_id, tokens.c.revoked_us.is_(None))
                .values(revoked_us=revoked_us)
            )
            row = self._connection.execute(select(tokens).where(tokens.c.id == token_id)).first()
        return None if row is None else token_row(row)

    # -- agreements ------------------------------------------------------------------

    def set_agreement(
        self, party_a: int, party_b: int, mode: str, status: str, updated_us: int
    ) -> AgreementRow:
        """Create or replace the agreement between two parties, in either order."""
        if party_a == party_b:
            raise InputError("party_b", "an agreement is between two different parties")
        if mode not in AGREEMENT_MODES:
            raise InputError("mode", f"must be one of {', '.join(AGREEMENT_MODES)}")
        if status not in AGREEMENT_STATUSES:
            raise InputError("status", f"must be one of {', '.join(AGREEMENT_STATUSES)}")
        self._require_parties(party_a, party_b)
        low, high = sorted((party_a, party_b))
        values = {"mode": mode, "status": status, "updated_us": updated_us}
        with self._statements():
            updated = self._connection.execute(
                update(agreements)
                .where(agreements.c.party_low == low, agreements.c.party_high == high)
                .values(**values)
            )
            if updated.rowcount == 0:
                self._connection.execute(
                    insert(agreements).values(party_low=low, party_high=high, **values)
                )
        return AgreementRow(low, high, mode, status, updated_us)

    def agreement(self, party_a: int, party_b: int) -> AgreementRow | None:
        """The agreement between two parties, in either order."""
        low, high = sorted((party_a, party_b))
        with self._statements():
            row = self._connection.execute(
                select(agreements).where(
                    agreements.c.party_low == low, agreements.c.party_high == high
                )
            ).first()
        return None if row is None else agreement_row(row)

    # -- idempotency -----------------------------------------------------------------

    def idempotency_get(self, party_id: int, key: str) -> IdempotentAnswer | None:
        """The answer stored for a party's idempotency key."""
        with self._statements():
            return read_idempotent_answer(self._connection, party_id, key)

    def idempotency_put(self, party_id: int, key: str, answer: IdempotentAnswer) -> None:
        """Store the answer for a key, timed by the store's clock; `ConflictError` if set."""
        if self.idempotency_get(party_id, key) is not None:
            raise ConflictError("idempotency", "key", key)
        with self._statements(lambda: NotFoundError("party", party_id)):
            self._connection.execute(
                insert(idempotency).values(
                    party_id=party_id,
                    key=key,
                    body_sha256=answer.body_sha256,
                    status=answer.status,
                    response_json=answer.response_json,
                    created_us=self._clock_us(),
                )
            )

    def idempotency_purge(self, before_us: int) -> int:
        """Forget answers stored before ``before_us``; how many were forgotten."""
        with self._statements():
            result = self._connection.execute(
                delete(idempotency).where(idempotency.c.created_us < before_us)
            )
        return int(result.rowcount)

    # -- for the writer --------------------------------------------------------------

    def _end(self) -> tuple[list[Record], AirhotlineError | None]:
        """Close the handle; the records appended and the failure that spoilt it."""
        self._open = False
        return self._records, self._failure

    def _require_parties(self, *party_ids: int) -> None:
        with self._statements():
            found = set(
                self._connection.scalars(select(parties.c.id).where(parties.c.id.in_(party_ids)))
            )
        for party_id in party_ids:
            if party_id not in found:
                raise NotFoundError("party", party_id)

    @contextmanager
    def _statements(
        self, on_integrity: Callable[[], AirhotlineError] | None = None
    ) -> Iterator[None]:
        """Run statements; a database error spoils the transaction and becomes ours."""
        if not self._open:
            raise StoreError("a Transaction is usable only while its unit of work runs")
        if self._failure is not None:
            raise StoreError("the unit's transaction failed earlier") from self._failure
        try:
            yield
        except SQLAlchemyError as exc:
            error: AirhotlineError
            if isinstance(exc, IntegrityError) and on_integrity is not None:
                error = on_integrity()
            else:
                error = StoreError(f"storage failed: {type(exc).__name__}")
            self._failure = error
            raise error from exc


def _require_int(field: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{field} must be an int, not {type(value).__name__}")


def _missing(party_id: int | None, audience: Audience) -> object:
    ids = sorted(audience | ({party_id} if party_id is not None else set()))
    return ids[0] if len(ids) == 1 else ids
