"""Revising or amending a stored proposal in the pre-check form, and downloading a revision.

"Revisi di formulir" / "Ubah di formulir" open the pre-check form filled with the proposal's
latest revision; its button submits the revision (or, for an approved proposal, the amendment
with its berita acara) of that proposal through the same use cases as the API and the file upload
(`service.usecases.journey`). "Periksa" checks it without storing anything, as on a new form.
A refusal is shown on the form, in both languages, with the typed values kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.review_chain import load_review_chain
from knowledge.validation import problems_from
from service.bodies import off_loop
from service.errors import ServiceError
from service.permissions import Permission
from service.schemas_journey import (
    AmendmentRequest,
    BeritaAcara,
    EventKind,
    ProposalJourney,
    ProposalState,
    RevisionRequest,
)
from service.usecases import journey
from service.web import forms
from service.web.journey_pages import ReadPage, show_proposal
from service.web.precheck import check_and_show, show_form, workbook
from service.web.rendering import Page, finish, page_allowed, posted_form, refuse
from service.web.security import CSRF_FIELD

router = APIRouter()
SubmitPage = Annotated[Page, Depends(page_allowed(Permission.PROPOSALS_SUBMIT))]
BA_FIELDS = ("ba_nomor", "ba_tanggal", "ba_dokumen")
NOT_PROPOSAL = {CSRF_FIELD, "action", "documents", "row_version", *BA_FIELDS}


@dataclass(frozen=True)
class ChangeTarget:
    """The stored proposal the form changes: a revision (in review or returned) or an amendment (approved)."""

    id: str
    title: str
    revision: int
    kind: Literal["revision", "amendment"]
    row_version: int
    berita_acara: dict[str, str] = field(default_factory=dict)  # as typed, kept when the form is shown again
    # The reviewer's note of the latest return (who returned it, when) and the note, shown above the form.
    return_note: tuple[str, str] | None = None

    @property
    def action(self) -> str:
        return f"/pra-periksa/revisi/{self.id}"


def _target(page: Page, proposal_id: str, form: Any = None) -> ChangeTarget | Response:
    """The change the signed-in facilitator may make to the proposal, or the page saying why not."""
    assert page.user is not None
    try:
        shown = journey.journey_of(page.request.app.state.services, proposal_id, page.user)
    except BerdayaError as exc:
        return refuse(page, "not_found", status=404, name=proposal_id) if getattr(exc, "status", 0) == 404 \
            else refuse(page, "role")
    if shown.state not in (ProposalState.IN_REVIEW, ProposalState.RETURNED, ProposalState.APPROVED):
        state_id, state_en = journey.STATE_WORDS[shown.state]
        problem = Problem("", f"Proposal ini {state_id}; tidak dapat diubah", f"This proposal is {state_en}; it "
                          "cannot be changed")
        return show_proposal(page, proposal_id, [problem], status=409)
    typed = {name: str(form.get(name) or "") for name in BA_FIELDS} if form is not None else {}
    version = str(form.get("row_version") or "") if form is not None else ""
    return ChangeTarget(shown.id, shown.title, shown.revision,
                        "amendment" if shown.state == ProposalState.APPROVED else "revision",
                        int(version) if version.isdigit() else shown.row_version, typed, _note_of(page, shown))


def _note_of(page: Page, shown: ProposalJourney) -> tuple[str, str] | None:
    """What the reviewer asked for when returning the proposal ("Catatan peninjau tahap ..., <date>:", the note),
    so the facilitator revising it reads it above the form instead of remembering it."""
    if shown.state != ProposalState.RETURNED:
        return None
    note = next((e for e in reversed(shown.events) if e.kind == EventKind.RETURNED), None)
    if note is None:
        return None
    stages = {stage.id: page.t.pick(stage.name.model_dump()) for stage in load_review_chain().stages}
    when = page.t("journey.return_note", stage=stages.get(note.stage or "", note.stage or ""),
                  date=page.t.date(note.created_at.date()))
    return when, note.note


@router.get("/pra-periksa/revisi/{proposal_id}")
def change_form(proposal_id: str, page: SubmitPage) -> Response:
    """The pre-check form filled with the proposal's latest revision, to revise or amend it."""
    assert page.user is not None
    target = _target(page, proposal_id)
    if isinstance(target, Response):
        return target
    latest = journey.revision_content(page.request.app.state.services, page.user, proposal_id, target.revision)
    return show_form(page, latest, change=target)


