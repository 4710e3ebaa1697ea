"""Alerts: predicted conflicts between parties, as both control centres live them.

Every picture cycle the engine runs tactical detection on the live picture (cross-party
pairs, coasting tracks included) and turns conflicts into alerts:

* **Tiers** from the time to loss of separation: *advisory* (t_in ≤ 300 s), *caution*
  (≤ 120 s), *warning* (≤ 60 s, or separation already lost). Thresholds come from an
  `AlertPolicy`, per deployment, overridable per pair of parties (their agreement).
* **No flicker.** A warning is raised at once; a lesser tier once it was predicted in
  ``confirm_hits`` of the last ``confirm_window`` cycles. A tier goes up at once and
  down only after the higher tier was not predicted for ``clear_cycles`` cycles. An alert
  resolves after ``clear_cycles`` cycles without prediction, or when a track is lost.
  One encounter between two tracks is one alert with one id, however the prediction
  comes and goes.
* **Life cycle**: ``alert.raised``, ``alert.updated`` (tier change, or t_in / dCPA moved
  materially against what was last said), ``alert.acknowledged`` (per party; each sees
  the other's), ``alert.escalated`` (a party silent too long: first to both parties, then
  to the admin), ``alert.resolved`` with the smallest horizontal and vertical separation
  actually reached, measured on the reported positions of both tracks — each cycle, the
  track with the older report is flown to the other's report time, so that two positions
  are compared at an instant one of them was really reported at.
* Every transition is journaled, carrying the alert's whole state, so that a restart
  rebuilds active alerts from the journal with the same ids and acknowledgements.

An alert between parties whose agreement is suspended is still computed and journaled,
for the admin only: a suspended agreement shares nothing.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from airhotline import geo, units
from airhotline.clock import US_PER_S, Clock, iso_from_us
from airhotline.core.access import Sharing
from airhotline.core.picture import PictureView, TrackKey
from airhotline.core.reports import ReportBatch
from airhotline.detect import TrackStates, detect_conflicts
from airhotline.errors import ConflictError, NotFoundError
from airhotline.store import Record, Store, Transaction

__all__ = [
    "ALERT_KINDS",
    "Acknowledgement",
    "Alert",
    "AlertEngine",
    "AlertPolicy",
    "PartyDirectory",
    "Tier",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ALERT_KINDS = frozenset(
    {"alert.raised", "alert.updated", "alert.acknowledged", "alert.escalated", "alert.resolved"}
)


class Tier(IntEnum):
    ADVISORY = 1
    CAUTION = 2
    WARNING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """Thresholds and timings of alerting; every number is configurable."""

    advisory_s: float = 300.0
    caution_s: float = 120.0
    warning_s: float = 60.0
    confirm_hits: int = 2
    confirm_window: int = 3
    clear_cycles: int = 3
    escalate_warning_s: float = 30.0
    escalate_caution_s: float = 60.0
    #: After the first escalation, further silence this long escalates to the admin.
    escalate_admin_s: float = 60.0
    material_t_in_s: float = 10.0
    material_dcpa_m: float = units.m_from_nm(0.25)
    #: Numbers-only updates (no tier change) at most this often: a prediction that
    #: wobbles (a feed alternating speeds) must not flood the operators.
    min_update_interval_s: float = 10.0

    def __post_init__(self) -> None:
        if not 0.0 < self.warning_s <= self.caution_s <= self.advisory_s:
            raise ValueError("need 0 < warning_s <= caution_s <= advisory_s")
        if not 1 <= self.confirm_hits <= self.confirm_window:
            raise ValueError("need 1 <= confirm_hits <= confirm_window")
        if self.clear_cycles < 1:
            raise ValueError("clear_cycles must be at least 1")

    def tier(self, t_in_s: float, los: bool) -> Tier | None:
        if los or t_in_s <= self.warning_s:
            return Tier.WARNING
        if t_in_s <= self.caution_s:
            return Tier.CAUTION
        if t_in_s <= self.advisory_s:
            return Tier.ADVISORY
        return None


class PartyDirectory(Protocol):
    """What the engine needs to know of parties (the node provides it)."""

    def party_name(self, party_id: int | None) -> str | None: ...

    def sharing(self, owner: int, viewer: int) -> Sharing: ...


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    party: str
    token_id: int
    time_us: int


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert's state as journaled and served; immutable, replaced on every change."""

    id: str
    track_a: TrackKey
    track_b: TrackKey
    tier: Tier
    raised_us: int
    updated_us: int
    tier_since_us: int
    #: When the alert first reached caution (or warning) and warning: escalation clocks,
    #: which a later tier change does not restart.
    caution_since_us: int | None
    warning_since_us: int | None
    t_in_s: float
    t_out_s: float
    t_cpa_s: float
    dcpa_m: float
    dz_cpa_m: float
    los: bool
    acknowledgements: tuple[tuple[int, Acknowledgement], ...] = ()
    #: Whether each track is coasting (its position flown on from an old report).
    coasting: tuple[bool, bool] = (False, False)
    escalation: int = 0
    min_h_m: float | None = None
    min_h_at_us: int | None = None
    min_v_m: float | None = None
    min_v_at_us: int | None = None
    resolved_us: int | None = None
    resolution: str | None = None

    @property
    def active(self) -> bool:
        return self.resolved_us is None

    @property
    def parties(self) -> tuple[int, int]:
        return (self.track_a[0], self.track_b[0])

    def with_separation(self, horizontal_m: float, vertical_m: float, at_us: int) -> Alert:
        """This alert with a measured separation taken into its minima (each on its own)."""
        better: dict[str, Any] = {}
        if self.min_h_m is None or horizontal_m < self.min_h_m:
            better.update(min_h_m=horizontal_m, min_h_at_us=at_us)
        if self.min_v_m is None or vertical_m < self.min_v_m:
            better.update(min_v_m=vertical_m, min_v_at_us=at_us)
        return replace(self, **better) if better else self

    def acknowledged_by(self, party_id: int) -> bool:
        return any(p == party_id for p, _ in self.acknowledgements)

    def to_payload(self, names: PartyDirectory) -> dict[str, Any]:
        def track(key: TrackKey, coasting: bool) -> dict[str, Any]:
            return {
                "party": names.party_name(key[0]),
                "party_id": key[0],
                "track_id": key[1],
                "coasting": coasting,
            }

        def nm(value: float | None) -> float | None:
            return None if value is None else round(float(units.nm_from_m(value)), 4)

        def ft(value: float | None) -> float | None:
            return None if value is None else round(float(units.ft_from_m(value)), 1)

        return {
            "alert_id": self.id,
            "kind": "conflict",
            "tier": self.tier.label,
            "state": "active" if self.active else "resolved",
            "tracks": [
                track(self.track_a, self.coasting[0]),
                track(self.track_b, self.coasting[1]),
            ],
            "raised": iso_from_us(self.raised_us),
            "raised_us": self.raised_us,
            "updated_us": self.updated_us,
            "tier_since_us": self.tier_since_us,
            "caution_since_us": self.caution_since_us,
            "warning_since_us": self.warning_since_us,
            "t_in_s": round(self.t_in_s, 2),
            "t_out_s": round(self.t_out_s, 2),
            "t_cpa_s": round(self.t_cpa_s, 2),
            "dcpa_nm": nm(self.dcpa_m),
            "dz_cpa_ft": ft(self.dz_cpa_m),
            "los": self.los,
            "acknowledgements": [
                {"party": a.party, "party_id": p, "token_id": a.token_id, "time_us": a.time_us}
                for p, a in self.acknowledgements
            ],
            "escalation": self.escalation,
            "min_h_sep_nm": nm(self.min_h_m),
            "min_h_sep_at_us": self.min_h_at_us,
            "min_v_sep_ft": ft(self.min_v_m),
            "min_v_sep_at_us": self.min_v_at_us,
            "resolved_us": self.resolved_us,
            "resolution": self.resolution,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Alert:
        def m_nm(value: float | None) -> float | None:
            return None if value is None else float(units.m_from_nm(value))

        def m_ft(value: float | None) -> float | None:
            return None if value is None else float(units.m_from_ft(value))

        a, b = payload["tracks"]
        return cls(
            id=payload["alert_id"],
            track_a=(int(a["party_id"]), str(a["track_id"])),
            track_b=(int(b["party_id"]), str(b["track_id"])),
            tier=Tier[str(payload["tier"]).upper()],
            raised_us=int(payload["raised_us"]),
            updated_us=int(payload["updated_us"]),
            tier_since_us=int(payload["tier_since_us"]),
            caution_since_us=payload["caution_since_us"],
            warning_since_us=payload["warning_since_us"],
            t_in_s=float(payload["t_in_s"]),
            t_out_s=float(payload["t_out_s"]),
            t_cpa_s=float(payload["t_cpa_s"]),
            dcpa_m=m_nm(payload["dcpa_nm"]) or 0.0,
            dz_cpa_m=m_ft(payload["dz_cpa_ft"]) or 0.0,
            los=bool(payload["los"]),
            acknowledgements=tuple(
                (int(x["party_id"]), Acknowledgement(x["party"], int(x["token_id"]), x["time_us"]))
                for x in payload["acknowledgements"]
            ),
            coasting=(bool(a.get("coasting", False)), bool(b.get("coasting", False))),
            escalation=int(payload["escalation"]),
            min_h_m=m_nm(payload["min_h_sep_nm"]),
            min_h_at_us=payload["min_h_sep_at_us"],
            min_v_m=m_ft(payload["min_v_sep_ft"]),
            min_v_at_us=payload["min_v_sep_at_us"],
            resolved_us=payload["resolved_us"],
            resolution=payload["resolution"],
        )


@dataclass(frozen=True, slots=True)
class _Prediction:
    """What detection says of a pair this cycle, in the alert's own fields."""

    tier: Tier
    t_in_s: float
    t_out_s: float
    t_cpa_s: float
    dcpa_m: float
    dz_cpa_m: float
    los: bool
    coasting: tuple[bool, bool]

    def fields(self) -> dict[str, Any]:
        """The fields an `Alert` takes from the prediction."""
        return {
            "t_in_s": self.t_in_s,
            "t_out_s": self.t_out_s,
            "t_cpa_s": self.t_cpa_s,
            "dcpa_m": self.dcpa_m,
            "dz_cpa_m": self.dz_cpa_m,
            "los": self.los,
            "coasting": self.coasting,
        }


@dataclass
class _Encounter:
    """Per-pair bookkeeping the journal does not need: hysteresis counters."""

    seen: deque[bool]
    absent: int = 0
    below_tier: int = 0
    alert_id: str | None = None
    said_t_in_s: float = 0.0
    said_at_us: int = 0
    said_dcpa_m: float = 0.0
    said_coasting: tuple[bool, bool] = (False, False)


@dataclass
class _Transition:
    kind: str
    alert: Alert
    extra: dict[str, Any] = field(default_factory=dict)


PairKey = tuple[TrackKey, TrackKey]


class AlertEngine:
    """Runs on every cycle (`run`); thread-safe against acknowledgements from the API."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        directory: PartyDirectory,
        *,
        policy: AlertPolicy | None = None,
        policies: Mapping[frozenset[str], AlertPolicy] | None = None,
        new_id: Callable[[], str] | None = None,
        retain_resolved_s: float = 86_400.0,
        coast_after_s: float = 10.0,
    ) -> None:
        self._store = store
        self._clock = clock
        self._directory = directory
        self.policy = policy or AlertPolicy()
        self._policies = dict(policies or {})
        self._new_id = new_id or (lambda: uuid.uuid4().hex[:16])
        self._lock = threading.Lock()
        # Every alert the API may be asked about: the active ones and those resolved within
        # ``retain_resolved_s`` (older ones live on in the journal, for `airhotline alerts`).
        # Per-cycle work walks only ``_active``, so it follows today's traffic, not history.
        self._alerts: dict[str, Alert] = {}
        self._active: set[str] = set()
        self._resolved: deque[tuple[int, str]] = deque()
        self._retain_us = round(retain_resolved_s * US_PER_S)
        self._undo: list[tuple[str, Alert | None]] = []
        self._ended: list[PairKey] = []
        self._coast_us = round(coast_after_s * US_PER_S)
        self._encounters: dict[PairKey, _Encounter] = {}
        self._history: dict[str, list[Record]] = {}
        #: Parties each alert was journaled to so far: they hear how it ends, whatever
        #: happens to their agreement meanwhile.
        self._told: dict[str, frozenset[int]] = {}
        self._rebuild()

    # --- queries ------------------------------------------------------------------

    def alerts(self, *, party_id: int | None, active: bool | None = None) -> list[Alert]:
        """Alerts a party is involved in (the admin: ``party_id`` None sees all)."""
        with self._lock:
            found = [
                a
                for a in self._alerts.values()
                if self._shown(a, party_id) and (active is None or a.active == active)
            ]
        return sorted(found, key=lambda a: (a.raised_us, a.id))

    def get(self, alert_id: str, *, party_id: int | None) -> Alert:
        with self._lock:
            alert = self._alerts.get(alert_id)
        if alert is None or not self._shown(alert, party_id):
            raise NotFoundError("alert", alert_id)
        return alert

    def _shown(self, alert: Alert, party_id: int | None) -> bool:
        """The admin sees every alert; a party its own, unless the agreement is suspended."""
        if party_id is None:
            return True
        return party_id in alert.parties and self._directory.sharing(*alert.parties).conflicts

    def history(self, alert_id: str) -> list[Record]:
        with self._lock:
            return list(self._history.get(alert_id, ()))

    def exposed_to(self, party_id: int) -> set[TrackKey]:
        """The other party's tracks in this party's active alerts (visible while they last)."""
        exposed: set[TrackKey] = set()
        with self._lock:
            for alert in self._active_alerts():
                if party_id in alert.parties:
                    exposed.add(alert.track_b if alert.track_a[0] == party_id else alert.track_a)
        return exposed

    def policy_for(self, party_a: int, party_b: int) -> AlertPolicy:
        """The policy of the two parties' agreement, or the deployment's."""
        if not self._policies:
            return self.policy
        names = frozenset(
            (self._directory.party_name(party_a), self._directory.party_name(party_b))
        )
        return self._policies.get(names, self.policy)  # type: ignore[arg-type]

    # --- acknowledgement ------------------------------------------------------------

    def acknowledge(self, alert_id: str, *, party_id: int, token_id: int) -> Alert:
        """Record that ``party_id`` has seen the alert; repeating it changes nothing."""
        with self._lock:
            alert = self._alerts.get(alert_id)
            if alert is None or not self._shown(alert, party_id):
                raise NotFoundError("alert", alert_id)
            if not alert.active:
                raise ConflictError("alert", "state", "resolved", message="the alert is resolved")
            if alert.acknowledged_by(party_id):
                return alert
            now = self._clock.now_us()
            name = self._directory.party_name(party_id) or str(party_id)
            acknowledged = replace(
                alert,
                acknowledgements=(
                    *alert.acknowledgements,
                    (party_id, Acknowledgement(name, token_id, now)),
                ),
                updated_us=now,
            )
            transition = _Transition("alert.acknowledged", acknowledged, {"by": name})
            self._commit([transition], now)
            self._alerts[alert_id] = acknowledged
            return acknowledged

    # --- the cycle ------------------------------------------------------------------

    def run(self, view: PictureView) -> None:
        """Detect, confirm, raise, update, escalate and resolve: one picture cycle."""
        with self._lock:
            now = view.time_us
            self._undo = []
            self._ended = []
            transitions: list[_Transition] = []
            predicted = self._predict(view)
            rows = {view.key(r): r for r in range(len(view))}
            active = self._active_alerts()
            for alert in self._measure(view, rows, active):
                self._alerts[alert.id] = alert
            for key, encounter in list(self._encounters.items()):
                guess = predicted.get(key)
                encounter.seen.append(guess is not None)
                if encounter.alert_id is None:
                    transitions += self._maybe_raise(key, encounter, guess, now, view, rows)
                else:
                    transitions += self._follow(key, encounter, guess, now, rows)
                if encounter.alert_id is None and not any(encounter.seen):
                    del self._encounters[key]
            transitions += self._escalate(now)
            if transitions:
                try:
                    self._commit(transitions, now)
                except BaseException:
                    self._rollback()  # nothing happened that the journal does not hold
                    raise
            for key in self._ended:
                self._encounters.pop(key, None)
            self._forget_old(now)

    def _predict(self, view: PictureView) -> dict[PairKey, _Prediction]:
        if len(view) < 2:
            return {}
        lookahead = max([self.policy.advisory_s, *(p.advisory_s for p in self._policies.values())])
        conflicts = detect_conflicts(view.states, lookahead_s=lookahead)
        predicted: dict[PairKey, _Prediction] = {}
        for k in range(len(conflicts)):
            row_a, row_b = int(conflicts.i[k]), int(conflicts.j[k])
            a, b = view.key(row_a), view.key(row_b)
            if b < a:
                a, b, row_a, row_b = b, a, row_b, row_a
            key = (a, b)
            tier = self.policy_for(a[0], b[0]).tier(
                float(conflicts.t_in_s[k]), bool(conflicts.los[k])
            )
            if tier is None:
                continue
            predicted[key] = _Prediction(
                tier=tier,
                t_in_s=float(conflicts.t_in_s[k]),
                t_out_s=float(conflicts.t_out_s[k]),
                t_cpa_s=float(conflicts.t_cpa_s[k]),
                dcpa_m=float(conflicts.dcpa_m[k]),
                dz_cpa_m=float(conflicts.dz_cpa_m[k]),
                los=bool(conflicts.los[k]),
                coasting=(bool(view.coasting[row_a]), bool(view.coasting[row_b])),
            )
            if key not in self._encounters:
                window = self.policy_for(a[0], b[0]).confirm_window
                self._encounters[key] = _Encounter(seen=deque(maxlen=window))
        return predicted

    def _maybe_raise(
        self,
        key: PairKey,
        encounter: _Encounter,
        guess: _Prediction | None,
        now: int,
        view: PictureView,
        rows: Mapping[TrackKey, int],
    ) -> list[_Transition]:
        if guess is None:
            return []
        tier = guess.tier
        policy = self.policy_for(key[0][0], key[1][0])
        if tier is not Tier.WARNING and sum(encounter.seen) < policy.confirm_hits:
            return []
        alert = Alert(
            id=self._new_id(),
            track_a=key[0],
            track_b=key[1],
            tier=tier,
            raised_us=now,
            updated_us=now,
            tier_since_us=now,
            caution_since_us=now if tier >= Tier.CAUTION else None,
            warning_since_us=now if tier is Tier.WARNING else None,
            **guess.fields(),
        )
        # Measured at once, so that the raise record itself holds the first separation
        # (a restart right after it must not forget how close they already were).
        (alert,) = self._measure(view, rows, [alert])
        encounter.alert_id = alert.id
        self._said(encounter, alert, now)
        return [self._apply(_Transition("alert.raised", alert))]

    def _follow(
        self,
        key: PairKey,
        encounter: _Encounter,
        guess: _Prediction | None,
        now: int,
        rows: Mapping[TrackKey, int],
    ) -> list[_Transition]:
        assert encounter.alert_id is not None
        alert = self._alerts[encounter.alert_id]
        policy = self.policy_for(key[0][0], key[1][0])
        if key[0] not in rows or key[1] not in rows:
            return [self._resolve(key, alert, now, "track-lost")]
        if guess is None:
            encounter.absent += 1
            if encounter.absent >= policy.clear_cycles:
                return [self._resolve(key, alert, now, "clear")]
            return []
        encounter.absent = 0
        tier = guess.tier
        changed_tier = False
        if tier > alert.tier:
            changed_tier, encounter.below_tier = True, 0
        elif tier < alert.tier:
            encounter.below_tier += 1
            changed_tier = encounter.below_tier >= policy.clear_cycles
            if changed_tier:
                encounter.below_tier = 0
        else:
            encounter.below_tier = 0
        new_tier = tier if changed_tier else alert.tier
        updated = replace(
            alert,
            tier=new_tier,
            tier_since_us=now if changed_tier else alert.tier_since_us,
            caution_since_us=alert.caution_since_us or (now if new_tier >= Tier.CAUTION else None),
            warning_since_us=alert.warning_since_us or (now if new_tier is Tier.WARNING else None),
            **guess.fields(),
        )
        expected_t_in = max(encounter.said_t_in_s - (now - encounter.said_at_us) / US_PER_S, 0.0)
        # Once the closest approach is behind (t_cpa 0), dCPA is just today's distance
        # growing: no news for a controller, who hears "resolved" soon enough.
        cpa_ahead = updated.t_cpa_s > 0.0
        # A track starting or stopping to coast is news too (its position is now, or no
        # longer, a guess) — but a feed slower than the coast limit flips it on every
        # report, so it waits for the same minimum interval as the numbers.
        material = (
            abs(updated.t_in_s - expected_t_in) > policy.material_t_in_s
            or (cpa_ahead and abs(updated.dcpa_m - encounter.said_dcpa_m) > policy.material_dcpa_m)
            or updated.coasting != encounter.said_coasting
        )
        material = material and (
            now - encounter.said_at_us >= round(policy.min_update_interval_s * US_PER_S)
        )
        if changed_tier or material:
            updated = replace(updated, updated_us=now)
            self._said(encounter, updated, now)
            return [
                self._apply(_Transition("alert.updated", updated, {"tier_changed": changed_tier}))
            ]
        self._alerts[alert.id] = updated  # fresher numbers, nothing worth an event
        return []

    def _resolve(self, key: PairKey, alert: Alert, now: int, reason: str) -> _Transition:
        self._ended.append(key)  # forgotten once the resolution is committed
        resolved = replace(alert, resolved_us=now, updated_us=now, resolution=reason)
        return self._apply(_Transition("alert.resolved", resolved))

    def _escalate(self, now: int) -> list[_Transition]:
        """Escalate alerts a party leaves unacknowledged: first to both, then to the admin."""
        transitions = []
        for alert in self._active_alerts():
            silent = [p for p in alert.parties if not alert.acknowledged_by(p)]
            if not silent:
                continue
            policy = self.policy_for(*alert.parties)
            deadlines = [
                since + round(grace * US_PER_S)
                for since, grace in (
                    (alert.warning_since_us, policy.escalate_warning_s),
                    (alert.caution_since_us, policy.escalate_caution_s),
                )
                if since is not None
            ]
            if not deadlines:
                continue
            first_due = min(deadlines)
            level = 0
            if now >= first_due:
                level = 1
            if now >= first_due + round(policy.escalate_admin_s * US_PER_S):
                level = 2
            if level > alert.escalation:
                escalated = replace(alert, escalation=level, updated_us=now)
                extra = {
                    "silent": [self._directory.party_name(p) for p in silent],
                    "to": "admin" if level == 2 else "parties",
                }
                transitions.append(self._apply(_Transition("alert.escalated", escalated, extra)))
        return transitions

    def _apply(self, transition: _Transition) -> _Transition:
        """Take a transition into memory at once, so later ones in the cycle build on it."""
        alert = transition.alert
        self._undo.append((alert.id, self._alerts.get(alert.id)))
        self._keep(alert)
        return transition

    def _keep(self, alert: Alert) -> None:
        self._alerts[alert.id] = alert
        if alert.active:
            self._active.add(alert.id)
        else:
            self._active.discard(alert.id)
            self._resolved.append((alert.resolved_us or 0, alert.id))

    def _rollback(self) -> None:
        for alert_id, previous in reversed(self._undo):
            if previous is None:
                self._alerts.pop(alert_id, None)
                self._active.discard(alert_id)
            else:
                self._alerts[alert_id] = previous
                if previous.active:
                    self._active.add(alert_id)
        self._undo = []
        # An encounter whose raise was not committed has no alert: the next cycle raises
        # it again through the ordinary path (a warning at once).
        for encounter in self._encounters.values():
            if encounter.alert_id is not None and encounter.alert_id not in self._alerts:
                encounter.alert_id = None

    def _forget_old(self, now: int) -> None:
        """Drop resolved alerts past the retention from memory (the journal keeps them)."""
        while self._resolved and self._resolved[0][0] < now - self._retain_us:
            _, alert_id = self._resolved.popleft()
            alert = self._alerts.get(alert_id)
            if alert is not None and not alert.active:
                del self._alerts[alert_id]
                self._history.pop(alert_id, None)
                self._told.pop(alert_id, None)

    def _active_alerts(self) -> list[Alert]:
        return [self._alerts[alert_id] for alert_id in self._active]

    def _said(self, encounter: _Encounter, alert: Alert, now: int) -> None:
        encounter.said_t_in_s = alert.t_in_s
        encounter.said_at_us = now
        encounter.said_dcpa_m = alert.dcpa_m
        encounter.said_coasting = alert.coasting

    def _measure(
        self, view: PictureView, rows: Mapping[TrackKey, int], alerts: list[Alert]
    ) -> list[Alert]:
        """The alerts with the separation their tracks' reports now show taken into their
        minima. Only fresh reports count: a track silent for longer than the coast limit
        is a guess, and a guess is not a separation "actually reached"."""
        measurable = [a for a in alerts if a.track_a in rows and a.track_b in rows]
        if not measurable:
            return alerts
        i = np.array([rows[a.track_a] for a in measurable], dtype=np.int64)
        j = np.array([rows[a.track_b] for a in measurable], dtype=np.int64)
        time_i, time_j = view.report_time_us[i], view.report_time_us[j]
        fresh = np.abs(time_i - time_j) <= self._coast_us
        horizontal, vertical, common = _separations(
            view.reported.take(i), time_i, view.reported.take(j), time_j
        )
        measured = {
            alert.id: alert.with_separation(
                float(horizontal[k]), float(vertical[k]), int(common[k])
            )
            for k, alert in enumerate(measurable)
            if fresh[k]
        }
        return [measured.get(a.id, a) for a in alerts]

    # --- journal ----------------------------------------------------------------------

    def _audience(self, alert: Alert) -> frozenset[int]:
        a, b = alert.parties
        return frozenset((a, b)) if self._directory.sharing(a, b).conflicts else frozenset()

    def _commit(self, transitions: list[_Transition], now: int) -> None:
        def audience(t: _Transition) -> frozenset[int]:
            if t.kind == "alert.resolved":  # an alert a party was told of must end for it
                return self._audience(t.alert) | self._told.get(t.alert.id, frozenset())
            return self._audience(t.alert)

        def unit(tx: Transaction) -> list[Record]:
            return [
                tx.append(
                    t.kind,
                    {**t.alert.to_payload(self._directory), **t.extra},
                    time_us=now,
                    party_id=None,
                    audience=audience(t),
                )
                for t in transitions
            ]

        records = self._store.write(unit)
        for transition, record in zip(transitions, records, strict=True):
            alert_id = transition.alert.id
            self._history.setdefault(alert_id, []).append(record)
            self._told[alert_id] = self._told.get(alert_id, frozenset()) | record.audience

    def _rebuild(self) -> None:
        """Active alerts (and their history) from the journal, after a restart."""
        latest: dict[str, Record] = {}
        history: dict[str, list[Record]] = {}
        for record in self._store.iter_records_after(0, kinds=ALERT_KINDS):
            alert_id = str(record.payload["alert_id"])
            latest[alert_id] = record
            history.setdefault(alert_id, []).append(record)
        now = self._clock.now_us()
        for alert_id, record in sorted(latest.items(), key=lambda item: item[1].seq):
            alert = Alert.from_payload(record.payload)
            if not alert.active and (alert.resolved_us or 0) < now - self._retain_us:
                continue
            self._keep(alert)
            self._history[alert_id] = history[alert_id]
            self._told[alert_id] = frozenset().union(*(r.audience for r in history[alert_id]))
            if alert.active:
                encounter = _Encounter(
                    seen=deque([True], maxlen=self.policy_for(*alert.parties).confirm_window),
                    alert_id=alert_id,
                )
                self._said(encounter, alert, alert.updated_us)
                self._encounters[(alert.track_a, alert.track_b)] = encounter
        self._replay_minima()

    def _replay_minima(self) -> None:
        """Measure again, on the journaled reports, what active alerts saw since raised.

        Minima reach the journal only with a transition: a closer approach reported after
        an alert's last one would otherwise be forgotten by a restart. Each report moves
        its track's latest state forward (never back, as in the picture); each pair of
        latest states is measured as in a cycle, the older flown to the newer's time.
        """
        active = self._active_alerts()
        if not active:
            return
        raised_seq = {a.id: self._history[a.id][0].seq for a in active}
        keys = {key for a in active for key in (a.track_a, a.track_b)}
        states: dict[TrackKey, tuple[int, ReportBatch, int]] = {}
        after = min(raised_seq.values())
        for record in self._store.iter_records_after(after, kinds=["tracks.reported"]):
            if record.party_id is None:
                continue
            batch = ReportBatch.from_payload(record.payload)
            moved: set[TrackKey] = set()
            for row, track_id in enumerate(batch.track_id):
                key = (record.party_id, track_id)
                time_us = int(batch.time_us[row])
                if key in keys and (key not in states or time_us > states[key][0]):
                    states[key] = (time_us, batch, row)
                    moved.add(key)
            for alert in active:
                pair = (alert.track_a, alert.track_b)
                if record.seq <= raised_seq[alert.id] or not moved.intersection(pair):
                    continue
                if pair[0] in states and pair[1] in states:
                    first, second = states[pair[0]], states[pair[1]]
                    if abs(first[0] - second[0]) > self._coast_us:
                        continue  # one of them is a guess by now, as in a cycle
                    (h,), (v,), (at,) = _separations(
                        first[1].states([first[2]]),
                        np.array([first[0]]),
                        second[1].states([second[2]]),
                        np.array([second[0]]),
                    )
                    self._alerts[alert.id] = self._alerts[alert.id].with_separation(
                        float(h), float(v), int(at)
                    )


def _separations(
    a: TrackStates, time_a: IntArray, b: TrackStates, time_b: IntArray
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Horizontal and vertical separation (m) of pairs of reported states, each flown
    along its geodesic to the later of the two report times; and that time."""
    at = np.maximum(time_a, time_b)

    def flown(states: TrackStates, time_us: IntArray) -> tuple[Any, Any, Any]:
        seconds = (at - time_us) / US_PER_S
        lat, lon, _ = geo.geodesic_forward(
            states.lat_deg, states.lon_deg, states.track_rad, states.gs_mps * seconds
        )
        return lat, lon, states.alt_m + states.vrate_mps * seconds

    lat_a, lon_a, alt_a = flown(a, time_a)
    lat_b, lon_b, alt_b = flown(b, time_b)
    horizontal, _, _ = geo.geodesic_inverse(lat_a, lon_a, lat_b, lon_b)
    return horizontal, np.abs(alt_b - alt_a), at
