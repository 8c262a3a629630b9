"""POST/GET /v1/proposals: submissions by facilitators, stored with their check; drafts before submission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from knowledge.proposal import Proposal
from service.auth import MayReadProposals, MaySubmitProposals
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_PROPOSAL, ProposalPage, ProposalPublic
from service.schemas_journey import DraftEditRequest, DraftSubmitRequest, ProposalJourney
from service.usecases import journey, proposal_drafts, proposals
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


@router.post("/proposals/drafts", status_code=201, response_model=ProposalPublic, openapi_extra=BODY_DOC,
             summary="Simpan draf proposal / save a draft proposal", responses=problems(401, 403, 409, 413, 422, 503))
def save_draft(key: MaySubmitProposals, proposal: ProposalBody, services: ServicesDep) -> ProposalPublic:
    """Check and store a draft (state `draft`): in no reviewer's queue, editable and deletable by its kelurahan.

    A draft is the RW's proposal for its cycle: a second draft or submission of the same RW and cycle is a 409.
    """
    return proposal_drafts.save_draft(services, key, proposal)


@router.put("/proposals/{proposal_id}/draft", response_model=ProposalJourney, openapi_extra=body_doc(DraftEditRequest),
            summary="Ubah draf / edit a draft", responses=problems(401, 403, 404, 409, 413, 422, 503))
def edit_draft(proposal_id: str, key: MaySubmitProposals, services: ServicesDep,
               request: Annotated[DraftEditRequest, Depends(json_body(DraftEditRequest))]) -> ProposalJourney:
    """Replace a draft's proposal (same cycle and RW), checked again. A submitted proposal is revised instead (409)."""
    return proposal_drafts.edit_draft(services, key, proposal_id, request)


@router.post("/proposals/{proposal_id}/submission", response_model=ProposalJourney,
             openapi_extra=body_doc(DraftSubmitRequest), summary="Ajukan draf / submit a draft",
             responses=problems(401, 403, 404, 409, 413, 422, 503))
def submit_draft(proposal_id: str, key: MaySubmitProposals, services: ServicesDep,
                 request: Annotated[DraftSubmitRequest, Depends(json_body(DraftSubmitRequest))]) -> ProposalJourney:
    """Submit a draft of one's own kelurahan (403 otherwise): checked again, then at the chain's first stage."""
    return proposal_drafts.submit_draft(services, key, proposal_id, request)


@router.delete("/proposals/{proposal_id}", status_code=204, response_class=Response,
               summary="Hapus draf / delete a draft", responses=problems(401, 403, 404, 409))
def delete_draft(proposal_id: str, key: MaySubmitProposals, services: ServicesDep,
                 row_version: Annotated[int | None, Query(ge=1, le=1_000_000_000)] = None) -> Response:
    """Delete a draft with its timeline (only drafts: a submitted proposal is withdrawn instead, 409)."""
    proposal_drafts.delete_draft(services, key, proposal_id, row_version)
    return Response(status_code=204)


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
