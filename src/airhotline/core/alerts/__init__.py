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
  actually reached, measured on the reported positions of both tracks.
* Every transition is journaled, carrying the alert's whole state, so that a restart
  rebuilds active alerts from the journal with the same ids and acknowledgements.

The modules, one job each: `model` (the values), `codec` (the payload), `policy`,
`prediction`, `encounters` (the pure step), `escalation`, `separation`, `events` (the
journal kinds), `book` (the in-memory state and its retention), `restore` (the book
from the journal) and `engine`, which orchestrates a cycle.
"""

from airhotline.core.alerts.book import AlertBook
from airhotline.core.alerts.engine import AlertEngine, PartyDirectory
from airhotline.core.alerts.events import (
    AlertAcknowledged,
    AlertEscalated,
    AlertEvent,
    AlertRaised,
    AlertResolved,
    AlertUpdated,
)
from airhotline.core.alerts.model import Acknowledgement, Alert, PairKey, Tier
from airhotline.core.alerts.policy import AlertPolicy, PolicyBook
from airhotline.core.alerts.prediction import Detector, Prediction
from airhotline.core.events import kinds

#: The alert family's journal kinds (derived from the registered types).
ALERT_KINDS = kinds(family="alert")

__all__ = [
    "ALERT_KINDS",
    "Acknowledgement",
    "Alert",
    "AlertAcknowledged",
    "AlertBook",
    "AlertEngine",
    "AlertEscalated",
    "AlertEvent",
    "AlertPolicy",
    "AlertRaised",
    "AlertResolved",
    "AlertUpdated",
    "Detector",
    "PairKey",
    "PartyDirectory",
    "PolicyBook",
    "Prediction",
    "Tier",
]
