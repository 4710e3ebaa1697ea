"""Cleared proximities: one party proposes, the other accepts, either revokes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path

from airhotline.clock import iso_from_us
from airhotline.core.access import Principal, Role
from airhotline.core.exemptions import Exemption
from airhotline.service.security import Node, allow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["exemptions"])
Reader = Annotated[Principal, Depends(allow(Role.OPERATOR, Role.ADMIN))]
Operator = Annotated[Principal, Depends(allow(Role.OPERATOR))]

ExemptionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-zA-Z_-]+$")]
ExemptionBody = Annotated[
    dict[str, Any],
    Body(
        description="track_id (the caller's), other_party, other_track_id, window (start,"
        " end in UTC; at most 12 h)"
    ),
]


def exemption_out(exemption: Exemption) -> dict[str, Any]:
    return {
        **exemption.spec(),
        "state": exemption.state,
        "accepted": iso_from_us(exemption.accepted_us) if exemption.accepted_us else None,
        "revoked": iso_from_us(exemption.revoked_us) if exemption.revoked_us else None,
    }


@router.post("/exemptions", operation_id="propose_exemption", status_code=201)
def propose_exemption(node: Node, caller: Operator, body: ExemptionBody) -> dict[str, Any]:
    """Propose a cleared proximity between one of the caller's tracks and another
    party's: it takes effect once that party accepts."""
    return exemption_out(node.propose_exemption(caller, body))


@router.get("/exemptions", operation_id="list_exemptions")
async def list_exemptions(node: Node, caller: Reader) -> list[dict[str, Any]]:
    return [exemption_out(e) for e in node.exemptions_of(caller)]


@router.post("/exemptions/{exemption_id}/accept", operation_id="accept_exemption")
def accept_exemption(node: Node, caller: Operator, exemption_id: ExemptionId) -> dict[str, Any]:
    return exemption_out(node.accept_exemption(caller, exemption_id))


@router.delete("/exemptions/{exemption_id}", operation_id="revoke_exemption")
def revoke_exemption(node: Node, caller: Operator, exemption_id: ExemptionId) -> dict[str, Any]:
    """Either party ends it; again is harmless."""
    return exemption_out(node.revoke_exemption(caller, exemption_id))
