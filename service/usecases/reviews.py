"""A proposal's journey, the reviewers' side: decide at a stage, accept a finding as an exception, the queue.

Who decides at a stage is the review chain's data (`knowledge/data/review/chain.yaml`): a
reviewer key's scope (kelurahan, kecamatan or city) must be the stage's and its region the
proposal's. A refused decision changes nothing (403); two decisions made on the same reading
of a proposal cannot both land (409, `service.journey_store.advance`).
"""

from __future__ import annotations

from knowledge.errors import InvalidInput, Problem
from knowledge.review_chain import ReviewChain, Scope, Stage, load_review_chain
from service import journey_store, repository
from service.auth import Principal
from service.deps import Services
from service.errors import Conflict, Forbidden
from service.models import StoredProposal
from service.schemas import ProposalPage
from service.schemas_journey import (
    DecisionRequest,
    EventKind,
    ExceptionRequest,
    OverrideCount,
    OverrideReport,
    ProposalJourney,
    ProposalState,
)
from service.usecases.journey import journey_of, refuse_state
from service.usecases.proposals import summary

SCOPE_WORDS = {Scope.KELURAHAN: ("kelurahan", "kelurahan"), Scope.KECAMATAN: ("kecamatan", "kecamatan"),
               Scope.CITY: ("tingkat kota (dinas)", "city-wide (dinas)")}


def _require_region(key: Principal, row: StoredProposal) -> None:
    """A reviewer of another kelurahan or kecamatan may not touch this proposal at all."""
    if key.scope == Scope.KELURAHAN and key.kelurahan != row.kelurahan:
        raise Forbidden(f"Kunci peninjau ini untuk Kelurahan {key.kelurahan}, bukan {row.kelurahan}",
                        f"This reviewer key is for Kelurahan {key.kelurahan}, not {row.kelurahan}")
    if key.scope == Scope.KECAMATAN and key.kecamatan != row.kecamatan:
        raise Forbidden(f"Kunci peninjau ini untuk Kecamatan {key.kecamatan}, bukan {row.kecamatan}",
                        f"This reviewer key is for Kecamatan {key.kecamatan}, not {row.kecamatan}")


def _require_stage(key: Principal, chain: ReviewChain, row: StoredProposal, expected: int | None) -> Stage:
    """The stage the proposal waits at, if this key decides there: else 403 (other stage) or 409."""
    _require_region(key, row)
    if expected is not None and expected != row.row_version:
        raise journey_store.changed_since(row)
    if row.state != ProposalState.IN_REVIEW:
        raise refuse_state(row, "diputuskan di tahap mana pun", "be decided at any stage")
    stage = chain.stage(row.stage_index)
    if key.scope != stage.scope:
        who_id, who_en = SCOPE_WORDS[stage.scope]
        raise Forbidden(f"Proposal ini menunggu di tahap {stage.name.id}; yang memutuskan di tahap ini peninjau "
                        f"{who_id}", f"This proposal waits at the stage {stage.name.en}; it is decided there by a "
                        f"{who_en} reviewer")
    return stage


def decide(services: Services, key: Principal, proposal_id: str, request: DecisionRequest) -> ProposalJourney:
    """Approve (on to the next stage, or approved at the last) or return for revision with a note."""
    if request.outcome == "return" and not request.note.strip():
        raise InvalidInput([Problem("note", "proposal yang dikembalikan perlu catatan apa yang harus diperbaiki",
                                    "a proposal returned for revision needs a note saying what to change")])
    chain = load_review_chain()
    with services.db.session() as session, session.begin():
        row = repository.get_proposal(session, proposal_id)
        stage = _require_stage(key, chain, row, request.row_version)
        values: dict[str, object]
        if request.outcome == "return":
            values = {"state": ProposalState.RETURNED}
        elif row.stage_index < chain.last:
            values = {"stage_index": row.stage_index + 1}
        else:
            values = {"state": ProposalState.APPROVED}
        journey_store.advance(session, row, row.row_version, **values)
        kind = EventKind.RETURNED if request.outcome == "return" else EventKind.APPROVED
        journey_store.add_event(session, row, kind, key_id=key.key_id, stage=stage.id, note=request.note.strip())
    return journey_of(services, proposal_id)


def accept_exception(services: Services, key: Principal, proposal_id: str,
                     request: ExceptionRequest) -> ProposalJourney:
    """Accept a finding of the current revision's check as a justified exception, with its reason."""
    chain = load_review_chain()
    with services.db.session() as session, session.begin():
        row = repository.get_proposal(session, proposal_id)
        stage = _require_stage(key, chain, row, request.row_version)
        findings = {f["rule_id"] for f in repository.get_decision(session, row.decision_id).output["findings"]}
        if request.rule_id not in findings:
            raise InvalidInput([Problem("rule_id", f"aturan {request.rule_id} bukan temuan pemeriksaan revisi "
                                        f"{row.revision}", f"rule {request.rule_id} is not a finding of revision "
                                        f"{row.revision}'s check")])
        if any(e.kind == EventKind.EXCEPTION and e.rule_id == request.rule_id and e.revision == row.revision
               for e in journey_store.events(session, row.id)):
            raise Conflict(f"Temuan {request.rule_id} sudah diterima sebagai pengecualian pada revisi {row.revision}",
                           f"Finding {request.rule_id} is already accepted as an exception in revision {row.revision}")
        journey_store.advance(session, row, row.row_version)
        journey_store.add_event(session, row, EventKind.EXCEPTION, key_id=key.key_id, stage=stage.id,
                                note=request.reason.strip(), rule_id=request.rule_id)
    return journey_of(services, proposal_id)


def queue(services: Services, key: Principal, *, cycle: int | None, offset: int, limit: int) -> ProposalPage:
    """Proposals waiting at a stage this reviewer decides, in its region."""
    chain = load_review_chain()
    indices = [i for i, stage in enumerate(chain.stages) if stage.scope == key.scope]
    kelurahan = key.kelurahan if key.scope == Scope.KELURAHAN else None
    kecamatan = key.kecamatan if key.scope == Scope.KECAMATAN else None
    with services.db.session() as session:
        rows, total = journey_store.waiting(session, stage_indices=indices, kelurahan=kelurahan, kecamatan=kecamatan,
                                            cycle=cycle, offset=offset, limit=limit)
    return ProposalPage(items=[summary(r) for r in rows], total=total, offset=offset, limit=limit)


def overrides(services: Services, cycle: int | None) -> OverrideReport:
    with services.db.session() as session:
        counts = journey_store.override_counts(session, cycle)
    return OverrideReport(items=[OverrideCount(cycle=c, rule_id=r, count=n) for c, r, n in counts])
