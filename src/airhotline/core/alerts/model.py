"""An alert's state: immutable values, replaced on every change.

Two kinds share one model: a *conflict* between two tracks of different parties, and a
*notice incursion*: a track of one party inside, or about to enter, another party's
notice. An incursion's second "track" is the notice, as a key no real track can have
(`notice_subject`), so that pairs, encounters, tiers, acknowledgement, escalation and
resolution are the same code for both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from airhotline.core.picture import TrackKey

__all__ = [
    "CONFLICT",
    "INCURSION",
    "Acknowledgement",
    "Alert",
    "PairKey",
    "Tier",
    "notice_in",
    "notice_subject",
]

#: One encounter's two tracks: the lesser (party id, track id) first for a conflict; the
#: track, then its notice's subject, for an incursion.
PairKey = tuple[TrackKey, TrackKey]

CONFLICT = "conflict"
INCURSION = "notice-incursion"
#: Begins the track id of a notice's subject: a real track id holds no control
#: character (`airhotline.core.identifiers`), so the two can never be confused.
_NOTICE_MARK = "\x00notice:"


def notice_subject(owner_id: int, notice_id: str) -> TrackKey:
    """The key that stands for a notice of ``owner_id`` in an incursion's pair."""
    return (owner_id, _NOTICE_MARK + notice_id)


def notice_in(key: TrackKey) -> str | None:
    """The notice id a key stands for, or None for a real track."""
    return key[1][len(_NOTICE_MARK) :] if key[1].startswith(_NOTICE_MARK) else None


class Tier(IntEnum):
    ADVISORY = 1
    CAUTION = 2
    WARNING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    party: str
    token_id: int
    time_us: int


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert's state as journaled and served."""

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
    #: Whether the alert is disclosed to the party of each track: only once that party's
    #: own track is established (`disclosure`). Not part of the payload: a restart reads
    #: it back from the records' audiences.
    disclosed: tuple[bool, bool] = (False, False)
    #: Whether the other track's kinematics are shown in that party's picture: once
    #: disclosed and within the party's exposure budget (`exposure`).
    exposed: tuple[bool, bool] = (False, False)
    #: An incursion's notice kind (``live-firing``, …); None for a conflict.
    notice_kind: str | None = None

    @property
    def kind(self) -> str:
        return CONFLICT if self.notice_id is None else INCURSION

    @property
    def notice_id(self) -> str | None:
        """The notice an incursion is into (None for a conflict)."""
        return notice_in(self.track_b)

    @property
    def active(self) -> bool:
        return self.resolved_us is None

    @property
    def parties(self) -> tuple[int, int]:
        return (self.track_a[0], self.track_b[0])

    @property
    def pair(self) -> PairKey:
        return (self.track_a, self.track_b)

    def other_track(self, party_id: int) -> TrackKey:
        """The track of the other party, seen from ``party_id``'s side."""
        return self.track_b if self.track_a[0] == party_id else self.track_a

    def with_separation(self, horizontal_m: float, vertical_m: float, at_us: int) -> Alert:
        """This alert with a measured separation taken into its minima (each on its own)."""
        better: dict[str, Any] = {}
        if self.min_h_m is None or horizontal_m < self.min_h_m:
            better.update(min_h_m=horizontal_m, min_h_at_us=at_us)
        if self.min_v_m is None or vertical_m < self.min_v_m:
            better.update(min_v_m=vertical_m, min_v_at_us=at_us)
        return replace(self, **better) if better else self

    def disclosed_to(self, party_id: int) -> bool:
        return any(d and p == party_id for p, d in zip(self.parties, self.disclosed, strict=True))

    def exposed_to(self, party_id: int) -> bool:
        return any(e and p == party_id for p, e in zip(self.parties, self.exposed, strict=True))

    def acknowledged_by(self, party_id: int) -> bool:
        return any(p == party_id for p, _ in self.acknowledgements)