def _berita_acara(typed: dict[str, str]) -> BeritaAcara:
    """The berita acara as typed; its problems name the form's own fields (ba_nomor, ba_tanggal, ba_dokumen),
    which the page shows by their labels: an empty number or date is "wajib diisi", not a format."""
    missing = [Problem(name, "wajib diisi", "required") for name in ("ba_nomor", "ba_tanggal")
               if not typed.get(name, "").strip()]
    if missing:
        raise InvalidInput(missing)
    try:
        return BeritaAcara.model_validate({"nomor": typed["ba_nomor"].strip(), "tanggal": typed["ba_tanggal"],
                                           "dokumen": typed.get("ba_dokumen") or None})
    except ValidationError as exc:
        raise InvalidInput([Problem(f"ba_{p.path.split('.')[0]}", p.id, p.en) for p in problems_from(exc)]) from None


def _submit(page: Page, data: Any, target: ChangeTarget) -> Response:
    """Store the form as the proposal's next revision or amendment; its page, or the form with the refusal."""
    assert page.user is not None
    services, shown = page.request.app.state.services, data if isinstance(data, dict) else {}
    try:
        proposal = forms.parse_typed(data, "formulir")  # typed by a person: numbers read as the check reads them
        if target.kind == "amendment":
            berita_acara = _berita_acara(target.berita_acara)
            journey.amend(services, page.user, target.id, AmendmentRequest(
                proposal=proposal, berita_acara=berita_acara, row_version=target.row_version))
        else:
            journey.revise(services, page.user, target.id, RevisionRequest(proposal=proposal,
                                                                           row_version=target.row_version))
    except InvalidInput as exc:
        return show_form(page, shown, schema_problems=exc.problems, status=422, change=target)
    except ValidationError as exc:
        return show_form(page, shown, schema_problems=problems_from(exc), status=422, change=target)
    except ServiceError as exc:
        return show_form(page, shown, refused=exc, status=exc.status, change=target)
    return finish(page, RedirectResponse(f"/proposal/{target.id}", status_code=303))


@router.post("/pra-periksa/revisi/{proposal_id}")
async def change_post(proposal_id: str, request: Request, page: SubmitPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    target = await off_loop(_target, page, proposal_id, form)
    if isinstance(target, Response):
        return target
    fields = {k: v for k, v in form.multi_items() if k not in NOT_PROPOSAL}
    data = forms.form_to_proposal(fields, documents=form.getlist("documents"))
    if form.get("action") == "change":
        return await off_loop(_submit, page, data, target)
    return await off_loop(check_and_show, page, data, typed=True, repair=form.get("action") == "repair",
                          change=target)


Revision = Annotated[int, Path(ge=1, le=100_000)]


def _revision(page: Page, proposal_id: str, number: int) -> dict[str, Any] | Response:
    assert page.user is not None
    try:
        return journey.revision_content(page.request.app.state.services, page.user, proposal_id, number)
    except BerdayaError as exc:
        return refuse(page, "not_found", status=404, name=f"{proposal_id} / {number}") \
            if getattr(exc, "status", 0) == 404 else refuse(page, "role")


def _filename(content: dict[str, Any], number: int, suffix: str) -> str:
    region = content.get("region") or {}
    name = f"proposal-{content.get('cycle')}-{region.get('kelurahan', '')}-rw{region.get('rw', '')}-revisi{number}"
    return f"{name.replace(' ', '-').lower()}.{suffix}"


@router.get("/proposal/{proposal_id}/revisi/{number}.json")
def revision_json(proposal_id: str, number: Revision, page: ReadPage) -> Response:
    """One revision of the proposal as JSON, the file the API and the upload take."""
    content = _revision(page, proposal_id, number)
    if isinstance(content, Response):
        return content
    body = json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")
    return finish(page, Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{_filename(content, number, "json")}"'}))


@router.get("/proposal/{proposal_id}/revisi/{number}.xlsx")
def revision_xlsx(proposal_id: str, number: Revision, page: ReadPage) -> Response:
    """One revision of the proposal in the XLSX template, to edit in a spreadsheet and upload again."""
    content = _revision(page, proposal_id, number)
    if isinstance(content, Response):
        return content
    return workbook(page, content, _filename(content, number, "xlsx"))
