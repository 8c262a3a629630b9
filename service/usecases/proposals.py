"""Proposals: submit (check and store in one transaction), read one, list."""

from __future__ import annotations

from typing import Any, Literal

from knowledge.documents import to_jsonable
from knowledge.proposal import Proposal
from knowledge.reference import load_reference
from service import repository
from service.auth import Principal
from service.deps import Services
from service.models import StoredProposal
from service.schemas import ProposalPage, ProposalPublic, ProposalSummary

VerdictFilter = Literal["eligible", "needs_revision", "ineligible"]


def summary(row: StoredProposal) -> ProposalSummary:
    return ProposalSummary(id=row.id, cycle=row.cycle, kecamatan=row.kecamatan, kelurahan=row.kelurahan,
                           rw=row.rw, title=row.title, status=row.status, verdict=row.verdict,
                           decision_id=row.decision_id, synthetic=row.synthetic, created_at=row.created_at)


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


def get_proposal(services: Services, key: Principal, proposal_id: str) -> ProposalPublic:
    with services.db.session() as session:
        row = repository.get_proposal(session, proposal_id)
        key.require_kelurahan(row.kelurahan)
        decision = repository.get_decision(session, row.decision_id)
        return public(row, decision.output)


def list_proposals(services: Services, key: Principal, *, cycle: int | None, kelurahan: str | None,
                   verdict: VerdictFilter | None, offset: int, limit: int) -> ProposalPage:
    """A filtered page of proposals; a facilitator sees only its own kelurahan."""
    if kelurahan is not None:
        known = load_reference().find_kelurahan(kelurahan)
        kelurahan = known.name if known else kelurahan
    if key.scoped_kelurahan is not None:
        if kelurahan is not None:
            key.require_kelurahan(kelurahan)
        kelurahan = key.scoped_kelurahan
    with services.db.session() as session:
        rows, total = repository.list_proposals(session, cycle=cycle, kelurahan=kelurahan, verdict=verdict,
                                                offset=offset, limit=limit)
    return ProposalPage(items=[summary(r) for r in rows], total=total, offset=offset, limit=limit)
