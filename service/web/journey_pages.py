"""Pages of a proposal's journey: the list of proposals, one proposal's page, the reviewer's queue.

The forms on the proposal page (decide, accept an exception, revise or amend by uploading the
proposal, withdraw) call the same use cases as the API (`service.usecases.journey`, `reviews`);
a refusal is shown on the page, in both languages, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from knowledge import intake
from knowledge.documents import parse_proposal
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.labels import document_name, path_words
from knowledge.review_chain import load_review_chain
from knowledge.validation import problems_from
from service.bodies import off_loop, read_limits
from service.permissions import Permission
from service.schemas_journey import (
    AmendmentRequest,
    BeritaAcara,
    DecisionRequest,
    DraftSubmitRequest,
    EventKind,
    EventView,
    ExceptionRequest,
    ProposalJourney,
    ProposalState,
    RevisionRequest,
    WithdrawRequest,
)
from service.usecases import journey, proposal_drafts, reviews
from service.usecases.proposals import LISTED_STATES, list_proposals, listed_cycles
from service.web import forms
from service.web.rendering import Page, finish, page_allowed, pager, posted_form, refuse, render, uploaded_file
from service.web.xlsx_proposal import read_workbook

router = APIRouter()
ReadPage = Annotated[Page, Depends(page_allowed(Permission.PROPOSALS_READ))]
ReviewPage = Annotated[Page, Depends(page_allowed(Permission.PROPOSALS_REVIEW))]
SubmitPage = Annotated[Page, Depends(page_allowed(Permission.PROPOSALS_SUBMIT))]
UPLOAD_TYPES = {".json": "text", ".yaml": "text", ".yml": "text", ".xlsx": "xlsx"}


def stage_options(page: Page) -> list[tuple[str, str]]:
    """The list's stage filter: each stage of the chain, then returned, approved, withdrawn (and a
    facilitator's drafts)."""
    chain = load_review_chain()
    staged = [(s.id, page.t.pick(s.name.model_dump())) for s in chain.stages]
    drafts = page.user is not None and page.user.scoped_kelurahan is not None
    return staged + [(state, page.t(f"state.{state}")) for state in LISTED_STATES if state != "draft" or drafts]


PAGE_SIZE = 50
PageNumber = Annotated[int, Query(alias="page", ge=1, le=100_000)]
CycleFilter = Annotated[int | None, Query(ge=2000, le=2100)]
StageFilter = Annotated[str | None, Query(max_length=40)]


@router.get("/proposal")
def proposal_list(page: ReadPage, cycle: CycleFilter = None, stage: StageFilter = None,
                  number: PageNumber = 1) -> Response:
    """The proposals (a facilitator: its kelurahan's), filtered by cycle and stage, newest first, a page at a time."""
    services = page.request.app.state.services
    assert page.user is not None
    chosen = stage or None
    listed = list_proposals(services, page.user, cycle=cycle, kelurahan=None, verdict=None, stage=chosen,
                            offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render(page, "proposals.html", active="proposals", listed=listed, cycle=cycle, stage=chosen,
                  stage_options=stage_options(page), cycles=listed_cycles(services, page.user),
                  pager=pager(page, total=listed.total, number=number, size=PAGE_SIZE))


@router.get("/tinjauan")
def review_queue(page: ReviewPage, cycle: CycleFilter = None, stage: StageFilter = None,
                 number: PageNumber = 1) -> Response:
    """The proposals waiting at the stage this reviewer decides, in its region: newest cycle first, paged."""
    assert page.user is not None
    services = page.request.app.state.services
    stages = reviews.queue_stages(page.user)
    chosen = stage if stage in {s.id for s in stages} else None
    listed = reviews.queue(services, page.user, cycle=cycle, stage=chosen, offset=(number - 1) * PAGE_SIZE,
                           limit=PAGE_SIZE)
    return render(page, "queue.html", active="queue", listed=listed, cycle=cycle, stage=chosen,
                  stage_options=[(s.id, page.t.pick(s.name.model_dump())) for s in stages],
                  cycles=reviews.queue_cycles(services, page.user),
                  pager=pager(page, total=listed.total, number=number, size=PAGE_SIZE))


def diff_words(patch: list[dict[str, Any]], lang: str) -> list[str]:
    """An RFC 6902 patch as the form's labels: '/activities/0/budget_lines/1/quantity' -> 'Kegiatan 1, ...'.

    A document added or replaced is named ('Dokumen terlampir: Foto lokasi'): its position in the list
    means nothing to a reader.
    """
    out = []
    for op in patch:
        parts = [p for p in str(op.get("path", "")).split("/") if p]
        dotted = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts).lstrip(".")
        if len(parts) == 2 and parts[0] == "documents" and isinstance(op.get("value"), str):
            out.append(f"{path_words('documents', lang)}: {document_name(op['value'], lang)}")
        else:
            out.append(path_words(dotted, lang) if dotted else "")
    return sorted(set(out))


def _return_note(shown: ProposalJourney) -> EventView | None:
    """The reviewer's note of the latest return, shown at the top of a returned proposal."""
    if shown.state != ProposalState.RETURNED:
        return None
    return next((e for e in reversed(shown.events) if e.kind == EventKind.RETURNED), None)


