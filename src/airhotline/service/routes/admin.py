"""Parties, tokens and agreements: the admin's resources (operators read their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from airhotline.clock import iso_from_us
from airhotline.core.access import (
    AgreementMode,
    AgreementStatus,
    Minima,
    Principal,
    Role,
    Sharing,
)
from airhotline.core.node import HotlineNode
from airhotline.service.schemas import (
    AgreementIn,
    AgreementOut,
    LineOut,
    MeOut,
    NewPartyOut,
    PartyIn,
    PartyOut,
    TokenIn,
    TokenOut,
)
from airhotline.service.security import Node, allow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["admin"])
Admin = Annotated[Principal, Depends(allow(Role.ADMIN))]
Reader = Annotated[Principal, Depends(allow(Role.OPERATOR, Role.ADMIN))]
Anyone = Annotated[Principal, Depends(allow(Role.FEED, Role.OPERATOR, Role.ADMIN))]


@router.get("/me", operation_id="who_am_i", response_model=MeOut, tags=["access"])
def who_am_i(node: Node, caller: Anyone) -> MeOut:
    return MeOut(
        role=caller.role.value,
        party=caller.party_name,
        token_id=caller.token_id,
        lang="en" if caller.party_id is None else node.party(caller.party_id).lang,
        last_event_id=node.last_event_id(caller),
    )


@router.get("/parties", operation_id="list_parties", response_model=list[PartyOut])
def list_parties(node: Node, caller: Reader) -> list[PartyOut]:
    """Every party (the admin), or the caller's own and those it has an active agreement
    with — the ones it may call — each with the state of its line."""
    viewer = caller.party_id
    shown = [
        p
        for p in node.parties()
        if viewer is None or p.id == viewer or node.sharing(p.id, viewer).conflicts
    ]
    return [PartyOut(name=p.name, lang=p.lang, line=_line(node, p.id)) for p in shown]


def _line(node: HotlineNode, party_id: int) -> LineOut:
    line = node.messages.line(party_id)
    since = iso_from_us(line.since_us) if line.since_us is not None else None
    return LineOut(state=line.state.value, since=since)


@router.post("/parties", operation_id="add_party", response_model=NewPartyOut, status_code=201)
def add_party(node: Node, _: Admin, body: PartyIn) -> NewPartyOut:
    created = node.add_party(body.name, body.lang)
    return NewPartyOut(
        party=PartyOut(name=created.party.name, lang=created.party.lang),
        tokens=[
            TokenOut(id=token_id, role=role.value, token=token)
            for role, (token_id, token) in created.tokens.items()
        ],
    )


@router.post("/tokens", operation_id="issue_token", response_model=TokenOut, status_code=201)
def issue_token(node: Node, _: Admin, body: TokenIn) -> TokenOut:
    token_id, token = node.issue_token(body.party, Role(body.role))
    return TokenOut(id=token_id, role=body.role, token=token)


@router.delete(
    "/tokens/{token_id}", operation_id="revoke_token", status_code=204, response_class=Response
)
def revoke_token(node: Node, _: Admin, token_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    node.revoke_token(token_id)
    return Response(status_code=204)


@router.get("/agreements", operation_id="list_agreements", response_model=list[AgreementOut])
def list_agreements(node: Node, caller: Reader) -> list[AgreementOut]:
    return [
        _agreement_out([a.name, b.name], sh) for a, b, sh in node.agreements_of(caller.party_id)
    ]


def _agreement_out(parties: list[str], sharing: Sharing) -> AgreementOut:
    m = sharing.minima
    return AgreementOut(
        parties=parties,
        mode=sharing.mode.value,
        status=sharing.status.value,
        h_sep_nm=m.h_sep_nm,
        v_sep_ft=m.v_sep_ft,
        lookahead_s=m.lookahead_s,
    )


@router.put("/agreements", operation_id="set_agreement", response_model=AgreementOut)
def set_agreement(node: Node, _: Admin, body: AgreementIn) -> AgreementOut:
    first, second = body.parties
    minima = Minima(
        *(None if v is None else float(v) for v in (body.h_sep_nm, body.v_sep_ft, body.lookahead_s))
    )
    mode, status = AgreementMode(body.mode), AgreementStatus(body.status)
    node.set_agreement(first, second, mode, status, minima)
    return _agreement_out(sorted([first, second]), Sharing(mode, status, minima))
