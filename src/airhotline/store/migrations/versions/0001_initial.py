"""The first schema: parties, tokens, agreements, idempotency, journal and its audience.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

#: On SQLite exactly INTEGER, so that the journal's key is the rowid.
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("lang", sa.Text(), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parties"),
        sa.UniqueConstraint("name", name="uq_parties_name"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("revoked_us", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tokens"),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name="fk_tokens_party_id_parties"),
        sa.UniqueConstraint("token_hash", name="uq_tokens_token_hash"),
    )
    op.create_table(
        "agreements",
        sa.Column("party_low", sa.Integer(), nullable=False),
        sa.Column("party_high", sa.Integer(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("party_low", "party_high", name="pk_agreements"),
        sa.ForeignKeyConstraint(
            ["party_low"], ["parties.id"], name="fk_agreements_party_low_parties"
        ),
        sa.ForeignKeyConstraint(
            ["party_high"], ["parties.id"], name="fk_agreements_party_high_parties"
        ),
        sa.CheckConstraint("party_low < party_high", name="ck_agreements_ordered"),
        sa.CheckConstraint("mode IN ('conflicts-only', 'full')", name="ck_agreements_mode"),
        sa.CheckConstraint("status IN ('active', 'suspended')", name="ck_agreements_status"),
    )
    op.create_table(
        "idempotency",
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("party_id", "key", name="pk_idempotency"),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name="fk_idempotency_party_id_parties"
        ),
    )
    op.create_index("ix_idempotency_created_us", "idempotency", ["created_us"])
    op.create_table(
        "journal",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("time_us", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_journal"),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name="fk_journal_party_id_parties"),
    )
    op.create_index("ix_journal_kind_time_us", "journal", ["kind", "time_us"])
    op.create_index("ix_journal_time_us", "journal", ["time_us"])
    op.create_table(
        "journal_audience",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "party_id", name="pk_journal_audience"),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name="fk_journal_audience_seq_journal"),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name="fk_journal_audience_party_id_parties"
        ),
    )
    op.create_index("ix_journal_audience_party_id_seq", "journal_audience", ["party_id", "seq"])


def downgrade() -> None:
    op.drop_table("journal_audience")
    op.drop_table("journal")
    op.drop_table("idempotency")
    op.drop_table("agreements")
    op.drop_table("tokens")
    op.drop_table("parties")
