"""``GET /v1/picture``: one's own tracks and what agreements and alerts let one see."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends

from airhotline import units
from airhotline.clock import iso_from_us
from airhotline.core.access import Principal, Role
from airhotline.service.schemas import (
    AgreementOut,
    PictureColumnsOut,
    PictureOut,
    PictureTrackOut,
)
from airhotline.service.security import Node, allow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["picture"])
Operator = Annotated[Principal, Depends(allow(Role.OPERATOR))]


@router.get("/picture", operation_id="get_picture", response_model=PictureOut)
def get_picture(node: Node, caller: Operator) -> PictureOut:
    view, owners = node.picture_for(caller)
    s = view.states
    tracks = [
        PictureTrackOut(
            party=owners[row],
            track_id=view.track_id[row],
            last_report=iso_from_us(int(view.report_time_us[row])),
            lat=round(float(s.lat_deg[row]), 6),
            lon=round(float(s.lon_deg[row]), 6),
            alt_ft=round(float(units.ft_from_m(s.alt_m[row])), 1),
            gs_kt=round(float(units.kt_from_mps(s.gs_mps[row])), 1),
            track_deg=round(float(units.deg_from_rad(s.track_rad[row])) % 360.0, 2),
            vrate_fpm=round(float(units.fpm_from_mps(s.vrate_mps[row])), 0),
            status="coasting" if view.coasting[row] else "live",
            callsign=view.callsign[row],
            icao24=view.icao24[row],
            aircraft_type=view.aircraft_type[row],
        )
        for row in range(len(view))
    ]
    agreements = [
        AgreementOut(parties=[a.name, b.name], mode=sh.mode.value, status=sh.status.value)
        for a, b, sh in node.agreements_of(caller.party_id)
    ]
    assert caller.party_name is not None
    return PictureOut(
        time=iso_from_us(view.time_us),
        party=caller.party_name,
        tracks=tracks,
        agreements=agreements,
    )


@router.get(
    "/picture/columns", operation_id="get_picture_columns", response_model=PictureColumnsOut
)
def get_picture_columns(node: Node, caller: Operator) -> PictureColumnsOut:
    """The same picture as ``/v1/picture``, one array per field: what the console draws
    once a second (5 000 tracks cost a few arrays, not 5 000 objects)."""
    view, owners = node.picture_for(caller)
    s = view.states
    assert caller.party_name is not None
    return PictureColumnsOut(
        time=iso_from_us(view.time_us),
        party=caller.party_name,
        owner=owners,
        track_id=list(view.track_id),
        age_s=np.round((view.time_us - view.report_time_us) / 1e6, 1).tolist(),
        lat=np.round(s.lat_deg, 5).tolist(),
        lon=np.round(s.lon_deg, 5).tolist(),
        alt_ft=np.round(units.ft_from_m(s.alt_m)).tolist(),
        gs_kt=np.round(units.kt_from_mps(s.gs_mps)).tolist(),
        track_deg=np.round(np.mod(units.deg_from_rad(s.track_rad), 360.0), 1).tolist(),
        vrate_fpm=np.round(units.fpm_from_mps(s.vrate_mps), -1).tolist(),
        coasting=np.asarray(view.coasting, dtype=bool).tolist(),
        callsign=list(view.callsign),
    )
