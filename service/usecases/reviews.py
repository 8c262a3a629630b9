"""A proposal's journey, the reviewers' side: decide at a stage, accept a finding as an exception, the queue.

Who decides at a stage is the review chain's data (`knowledge/data/review/chain.yaml`): a
reviewer key's scope (kelurahan, kecamatan or city) must be the stage's and its region the
proposal's. A refused decision changes nothing (403); two decisions made on the same reading
of a proposal cannot both land (409, `service.journey_store.advance`).
"""

from __future__ import annotations

from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.kb_schema import Rule
from knowledge.review_chain import ReviewChain, Scope, Stage, load_review_chain
from service import journey_store, repository
from service.auth import Principal
from service.deps import Services
from service.errors import Conflict, Forbidden, ServiceError
from service.models import StoredProposal
from service.permissions import Permission
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
from service.usecases.journey import journey_of, refuse_state, require_visible
from service.usecases.proposals import summary

SCOPE_WORDS = {Scope.KELURAHAN: ("kelurahan", "kelurahan"), Scope.KECAMATAN: ("kecamatan", "kecamatan"),
               Scope.CITY: ("tingkat kota (dinas)", "city-wide (dinas)")}


def _region_refusal(key: Principal, kelurahan: str, kecamatan: str) -> ServiceError | None:
    """A reviewer of another kelurahan or kecamatan may not touch this proposal at all."""
    if key.scope == Scope.KELURAHAN and key.kelurahan != kelurahan:
        return Forbidden(f"Kunci peninjau ini untuk Kelurahan {key.kelurahan}, bukan {kelurahan}",
                         f"This reviewer key is for Kelurahan {key.kelurahan}, not {kelurahan}")
    if key.scope == Scope.KECAMATAN and key.kecamatan != kecamatan:
        return Forbidden(f"Kunci peninjau ini untuk Kecamatan {key.kecamatan}, bukan {kecamatan}",
                         f"This reviewer key is for Kecamatan {key.kecamatan}, not {kecamatan}")
    return None


def decision_refusal(key: Principal, *, state: str, stage_index: int, kelurahan: str,
                     kecamatan: str) -> ServiceError | None:
    """Why this key may not decide on a proposal now (None when it may): not a reviewer, another region,
    not in review, or another stage's scope (the refusal names who decides there).

    The one test of who decides: the use cases raise it, the proposal page shows its form only when
    it is None and otherwise says who decides.
    """
    if not key.may(Permission.PROPOSALS_REVIEW):
        return Forbidden("Hanya peninjau yang memutuskan di tahap tinjauan", "Only reviewers decide at a review stage")
    refused = _region_refusal(key, kelurahan, kecamatan)
    if refused is not None:
        return refused
    if state != ProposalState.IN_REVIEW:
        return Conflict("Proposal ini tidak sedang ditinjau; tidak dapat diputuskan di tahap mana pun",
                        "This proposal is not in review; it cannot be decided at any stage", state=state)
    stage = load_review_chain().stage(stage_index)
    if key.scope != stage.scope:
        who_id, who_en = SCOPE_WORDS[stage.scope]
        return Forbidden(f"Proposal ini menunggu di tahap {stage.name.id}; yang memutuskan di tahap ini peninjau "
                         f"{who_id}", f"This proposal waits at the stage {stage.name.en}; it is decided there by a "
                         f"{who_en} reviewer")
    return None


def _require_stage(key: Principal, chain: ReviewChain, row: StoredProposal, expected: int | None) -> Stage:
    """The stage the proposal waits at, if this key decides there: else 404 (a draft: no reviewer knows of
    it), 403 (other region or stage) or 409."""
    require_visible(key, row)
    refused = _region_refusal(key, row.kelurahan, row.kecamatan)
    if refused is not None:
        raise refused
    if expected is not None and expected != row.row_version:
        raise journey_store.changed_since(row)
    if row.state != ProposalState.IN_REVIEW:
        raise refuse_state(row, "diputuskan di tahap mana pun", "be decided at any stage")
    refused = decision_refusal(key, state=row.state, stage_index=row.stage_index, kelurahan=row.kelurahan,
                               kecamatan=row.kecamatan)
    if refused is not None:
        raise refused
    return chain.stage(row.stage_index)


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


def _queue_region(key: Principal) -> tuple[list[int], str | None, str | None]:
    """The stage indices this reviewer decides at, and its kelurahan or kecamatan (None for the city)."""
    chain = load_review_chain()
    indices = [i for i, stage in enumerate(chain.stages) if stage.scope == key.scope]
    kelurahan = key.kelurahan if key.scope == Scope.KELURAHAN else None
    kecamatan = key.kecamatan if key.scope == Scope.KECAMATAN else None
    return indices, kelurahan, kecamatan


def queue_stages(key: Principal) -> list[Stage]:
    """The stages of the review chain this reviewer decides at (the queue's stage filter)."""
    chain = load_review_chain()
    return [chain.stage(i) for i in _queue_region(key)[0]]


def queue(services: Services, key: Principal, *, cycle: int | None, offset: int, limit: int,
          stage: str | None = None) -> ProposalPage:
    """Proposals waiting at a stage this reviewer decides (or at `stage`, one of those), in its region."""
    indices, kelurahan, kecamatan = _queue_region(key)
    if stage is not None:
        chain = load_review_chain()
        indices = [i for i in indices if chain.stage(i).id == stage]
    with services.db.session() as session:
        rows, total = repository.list_proposals(session, state="in_review", stage_indices=indices, kelurahan=kelurahan,
                                                kecamatan=kecamatan, cycle=cycle, offset=offset, limit=limit)
    return ProposalPage(items=[summary(r) for r in rows], total=total, offset=offset, limit=limit)


def queue_cycles(services: Services, key: Principal) -> list[int]:
    """The cycles with a proposal in this reviewer's queue, newest first."""
    indices, kelurahan, kecamatan = _queue_region(key)
    with services.db.session() as session:
        return repository.proposal_cycles(session, state="in_review", stage_indices=indices, kelurahan=kelurahan,
                                          kecamatan=kecamatan)


def _rules_of_cycle(services: Services, cycle: int) -> dict[str, Rule]:
    """The rules of the knowledge base that checks `cycle` (none when no version is in force for it)."""
    try:
        entry = services.engines.entry_for_cycle(cycle)
        kb = services.engines.load_kb(entry.name, entry.version)
    except BerdayaError:
        return {}
    return {rule.id: rule for rule in kb.rules}


def overrides(services: Services, cycle: int | None) -> OverrideReport:
    """Exceptions accepted per cycle and rule, the most overridden first, each rule with its title and group."""
    with services.db.session() as session:
        counts = journey_store.override_counts(session, cycle)
    rules = {c: _rules_of_cycle(services, c) for c in {c for c, _, _ in counts}}
    items = []
    for c, rule_id, n in counts:
        rule = rules[c].get(rule_id)
        items.append(OverrideCount(cycle=c, rule_id=rule_id, count=n,
                                   title=None if rule is None else rule.title.model_dump(),
                                   group=None if rule is None else str(rule.group)))
    return OverrideReport(items=items)
