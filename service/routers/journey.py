"""A proposal's journey through review: revisions, amendments, withdrawal, reviewers' decisions and exceptions,
the reviewer's queue, and the rules overridden most per cycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from service.auth import MayReadPolicy, MayReviewProposals, MaySubmitProposals
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import Cycle, problems
from service.schemas import ProposalPage
from service.schemas_journey import (
    AmendmentRequest,
    DecisionRequest,
    ExceptionRequest,
    OverrideReport,
    ProposalJourney,
    RevisionRequest,
    WithdrawRequest,
)
from service.usecases import journey, reviews

router = APIRouter(prefix="/v1", tags=["review"])
CHANGE = problems(401, 403, 404, 409, 413, 422, 503)


@router.post("/proposals/{proposal_id}/revisions", response_model=ProposalJourney, responses=CHANGE,
             openapi_extra=body_doc(RevisionRequest), summary="Revisi proposal / revise a proposal")
def revise(proposal_id: str, key: MaySubmitProposals, services: ServicesDep,
           request: Annotated[RevisionRequest, Depends(json_body(RevisionRequest))]) -> ProposalJourney:
    """A new version of the same proposal (same cycle and RW), checked again; back to the first stage.

    In review or returned only: an approved proposal needs an amendment, a withdrawn one is closed (409).
    """
    return journey.revise(services, key, proposal_id, request)


@router.post("/proposals/{proposal_id}/amendments", response_model=ProposalJourney, responses=CHANGE,
             openapi_extra=body_doc(AmendmentRequest), summary="Amendemen / amend an approved proposal")
def amend(proposal_id: str, key: MaySubmitProposals, services: ServicesDep,
          request: Annotated[AmendmentRequest, Depends(json_body(AmendmentRequest))]) -> ProposalJourney:
    """Change an approved proposal: a new revision with its berita acara perubahan (required, 422 without)."""
    return journey.amend(services, key, proposal_id, request)


@router.post("/proposals/{proposal_id}/withdrawal", response_model=ProposalJourney, responses=CHANGE,
             openapi_extra=body_doc(WithdrawRequest), summary="Tarik proposal / withdraw a proposal")
def withdraw(proposal_id: str, key: MaySubmitProposals, services: ServicesDep,
             request: Annotated[WithdrawRequest, Depends(json_body(WithdrawRequest))]) -> ProposalJourney:
    """Withdraw before approval; the RW may then submit another proposal for the cycle."""
    return journey.withdraw(services, key, proposal_id, request)


@router.post("/proposals/{proposal_id}/decisions", response_model=ProposalJourney, responses=CHANGE,
             openapi_extra=body_doc(DecisionRequest), summary="Putusan peninjau / a reviewer's decision")
def decide(proposal_id: str, key: MayReviewProposals, services: ServicesDep,
           request: Annotated[DecisionRequest, Depends(json_body(DecisionRequest))]) -> ProposalJourney:
    """Approve or return (with a note) at the stage the proposal waits at; only that stage's reviewers of its
    region (403 otherwise, nothing changed). Two decisions on the same `row_version`: one wins, the other 409."""
    return reviews.decide(services, key, proposal_id, request)


@router.post("/proposals/{proposal_id}/exceptions", response_model=ProposalJourney, responses=CHANGE,
             openapi_extra=body_doc(ExceptionRequest), summary="Pengecualian / accept a finding as an exception")
def accept_exception(proposal_id: str, key: MayReviewProposals, services: ServicesDep,
                     request: Annotated[ExceptionRequest, Depends(json_body(ExceptionRequest))]) -> ProposalJourney:
    """Accept one finding of the current check as a justified exception, with its reason (audited, counted)."""
    return reviews.accept_exception(services, key, proposal_id, request)


@router.get("/reviews/queue", response_model=ProposalPage, responses=problems(401, 403, 422),
            summary="Antrean peninjau / proposals waiting at the reviewer's stage")
def review_queue(key: MayReviewProposals, services: ServicesDep, cycle: Cycle = None,
                 offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> ProposalPage:
    return reviews.queue(services, key, cycle=cycle, offset=offset, limit=limit)


@router.get("/policy/overrides", response_model=OverrideReport, responses=problems(401, 403, 422),
            summary="Aturan yang paling sering dikecualikan / rules overridden most, per cycle")
def overrides(key: MayReadPolicy, services: ServicesDep, cycle: Cycle = None) -> OverrideReport:
    return reviews.overrides(services, cycle)
