"""The hotline's domain: parties and access, the picture, alerts and the node.

The core owns state and rules. It takes a clock, an id source, a journal and an event
bus as parameters — the Protocols of `ports` — and imports nothing of the adapters
(`airhotline.store`, `airhotline.bus`), of the edges (service, command line, files) or
of a database or web library; `airhotline.bootstrap` wires it. Every change is a typed
journal event (`events`) committed through the journal; in-memory state (the picture,
the directory, the alert book) changes only from what was committed.
"""

from airhotline.core.access import AgreementMode, AgreementStatus, Principal, Role, Sharing
from airhotline.core.administration import LANGUAGES, NewParty
from airhotline.core.alerts import (
    ALERT_KINDS,
    Alert,
    AlertBook,
    AlertEngine,
    AlertPolicy,
    Detector,
    PolicyBook,
    Tier,
)
from airhotline.core.directory import ACCESS_KINDS, Directory
from airhotline.core.events import JournalEvent, decode, encode, kinds
from airhotline.core.ingest import IngestAnswer
from airhotline.core.node import (
    STREAM_KINDS,
    CycleReport,
    CycleStep,
    ExposureProvider,
    HotlineConfig,
    HotlineNode,
)
from airhotline.core.picture import LostTrack, Picture, PictureView, TrackKey
from airhotline.core.ports import EventBus, Journal, Subscription, UnitOfWork
from airhotline.core.records import (
    AgreementRow,
    Audience,
    IdempotentAnswer,
    JournalHead,
    PartyRow,
    Record,
    TokenRow,
)
from airhotline.core.reports import ReportBatch

__all__ = [
    "ACCESS_KINDS",
    "ALERT_KINDS",
    "LANGUAGES",
    "STREAM_KINDS",
    "AgreementMode",
    "AgreementRow",
    "AgreementStatus",
    "Alert",
    "AlertBook",
    "AlertEngine",
    "AlertPolicy",
    "Audience",
    "CycleReport",
    "CycleStep",
    "Detector",
    "Directory",
    "EventBus",
    "ExposureProvider",
    "HotlineConfig",
    "HotlineNode",
    "IdempotentAnswer",
    "IngestAnswer",
    "Journal",
    "JournalEvent",
    "JournalHead",
    "LostTrack",
    "NewParty",
    "PartyRow",
    "Picture",
    "PictureView",
    "PolicyBook",
    "Principal",
    "Record",
    "ReportBatch",
    "Role",
    "Sharing",
    "Subscription",
    "Tier",
    "TokenRow",
    "TrackKey",
    "UnitOfWork",
    "decode",
    "encode",
    "kinds",
]
