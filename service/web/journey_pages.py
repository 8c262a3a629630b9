"""Pages of a proposal's journey: the list of proposals, one proposal's page, the reviewer's queue.

The forms on the proposal page (decide, accept an exception, revise or amend by uploading the
proposal, withdraw) call the same use cases as the API (`service.usecases.journey`, `reviews`);
a refusal is shown on the page, in both languages, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from knowledge import intake
from knowledge.documents import parse_proposal
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.labels import document_name, path_words
from knowledge.review_chain import load_review_chain
from knowledge.validation import problems_from
from service.auth import Principal
from service.bodies import off_loop, read_limits
from service.deps import Services
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
from service.web.rendering import (
    Page,
    Upload,
    finish,
    page_allowed,
    pager,
    posted_form,
    refuse,
    render,
    uploaded_file,
)
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


@dataclass(frozen=True)
class Posted:
    """What a form on the proposal page brings to its use case: the fields, who posted them, the services."""

    form: Any
    key: Principal
    services: Services
    upload: Upload | Problem | None = None

    def text(self, name: str) -> str:
        return str(self.form.get(name) or "")

    @property
    def row_version(self) -> int | None:
        """The version of the proposal the form was made from (None: the form did not say)."""
        raw = self.text("row_version")
        return int(raw) if raw.isdigit() else None


async def _transition(page: Page, proposal_id: str, use: Callable[[Posted], object], *, then: str | None = None,
                      upload_types: dict[str, str] | None = None) -> Response:
    """Read the posted form (and its file), run `use` in a worker thread, and send the browser back to the
    proposal page (or `then`; 303), or show the page with the refusal in both languages."""
    form, refused = await posted_form(page.request, page)
    if refused is not None:
        return refused
    assert page.user is not None
    upload = await uploaded_file(form, upload_types) if upload_types is not None else None
    posted = Posted(form, page.user, page.request.app.state.services, upload)
    return await off_loop(_run, page, proposal_id, use, posted, then)


def _run(page: Page, proposal_id: str, use: Callable[[Posted], object], posted: Posted, then: str | None) -> Response:
    try:
        use(posted)
    except InvalidInput as exc:
        return show_proposal(page, proposal_id, exc.problems, status=422)
    except ValidationError as exc:
        return show_proposal(page, proposal_id, problems_from(exc), status=422)
    except BerdayaError as exc:
        status = int(getattr(exc, "status", 422))
        return show_proposal(page, proposal_id, [Problem("", exc.message_id, exc.message_en)], status=status)
    return finish(page, RedirectResponse(then or f"/proposal/{proposal_id}", status_code=303))


@router.post("/proposal/{proposal_id}/putusan")
async def decide(proposal_id: str, page: ReviewPage) -> Response:
    def use(posted: Posted) -> object:
        decision = DecisionRequest(outcome=posted.text("outcome"), note=posted.text("note"),
                                   row_version=posted.row_version)
        return reviews.decide(posted.services, posted.key, proposal_id, decision)
    return await _transition(page, proposal_id, use)


@router.post("/proposal/{proposal_id}/pengecualian")
async def accept_exception(proposal_id: str, page: ReviewPage) -> Response:
    def use(posted: Posted) -> object:
        accepted = ExceptionRequest(rule_id=posted.text("rule_id"), reason=posted.text("reason"),
                                    row_version=posted.row_version)
        return reviews.accept_exception(posted.services, posted.key, proposal_id, accepted)
    return await _transition(page, proposal_id, use)


@router.post("/proposal/{proposal_id}/tarik")
async def withdraw(proposal_id: str, page: SubmitPage) -> Response:
    def use(posted: Posted) -> object:
        asked = WithdrawRequest(note=posted.text("note"), row_version=posted.row_version)
        return journey.withdraw(posted.services, posted.key, proposal_id, asked)
    return await _transition(page, proposal_id, use)


@router.post("/proposal/{proposal_id}/ajukan")
async def submit_draft(proposal_id: str, page: SubmitPage) -> Response:
    def use(posted: Posted) -> object:
        asked = DraftSubmitRequest(row_version=posted.row_version)
        return proposal_drafts.submit_draft(posted.services, posted.key, proposal_id, asked)
    return await _transition(page, proposal_id, use)


@router.post("/proposal/{proposal_id}/hapus")
async def delete_draft(proposal_id: str, page: SubmitPage) -> Response:
    def use(posted: Posted) -> object:
        proposal_drafts.delete_draft(posted.services, posted.key, proposal_id, posted.row_version)
        return None
    return await _transition(page, proposal_id, use, then="/proposal")


def _read_upload(page: Page, raw: bytes, kind: str, name: str) -> Any:
    """The uploaded proposal through the guarded reader (JSON, YAML or the XLSX template), validated."""
    limits = read_limits(page.request)
    if kind == "xlsx":
        return forms.parse_typed(forms.form_to_proposal(read_workbook(raw, source=name, limits=limits)), name)
    return parse_proposal(intake.read_text_document(raw, limits, source=name), source=name)


@router.post("/proposal/{proposal_id}/revisi")
async def revise(proposal_id: str, page: SubmitPage) -> Response:
    def use(posted: Posted) -> object:
        upload = posted.upload
        assert upload is not None  # read: this route names its upload types
        if isinstance(upload, Problem):
            raise InvalidInput([upload])
        proposal = _read_upload(page, upload.data, upload.kind, upload.name)
        if posted.text("kind") == "amendment":
            berita_acara = BeritaAcara(nomor=posted.text("ba_nomor"), tanggal=posted.text("ba_tanggal"),
                                       dokumen=posted.text("ba_dokumen") or None)
            return journey.amend(posted.services, posted.key, proposal_id, AmendmentRequest(
                proposal=proposal, berita_acara=berita_acara, row_version=posted.row_version))
        asked = RevisionRequest(proposal=proposal, row_version=posted.row_version)
        return journey.revise(posted.services, posted.key, proposal_id, asked)
    return await _transition(page, proposal_id, use, upload_types=UPLOAD_TYPES)