def show_proposal(page: Page, proposal_id: str, problems: list[Problem] | None = None,
                  status: int = 200) -> Response:
    assert page.user is not None
    services = page.request.app.state.services
    try:
        shown: ProposalJourney = journey.journey_of(services, proposal_id, page.user)
    except BerdayaError as exc:
        if getattr(exc, "status", 500) == 404:
            return refuse(page, "not_found", status=404, name=proposal_id)
        return refuse(page, "role")
    user = page.user
    own = user.may(Permission.PROPOSALS_SUBMIT) and user.kelurahan == shown.kelurahan
    stage_names = {stage.id: page.t.pick(stage.name.model_dump()) for stage in load_review_chain().stages}
    refusal = None if shown.stage is None else reviews.decision_refusal(
        user, state=shown.state, stage_index=shown.stage.index, kelurahan=shown.kelurahan, kecamatan=shown.kecamatan)
    return render(page, "proposal.html", status=status, active="proposals", p=shown, stage_names=stage_names,
                  diffs={r.number: diff_words(r.diff, page.lang) for r in shown.revisions},
                  may_review=shown.stage is not None and refusal is None, return_note=_return_note(shown),
                  who_decides=refusal.message(page.lang) if refusal is not None and user.may(
                      Permission.PROPOSALS_REVIEW) and shown.state == "in_review" else None,
                  may_change=own and shown.state in ("in_review", "returned"),
                  may_amend=own and shown.state == "approved", may_draft=own and shown.state == "draft",
                  problems=[p.as_dict() for p in problems or []])


@router.get("/proposal/{proposal_id}")
def proposal_page(proposal_id: str, page: ReadPage) -> Response:
    return show_proposal(page, proposal_id)


def _act(page: Page, proposal_id: str, action: Callable[[], object], then: str | None = None) -> Response:
    """Run a transition; back to the proposal page (or `then`; 303), or the page with the refusal in both
    languages."""
    try:
        action()
    except InvalidInput as exc:
        return show_proposal(page, proposal_id, exc.problems, status=422)
    except ValidationError as exc:
        return show_proposal(page, proposal_id, problems_from(exc), status=422)
    except BerdayaError as exc:
        status = int(getattr(exc, "status", 422))
        return show_proposal(page, proposal_id, [Problem("", exc.message_id, exc.message_en)], status=status)
    return finish(page, RedirectResponse(then or f"/proposal/{proposal_id}", status_code=303))


def _version(form: Any) -> int | None:
    raw = str(form.get("row_version") or "")
    return int(raw) if raw.isdigit() else None


@router.post("/proposal/{proposal_id}/putusan")
async def decide(proposal_id: str, request: Request, page: ReviewPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    assert page.user is not None
    key, services = page.user, request.app.state.services

    def act() -> object:
        decision = DecisionRequest(outcome=str(form.get("outcome") or ""), note=str(form.get("note") or ""),
                                   row_version=_version(form))
        return reviews.decide(services, key, proposal_id, decision)
    return await off_loop(_act, page, proposal_id, act)


@router.post("/proposal/{proposal_id}/pengecualian")
async def accept_exception(proposal_id: str, request: Request, page: ReviewPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    assert page.user is not None
    key, services = page.user, request.app.state.services

    def act() -> object:
        accepted = ExceptionRequest(rule_id=str(form.get("rule_id") or ""), reason=str(form.get("reason") or ""),
                                    row_version=_version(form))
        return reviews.accept_exception(services, key, proposal_id, accepted)
    return await off_loop(_act, page, proposal_id, act)


@router.post("/proposal/{proposal_id}/tarik")
async def withdraw(proposal_id: str, request: Request, page: SubmitPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    assert page.user is not None
    key, services = page.user, request.app.state.services

    def act() -> object:
        asked = WithdrawRequest(note=str(form.get("note") or ""), row_version=_version(form))
        return journey.withdraw(services, key, proposal_id, asked)
    return await off_loop(_act, page, proposal_id, act)


@router.post("/proposal/{proposal_id}/ajukan")
async def submit_draft(proposal_id: str, request: Request, page: SubmitPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    assert page.user is not None
    key, services = page.user, request.app.state.services

    def act() -> object:
        return proposal_drafts.submit_draft(services, key, proposal_id, DraftSubmitRequest(row_version=_version(form)))
    return await off_loop(_act, page, proposal_id, act)


@router.post("/proposal/{proposal_id}/hapus")
async def delete_draft(proposal_id: str, request: Request, page: SubmitPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    assert page.user is not None
    key, services = page.user, request.app.state.services

    def act() -> object:
        proposal_drafts.delete_draft(services, key, proposal_id, _version(form))
        return None
    return await off_loop(_act, page, proposal_id, act, "/proposal")


def _read_upload(page: Page, raw: bytes, kind: str, name: str) -> Any:
    """The uploaded proposal through the guarded reader (JSON, YAML or the XLSX template), validated."""
    limits = read_limits(page.request)
    if kind == "xlsx":
        return forms.parse_typed(forms.form_to_proposal(read_workbook(raw, source=name, limits=limits)), name)
    return parse_proposal(intake.read_text_document(raw, limits, source=name), source=name)


@router.post("/proposal/{proposal_id}/revisi")
async def revise(proposal_id: str, request: Request, page: SubmitPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    assert page.user is not None
    key, services = page.user, request.app.state.services
    upload = await uploaded_file(form, UPLOAD_TYPES)
    amending = form.get("kind") == "amendment"

    def act() -> object:
        if isinstance(upload, Problem):
            raise InvalidInput([upload])
        proposal = _read_upload(page, upload.data, upload.kind, upload.name)
        if amending:
            berita_acara = BeritaAcara(nomor=str(form.get("ba_nomor") or ""), tanggal=str(form.get("ba_tanggal") or ""),
                                       dokumen=str(form.get("ba_dokumen") or "") or None)
            return journey.amend(services, key, proposal_id, AmendmentRequest(
                proposal=proposal, berita_acara=berita_acara, row_version=_version(form)))
        return journey.revise(services, key, proposal_id, RevisionRequest(proposal=proposal,
                                                                          row_version=_version(form)))
    return await off_loop(_act, page, proposal_id, act)
