"""The directory: parties, tokens and agreements, folded from the journal's access records.

Who may call what is decided here, and it is decided by the journal alone: the node
folds every ``party.created``, ``token.issued``, ``token.revoked`` and ``agreement.set``
it applies into a new `Directory` value (one assignment: readers see the old or the
new, whole). The tables beside the journal hold the same, for queries and for the
database's own constraints; `airhotline.store.audit` replays the same fold and proves
that the tables agree, so a row planted behind the journal's back shows.

Folding needs no database read, so it is quick enough for the journal writer's commit
listener.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from airhotline.core.access import (
    DEFAULT_SHARING,
    AgreementMode,
    AgreementStatus,
    Sharing,
    pair_key,
)
from airhotline.core.access_events import AgreementSet, PartyCreated, TokenIssued, TokenRevoked
from airhotline.core.events import JournalEvent, decode, kinds
from airhotline.core.records import PartyRow, Record, TokenRow

__all__ = ["ACCESS_KINDS", "Directory"]

#: The journal kinds that change who may call or see what (derived from the types).
ACCESS_KINDS = kinds(family="access")


@dataclass(frozen=True, slots=True)
class Directory:
    parties: Mapping[int, PartyRow] = field(default_factory=dict)
    party_ids: Mapping[str, int] = field(default_factory=dict)
    #: Every token, revoked ones included, by id.
    tokens: Mapping[int, TokenRow] = field(default_factory=dict)
    #: Tokens that open the door, by hash.
    active_tokens: Mapping[str, TokenRow] = field(default_factory=dict)
    agreements: Mapping[tuple[int, int], Sharing] = field(default_factory=dict)

    @classmethod
    def replay(cls, records: Iterable[Record]) -> Directory:
        """The directory that these records (in seq order) make from nothing."""
        return cls().applying(records)

    def applying(self, records: Iterable[Record]) -> Directory:
        """This directory with the access records among ``records`` applied, in order."""
        changes = [(decode(r), r.time_us) for r in records if r.kind in ACCESS_KINDS]
        if not changes:
            return self
        parties = dict(self.parties)
        party_ids = dict(self.party_ids)
        tokens = dict(self.tokens)
        agreements = dict(self.agreements)
        for event, time_us in changes:
            _fold(event, time_us, parties, party_ids, tokens, agreements)
        return replace(
            self,
            parties=parties,
            party_ids=party_ids,
            tokens=tokens,
            active_tokens={t.token_hash: t for t in tokens.values() if t.revoked_us is None},
            agreements=agreements,
        )

    def sharing(self, owner: int, viewer: int) -> Sharing:
        """What ``viewer`` may see of ``owner``'s tracks (agreements are symmetric)."""
        return self.agreements.get(pair_key(owner, viewer), DEFAULT_SHARING)


def _fold(
    event: JournalEvent,
    time_us: int,
    parties: dict[int, PartyRow],
    party_ids: dict[str, int],
    tokens: dict[int, TokenRow],
    agreements: dict[tuple[int, int], Sharing],
) -> None:
    if isinstance(event, PartyCreated):
        parties[event.id] = PartyRow(event.id, event.party, event.lang, time_us)
        party_ids[event.party] = event.id
        for token in event.tokens:
            tokens[token.id] = TokenRow(
                token.id, event.id, token.role, token.token_hash, time_us, None
            )
    elif isinstance(event, TokenIssued):
        tokens[event.token_id] = TokenRow(
            event.token_id, event.owner_id, event.role, event.token_hash, time_us, None
        )
    elif isinstance(event, TokenRevoked):
        known = tokens.get(event.token_id)
        if known is not None and known.revoked_us is None:
            tokens[event.token_id] = replace(known, revoked_us=time_us)
    elif isinstance(event, AgreementSet):
        low, high = event.party_ids
        agreements[(low, high)] = Sharing(
            AgreementMode(event.mode), AgreementStatus(event.status), event.minima
        )
