"""Storage of one hotline node: tables, migrations and the hash-chained journal.

Open a `Store` with a database URL (a SQLite file by default, or PostgreSQL); write
through units of work that the one writer thread commits in groups; read from any
thread. Nothing outside this package holds SQL.

::

    store = Store.open("sqlite:///var/airhotline.db")
    record = store.write(
        lambda tx: tx.append("party.created", {"name": "north"}, time_us=now_us,
                             party_id=None, audience=frozenset())
    )
    store.records_after(0, audience=party_id)
    store.close()
"""

from airhotline.store.canonical import GENESIS_HASH
from airhotline.store.journal import Audience, JournalHead, Record, VerifyResult
from airhotline.store.rows import AgreementRow, IdempotentAnswer, PartyRow, TokenRow
from airhotline.store.store import Store
from airhotline.store.transaction import Transaction
from airhotline.store.writer import CommitListener

__all__ = [
    "GENESIS_HASH",
    "AgreementRow",
    "Audience",
    "CommitListener",
    "IdempotentAnswer",
    "JournalHead",
    "PartyRow",
    "Record",
    "Store",
    "TokenRow",
    "Transaction",
    "VerifyResult",
]
