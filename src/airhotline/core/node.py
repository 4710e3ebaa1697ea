"""One hotline node: parties, credentials, agreements, the picture, its cycle, events.

The node owns the domain state and rules and nothing else: it is handed a store, a clock
and an event bus, so a drill runs it on a simulated clock without HTTP, and a service
wraps it without the node knowing. Every change goes through the store's single writer
as a unit of work that also appends to the journal; the node updates its in-memory state
(picture, caches) and fans events out only from the writer's commit listener, that is,
only for what is durable.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from airhotline.bus import EventBus
from airhotline.clock import US_PER_S, Clock
from airhotline.core.access import (
    DEFAULT_SHARING,
    AgreementMode,
    AgreementStatus,
    Principal,
    Role,
    Sharing,
    hash_token,
    new_token,
    pair_key,
    tokens_match,
)
from airhotline.core.alerts import ALERT_KINDS, AlertEngine, AlertPolicy
from airhotline.core.picture import LostTrack, Picture, PictureView, TrackKey
from airhotline.core.reports import FUTURE_TOLERANCE_S, ReportBatch
from airhotline.errors import IdempotencyConflictError, InputError, NotFoundError
from airhotline.store import (
    AgreementRow,
    IdempotentAnswer,
    PartyRow,
    Record,
    Store,
    TokenRow,
    Transaction,
)

__all__ = [
    "LANGUAGES",
    "CycleReport",
    "CycleStep",
    "ExposureProvider",
    "HotlineConfig",
    "HotlineNode",
    "IngestAnswer",
    "NewParty",
]

#: Languages a party's operators may read the hotline in.
LANGUAGES = ("en", "ru", "ar")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: Journal kinds that reach event streams (track batches are journaled, never streamed).
STREAM_KINDS = frozenset(
    {"party.created", "token.issued", "token.revoked", "agreement.set", "track.lost"} | ALERT_KINDS
)
_CACHE_KINDS = {"party.created", "token.issued", "token.revoked", "agreement.set"}


@dataclass(frozen=True, slots=True)
class HotlineConfig:
    cycle_s: float = 1.0
    coast_after_s: float = 10.0
    lost_after_s: float = 60.0
    future_tolerance_s: float = FUTURE_TOLERANCE_S
    #: Events a stream client may fall behind before it is cut off (it then resumes).
    stream_max_pending: int = 2_000
    #: How long an Idempotency-Key is remembered; a retry later than this is a new batch.
    idempotency_retention_s: float = 86_400.0
    alert_policy: AlertPolicy = field(default_factory=AlertPolicy)
    #: Per-agreement alert policies, keyed by the two party names.
    agreement_policies: dict[frozenset[str], AlertPolicy] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IngestAnswer:
    status: int
    body_json: str
    replayed: bool


@dataclass(frozen=True, slots=True)
class NewParty:
    party: PartyRow
    #: role → (token id, token); the only time the tokens exist in clear.
    tokens: dict[Role, tuple[int, str]]


@dataclass(frozen=True, slots=True)
class CycleReport:
    time_us: int
    tracks: int
    coasting: int
    lost: int
    duration_s: float


class CycleStep(Protocol):
    """Work done on every picture cycle (detection and alerts plug in here)."""

    def run(self, view: PictureView) -> None: ...


#: Which foreign tracks a party may see beyond its agreements (e.g. those in its alerts).
ExposureProvider = Callable[[int], Collection[TrackKey]]


@dataclass
class _Caches:
    parties: dict[int, PartyRow] = field(default_factory=dict)
    party_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, TokenRow] = field(default_factory=dict)
    token_ids: set[int] = field(default_factory=set)
    agreements: dict[tuple[int, int], Sharing] = field(default_factory=dict)


class HotlineNode:
    """The hotline's domain on one node. Thread-safe; `close` it when done."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        bus: EventBus,
        config: HotlineConfig | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.bus = bus
        self.config = config or HotlineConfig()
        self.picture = Picture(
            coast_after_s=self.config.coast_after_s, lost_after_s=self.config.lost_after_s
        )
        self._caches = _Caches()
        self._steps: list[CycleStep] = []
        self._exposures: list[ExposureProvider] = []
        self._cycle_lock = threading.Lock()
        self._apply_lock = threading.Lock()
        self.reports_accepted = 0
        self.last_cycle: CycleReport | None = None
        self._applied_seq = store.head().seq
        self._next_purge_us = 0
        self._reload_caches()
        self._rebuild_picture()
        store.add_commit_listener(self._on_commit)
        self.alerts = AlertEngine(
            store,
            clock,
            self,
            policy=self.config.alert_policy,
            policies=self.config.agreement_policies,
            coast_after_s=self.config.coast_after_s,
        )
        self.add_cycle_step(self.alerts)
        self.add_exposure(self.alerts.exposed_to)

    def close(self) -> None:
        self.store.close()

    # --- parties, tokens, agreements -------------------------------------------------

    def party(self, party_id: int) -> PartyRow:
        return self._caches.parties[party_id]

    def party_by_name(self, name: str) -> PartyRow:
        party_id = self._caches.party_ids.get(name)
        if party_id is None:
            raise NotFoundError("party", name)
        return self._caches.parties[party_id]

    def parties(self) -> list[PartyRow]:
        return sorted(self._caches.parties.values(), key=lambda p: p.id)

    def add_party(self, name: str, lang: str) -> NewParty:
        if not _NAME.match(name):
            raise InputError("name", "1-64 letters, digits, '_', '.' or '-', starting alnum")
        if lang not in LANGUAGES:
            raise InputError("lang", f"must be one of {', '.join(LANGUAGES)}")
        now = self.clock.now_us()
        clear = {Role.FEED: new_token(), Role.OPERATOR: new_token()}

        def unit(tx: Transaction) -> NewParty:
            party = tx.insert_party(name, lang, now)
            issued = {
                role: (tx.insert_token(party.id, role.value, hash_token(token), now).id, token)
                for role, token in clear.items()
            }
            tx.append(
                "party.created",
                {
                    "party": name,
                    "party_id": party.id,
                    "lang": lang,
                    # Hashes, never tokens: enough for `journal verify` to prove the token
                    # table holds what the journal says, useless to a reader.
                    "tokens": [
                        {"id": i, "role": r.value, "token_hash": hash_token(t)}
                        for r, (i, t) in issued.items()
                    ],
                },
                time_us=now,
                party_id=None,
                audience=frozenset({party.id}),
            )
            return NewParty(party=party, tokens=issued)

        return self.store.write(unit)

    def issue_token(self, party_name: str | None, role: Role) -> tuple[int, str]:
        """A new token for a party's role, or an admin token (``party_name`` None)."""
        if (party_name is None) != (role is Role.ADMIN):
            raise InputError("role", "admin tokens belong to no party; others to one party")
        party = self.party_by_name(party_name) if party_name is not None else None
        now = self.clock.now_us()
        token = new_token()

        def unit(tx: Transaction) -> int:
            row = tx.insert_token(party.id if party else None, role.value, hash_token(token), now)
            tx.append(
                "token.issued",
                {
                    "token_id": row.id,
                    "role": role.value,
                    "party": party_name,
                    "token_hash": row.token_hash,
                },
                time_us=now,
                party_id=None,
                audience=frozenset({party.id}) if party else frozenset(),
            )
            return row.id

        return self.store.write(unit), token

    def revoke_token(self, token_id: int) -> None:
        """Revoke a token; revoking it again is harmless and journals nothing more."""
        now = self.clock.now_us()

        def unit(tx: Transaction) -> None:
            known = tx.token(token_id)
            if known is None:
                raise NotFoundError("token", token_id)
            if known.revoked_us is not None:
                return  # revoked before: a retry changes nothing and says nothing again
            row = tx.revoke_token(token_id, now)
            assert row is not None
            party = self._caches.parties.get(row.party_id) if row.party_id else None
            tx.append(
                "token.revoked",
                {"token_id": token_id, "role": row.role, "party": party.name if party else None},
                time_us=now,
                party_id=None,
                audience=frozenset({row.party_id}) if row.party_id else frozenset(),
            )

        self.store.write(unit)

    def authenticate(self, token: str) -> Principal | None:
        row = self._caches.tokens.get(hash_token(token))
        if row is None or not tokens_match(row.token_hash, token):
            return None
        party = self._caches.parties.get(row.party_id) if row.party_id is not None else None
        return Principal(
            token_id=row.id,
            role=Role(row.role),
            party_id=party.id if party else None,
            party_name=party.name if party else None,
        )

    def token_active(self, token_id: int) -> bool:
        """Whether the token is known and not revoked (streams check it as they go)."""
        return token_id in self._caches.token_ids

    def set_agreement(
        self, party_a: str, party_b: str, mode: AgreementMode, status: AgreementStatus
    ) -> AgreementRow:
        a, b = self.party_by_name(party_a), self.party_by_name(party_b)
        if a.id == b.id:
            raise InputError("parties", "an agreement is between two different parties")
        now = self.clock.now_us()

        def unit(tx: Transaction) -> AgreementRow:
            row = tx.set_agreement(a.id, b.id, mode.value, status.value, now)
            tx.append(
                "agreement.set",
                {
                    "parties": sorted([a.name, b.name]),
                    "party_ids": sorted([a.id, b.id]),
                    "mode": mode.value,
                    "status": status.value,
                },
                time_us=now,
                party_id=None,
                audience=frozenset({a.id, b.id}),
            )
            return row

        return self.store.write(unit)

    def sharing(self, owner: int, viewer: int) -> Sharing:
        """What ``viewer`` may see of ``owner``'s tracks (agreements are symmetric)."""
        return self._caches.agreements.get(pair_key(owner, viewer), DEFAULT_SHARING)

    def agreements_of(self, party_id: int | None) -> list[tuple[PartyRow, PartyRow, Sharing]]:
        """Every agreement (for the admin, ``party_id`` None) or those of one party."""
        rows = []
        for (low, high), sharing in sorted(self._caches.agreements.items()):
            if party_id is None or party_id in (low, high):
                rows.append((self._caches.parties[low], self._caches.parties[high], sharing))
        return rows

    # --- ingest -----------------------------------------------------------------------

    def submit_reports(
        self,
        party_id: int,
        batch: ReportBatch,
        *,
        idempotency_key: str | None,
        body_sha256: str,
    ) -> Future[IngestAnswer]:
        """Queue a batch for the journal; the future resolves once it is committed.

        A retry with the same idempotency key and body gets the first answer again; the
        same key with another body is a conflict. The batch is refused whole if any
        report is too far in the future.
        """
        now = self.clock.now_us()
        limit = now + round(self.config.future_tolerance_s * US_PER_S)
        ahead = np.flatnonzero(batch.time_us > limit)
        if ahead.size:
            raise InputError(
                f"[{int(ahead[0])}].time",
                f"more than {self.config.future_tolerance_s:g} s ahead of the hotline's clock",
            )
        if idempotency_key is not None:
            known = self.store.idempotent_answer(party_id, idempotency_key)
            if known is not None:
                done: Future[IngestAnswer] = Future()
                done.set_result(_replay(known, body_sha256, idempotency_key))
                return done

        def unit(tx: Transaction) -> IngestAnswer:
            if idempotency_key is not None:
                raced = tx.idempotency_get(party_id, idempotency_key)
                if raced is not None:
                    return _replay(raced, body_sha256, idempotency_key)
            record = tx.append(
                "tracks.reported",
                batch.to_payload(),
                time_us=now,
                party_id=party_id,
                audience=frozenset(),
            )
            body = _json({"accepted": len(batch), "seq": record.seq, "hash": record.hash})
            if idempotency_key is not None:
                tx.idempotency_put(
                    party_id, idempotency_key, IdempotentAnswer(body_sha256, 200, body)
                )
            return IngestAnswer(status=200, body_json=body, replayed=False)

        return self.store.submit(unit)

    # --- the picture and its cycle ----------------------------------------------------

    def add_cycle_step(self, step: CycleStep) -> None:
        self._steps.append(step)

    def add_exposure(self, provider: ExposureProvider) -> None:
        self._exposures.append(provider)

    def run_cycle(self) -> CycleReport:
        """One cycle at the clock's now: drop lost tracks, then run every step."""
        with self._cycle_lock:
            started = time.perf_counter()
            self.catch_up()
            now = self.clock.now_us()
            lost = self.picture.stale(now)
            if lost:
                # Journal first, forget after: a failed write leaves them for the next cycle.
                self.store.write(lambda tx: self._journal_lost(tx, lost, now))
                self.picture.remove(lost)
            self._purge_idempotency(now)
            view = self.picture.view(now)
            for step in self._steps:
                step.run(view)
            report = CycleReport(
                time_us=now,
                tracks=len(view),
                coasting=int(np.count_nonzero(view.coasting)),
                lost=len(lost),
                duration_s=time.perf_counter() - started,
            )
            self.last_cycle = report
            return report

    def picture_for(self, viewer: Principal) -> tuple[PictureView, list[str]]:
        """What ``viewer`` may see now, and the owning party's name of each row."""
        view = self.picture.view(self.clock.now_us())
        party_id = viewer.party_id
        if party_id is None:
            keep = np.zeros(len(view), dtype=bool)
        else:
            exposed = self.exposed_to(party_id)
            keep = np.fromiter(
                (
                    owner == party_id
                    or self.sharing(owner, party_id).full_picture
                    or (
                        (owner, view.track_id[row]) in exposed
                        and self.sharing(owner, party_id).conflicts
                    )
                    for row, owner in enumerate(view.party_id.tolist())
                ),
                dtype=bool,
                count=len(view),
            )
        visible = view.take(np.flatnonzero(keep))
        owners = [self._caches.parties[p].name for p in visible.party_id.tolist()]
        return visible, owners

    def exposed_to(self, party_id: int) -> set[TrackKey]:
        exposed: set[TrackKey] = set()
        for provider in self._exposures:
            exposed.update(provider(party_id))
        return exposed

    # --- events -----------------------------------------------------------------------

    def events_after(self, viewer: Principal, seq: int, *, limit: int = 500) -> list[Record]:
        if viewer.party_id is None:
            return self.store.records_after(seq, audience=None, kinds=STREAM_KINDS, limit=limit)
        return self.store.records_after(seq, audience=viewer.party_id, limit=limit)

    def party_name(self, party_id: int | None) -> str | None:
        return self._caches.parties[party_id].name if party_id is not None else None

    # --- internals --------------------------------------------------------------------

    def _purge_idempotency(self, now: int) -> None:
        """Forget old Idempotency-Keys, at most once an hour, so the table stays small."""
        if now < self._next_purge_us:
            return
        self._next_purge_us = now + 3_600 * US_PER_S
        before = now - round(self.config.idempotency_retention_s * US_PER_S)
        self.store.write(lambda tx: tx.idempotency_purge(before))

    def _journal_lost(self, tx: Transaction, lost: Iterable[LostTrack], now: int) -> None:
        for track in lost:
            audience = {track.party_id} | {
                other
                for other in self._caches.parties
                if other != track.party_id and self.sharing(track.party_id, other).full_picture
            }
            tx.append(
                "track.lost",
                {
                    "party": self._caches.parties[track.party_id].name,
                    "track_id": track.track_id,
                    "last_report_us": track.last_time_us,
                },
                time_us=now,
                party_id=track.party_id,
                audience=frozenset(audience),
            )

    def _on_commit(self, records: Sequence[Record]) -> None:
        # Runs in the writer thread after COMMIT, before the writers' futures resolve: by
        # the time a client hears "accepted", the picture already holds its reports.
        with self._apply_lock:
            if records and records[0].seq > self._applied_seq + 1:
                self._apply(
                    list(self.store.iter_records_after(self._applied_seq, before=records[0].seq))
                )
            self._apply(records)

    def catch_up(self) -> int:
        """Apply records that another process appended to the journal; return how many.

        A command-line ``party add`` or ``revoke-token`` on the same database reaches a
        running node this way, within one cycle.
        """
        with self._apply_lock:
            head = self.store.head().seq
            if head <= self._applied_seq:
                return 0
            missed = list(self.store.iter_records_after(self._applied_seq, before=head + 1))
            self._apply(missed)
            return len(missed)

    def _apply(self, records: Sequence[Record]) -> None:
        fresh = [r for r in records if r.seq > self._applied_seq]
        if not fresh:
            return
        refresh = False
        for record in fresh:
            if record.kind == "tracks.reported" and record.party_id is not None:
                batch = ReportBatch.from_payload(record.payload)
                self.picture.apply(record.party_id, batch, record.time_us)
                self.reports_accepted += len(batch)
            elif record.kind in _CACHE_KINDS:
                refresh = True
        self._applied_seq = fresh[-1].seq
        if refresh:
            self._reload_caches()
        self.bus.publish([r for r in fresh if r.kind in STREAM_KINDS])

    def _reload_caches(self) -> None:
        caches = _Caches()
        for party in self.store.parties():
            caches.parties[party.id] = party
            caches.party_ids[party.name] = party.id
        for token in self.store.tokens():
            if token.revoked_us is None:
                caches.tokens[token.token_hash] = token
                caches.token_ids.add(token.id)
        for row in self.store.agreements():
            caches.agreements[(row.party_low, row.party_high)] = Sharing(
                AgreementMode(row.mode), AgreementStatus(row.status)
            )
        self._caches = caches  # one assignment: readers see the old or the new, whole

    def _rebuild_picture(self) -> None:
        now = self.clock.now_us()
        since = now - self.picture.lost_after_us
        horizon = now + round(self.config.future_tolerance_s * US_PER_S)
        last_us = since
        for record in self.store.records_in_time(since, horizon, kinds=["tracks.reported"]):
            if record.party_id is not None:
                batch = ReportBatch.from_payload(record.payload)
                self.picture.apply(record.party_id, batch, record.time_us)
        head = self.store.head()
        if head.seq:
            (last,) = self.store.records_after(head.seq - 1, limit=1)
            last_us = last.time_us
        # Tracks already lost by the journal's last moment were announced lost then (or,
        # arriving late, were never live): drop them quietly rather than announce twice.
        self.picture.expire(last_us)


def _replay(known: IdempotentAnswer, body_sha256: str, key: str) -> IngestAnswer:
    if known.body_sha256 != body_sha256:
        raise IdempotencyConflictError(key)
    return IngestAnswer(status=known.status, body_json=known.response_json, replayed=True)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
