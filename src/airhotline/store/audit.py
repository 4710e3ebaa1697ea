"""Does the database hold what the journal says? The access tables, replayed.

The hash chain proves the journal itself was not changed. Parties, tokens and agreements
also live in tables of their own, beside the journal: a row planted or edited there,
behind the journal's back, would be a lie about who may call what. This audit replays
the journal's access records into the very directory a node builds
(`airhotline.core.directory`) and compares it with the tables, row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airhotline.core.directory import ACCESS_KINDS, Directory
from airhotline.core.records import TokenRow
from airhotline.store.store import Store

__all__ = ["ACCESS_KINDS", "AccessAudit", "audit_access"]


@dataclass(frozen=True, slots=True)
class AccessAudit:
    ok: bool
    records_replayed: int
    problems: tuple[str, ...]


def audit_access(store: Store) -> AccessAudit:
    """Replay the journal's access records and compare them with the access tables."""
    records = list(store.iter_records_after(0, kinds=ACCESS_KINDS))
    journaled = Directory.replay(records)
    problems: list[str] = []
    problems += _differences(
        "party",
        {p.id: (p.name, p.lang) for p in journaled.parties.values()},
        {p.id: (p.name, p.lang) for p in store.parties()},
    )
    problems += _differences(
        "token",
        {t.id: _token(t) for t in journaled.tokens.values()},
        {t.id: _token(t) for t in store.tokens()},
    )
    problems += _differences(
        "agreement",
        {k: (s.mode.value, s.status.value) for k, s in journaled.agreements.items()},
        {(a.party_low, a.party_high): (a.mode, a.status) for a in store.agreements()},
    )
    return AccessAudit(ok=not problems, records_replayed=len(records), problems=tuple(problems))


def _token(token: TokenRow) -> dict[str, Any]:
    return {
        "party_id": token.party_id,
        "role": token.role,
        "token_hash": token.token_hash,
        "revoked": token.revoked_us is not None,
    }


def _differences(what: str, journaled: dict[Any, Any], stored: dict[Any, Any]) -> list[str]:
    problems = []
    for key in sorted(set(journaled) | set(stored), key=str):
        if key not in journaled:
            problems.append(f"{what} {key} is in the table but no journal record made it")
        elif key not in stored:
            problems.append(f"{what} {key} is in the journal but missing from the table")
        elif journaled[key] != stored[key]:
            problems.append(f"{what} {key} differs from the journal")
    return problems
