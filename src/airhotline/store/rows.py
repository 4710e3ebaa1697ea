"""Parties, tokens, agreements and idempotent answers as stored, and reading them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from airhotline.core.records import AgreementRow, IdempotentAnswer, PartyRow, TokenRow
from airhotline.store.schema import agreements, idempotency, parties, tokens

__all__ = [
    "AgreementRow",
    "IdempotentAnswer",
    "PartyRow",
    "TokenRow",
    "read_agreements",
    "read_idempotent_answer",
    "read_parties",
    "read_token_by_hash",
    "read_tokens",
]

#: A result row of any shape.
AnyRow = Row[*tuple[Any, ...]]


def party_row(row: AnyRow) -> PartyRow:
    return PartyRow(id=row.id, name=row.name, lang=row.lang, created_us=row.created_us)


def token_row(row: AnyRow) -> TokenRow:
    return TokenRow(
        id=row.id,
        party_id=row.party_id,
        role=row.role,
        token_hash=row.token_hash,
        created_us=row.created_us,
        revoked_us=row.revoked_us,
    )


def agreement_row(row: AnyRow) -> AgreementRow:
    return AgreementRow(
        party_low=row.party_low,
        party_high=row.party_high,
        mode=row.mode,
        status=row.status,
        updated_us=row.updated_us,
    )


def read_parties(connection: Connection) -> list[PartyRow]:
    """Every party, by id."""
    return [party_row(r) for r in connection.execute(select(parties).order_by(parties.c.id))]


def read_tokens(connection: Connection) -> list[TokenRow]:
    """Every token, revoked ones included, by id."""
    return [token_row(r) for r in connection.execute(select(tokens).order_by(tokens.c.id))]


def read_token_by_hash(connection: Connection, token_hash: str) -> TokenRow | None:
    """The token with this hash, revoked or not."""
    row = connection.execute(select(tokens).where(tokens.c.token_hash == token_hash)).first()
    return None if row is None else token_row(row)


def read_agreements(connection: Connection) -> list[AgreementRow]:
    """Every agreement, by pair."""
    query = select(agreements).order_by(agreements.c.party_low, agreements.c.party_high)
    return [agreement_row(r) for r in connection.execute(query)]


def read_idempotent_answer(
    connection: Connection, party_id: int, key: str
) -> IdempotentAnswer | None:
    """The answer stored for ``(party_id, key)``."""
    row = connection.execute(
        select(idempotency.c.body_sha256, idempotency.c.status, idempotency.c.response_json).where(
            idempotency.c.party_id == party_id, idempotency.c.key == key
        )
    ).first()
    return None if row is None else IdempotentAnswer(row[0], row[1], row[2])
