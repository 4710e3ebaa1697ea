"""Disclosure as a pure function: which party may now be told of which alert.

An alert is disclosed to the party of one of its tracks once that party's own track is
*established* (its reports possible and consistent: `airhotline.core.plausibility`) and
their agreement shares conflicts; until then the party hears nothing of it: the owner
of an invented or brand-new track learns nothing of another party's aircraft — while
that party, whose track is established, is warned at once. Once disclosed, the other
track's kinematics are *exposed* in the party's picture while the alert lasts, if the
party's exposure budget admits that track (`exposure`); beyond the budget the alerts
keep coming, the picture stops showing new foreign tracks. Both stay set for the
alert's life.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from airhotline.core.alerts.exposure import ExposureLedger
from airhotline.core.alerts.model import Alert, notice_in
from airhotline.core.picture import TrackKey

__all__ = ["Disclosure", "disclose"]


@dataclass(frozen=True, slots=True)
class Disclosure:
    #: Alerts whose disclosure or exposure changed, in their new state.
    changed: list[Alert]
    ledger: ExposureLedger
    #: Parties refused a disclosure because their budget is spent.
    refused: set[int]


def disclose(
    alerts: Iterable[Alert],
    *,
    established: Callable[[TrackKey], bool],
    shares: Callable[[int, int], bool],
    ledger: ExposureLedger,
    now_us: int,
) -> Disclosure:
    changed: list[Alert] = []
    refused: set[int] = set()
    for alert in alerts:
        if not alert.active or all(alert.exposed) or not shares(*alert.parties):
            continue
        disclosed, exposed = list(alert.disclosed), list(alert.exposed)
        for side, own in enumerate((alert.track_a, alert.track_b)):
            if not disclosed[side] and established(own):
                disclosed[side] = True
            if disclosed[side] and not exposed[side] and notice_in(alert.other_track(own[0])):
                exposed[side] = True  # an incursion's notice: already the party's to see
            elif disclosed[side] and not exposed[side]:
                ledger, admitted = ledger.admit(own[0], alert.other_track(own[0]), now_us)
                if admitted:
                    exposed[side] = True
                else:
                    refused.add(own[0])
        if (tuple(disclosed), tuple(exposed)) != (alert.disclosed, alert.exposed):
            changed.append(
                replace(
                    alert,
                    disclosed=(disclosed[0], disclosed[1]),
                    exposed=(exposed[0], exposed[1]),
                )
            )
    return Disclosure(changed, ledger, refused)
