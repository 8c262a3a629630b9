"""POST/GET /v1/proposals: submissions by facilitators, stored with their check."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from knowledge.documents import to_jsonable
from knowledge.proposal import Proposal
from knowledge.reference import load_reference
from service import repository
from service.auth import CurrentKey, requires
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.models import StoredProposal
from service.routers.common import problems
from service.schemas import EXAMPLE_PROPOSAL, ProposalPage, ProposalPublic, ProposalSummary

router = APIRouter(prefix="/v1", tags=["proposals"])

ProposalBody = Annotated[Proposal, Depends(json_body(Proposal))]
BODY_DOC = body_doc(Proposal, {"drainase": {"summary": "Proposal RW 5 Cibabat / RW 5 of Cibabat",
                                            "value": EXAMPLE_PROPOSAL}})


def summary(row: StoredProposal) -> ProposalSummary:
    return ProposalSummary(id=row.id, cycle=row.cycle, kecamatan=row.kecamatan, kelurahan=row.kelurahan,
                           rw=row.rw, title=row.title, status=row.status, verdict=row.verdict,
                           decision_id=row.decision_id, synthetic=row.synthetic, created_at=row.created_at)


def public(row: StoredProposal, check: dict) -> ProposalPublic:
    return ProposalPublic(**summary(row).model_dump(), proposal=row.content, check=check)


@router.post("/proposals", status_code=201, response_model=ProposalPublic, openapi_extra=BODY_DOC,
             dependencies=[Depends(requires("proposals:submit"))],
             summary="Ajukan proposal / submit a proposal", responses=problems(401, 403, 409, 413, 422, 503))
def submit_proposal(proposal: ProposalBody, key: CurrentKey, services: ServicesDep) -> ProposalPublic:
    """Check and store a proposal in one transaction (facilitators, own kelurahan only).

    The check uses the knowledge-base version in force for the proposal's cycle; the decision
    records that version and its content hash.

    One active proposal per RW per cycle: a second gets 409 naming the first.
    """
    key.require("proposals:submit").require_kelurahan(proposal.region.kelurahan)
    check, used = services.engines.check_audited(proposal)
    content = to_jsonable(proposal.model_dump(mode="json"))
    with services.db.session() as session:
        row = repository.submit_proposal(session, proposal=content, check=check, key_id=key.key_id,
                                         kb_hash=used["content_hash"])
    return public(row, check)


@router.get("/proposals/{proposal_id}", response_model=ProposalPublic,
            summary="Satu proposal / one proposal", responses=problems(401, 403, 404))
def get_proposal(proposal_id: str, key: CurrentKey, services: ServicesDep) -> ProposalPublic:
    key.require("proposals:read")
    with services.db.session() as session:
        row = repository.get_proposal(session, proposal_id)
        key.require_kelurahan(row.kelurahan)
        decision = repository.get_decision(session, row.decision_id)
        return public(row, decision.output)


@router.get("/proposals", response_model=ProposalPage, summary="Daftar proposal / list proposals",
            responses=problems(401, 403, 422))
def list_proposals(
    key: CurrentKey, services: ServicesDep,
    cycle: Annotated[int | None, Query(ge=2000, le=2100, examples=[2022])] = None,
    kelurahan: Annotated[str | None, Query(max_length=80, examples=["Cibabat"])] = None,
    verdict: Literal["eligible", "needs_revision", "ineligible"] | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProposalPage:
    """Paginated, filtered list; a facilitator sees only its own kelurahan."""
    key.require("proposals:read")
    if kelurahan is not None:
        known = load_reference().find_kelurahan(kelurahan)
        kelurahan = known.name if known else kelurahan
    if key.role == "facilitator":
        if kelurahan is not None:
            key.require_kelurahan(kelurahan)
        kelurahan = key.kelurahan
    with services.db.session() as session:
        rows, total = repository.list_proposals(session, cycle=cycle, kelurahan=kelurahan, verdict=verdict,
                                                offset=offset, limit=limit)
    return ProposalPage(items=[summary(r) for r in rows], total=total, offset=offset, limit=limit)
