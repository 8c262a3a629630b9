"""A proposal's journey, the facilitator's side: revise, amend with a berita acara, withdraw; and the view.

A revision is a new version of the same proposal (same cycle and RW), checked again, with its
RFC 6902 patch from the version before; it goes back to the first stage of the review chain.
An approved proposal changes only by an amendment, which carries its berita acara perubahan
and names the approved revision it changes. Each transition is one transaction guarded by the
proposal's row version (`service.journey_store.advance`), so a refusal stores nothing.
"""

from __future__ import annotations

from typing import Any

import jsonpatch

from knowledge.documents import to_jsonable
from knowledge.errors import InvalidInput, Problem
from knowledge.proposal import AMENDMENT_DOCUMENT, Amendment, Proposal
from service import journey_store, repository
from service.auth import Principal
from service.deps import Services
from service.errors import Conflict, NotFound
from service.models import ProposalEvent, ProposalRevision, StoredProposal
from service.schemas_journey import (
    AmendmentRequest,
    EventKind,
    EventView,
    ProposalJourney,
    ProposalState,
    RevisionKind,
    RevisionRequest,
    RevisionView,
    WithdrawRequest,
)
from service.usecases.proposals import public

STATE_WORDS = {
    ProposalState.IN_REVIEW: ("sedang ditinjau", "in review"),
    ProposalState.RETURNED: ("dikembalikan untuk perbaikan", "returned for revision"),
    ProposalState.APPROVED: ("sudah disetujui", "approved"),
    ProposalState.WITHDRAWN: ("sudah ditarik", "withdrawn"),
    ProposalState.DRAFT: ("masih draf", "a draft"),
}


def _revision(rev: ProposalRevision) -> RevisionView:
    return RevisionView(number=rev.number, kind=RevisionKind(rev.kind), verdict=rev.verdict,
                        decision_id=rev.decision_id, diff=rev.diff, amends=rev.amends,
                        berita_acara=rev.berita_acara, key_id=rev.key_id, created_at=rev.created_at)


def _event(event: ProposalEvent) -> EventView:
    return EventView(revision=event.revision, kind=EventKind(event.kind), stage=event.stage, note=event.note,
                     rule_id=event.rule_id, key_id=event.key_id, created_at=event.created_at)


def require_visible(key: Principal, row: StoredProposal) -> None:
    """The one test of who may know of a proposal, for every use case that takes a proposal's id.

    A draft is its kelurahan's work in progress: to every key but its kelurahan's facilitators
    (reviewers, other kelurahan's facilitators, the other roles) it does not exist, so a guessed
    id gets the same 404 as an id that names nothing, never a 403 or 409 that would confirm it.
    Other proposals: a facilitator reaches only its own kelurahan's (403); the other roles every one.
    """
    if row.state == ProposalState.DRAFT and key.scoped_kelurahan != row.kelurahan:
        raise repository.no_proposal(row.id)
    key.require_kelurahan(row.kelurahan)


def journey_of(services: Services, proposal_id: str, key: Principal | None = None) -> ProposalJourney:
    """The proposal with its check, stage, revisions, timeline and exceptions (a facilitator: own kelurahan)."""
    with services.db.session() as session:
        row = repository.get_proposal(session, proposal_id)
        if key is not None:
            require_visible(key, row)
        check = repository.get_decision(session, row.decision_id).output
        timeline = [_event(e) for e in journey_store.events(session, row.id)]
        return ProposalJourney(
            **public(row, check).model_dump(exclude={"state"}), state=ProposalState(row.state),
            row_version=row.row_version,
            revisions=[_revision(r) for r in journey_store.revisions(session, row.id)],
            events=timeline, exceptions=[e for e in timeline if e.kind == EventKind.EXCEPTION])


def revision_content(services: Services, key: Principal, proposal_id: str, number: int) -> dict[str, Any]:
    """The proposal as revision `number` stored it (a facilitator: own kelurahan; 404 for no such revision)."""
    with services.db.session() as session:
        row = repository.get_proposal(session, proposal_id)
        require_visible(key, row)
        found = next((r for r in journey_store.revisions(session, row.id) if r.number == number), None)
        if found is None:
            raise NotFound(f"Proposal {row.id} tidak punya revisi {number}", f"Proposal {row.id} has no revision {number}")
        return dict(found.content)


def refuse_state(row: StoredProposal, doing_id: str, doing_en: str) -> Conflict:
    state_id, state_en = STATE_WORDS[ProposalState(row.state)]
    return Conflict(f"Proposal {row.id} {state_id}; tidak dapat {doing_id}",
                    f"Proposal {row.id} is {state_en}; it cannot {doing_en}", state=row.state)


def same_rw(row: StoredProposal, proposal: Proposal) -> None:
    """A revision stays the same proposal: same cycle, kelurahan and RW (422 naming each difference)."""
    problems = []
    if proposal.cycle != row.cycle:
        problems.append(Problem("proposal.cycle", f"siklus revisi harus {row.cycle}, sama dengan proposalnya",
                                f"a revision's cycle must be {row.cycle}, the proposal's"))
    region = proposal.region
    if (region.kelurahan, region.rw) != (row.kelurahan, row.rw):
        problems.append(Problem("proposal.region", f"revisi harus untuk RW {row.rw} Kelurahan {row.kelurahan}",
                                f"a revision must be for RW {row.rw} of Kelurahan {row.kelurahan}"))
    if problems:
        raise InvalidInput(problems)


