"""Each party's records numbered densely: ``journal_audience.ordinal``.

A party's event ids were the journal's global seq, which let a party watch how fast the
other parties' records grow. The ordinal numbers a party's own records 1, 2, 3, ... in
seq order; existing rows get theirs from the same order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: One pass over the table: UPDATE ... FROM runs on PostgreSQL and SQLite 3.33 and newer.
_NUMBER = """
UPDATE journal_audience SET ordinal = numbered.n
FROM (
    SELECT seq, party_id, ROW_NUMBER() OVER (PARTITION BY party_id ORDER BY seq) AS n
    FROM journal_audience
) AS numbered
WHERE journal_audience.seq = numbered.seq AND journal_audience.party_id = numbered.party_id
"""


def upgrade() -> None:
    op.add_column("journal_audience", sa.Column("ordinal", SEQ, nullable=True))
    op.execute(_NUMBER)
    with op.batch_alter_table("journal_audience") as batch:
        batch.alter_column("ordinal", existing_type=SEQ, nullable=False)
    op.create_index(
        "ix_journal_audience_party_id_ordinal",
        "journal_audience",
        ["party_id", "ordinal"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_journal_audience_party_id_ordinal", "journal_audience")
    with op.batch_alter_table("journal_audience") as batch:
        batch.drop_column("ordinal")
