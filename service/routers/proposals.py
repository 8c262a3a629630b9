"""POST/GET /v1/proposals: submissions by facilitators, stored with their check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from knowledge.proposal import Proposal
from service.auth import MayReadProposals, MaySubmitProposals
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_PROPOSAL, ProposalPage, ProposalPublic
from service.schemas_journey import ProposalJourney
from service.usecases import journey, proposals
from service.usecases.proposals import VerdictFilter

router = APIRouter(prefix="/v1", tags=["proposals"])

ProposalBody = Annotated[Proposal, Depends(json_body(Proposal))]
BODY_DOC = body_doc(Proposal, {"drainase": {"summary": "Proposal RW 5 Cibabat / RW 5 of Cibabat",
                                            "value": EXAMPLE_PROPOSAL}})


@router.post("/proposals", status_code=201, response_model=ProposalPublic, openapi_extra=BODY_DOC,
             summary="Ajukan proposal / submit a proposal", responses=problems(401, 403, 409, 413, 422, 503))
def submit_proposal(key: MaySubmitProposals, proposal: ProposalBody, services: ServicesDep) -> ProposalPublic:
    """Check and store a proposal in one transaction (facilitators, own kelurahan only).

    The check uses the knowledge-base version in force for the proposal's cycle; the decision
    records that version and its content hash.

    One active proposal per RW per cycle: a second gets 409 naming the first.
    """
    return proposals.submit_proposal(services, key, proposal)


@router.get("/proposals/{proposal_id}", response_model=ProposalJourney,
            summary="Satu proposal / one proposal", responses=problems(401, 403, 404))
def get_proposal(proposal_id: str, key: MayReadProposals, services: ServicesDep) -> ProposalJourney:
    """The proposal with its check, where it is in review, its revisions, timeline and exceptions."""
    return journey.journey_of(services, proposal_id, key)


@router.get("/proposals", response_model=ProposalPage, summary="Daftar proposal / list proposals",
            responses=problems(401, 403, 422))
def list_proposals(
    key: MayReadProposals, services: ServicesDep,
    cycle: Annotated[int | None, Query(ge=2000, le=2100, examples=[2022])] = None,
    kelurahan: Annotated[str | None, Query(max_length=80, examples=["Cibabat"])] = None,
    verdict: VerdictFilter | None = None,
    stage: Annotated[str | None, Query(max_length=40, examples=["kecamatan", "returned"])] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProposalPage:
    """Paginated, filtered list; a facilitator sees only its own kelurahan.

    `stage`: a stage of the review chain (waiting there), or returned, approved, withdrawn.
    """
    return proposals.list_proposals(services, key, cycle=cycle, kelurahan=kelurahan, verdict=verdict,
                                    stage=stage, offset=offset, limit=limit)
