"""An alert as journaled and served: the payload every alert record carries, whole.

Aviation units at this edge (``dcpa_nm``, ``dz_cpa_ft``), SI inside. Version 1 is the
payload of release 0.1.0; it is also what ``GET /v1/alerts`` and the event streams show.
A notice incursion (0.2.0) names one track and, under ``notice``, the notice it is
into; the payload without a ``kind`` of 0.1.0 is a conflict's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airhotline import units
from airhotline.clock import iso_from_us
from airhotline.core.alerts.model import (
    CONFLICT,
    INCURSION,
    Acknowledgement,
    Alert,
    Tier,
    notice_subject,
)
from airhotline.core.picture import TrackKey

__all__ = ["alert_from_payload", "alert_payload", "ft", "names_in", "nm", "pair_in"]


def nm(value: float) -> float:
    """Metres as the NM an alert says (0.1 m resolution)."""
    return round(float(units.nm_from_m(value)), 4)


def ft(value: float) -> float:
    """Metres as the feet an alert says."""
    return round(float(units.ft_from_m(value)), 1)


def _nm(value: float | None) -> float | None:
    return None if value is None else nm(value)


def _ft(value: float | None) -> float | None:
    return None if value is None else ft(value)


def _m_of_nm(value: float | None) -> float | None:
    return None if value is None else float(units.m_from_nm(value))


def _m_of_ft(value: float | None) -> float | None:
    return None if value is None else float(units.m_from_ft(value))


def alert_payload(alert: Alert, names: tuple[str | None, str | None]) -> dict[str, Any]:
    """The payload of ``alert``; ``names`` are the parties of its two tracks."""

    def track(key: tuple[int, str], name: str | None, coasting: bool) -> dict[str, Any]:
        return {"party": name, "party_id": key[0], "track_id": key[1], "coasting": coasting}

    tracks = [track(alert.track_a, names[0], alert.coasting[0])]
    about: dict[str, Any] = {}
    if alert.notice_id is None:
        tracks.append(track(alert.track_b, names[1], alert.coasting[1]))
    else:
        about["notice"] = {
            "party": names[1],
            "party_id": alert.track_b[0],
            "notice_id": alert.notice_id,
            "kind": alert.notice_kind,
        }
    return {
        "alert_id": alert.id,
        "kind": alert.kind,
        **about,
        "tier": alert.tier.label,
        "state": "active" if alert.active else "resolved",
        "tracks": tracks,
        "raised": iso_from_us(alert.raised_us),
        "raised_us": alert.raised_us,
        "updated_us": alert.updated_us,
        "tier_since_us": alert.tier_since_us,
        "caution_since_us": alert.caution_since_us,
        "warning_since_us": alert.warning_since_us,
        "t_in_s": round(alert.t_in_s, 2),
        "t_out_s": round(alert.t_out_s, 2),
        "t_cpa_s": round(alert.t_cpa_s, 2),
        "dcpa_nm": _nm(alert.dcpa_m),
        "dz_cpa_ft": _ft(alert.dz_cpa_m),
        "los": alert.los,
        "acknowledgements": [
            {"party": a.party, "party_id": p, "token_id": a.token_id, "time_us": a.time_us}
            for p, a in alert.acknowledgements
        ],
        "escalation": alert.escalation,
        "min_h_sep_nm": _nm(alert.min_h_m),
        "min_h_sep_at_us": alert.min_h_at_us,
        "min_v_sep_ft": _ft(alert.min_v_m),
        "min_v_sep_at_us": alert.min_v_at_us,
        "resolved_us": alert.resolved_us,
        "resolution": alert.resolution,
    }


def alert_from_payload(payload: Mapping[str, Any]) -> Alert:
    a = payload["tracks"][0]
    track_a, track_b = pair_in(payload)
    b = payload["tracks"][1] if payload.get("kind", CONFLICT) == CONFLICT else {}
    notice = payload.get("notice") or {}
    return Alert(
        id=payload["alert_id"],
        track_a=track_a,
        track_b=track_b,
        notice_kind=notice.get("kind"),
        tier=Tier[str(payload["tier"]).upper()],
        raised_us=int(payload["raised_us"]),
        updated_us=int(payload["updated_us"]),
        tier_since_us=int(payload["tier_since_us"]),
        caution_since_us=payload["caution_since_us"],
        warning_since_us=payload["warning_since_us"],
        t_in_s=float(payload["t_in_s"]),
        t_out_s=float(payload["t_out_s"]),
        t_cpa_s=float(payload["t_cpa_s"]),
        dcpa_m=_m_of_nm(payload["dcpa_nm"]) or 0.0,
        dz_cpa_m=_m_of_ft(payload["dz_cpa_ft"]) or 0.0,
        los=bool(payload["los"]),
        acknowledgements=tuple(
            (int(x["party_id"]), Acknowledgement(x["party"], int(x["token_id"]), x["time_us"]))
            for x in payload["acknowledgements"]
        ),
        coasting=(bool(a.get("coasting", False)), bool(b.get("coasting", False))),
        escalation=int(payload["escalation"]),
        min_h_m=_m_of_nm(payload["min_h_sep_nm"]),
        min_h_at_us=payload["min_h_sep_at_us"],
        min_v_m=_m_of_ft(payload["min_v_sep_ft"]),
        min_v_at_us=payload["min_v_sep_at_us"],
        resolved_us=payload["resolved_us"],
        resolution=payload["resolution"],
    )


def pair_in(payload: Mapping[str, Any]) -> tuple[TrackKey, TrackKey]:
    """The two tracks an alert payload names (an incursion: its track and its notice's
    subject), without decoding the rest."""
    a = payload["tracks"][0]
    first = (int(a["party_id"]), str(a["track_id"]))
    if payload.get("kind", CONFLICT) == INCURSION:
        notice = payload["notice"]
        return first, notice_subject(int(notice["party_id"]), str(notice["notice_id"]))
    b = payload["tracks"][1]
    return first, (int(b["party_id"]), str(b["track_id"]))


def names_in(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The party names an alert payload gives its two sides."""
    a = payload["tracks"][0]
    if payload.get("kind", CONFLICT) == INCURSION:
        return (a["party"], payload["notice"]["party"])
    return (a["party"], payload["tracks"][1]["party"])
