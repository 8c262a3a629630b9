"""Draft proposals: saved and checked, in no reviewer's queue, edited or deleted by their kelurahan, then submitted.

A draft is the first state of the lifecycle (draft -> submitted -> reviewed ...). It is stored as
the RW's proposal for its cycle, so "one active proposal per RW per cycle" counts drafts: a
second draft or submission of the same RW and cycle is a conflict naming the draft, which can
be submitted or deleted. Each save checks the proposal with the version in force (the check is
audited as every check is); submitting checks it again, since the rules or the cycle's version
may have changed since it was saved. A draft keeps revision 1: its edits replace it (the
timeline records each save), and the review's revisions start from what was submitted.
"""

from __future__ import annotations

from typing import Any

from knowledge.documents import parse_proposal, to_jsonable
from knowledge.proposal import Proposal
from service import journey_store, repository
from service.auth import Principal
from service.deps import Services
from service.models import StoredProposal
from service.schemas import ProposalPublic
from service.schemas_journey import (
    DraftEditRequest,
    DraftSubmitRequest,
    EventKind,
    ProposalJourney,
    ProposalState,
)
from service.usecases.journey import journey_of, refuse_state, require_visible, same_rw
from service.usecases.proposals import public


def save_draft(services: Services, key: Principal, proposal: Proposal) -> ProposalPublic:
    """Check and store a new draft (own kelurahan only; 409 when the RW has a proposal or draft for the cycle)."""
    key.require_kelurahan(proposal.region.kelurahan)
    check, used = services.engines.check_audited(proposal)
    content = to_jsonable(proposal.model_dump(mode="json"))
    with services.db.session() as session:
        row = repository.submit_proposal(session, proposal=content, check=check, key_id=key.key_id,
                                         kb_hash=used.content_hash, draft=True)
    return public(row, check)


def _draft(services: Services, key: Principal, proposal_id: str, doing_id: str, doing_en: str) -> StoredProposal:
    """The draft, read for a change: another kelurahan's does not exist for this key (404), a proposal no
    longer a draft 409 (another kelurahan's submitted proposal 403)."""
    with services.db.session() as session:
        row = repository.get_proposal(session, proposal_id)
    require_visible(key, row)
    if row.state != ProposalState.DRAFT:
        raise refuse_state(row, doing_id, doing_en)
    return row


def _store_check(services: Services, key: Principal, row_id: str, proposal: Proposal, *, expected: int | None,
                 doing: tuple[str, str], event: EventKind, **values: Any) -> None:
    """Check `proposal` and store it as the draft's content (and `values`), in one transaction."""
    check, used = services.engines.check_audited(proposal)
    content = to_jsonable(proposal.model_dump(mode="json"))
    with services.db.session() as session, session.begin():
        row = repository.get_proposal(session, row_id)
        if row.state != ProposalState.DRAFT:
            raise refuse_state(row, *doing)
        decision = repository.check_decision(content, check, key_id=key.key_id, kb_hash=used.content_hash)
        session.add(decision)
        session.flush()
        journey_store.advance(session, row, expected or row.row_version, content=content, verdict=check["verdict"],
                              decision_id=decision.id, title=proposal.title, **values)
        first = journey_store.revisions(session, row.id)[0]
        first.content, first.verdict, first.decision_id, first.key_id = content, check["verdict"], decision.id, key.key_id
        journey_store.add_event(session, row, event, key_id=key.key_id)


def edit_draft(services: Services, key: Principal, proposal_id: str, request: DraftEditRequest) -> ProposalJourney:
    """Replace a draft's proposal (same cycle and RW), checked again; a submitted proposal is revised instead (409)."""
    doing = ("diubah sebagai draf (proposal yang sudah diajukan diubah dengan revisi)",
             "be edited as a draft (a submitted proposal changes by a revision)")
    row = _draft(services, key, proposal_id, *doing)
    same_rw(row, request.proposal)
    _store_check(services, key, row.id, request.proposal, expected=request.row_version, doing=doing,
                 event=EventKind.DRAFTED)
    return journey_of(services, row.id)


def submit_draft(services: Services, key: Principal, proposal_id: str, request: DraftSubmitRequest) -> ProposalJourney:
    """Submit a draft: checked again, then waiting at the review chain's first stage."""
    doing = ("diajukan sebagai draf (sudah diajukan)", "be submitted as a draft (it was submitted already)")
    row = _draft(services, key, proposal_id, *doing)
    proposal = parse_proposal(row.content, source=row.id)
    _store_check(services, key, row.id, proposal, expected=request.row_version, doing=doing,
                 event=EventKind.SUBMITTED, state=ProposalState.IN_REVIEW, stage_index=0)
    return journey_of(services, row.id)


def delete_draft(services: Services, key: Principal, proposal_id: str, row_version: int | None) -> None:
    """Delete a draft with its timeline; the RW may then save or submit another. Its checks stay audited."""
    doing = ("dihapus (hanya draf yang dapat dihapus; proposal yang diajukan dapat ditarik)",
             "be deleted (only drafts can; a submitted proposal can be withdrawn)")
    row = _draft(services, key, proposal_id, *doing)
    with services.db.session() as session, session.begin():
        row = repository.get_proposal(session, row.id)
        if row.state != ProposalState.DRAFT:
            raise refuse_state(row, *doing)
        journey_store.delete(session, row, row_version or row.row_version)
