"""The tables of one hotline node, as SQLAlchemy Core metadata.

This is the shape the code reads and writes; the migrations in ``migrations/versions``
build it, and a test checks that the two agree. Conventions that hold on SQLite and
PostgreSQL alike:

- every time is an integer count of UTC microseconds (``*_us``), so that hashing and
  ordering never depend on a database's datetime type;
- strings are ``TEXT`` (lengths are checked where the input arrives, not here);
- the journal's payload is the canonical JSON *text*, never a JSON column;
- the journal's audience is a table of its own, indexed by ``(party_id, seq)`` so that a
  party resuming after ``seq`` reads only its own rows; ``ordinal`` numbers each party's
  records 1, 2, 3, ... in seq order, so that a party's stream has ids of its own that
  say nothing of how much the rest of the journal grows. It is not hashed: it follows
  from the audiences in seq order, and `verify` checks that it does.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

__all__ = [
    "AGREEMENT_MODES",
    "AGREEMENT_STATUSES",
    "ROLES",
    "SEQ",
    "agreements",
    "idempotency",
    "journal",
    "journal_audience",
    "metadata",
    "parties",
    "tokens",
]

ROLES = ("feed", "operator", "admin")
AGREEMENT_MODES = ("conflicts-only", "full")
AGREEMENT_STATUSES = ("active", "suspended")

#: Constraint names are spelled out by convention so that migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: A journal sequence number: BIGINT, and on SQLite exactly ``INTEGER`` so that the
#: primary key is the rowid and the table is stored in ``seq`` order.
SEQ = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(naming_convention=NAMING_CONVENTION)

parties = Table(
    "parties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("lang", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=True),
    Column("role", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_us", BigInteger, nullable=False),
    Column("revoked_us", BigInteger, nullable=True),
)

agreements = Table(
    "agreements",
    metadata,
    Column("party_low", Integer, ForeignKey("parties.id"), primary_key=True),
    Column("party_high", Integer, ForeignKey("parties.id"), primary_key=True),
    Column("mode", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    CheckConstraint("party_low < party_high", name="ordered"),
    CheckConstraint("mode IN ('conflicts-only', 'full')", name="mode"),
    CheckConstraint("status IN ('active', 'suspended')", name="status"),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("party_id", Integer, ForeignKey("parties.id"), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("body_sha256", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("response_json", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Index(None, "created_us"),
)

journal = Table(
    "journal",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=False),
    Column("time_us", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=True),
    Column("payload", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Index(None, "kind", "time_us"),
    Index(None, "time_us"),
)

journal_audience = Table(
    "journal_audience",
    metadata,
    Column("seq", SEQ, ForeignKey("journal.seq"), primary_key=True, autoincrement=False),
    Column("party_id", Integer, ForeignKey("parties.id"), primary_key=True),
    Column("ordinal", SEQ, nullable=False),
    Index(None, "party_id", "seq"),
    Index(None, "party_id", "ordinal", unique=True),
)
