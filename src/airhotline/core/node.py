"""One hotline node: the domain's facade, no HTTP.

The node is handed its journal, clock, event bus, id source and settings (by
`airhotline.bootstrap`), so a drill runs it on a simulated clock without HTTP, and a
service wraps it without the node knowing. It composes the parts, each in a module of
its own: the directory of parties and agreements and the admin's writes
(`administration`), ingest, the journal follower that applies what was committed to the
picture and the directory, and the cycle's steps — the alert engine first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from airhotline.clock import Clock
from airhotline.core.access import (
    NO_MINIMA,
    AgreementMode,
    AgreementStatus,
    Minima,
    Principal,
    Role,
    Sharing,
    hash_token,
    tokens_match,
)
from airhotline.core.administration import LANGUAGES, Administration, NewParty
from airhotline.core.alerts import AlertEngine, AlertPolicy, Detector, PolicyBook
from airhotline.core.alerts.prediction import default_detector
from airhotline.core.directory import Directory
from airhotline.core.events import append, kinds
from airhotline.core.exemptions import (
    EXEMPTION_KINDS,
    Exemption,
    ExemptionAccepted,
    ExemptionBook,
    ExemptionRevoked,
    proposal,
)
from airhotline.core.follower import JournalFollower
from airhotline.core.ingest import Ingest, IngestAnswer
from airhotline.core.messages.engine import MessageEngine, MessagePolicy
from airhotline.core.notices.engine import NoticeEngine
from airhotline.core.notices.model import NoticePolicy
from airhotline.core.notices.zones import (
    ZONE_KINDS,
    Zone,
    ZoneBook,
    ZoneRemoved,
    ZoneSet,
    parse_zone,
)
from airhotline.core.picture import Picture, PictureView, TrackKey
from airhotline.core.plausibility import PlausibilityRules
from airhotline.core.ports import EventBus, Journal
from airhotline.core.quotas import Quotas
from airhotline.core.records import AgreementRow, PartyRow, Record
from airhotline.core.reports import FUTURE_TOLERANCE_S, ReportBatch
from airhotline.core.track_events import TrackLost
from airhotline.errors import ConflictError, InputError, NotFoundError
from airhotline.ids import IdSource, RandomIds

__all__ = [
    "LANGUAGES",
    "STREAM_KINDS",
    "CycleReport",
    "CycleStep",
    "ExposureProvider",
    "HotlineConfig",
    "HotlineNode",
    "IngestAnswer",
    "NewParty",
]


#: Journal kinds that reach event streams (track batches are journaled, never streamed).
STREAM_KINDS = kinds(streamed=True)


@dataclass(frozen=True, slots=True)
class HotlineConfig:
    cycle_s: float = 1.0
    coast_after_s: float = 10.0
    lost_after_s: float = 60.0
    future_tolerance_s: float = FUTURE_TOLERANCE_S
    #: Reports older than this, by the hotline's clock, are refused.
    past_tolerance_s: float = 3_600.0
    #: Events a stream client may fall behind before it is cut off (it then resumes).
    stream_max_pending: int = 2_000
    #: Event streams one party (or the admin) may hold open at once.
    streams_per_party: int = 8
    #: How long an Idempotency-Key is remembered; a retry later than this is a new batch.
    idempotency_retention_s: float = 86_400.0
    #: What an aircraft's reports can be; a track is established only once they are.
    plausibility: PlausibilityRules = field(default_factory=PlausibilityRules)
    #: Live tracks and reports a second per party.
    quotas: Quotas = field(default_factory=Quotas)
    #: Distinct foreign tracks an alert may disclose to one party per window.
    exposure_limit: int = 100
    exposure_window_s: float = 3_600.0
    #: Encounters followed at a time per pair of parties; beyond, one flood report.
    flood_limit: int = 50
    flood_every_s: float = 60.0
    alert_policy: AlertPolicy = field(default_factory=AlertPolicy)
    #: Escalation of unanswered messages, line checks, retention.
    messages: MessagePolicy = field(default_factory=MessagePolicy)
    #: Lead times per kind, the longest window, retention.
    notices: NoticePolicy = field(default_factory=NoticePolicy)
    #: Per-agreement alert policies, keyed by the two party names.
    agreement_policies: dict[frozenset[str], AlertPolicy] = field(default_factory=dict)


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


class HotlineNode:
    """The hotline's domain on one node. Thread-safe; `close` it when done."""

    def __init__(
        self,
        store: Journal,
        *,
        clock: Clock,
        bus: EventBus,
        config: HotlineConfig | None = None,
        ids: IdSource | None = None,
        detector: Detector = default_detector,
    ) -> None:
        self.store = store
        self.clock = clock
        self.bus = bus
        self.config = config or HotlineConfig()
        self.picture = Picture(
            coast_after_s=self.config.coast_after_s,
            lost_after_s=self.config.lost_after_s,
            plausibility=self.config.plausibility,
        )
        self._follower = JournalFollower(store, bus, self.picture)
        ids = ids or RandomIds()
        self._admin = Administration(store, clock, lambda: self._follower.directory, self)
        self._ingest = Ingest(
            store,
            clock,
            self,
            future_tolerance_s=self.config.future_tolerance_s,
            past_tolerance_s=self.config.past_tolerance_s,
            retention_s=self.config.idempotency_retention_s,
            picture=self.picture,
            quotas=self.config.quotas,
            lost_after_s=self.config.lost_after_s,
        )
        self._steps: list[CycleStep] = []
        self._exposures: list[ExposureProvider] = []
        self._cycle_lock = threading.Lock()
        self.last_cycle: CycleReport | None = None
        self._follower.rebuild_picture(clock.now_us(), self.config.future_tolerance_s)
        store.add_commit_listener(self._follower.on_commit)
        self.messages = MessageEngine(
            store, clock, self, self, policy=self.config.messages, ids=ids
        )
        self._follower.add_fold(self.messages.book.apply)
        self.notices = NoticeEngine(
            store, clock, self, self, self.messages, policy=self.config.notices, ids=ids
        )
        self._follower.add_fold(self.notices.apply)
        self.zones = ZoneBook()
        self.zones.apply(store.records_in_time(0, 2**62, kinds=ZONE_KINDS))
        self._follower.add_fold(self.zones.apply)
        self.exemptions = ExemptionBook()
        self.exemptions.apply(store.records_in_time(0, 2**62, kinds=EXEMPTION_KINDS))
        self._follower.add_fold(self.exemptions.apply)
        self._ids = ids
        self.alerts = AlertEngine(
            store,
            clock,
            self,
            policies=PolicyBook(self.config.alert_policy, self.config.agreement_policies),
            ids=ids,
            detector=detector,
            coast_after_s=self.config.coast_after_s,
            exposure_limit=self.config.exposure_limit,
            exposure_window_s=self.config.exposure_window_s,
            flood_limit=self.config.flood_limit,
            flood_every_s=self.config.flood_every_s,
            speak=self.messages.speak,
            zones=self.zones,
            exemptions=self.exemptions,
            notices=self.notices.index,
        )
        self.messages.alerts = self.alerts
        self.add_cycle_step(self.alerts)
        self.add_cycle_step(self.messages)
        self.add_exposure(self.alerts.exposed_to)

    def close(self) -> None:
        self.store.close()

    @property
    def reports_accepted(self) -> int:
        """State reports committed since the node started (for metrics)."""
        return self._follower.reports_accepted

    # --- parties, tokens, agreements -------------------------------------------------

    def party(self, party_id: int) -> PartyRow:
        return self._follower.directory.parties[party_id]

    def party_by_name(self, name: str) -> PartyRow:
        return self._admin.party_by_name(name)

    def parties(self) -> list[PartyRow]:
        return sorted(self._follower.directory.parties.values(), key=lambda p: p.id)

    def party_ids(self) -> Collection[int]:
        return self._follower.directory.parties.keys()

    def find_party(self, name: str) -> PartyRow | None:
        directory = self._follower.directory
        party_id = directory.party_ids.get(name)
        return None if party_id is None else directory.parties[party_id]

    def party_name(self, party_id: int | None) -> str | None:
        if party_id is None:
            return None
        return self._follower.directory.parties[party_id].name

    def add_party(self, name: str, lang: str) -> NewParty:
        return self._admin.add_party(name, lang)

    def issue_token(self, party_name: str | None, role: Role) -> tuple[int, str]:
        """A new token for a party's role, or an admin token (``party_name`` None)."""
        return self._admin.issue_token(party_name, role)

    def revoke_token(self, token_id: int) -> None:
        """Revoke a token; revoking it again is harmless and journals nothing more."""
        self._admin.revoke_token(token_id)

    def set_agreement(
        self,
        party_a: str,
        party_b: str,
        mode: AgreementMode,
        status: AgreementStatus,
        minima: Minima = NO_MINIMA,
    ) -> AgreementRow:
        return self._admin.set_agreement(party_a, party_b, mode, status, minima)

    def authenticate(self, token: str) -> Principal | None:
        directory = self._follower.directory
        row = directory.active_tokens.get(hash_token(token))
        if row is None or not tokens_match(row.token_hash, token):
            return None
        party = directory.parties.get(row.party_id) if row.party_id is not None else None
        return Principal(
            token_id=row.id,
            role=Role(row.role),
            party_id=party.id if party else None,
            party_name=party.name if party else None,
        )

    def token_active(self, token_id: int) -> bool:
        """Whether the token is known and not revoked (streams check it as they go)."""
        known = self._follower.directory.tokens.get(token_id)
        return known is not None and known.revoked_us is None

    def sharing(self, owner: int, viewer: int) -> Sharing:
        """What ``viewer`` may see of ``owner``'s tracks (agreements are symmetric)."""
        return self._follower.directory.sharing(owner, viewer)

    def set_zone(self, body: Mapping[str, object], zone_id: str | None = None) -> Zone:
        """Designate a zone (or change one): the admin's."""
        known = [p.name for p in self.parties()]
        if zone_id is not None and self.zones.get(zone_id) is None:
            raise NotFoundError("zone", zone_id)
        zone = parse_zone(zone_id or self._ids.new_id(), body, known)
        event = ZoneSet(zone.id, zone.spec())
        now = self.clock.now_us()
        self.store.write(lambda tx: append(tx, event, time_us=now, rules=self))
        return self.zones.get(zone.id) or zone

    def remove_zone(self, zone_id: str) -> None:
        if self.zones.get(zone_id) is None:
            raise NotFoundError("zone", zone_id)
        now = self.clock.now_us()
        self.store.write(lambda tx: append(tx, ZoneRemoved(zone_id), time_us=now, rules=self))

    def propose_exemption(self, caller: Principal, body: Mapping[str, object]) -> Exemption:
        """A cleared proximity between the caller's track and another party's."""
        if caller.party_id is None:
            raise InputError("party", "only a party's operator proposes a cleared proximity")
        exemption_id = self._ids.new_id()
        event = proposal(exemption_id, self.party(caller.party_id), body, self.find_party)
        now = self.clock.now_us()
        self.store.write(lambda tx: append(tx, event, time_us=now, rules=self))
        return self._exemption(exemption_id, caller)

    def accept_exemption(self, caller: Principal, exemption_id: str) -> Exemption:
        """The other party accepts: the cleared proximity takes effect."""
        exemption = self._exemption(exemption_id, caller)
        if caller.party_id != exemption.other[0]:
            raise ConflictError(
                "exemption", "party", message=f"{exemption.other_name} accepts this one"
            )
        if exemption.revoked_us is not None:
            raise ConflictError("exemption", "state", message="the exemption is revoked")
        if exemption.accepted_us is None:
            self._exemption_event(ExemptionAccepted, exemption, caller)
        return self._exemption(exemption_id, caller)

    def revoke_exemption(self, caller: Principal, exemption_id: str) -> Exemption:
        """Either party ends the cleared proximity; again is harmless."""
        exemption = self._exemption(exemption_id, caller)
        if exemption.revoked_us is None:
            self._exemption_event(ExemptionRevoked, exemption, caller)
        return self._exemption(exemption_id, caller)

    def exemptions_of(self, caller: Principal) -> list[Exemption]:
        return [
            e
            for e in self.exemptions.all()
            if caller.party_id is None or caller.party_id in (e.proposer[0], e.other[0])
        ]

    def _exemption(self, exemption_id: str, caller: Principal) -> Exemption:
        found = self.exemptions.get(exemption_id)
        if found is None or (
            caller.party_id is not None
            and caller.party_id not in (found.proposer[0], found.other[0])
        ):
            raise NotFoundError("exemption", exemption_id)
        return found

    def _exemption_event(
        self,
        kind: type[ExemptionAccepted] | type[ExemptionRevoked],
        exemption: Exemption,
        caller: Principal,
    ) -> None:
        event = kind(
            exemption.id,
            (exemption.proposer[0], exemption.other[0]),
            self.party_name(caller.party_id) or "",
        )
        now = self.clock.now_us()
        self.store.write(lambda tx: append(tx, event, time_us=now, rules=self))

    def agreement_minima(self) -> dict[tuple[int, int], Minima]:
        """The agreements that set minima of their own (the cycle holds pairs to them)."""
        return {
            pair: sharing.minima
            for pair, sharing in self._follower.directory.agreements.items()
            if not sharing.minima.empty
        }

    def agreements_of(self, party_id: int | None) -> list[tuple[PartyRow, PartyRow, Sharing]]:
        """Every agreement (for the admin, ``party_id`` None) or those of one party."""
        directory = self._follower.directory
        return [
            (directory.parties[low], directory.parties[high], sharing)
            for (low, high), sharing in sorted(directory.agreements.items())
            if party_id is None or party_id in (low, high)
        ]

    # --- ingest -----------------------------------------------------------------------

    def submit_reports(
        self,
        party_id: int,
        batch: ReportBatch,
        *,
        idempotency_key: str | None,
        body_sha256: str,
    ) -> Future[IngestAnswer]:
        """Queue a batch for the journal; the future resolves once it is committed (see
        `airhotline.core.ingest`)."""
        return self._ingest.submit(
            party_id, batch, idempotency_key=idempotency_key, body_sha256=body_sha256
        )

    # --- the picture and its cycle ----------------------------------------------------

    def add_cycle_step(self, step: CycleStep) -> None:
        self._steps.append(step)

    def add_exposure(self, provider: ExposureProvider) -> None:
        self._exposures.append(provider)

    def catch_up(self) -> int:
        """Apply records that another process appended to the journal; return how many.

        A command-line ``party add`` or ``revoke-token`` on the same database reaches a
        running node this way, within one cycle.
        """
        return self._follower.catch_up()

    def run_cycle(self) -> CycleReport:
        """One cycle at the clock's now: drop lost tracks, then run every step."""
        with self._cycle_lock:
            started = time.perf_counter()
            self.catch_up()
            now = self.clock.now_us()
            lost = self.picture.stale(now)
            if lost:
                by_party: dict[int, list[tuple[str, int]]] = {}
                for track in lost:
                    by_party.setdefault(track.party_id, []).append(
                        (track.track_id, track.last_time_us)
                    )
                events = [
                    TrackLost(party, self.party(party).name, tuple(tracks))
                    for party, tracks in sorted(by_party.items())
                ]
                # Journal first, forget after: a failed write leaves them for the next cycle.
                self.store.write(
                    lambda tx: [append(tx, e, time_us=now, rules=self) for e in events]
                )
                self.picture.remove(lost)
            self._ingest.purge(now)
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
        directory = self._follower.directory
        if party_id is None:
            keep = np.zeros(len(view), dtype=bool)
        else:
            exposed = self.exposed_to(party_id)
            keep = np.fromiter(
                (
                    owner == party_id
                    or directory.sharing(owner, party_id).full_picture
                    or (
                        (owner, view.track_id[row]) in exposed
                        and directory.sharing(owner, party_id).conflicts
                    )
                    for row, owner in enumerate(view.party_id.tolist())
                ),
                dtype=bool,
                count=len(view),
            )
        visible = view.take(np.flatnonzero(keep))
        owners = [directory.parties[p].name for p in visible.party_id.tolist()]
        if party_id is not None:
            visible = _without_foreign_identities(visible, party_id, directory)
        return visible, owners

    def may_see(self, viewer: int, key: TrackKey) -> bool:
        """Whether the track is live and the viewer may see it now (`picture_for`)."""
        if not self.picture.holds(key):
            return False
        owner = key[0]
        if owner == viewer:
            return True
        sharing = self.sharing(owner, viewer)
        return sharing.full_picture or (sharing.conflicts and key in self.exposed_to(viewer))

    def exposed_to(self, party_id: int) -> set[TrackKey]:
        exposed: set[TrackKey] = set()
        for provider in self._exposures:
            exposed.update(provider(party_id))
        return exposed

    # --- events -----------------------------------------------------------------------

    def events_after(self, viewer: Principal, event_id: int, *, limit: int = 500) -> list[Record]:
        """The viewer's events after ``event_id``: a party's ids are its own ordinals
        (`Record.event_id`), so that they say nothing of the other parties' traffic;
        the admin's are the journal's seqs."""
        if viewer.party_id is None:
            return self.store.records_after(
                event_id, audience=None, kinds=self._follower.stream_kinds, limit=limit
            )
        return self.store.party_records_after(viewer.party_id, event_id, limit=limit)

    def last_event_id(self, viewer: Principal) -> int:
        """The id of the viewer's newest event (0: none yet)."""
        if viewer.party_id is None:
            return self.store.head().seq
        return self.store.party_head(viewer.party_id)


def _without_foreign_identities(
    view: PictureView, viewer: int, directory: Directory
) -> PictureView:
    """The view with the callsign, ICAO address and type of every track the viewer sees
    only through an alert blanked: ``conflicts-only`` shares kinematics, not identities;
    a ``full`` agreement shares both."""
    owners = view.party_id.tolist()
    keep = [p == viewer or directory.sharing(p, viewer).full_picture for p in owners]
    if all(keep):
        return view
    return replace(
        view,
        callsign=tuple(c if k else None for c, k in zip(view.callsign, keep, strict=True)),
        icao24=tuple(c if k else None for c, k in zip(view.icao24, keep, strict=True)),
        aircraft_type=tuple(
            c if k else None for c, k in zip(view.aircraft_type, keep, strict=True)
        ),
    )
