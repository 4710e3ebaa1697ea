"""Designated zones: the admin designates, changes and removes them; every party reads
them (they hold every party's aircraft)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Response

from airhotline.core.access import Principal, Role
from airhotline.core.notices.zones import Zone
from airhotline.service.security import Node, allow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["zones"])
Reader = Annotated[Principal, Depends(allow(Role.OPERATOR, Role.ADMIN))]
Admin = Annotated[Principal, Depends(allow(Role.ADMIN))]

ZoneId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-zA-Z_-]+$")]
ZoneBody = Annotated[
    dict[str, Any],
    Body(
        description="name, area (as a notice's), lower and upper (default SFC to UNL),"
        " h_sep_nm and v_sep_ft (the zone's minima), quiet (parties of a declared joint"
        " activity, not alerted against each other inside)"
    ),
]


def zone_out(zone: Zone) -> dict[str, Any]:
    """The zone as designated, and its ``outline``: the area as a GeoJSON geometry (a
    circle or corridor drawn as the polygon the hotline tests against), for a map."""
    return {"zone_id": zone.id, **zone.spec(), "outline": zone.area.geometry()}


@router.post("/zones", operation_id="designate_zone", status_code=201)
def designate_zone(node: Node, _: Admin, body: ZoneBody) -> dict[str, Any]:
    """Designate a zone with minima of its own and/or a joint activity."""
    return zone_out(node.set_zone(body))


@router.put("/zones/{zone_id}", operation_id="change_zone")
def change_zone(node: Node, _: Admin, zone_id: ZoneId, body: ZoneBody) -> dict[str, Any]:
    return zone_out(node.set_zone(body, zone_id))


@router.get("/zones", operation_id="list_zones")
async def list_zones(node: Node, _: Reader) -> list[dict[str, Any]]:
    """Every designated zone: they hold every party's aircraft."""
    return [zone_out(z) for z in node.zones.zones()]


@router.delete("/zones/{zone_id}", operation_id="remove_zone", status_code=204)
def remove_zone(node: Node, _: Admin, zone_id: ZoneId) -> Response:
    node.remove_zone(zone_id)
    return Response(status_code=204)