def _read_for_change(services: Services, key: Principal, proposal_id: str) -> StoredProposal:
    with services.db.session() as session:
        row = repository.get_proposal(session, proposal_id)
    require_visible(key, row)
    return row


def _store_revision(services: Services, key: Principal, row_id: str, proposal: Proposal, *, expected: int | None,
                    allowed: tuple[ProposalState, ...], kind: RevisionKind,
                    berita_acara: dict[str, Any] | None = None) -> None:
    """Check `proposal` and store it as the next revision, back at the first stage, in one transaction."""
    check, used = services.engines.check_audited(proposal)
    content = to_jsonable(proposal.model_dump(mode="json"))
    with services.db.session() as session, session.begin():
        row = repository.get_proposal(session, row_id)
        if row.state not in allowed:
            raise refuse_state(row, "direvisi lagi", "be revised again")
        before = row.content
        decision = repository.check_decision(content, check, key_id=key.key_id, kb_hash=used.content_hash)
        session.add(decision)
        session.flush()
        journey_store.advance(session, row, expected or row.row_version, revision=row.revision + 1,
                              content=content, verdict=check["verdict"], decision_id=decision.id, title=proposal.title,
                              state=ProposalState.IN_REVIEW, stage_index=0)
        session.add(ProposalRevision(
            proposal_id=row.id, number=row.revision, kind=kind, content=content, verdict=check["verdict"],
            decision_id=decision.id, diff=jsonpatch.make_patch(before, content).patch,
            amends=row.revision - 1 if kind == RevisionKind.AMENDMENT else None, berita_acara=berita_acara,
            key_id=key.key_id))
        kind_event = EventKind.AMENDED if kind == RevisionKind.AMENDMENT else EventKind.REVISED
        journey_store.add_event(session, row, kind_event, key_id=key.key_id)


def revise(services: Services, key: Principal, proposal_id: str, request: RevisionRequest) -> ProposalJourney:
    """A new revision of a proposal in review or returned; approved ones need an amendment (409)."""
    row = _read_for_change(services, key, proposal_id)
    if row.state == ProposalState.APPROVED:
        raise Conflict(
            f"Proposal {row.id} sudah disetujui: perubahannya harus berupa amendemen dengan berita acara perubahan "
            f"(POST /v1/proposals/{row.id}/amendments)",
            f"Proposal {row.id} is approved: a change needs an amendment with its berita acara perubahan "
            f"(POST /v1/proposals/{row.id}/amendments)", state=row.state)
    if row.state == ProposalState.WITHDRAWN:
        raise refuse_state(row, "direvisi", "be revised")
    same_rw(row, request.proposal)
    _store_revision(services, key, row.id, request.proposal, expected=request.row_version,
                    allowed=(ProposalState.IN_REVIEW, ProposalState.RETURNED), kind=RevisionKind.REVISION)
    return journey_of(services, row.id)


def amend(services: Services, key: Principal, proposal_id: str, request: AmendmentRequest) -> ProposalJourney:
    """Change an approved proposal: a new revision with its berita acara, linked to the approved one."""
    row = _read_for_change(services, key, proposal_id)
    if row.state != ProposalState.APPROVED:
        raise refuse_state(row, "diamendemen (amendemen hanya untuk proposal yang disetujui)",
                           "be amended (amendments are for approved proposals)")
    same_rw(row, request.proposal)
    # The berita acara given with the amendment is its document: listed, as the documents rule expects.
    documents = [*request.proposal.documents, *([] if AMENDMENT_DOCUMENT in request.proposal.documents
                                                else [AMENDMENT_DOCUMENT])]
    proposal = request.proposal.model_copy(
        update={"amends": Amendment(proposal_ref=row.id, berita_acara_perubahan=True), "documents": documents})
    _store_revision(services, key, row.id, proposal, expected=request.row_version, allowed=(ProposalState.APPROVED,),
                    kind=RevisionKind.AMENDMENT, berita_acara=request.berita_acara.model_dump(mode="json"))
    return journey_of(services, row.id)


def withdraw(services: Services, key: Principal, proposal_id: str, request: WithdrawRequest) -> ProposalJourney:
    """Withdraw before approval: the RW may then submit another proposal for the cycle."""
    row = _read_for_change(services, key, proposal_id)
    with services.db.session() as session, session.begin():
        row = repository.get_proposal(session, row.id)
        if row.state not in (ProposalState.IN_REVIEW, ProposalState.RETURNED):
            raise refuse_state(row, "ditarik", "be withdrawn")
        journey_store.advance(session, row, request.row_version or row.row_version,
                              state=ProposalState.WITHDRAWN, status="withdrawn")
        journey_store.add_event(session, row, EventKind.WITHDRAWN, key_id=key.key_id, note=request.note)
    return journey_of(services, row.id)
