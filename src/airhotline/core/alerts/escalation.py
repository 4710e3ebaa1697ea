"""Escalation as a pure function: how loud an alert must be, given who stayed silent.

An alert a party leaves unacknowledged escalates: after ``escalate_warning_s`` of
warning or ``escalate_caution_s`` of caution (counted from when the tier was first
reached) to both parties (level 1), then after ``escalate_admin_s`` more to the admin
(level 2).
"""

from __future__ import annotations

from airhotline.clock import US_PER_S
from airhotline.core.alerts.model import Alert
from airhotline.core.alerts.policy import AlertPolicy

__all__ = ["ADMIN", "PARTIES", "escalation_due", "silent_parties"]

PARTIES = 1
ADMIN = 2


def silent_parties(alert: Alert) -> list[int]:
    """The alert's parties that have not acknowledged it, in track order."""
    return [p for p in alert.parties if not alert.acknowledged_by(p)]


def escalation_due(alert: Alert, policy: AlertPolicy, now_us: int) -> int:
    """The escalation level ``alert`` has earned at ``now_us`` (0: none)."""
    if not silent_parties(alert):
        return 0
    deadlines = [
        since + round(grace * US_PER_S)
        for since, grace in (
            (alert.warning_since_us, policy.escalate_warning_s),
            (alert.caution_since_us, policy.escalate_caution_s),
        )
        if since is not None
    ]
    if not deadlines:
        return 0
    first_due = min(deadlines)
    if now_us >= first_due + round(policy.escalate_admin_s * US_PER_S):
        return ADMIN
    if now_us >= first_due:
        return PARTIES
    return 0
