"""Dangerous-activity notices: publish, amend (naming the version replaced), cancel,
list, export as GeoJSON. The core checks every field (`airhotline.core.notices`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from airhotline.clock import iso_from_us
from airhotline.core.access import Principal, Role
from airhotline.core.notices.model import Notice
from airhotline.service.security import Node, allow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["notices"])
Reader = Annotated[Principal, Depends(allow(Role.OPERATOR, Role.ADMIN))]
Operator = Annotated[Principal, Depends(allow(Role.OPERATOR))]
NoticeId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-zA-Z_-]+$")]
NoticeBody = Annotated[
    dict[str, Any],
    Body(
        description="kind, area (GeoJSON Polygon or MultiPolygon, Circle with center and"
        " radius_nm, Corridor with coordinates and half_width_nm), lower and upper (SFC,"
        " feet, FL350, UNL), window (start, end in UTC; optional daily periods),"
        " description, and optionally to (party names)"
    ),
]


def notice_out(notice: Notice, reader: int | None) -> dict[str, Any]:
    """A notice as its reader may see it: a restricted notice's other readers are the
    owner's (and the admin's) to know."""
    out: dict[str, Any] = {
        "notice_id": notice.id,
        "version": notice.version,
        "party": notice.owner_name,
        **notice.spec(),
        "restricted": notice.restricted,
        "short_notice": notice.short_notice,
        "state": "active" if notice.active else "cancelled",
        "published": iso_from_us(notice.published_us),
        "cancelled": iso_from_us(notice.cancelled_us) if notice.cancelled_us else None,
    }
    return out


def _with_recipients(node: Node, notice: Notice, reader: int | None) -> dict[str, Any]:
    out = notice_out(notice, reader)
    if not notice.restricted or reader in (None, notice.owner):
        out["to"] = [node.party(p).name for p in notice.recipients]
    return out


@router.post("/notices", operation_id="publish_notice", status_code=201)
def publish_notice(node: Node, caller: Operator, body: NoticeBody) -> dict[str, Any]:
    """Publish a notice to every party with an active agreement, or to those named."""
    notice = node.notices.publish(caller, body)
    return _with_recipients(node, notice, caller.party_id)


@router.get("/notices", operation_id="list_notices")
async def list_notices(
    node: Node,
    caller: Reader,
    active: Annotated[bool | None, Query(description="Only active or cancelled ones")] = None,
) -> list[dict[str, Any]]:
    """The notices the caller published or was told of (the admin: all): current and
    future ones, and those ended or cancelled within a day."""
    found = node.notices.notices(party_id=caller.party_id, active=active)
    return [_with_recipients(node, n, caller.party_id) for n in found]


@router.get(
    "/notices.geojson",
    operation_id="export_notices",
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def export_notices(node: Node, caller: Reader) -> dict[str, Any]:
    """What the caller may see, as a GeoJSON FeatureCollection; each feature's
    properties hold its band and window."""
    features = []
    for notice in node.notices.notices(party_id=caller.party_id, active=True):
        geometry = notice.area.geometry()
        properties = _with_recipients(node, notice, caller.party_id)
        properties["area"] = properties["area"]["type"]
        features.append(
            {"type": "Feature", "id": notice.id, "geometry": geometry, "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


@router.get("/notices/{notice_id}", operation_id="get_notice")
async def get_notice(node: Node, caller: Reader, notice_id: NoticeId) -> dict[str, Any]:
    """One notice with every version's publication time."""
    notice = node.notices.get(notice_id, party_id=caller.party_id)
    out = _with_recipients(node, notice, caller.party_id)
    out["versions"] = [
        {"version": v.version, "published": iso_from_us(v.published_us)}
        for v in node.notices.versions(notice_id)
    ]
    return out


@router.patch(
    "/notices/{notice_id}",
    operation_id="amend_notice",
    responses={409: {"description": "replaces names a version that is no longer current"}},
)
def amend_notice(
    node: Node, caller: Operator, notice_id: NoticeId, body: NoticeBody
) -> dict[str, Any]:
    """A new version of the caller's notice: ``replaces`` names the current version;
    fields left out keep their value."""
    notice = node.notices.amend(caller, notice_id, body)
    return _with_recipients(node, notice, caller.party_id)


@router.delete("/notices/{notice_id}", operation_id="cancel_notice")
def cancel_notice(
    node: Node,
    caller: Operator,
    notice_id: NoticeId,
    version: Annotated[int | None, Query(ge=1, le=2**31, description="Must be current")] = None,
) -> dict[str, Any]:
    """Withdraw the caller's notice; again is harmless."""
    notice = node.notices.cancel(caller, notice_id, version)
    return _with_recipients(node, notice, caller.party_id)
