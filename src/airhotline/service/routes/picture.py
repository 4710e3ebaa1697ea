"""``GET /v1/picture``: one's own tracks and what agreements and alerts let one see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from airhotline import units
from airhotline.clock import iso_from_us
from airhotline.core.access import Principal, Role
from airhotline.service.schemas import AgreementOut, PictureOut, PictureTrackOut
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
