"""Does the database hold what the journal says? The access tables, replayed.

The hash chain proves the journal itself was not changed. Parties, tokens and agreements
also live in tables of their own, which decide who may call what: a row planted or edited
there, behind the journal's back, would grant access without a trace in the chain. This
audit replays the journal's ``party.created``, ``token.issued``, ``token.revoked`` and
``agreement.set`` records and compares the result with the tables, row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airhotline.store.store import Store

__all__ = ["ACCESS_KINDS", "AccessAudit", "audit_access"]

ACCESS_KINDS = frozenset({"party.created", "token.issued", "token.revoked", "agreement.set"})


@dataclass(frozen=True, slots=True)
class AccessAudit:
    ok: bool
    records_replayed: int
    problems: tuple[str, ...]


def audit_access(store: Store) -> AccessAudit:
    """Replay the journal's access records and compare them with the access tables."""
    parties: dict[int, tuple[str, str]] = {}
    tokens: dict[int, dict[str, Any]] = {}
    agreements: dict[tuple[int, int], tuple[str, str]] = {}
    replayed = 0
    for record in store.iter_records_after(0, kinds=ACCESS_KINDS):
        replayed += 1
        payload = record.payload
        if record.kind == "party.created":
            party_id = int(payload["party_id"])
            parties[party_id] = (payload["party"], payload["lang"])
            for token in payload["tokens"]:
                tokens[int(token["id"])] = {
                    "party_id": party_id,
                    "role": token["role"],
                    "token_hash": token["token_hash"],
                    "revoked": False,
                }
        elif record.kind == "token.issued":
            owner = payload["party"]
            tokens[int(payload["token_id"])] = {
                "party_id": _party_id(parties, owner),
                "role": payload["role"],
                "token_hash": payload["token_hash"],
                "revoked": False,
            }
        elif record.kind == "token.revoked":
            if int(payload["token_id"]) in tokens:
                tokens[int(payload["token_id"])]["revoked"] = True
        else:
            low, high = payload["party_ids"]
            agreements[(int(low), int(high))] = (payload["mode"], payload["status"])

    problems: list[str] = []
    stored_parties = {p.id: (p.name, p.lang) for p in store.parties()}
    problems += _differences("party", parties, stored_parties)
    stored_tokens = {
        t.id: {
            "party_id": t.party_id,
            "role": t.role,
            "token_hash": t.token_hash,
            "revoked": t.revoked_us is not None,
        }
        for t in store.tokens()
    }
    problems += _differences("token", tokens, stored_tokens)
    stored_agreements = {
        (a.party_low, a.party_high): (a.mode, a.status) for a in store.agreements()
    }
    problems += _differences("agreement", agreements, stored_agreements)
    return AccessAudit(ok=not problems, records_replayed=replayed, problems=tuple(problems))


def _party_id(parties: dict[int, tuple[str, str]], name: str | None) -> int | None:
    if name is None:
        return None
    return next((pid for pid, (n, _) in parties.items() if n == name), None)


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
