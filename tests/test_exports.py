"""The public surfaces, pinned as httpx pins its own: a change here is a change for every
caller (the service, the commands, drills, and whoever builds on the package)."""

from __future__ import annotations

import importlib

import pytest

SURFACES = {
    "airhotline": ["__version__"],
    "airhotline.bootstrap": ["build_node", "open_store"],
    "airhotline.bus": ["LocalEventBus"],
    "airhotline.ids": ["IdSource", "RandomIds", "SequentialIds"],
    "airhotline.core.ports": [
        "Clock",
        "CommitListener",
        "EventBus",
        "IdSource",
        "Journal",
        "Subscription",
        "UnitOfWork",
    ],
    "airhotline.core": [
        "ACCESS_KINDS",
        "ALERT_KINDS",
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
        "decode",
        "Detector",
        "Directory",
        "encode",
        "EventBus",
        "ExposureProvider",
        "HotlineConfig",
        "HotlineNode",
        "IdempotentAnswer",
        "IngestAnswer",
        "Journal",
        "JournalEvent",
        "JournalHead",
        "kinds",
        "LANGUAGES",
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
        "STREAM_KINDS",
        "Subscription",
        "Tier",
        "TokenRow",
        "TrackKey",
        "UnitOfWork",
    ],
}


@pytest.mark.parametrize("module_name", sorted(SURFACES))
def test_public_names(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert sorted(module.__all__, key=str.lower) == sorted(SURFACES[module_name], key=str.lower)
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_the_journal_kinds_are_derived_from_the_registered_types() -> None:
    from airhotline import core
    from airhotline.core.events import event_type

    assert core.kinds() == {
        "party.created",
        "token.issued",
        "token.revoked",
        "agreement.set",
        "tracks.reported",
        "track.lost",
        "alert.raised",
        "alert.updated",
        "alert.acknowledged",
        "alert.escalated",
        "alert.resolved",
        "exposure.limited",
        "flood.reported",
        "alert.safety",
        "message.received",
        "message.delivered",
        "message.read",
        "message.answered",
        "message.escalated",
        "line.degraded",
        "line.restored",
        "notice.published",
        "notice.amended",
        "notice.cancelled",
        "notice.overlap",
        "zone.set",
        "zone.removed",
        "exemption.proposed",
        "exemption.accepted",
        "exemption.revoked",
        "exemption.suppressed",
    }
    assert core.kinds() - {"tracks.reported"} == core.STREAM_KINDS
    assert {"party.created", "token.issued", "token.revoked", "agreement.set"} == core.ACCESS_KINDS
    assert {k for k in core.kinds() if k.startswith("alert.")} - {
        "alert.safety"
    } == core.ALERT_KINDS
    for kind in core.kinds():
        cls = event_type(kind)
        assert cls.kind == kind
        assert cls.version >= 1
