"""Parties, tokens and agreements: the admin's writes, each one unit of work.

Every change is journaled in the same unit as the table rows it writes (typed access
events, `airhotline.core.events`); the node's directory hears of it only once it is
committed, from the journal (`airhotline.core.follower`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from airhotline.bounds import bounded
from airhotline.clock import Clock
from airhotline.core.access import (
    NO_MINIMA,
    AgreementMode,
    AgreementStatus,
    Minima,
    Role,
    hash_token,
    new_token,
)
from airhotline.core.access_events import (
    AgreementSet,
    IssuedToken,
    PartyCreated,
    TokenIssued,
    TokenRevoked,
)
from airhotline.core.directory import Directory
from airhotline.core.events import SharingRules, append
from airhotline.core.ports import Journal, UnitOfWork
from airhotline.core.records import AgreementRow, PartyRow
from airhotline.errors import InputError, NotFoundError
from airhotline.i18n import LANGUAGES  # a party reads the languages the catalogue speaks

__all__ = ["LANGUAGES", "Administration", "NewParty"]

#: Matched whole (``fullmatch``): ``$`` would also match before a final newline.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True, slots=True)
class NewParty:
    party: PartyRow
    #: role → (token id, token); the only time the tokens exist in clear.
    tokens: dict[Role, tuple[int, str]]


class Administration:
    """The admin's writes; ``directory`` gives the node's current directory."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        directory: Callable[[], Directory],
        rules: SharingRules,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._directory = directory
        self._rules = rules

    def party_by_name(self, name: str) -> PartyRow:
        directory = self._directory()
        party_id = directory.party_ids.get(name)
        if party_id is None:
            raise NotFoundError("party", name)
        return directory.parties[party_id]

    def add_party(self, name: str, lang: str) -> NewParty:
        if not _NAME.fullmatch(name):
            raise InputError("name", "1-64 letters, digits, '_', '.' or '-', starting alnum")
        if lang not in LANGUAGES:
            raise InputError("lang", f"must be one of {', '.join(LANGUAGES)}")
        now = self._clock.now_us()
        clear = {Role.FEED: new_token(), Role.OPERATOR: new_token()}

        def unit(tx: UnitOfWork) -> NewParty:
            party = tx.insert_party(name, lang, now)
            issued = {
                role: (tx.insert_token(party.id, role.value, hash_token(token), now).id, token)
                for role, token in clear.items()
            }
            event = PartyCreated(
                party=name,
                id=party.id,
                lang=lang,
                tokens=tuple(
                    IssuedToken(i, r.value, hash_token(t)) for r, (i, t) in issued.items()
                ),
            )
            append(tx, event, time_us=now, rules=self._rules)
            return NewParty(party=party, tokens=issued)

        return self._journal.write(unit)

    def issue_token(self, party_name: str | None, role: Role) -> tuple[int, str]:
        """A new token for a party's role, or an admin token (``party_name`` None)."""
        if (party_name is None) != (role is Role.ADMIN):
            raise InputError("role", "admin tokens belong to no party; others to one party")
        party = self.party_by_name(party_name) if party_name is not None else None
        now = self._clock.now_us()
        token = new_token()

        def unit(tx: UnitOfWork) -> int:
            row = tx.insert_token(party.id if party else None, role.value, hash_token(token), now)
            event = TokenIssued(
                token_id=row.id,
                role=role.value,
                party=party_name,
                token_hash=row.token_hash,
                owner_id=party.id if party else None,
            )
            append(tx, event, time_us=now, rules=self._rules)
            return row.id

        return self._journal.write(unit), token

    def revoke_token(self, token_id: int) -> None:
        """Revoke a token; revoking it again is harmless and journals nothing more."""
        now = self._clock.now_us()

        def unit(tx: UnitOfWork) -> None:
            known = tx.token(token_id)
            if known is None:
                raise NotFoundError("token", token_id)
            if known.revoked_us is not None:
                return  # revoked before: a retry changes nothing and says nothing again
            row = tx.revoke_token(token_id, now)
            assert row is not None
            party = self._directory().parties.get(row.party_id) if row.party_id else None
            event = TokenRevoked(
                token_id=token_id,
                role=row.role,
                party=party.name if party else None,
                owner_id=row.party_id,
            )
            append(tx, event, time_us=now, rules=self._rules)

        self._journal.write(unit)

    def set_agreement(
        self,
        party_a: str,
        party_b: str,
        mode: AgreementMode,
        status: AgreementStatus,
        minima: Minima = NO_MINIMA,
    ) -> AgreementRow:
        a, b = self.party_by_name(party_a), self.party_by_name(party_b)
        if a.id == b.id:
            raise InputError("parties", "an agreement is between two different parties")
        _check_minima(minima)
        now = self._clock.now_us()
        names = sorted([a.name, b.name])
        ids = sorted([a.id, b.id])

        def unit(tx: UnitOfWork) -> AgreementRow:
            row = tx.set_agreement(a.id, b.id, mode.value, status.value, now)
            event = AgreementSet(
                parties=(names[0], names[1]),
                party_ids=(ids[0], ids[1]),
                mode=mode.value,
                status=status.value,
                minima=minima,
            )
            append(tx, event, time_us=now, rules=self._rules)
            return row

        return self._journal.write(unit)


#: An agreement's minima and look-ahead: wide enough for any line, narrow enough that
#: detection stays local (the CLI's `detect` holds the same bounds).
MINIMA_BOUNDS = {
    "h_sep_nm": (0.1, 100.0),
    "v_sep_ft": (100.0, 10_000.0),
    "lookahead_s": (10.0, 3_600.0),
}


def _check_minima(minima: Minima) -> None:
    for name, limits in MINIMA_BOUNDS.items():
        value = getattr(minima, name)
        if value is not None:
            bounded(value, name, limits)
