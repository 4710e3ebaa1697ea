"""The alert family of journal events: one frozen type per transition.

Every alert record carries the alert's whole state (`codec`), so that a restart rebuilds
active alerts with the same ids and acknowledgements from the last record of each.
Audience: each party the alert is disclosed to (its own track established, its exposure
budget not spent) while their agreement shares conflicts (an active one); nobody but
the admin while it is suspended — and a resolution also reaches every party told of the
alert before, whatever happened to their agreement meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from airhotline.core.alerts.codec import alert_from_payload, alert_payload, names_in
from airhotline.core.alerts.model import Alert
from airhotline.core.events import JournalEvent, SharingRules, register, without
from airhotline.core.records import Record

__all__ = [
    "AlertAcknowledged",
    "AlertEscalated",
    "AlertEvent",
    "AlertRaised",
    "AlertResolved",
    "AlertUpdated",
]


@dataclass(frozen=True, slots=True)
class AlertEvent(JournalEvent):
    family: ClassVar[str] = "alert"
    streamed: ClassVar[bool] = True

    alert: Alert
    #: The parties of the alert's two tracks, by name.
    names: tuple[str | None, str | None]

    def payload(self) -> dict[str, Any]:
        return {**alert_payload(self.alert, self.names), **self.extra()}

    def extra(self) -> dict[str, Any]:
        """Fields of this kind beside the alert's state."""
        return {}

    def audience(self, rules: SharingRules) -> frozenset[int]:
        a, b = self.alert.parties
        if not rules.sharing(a, b).conflicts:
            return frozenset()
        return frozenset(p for p, shown in zip((a, b), self.alert.disclosed, strict=True) if shown)

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        return cls(alert_from_payload(record.payload), names_in(record.payload))

    @classmethod
    def party_view(cls, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """Without the parties' internal ids and the operators' token ids: a party
        names the other by its name, and how the other runs its tokens is its own."""
        notice = payload.get("notice")
        return {
            **payload,
            **({"notice": without(notice, "party_id")} if notice else {}),
            "tracks": [without(t, "party_id") for t in payload["tracks"]],
            "acknowledgements": [
                {k: v for k, v in a.items() if k not in ("party_id", "token_id")}
                for a in payload["acknowledgements"]
            ],
        }


@register
@dataclass(frozen=True, slots=True)
class AlertRaised(AlertEvent):
    kind: ClassVar[str] = "alert.raised"


@register
@dataclass(frozen=True, slots=True)
class AlertUpdated(AlertEvent):
    """A tier change, or t_in / dCPA / coasting moved materially against what was said."""

    kind: ClassVar[str] = "alert.updated"

    tier_changed: bool = False

    def extra(self) -> dict[str, Any]:
        return {"tier_changed": self.tier_changed}

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(alert_from_payload(p), names_in(p), bool(p["tier_changed"]))


@register
@dataclass(frozen=True, slots=True)
class AlertAcknowledged(AlertEvent):
    kind: ClassVar[str] = "alert.acknowledged"

    by: str = ""

    def extra(self) -> dict[str, Any]:
        return {"by": self.by}

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(alert_from_payload(p), names_in(p), str(p["by"]))


@register
@dataclass(frozen=True, slots=True)
class AlertEscalated(AlertEvent):
    """A party silent too long: ``to`` is ``parties`` (level 1) or ``admin`` (level 2)."""

    kind: ClassVar[str] = "alert.escalated"

    silent: tuple[str | None, ...] = ()
    to: str = "parties"

    def extra(self) -> dict[str, Any]:
        return {"silent": list(self.silent), "to": self.to}

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(alert_from_payload(p), names_in(p), tuple(p["silent"]), str(p["to"]))


@register
@dataclass(frozen=True, slots=True)
class AlertResolved(AlertEvent):
    kind: ClassVar[str] = "alert.resolved"

    #: Parties the alert was journaled to before (not in the payload: the audience).
    told: frozenset[int] = frozenset()

    def audience(self, rules: SharingRules) -> frozenset[int]:
        return AlertEvent.audience(self, rules) | self.told

    @classmethod
    def from_record(cls, record: Record, version: int) -> Self:
        p = record.payload
        return cls(alert_from_payload(p), names_in(p), frozenset(record.audience))
