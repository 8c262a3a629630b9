"""Proposals: submit (check and store in one transaction), list; the summary of a stored one."""

from __future__ import annotations

from typing import Any, Literal

from knowledge.documents import to_jsonable
from knowledge.errors import InvalidInput, Problem
from knowledge.proposal import Proposal
from knowledge.reference import load_reference
from knowledge.review_chain import load_review_chain
from service import repository
from service.auth import Principal
from service.deps import Services
from service.models import StoredProposal
from service.schemas import ProposalPage, ProposalPublic, ProposalSummary, StageView

VerdictFilter = Literal["eligible", "needs_revision", "ineligible"]
LISTED_STATES = ("draft", "returned", "approved", "withdrawn")  # listing filters besides the chain's stages


def stage_view(row: StoredProposal) -> StageView | None:
    """The stage a proposal waits at (or was returned from); none once approved or withdrawn."""
    chain = load_review_chain()
    if row.state not in ("in_review", "returned") or row.stage_index > chain.last:
        return None
    stage = chain.stage(row.stage_index)
    return StageView(index=row.stage_index, id=stage.id, scope=stage.scope, name=stage.name.model_dump())


def summary(row: StoredProposal) -> ProposalSummary:
    return ProposalSummary(id=row.id, cycle=row.cycle, kecamatan=row.kecamatan, kelurahan=row.kelurahan,
                           rw=row.rw, title=row.title, status=row.status, verdict=row.verdict,
                           decision_id=row.decision_id, synthetic=row.synthetic, created_at=row.created_at,
                           state=row.state, revision=row.revision, stage=stage_view(row), updated_at=row.updated_at)


def public(row: StoredProposal, check: dict[str, Any]) -> ProposalPublic:
    return ProposalPublic(**summary(row).model_dump(), proposal=row.content, check=check)


def submit_proposal(services: Services, key: Principal, proposal: Proposal) -> ProposalPublic:
    """Check with the version in force for the proposal's cycle and store both in one transaction.

    A facilitator submits for its own kelurahan only; one active proposal per RW per cycle
    (a second is a conflict naming the first).
    """
    key.require_kelurahan(proposal.region.kelurahan)
    check, used = services.engines.check_audited(proposal)
    content = to_jsonable(proposal.model_dump(mode="json"))
    with services.db.session() as session:
        row = repository.submit_proposal(session, proposal=content, check=check, key_id=key.key_id,
                                         kb_hash=used.content_hash)
    return public(row, check)


def stage_filter(stage: str | None) -> tuple[str | None, list[int] | None]:
    """(state, stage indices) of a listing's `stage`: a stage of the review chain, or draft, returned, approved,
    withdrawn."""
    if stage is None:
        return None, None
    chain = load_review_chain()
    for index, known in enumerate(chain.stages):
        if known.id == stage:
            return "in_review", [index]
    if stage in LISTED_STATES:
        return stage, None
    names = ", ".join([s.id for s in chain.stages] + list(LISTED_STATES))
    raise InvalidInput([Problem("query.stage", f"tahap '{stage}' tidak dikenal; pilih salah satu dari {names}",
                                f"unknown stage '{stage}'; choose one of {names}")])


def list_proposals(services: Services, key: Principal, *, cycle: int | None, kelurahan: str | None,
                   verdict: VerdictFilter | None, offset: int, limit: int, stage: str | None = None) -> ProposalPage:
    """A filtered page of proposals (by cycle, kelurahan, verdict, stage); a facilitator sees only its own kelurahan."""
    state, stage_indices = stage_filter(stage)
    if kelurahan is not None:
        known = load_reference().find_kelurahan(kelurahan)
        kelurahan = known.name if known else kelurahan
    if key.scoped_kelurahan is not None:
        if kelurahan is not None:
            key.require_kelurahan(kelurahan)
        kelurahan = key.scoped_kelurahan
    with services.db.session() as session:
        # Drafts are listed for their kelurahan's facilitators only (no reviewer or other role sees them yet).
        rows, total = repository.list_proposals(session, cycle=cycle, kelurahan=kelurahan, verdict=verdict,
                                                state=state, stage_indices=stage_indices, offset=offset, limit=limit,
                                                drafts=key.scoped_kelurahan is not None)
    return ProposalPage(items=[summary(r) for r in rows], total=total, offset=offset, limit=limit)


def listed_cycles(services: Services, key: Principal) -> list[int]:
    """The cycles of the proposals this key lists (a facilitator: its kelurahan's), newest first."""
    with services.db.session() as session:
        return repository.proposal_cycles(session, kelurahan=key.scoped_kelurahan)
