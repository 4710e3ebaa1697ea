"""The store's public surface, pinned: a change here is a change for every caller."""

from __future__ import annotations

import airhotline.store


def test_public_names() -> None:
    assert sorted(airhotline.store.__all__, key=str.lower) == [
        "AgreementRow",
        "Audience",
        "CommitListener",
        "GENESIS_HASH",
        "IdempotentAnswer",
        "JournalHead",
        "PartyRow",
        "Record",
        "Store",
        "TokenRow",
        "Transaction",
        "VerifyResult",
    ]
    for name in airhotline.store.__all__:
        assert getattr(airhotline.store, name) is not None
