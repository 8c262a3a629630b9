"""Kebijakan: the policy workbench pages: versions and the cycles they govern, drafts, edits, what-if, publish.

Policy staff only (writing needs the knowledge-write permission). Every page calls the same
use cases as the API (`service.usecases.drafts`, `policy.drafts`); this module turns form
fields into typed edits and requests, and refusals back into messages next to their fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from knowledge import intake
from knowledge.dates import cycle_date
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.intake import LimitExceeded
from knowledge.versions import UnknownVersion, governance
from policy import drafts
from policy.edits import Edit
from policy.files import read_kb_files
from policy.spreadsheet import edits_from_workbook, parameters_workbook
from service.bodies import off_loop, read_limits
from service.errors import NotFound
from service.usecases import drafts as usecase
from service.usecases.drafts import store_of
from service.usecases.tiers import key_labels
from service.web import kb_view
from service.web import workbench_view as view
from service.web.diff_view import diff_words
from service.web.rendering import (
    PolicyPage,
    PolicyWritePage,
    finish,
    posted_form,
    refuse,
    render,
    templates,
    uploaded_file,
)

router = APIRouter()
templates.env.globals["problem_shown"] = view.problem_shown  # the workbench macros name problems in words
EDIT = TypeAdapter(Edit)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _by(page: Any) -> str:
    user = page.user
    return f"{user.role}:{user.key_id}" if user is not None else ""


@router.get("/kebijakan/versi")
def versions_page(request: Request, page: PolicyPage) -> Response:
    store = store_of(request.app)
    published = store.versions()
    today = dt.date.today()
    rows = view.version_rows(published, governance(published), today)
    return render(page, "workbench_versions.html", active="policy", rows=rows,
                  in_force=view.in_force_by_cycle(published, today), open_drafts=drafts.open_drafts(store),
                  people=key_labels(request.app.state.services), problems=[])


@router.post("/kebijakan/draf")
async def create_draft(request: Request, page: PolicyWritePage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    store = store_of(request.app)
    try:
        info = drafts.start_draft(store, str(form.get("version") or ""), by=_by(page))
    except UnknownVersion:
        return refuse(page, "not_found", status=404, name=str(form.get("version") or "")[:80])
    return finish(page, RedirectResponse(f"/kebijakan/draf/{info.draft_id}", status_code=303))


def _next_cycle(request: Request, today: dt.date) -> int:
    """The cycle a new value starts from unless staff choose another: the next open one, never the
    first cycle (that would rewrite the whole history)."""
    try:
        return kb_view.cycle_in_preparation(kb_view.kb_in_force(request.app.state.services), today)
    except BerdayaError:
        return today.year + 1


def _draft_page(request: Request, page: Any, draft_id: str, status: int = 200, **extra: Any) -> Response:
    store = store_of(request.app)
    try:
        root = usecase.draft_path(store, draft_id)
    except NotFound:
        return refuse(page, "not_found", status=404, name=draft_id[:80])
    files, today = read_kb_files(root), dt.date.today()
    parameters, rules = view.parameter_rows(files, today), view.rule_rows(files)
    context = {"draft_id": draft_id, "info": drafts.draft_info(store, draft_id), "files": files,
               "parameters": parameters, "rules": rules,
               # The history names who edited and what, in words: key labels, descriptions, rule titles.
               "people": key_labels(request.app.state.services),
               "names": {**{p["name"]: p["description"] for p in parameters}, **{r["id"]: r["title"] for r in rules}},
               "category_names": {cid: data.get("name") for cid, (_, data) in files.categories.items()},
               "history": store.edit_history(draft_id), "form": None, "problems": [],
               "cycles": view.cycle_choices(today), "next_cycle": _next_cycle(request, today),
               "next_label": view.next_label([v.version for v in store.versions()], today.year + 1),
               "fmt": view.unit_value,
               "jobs": usecase.simulations(request.app.state.services, draft_id)}
    context.update(extra)
    return render(page, "workbench_draft.html", status=status, active="policy", **context)


@router.get("/kebijakan/draf/{draft_id}")
def draft_page(request: Request, draft_id: str, page: PolicyPage) -> Response:
    return _draft_page(request, page, draft_id)


@router.post("/kebijakan/draf/{draft_id}/ubah")
async def edit_draft(request: Request, draft_id: str, page: PolicyWritePage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    kind = str(form.get("kind") or "")
    store = store_of(request.app)
    try:
        root = usecase.draft_path(store, draft_id)
        edit = EDIT.validate_python(view.edit_fields(form, read_kb_files(root)))
        info = drafts.apply_draft_edit(store, draft_id, edit, by=_by(page))
    except NotFound:
        return refuse(page, "not_found", status=404, name=draft_id[:80])
    except ValidationError as exc:
        return _draft_page(request, page, draft_id, status=422, form=kind, problems=view.validation_problems(exc))
    except InvalidInput as exc:
        return _draft_page(request, page, draft_id, status=422, form=kind, problems=list(exc.problems))
    return finish(page, RedirectResponse(f"/kebijakan/draf/{info.draft_id}?diubah=1", status_code=303))


@router.get("/kebijakan/draf/{draft_id}/parameter.xlsx")
def parameters_download(request: Request, draft_id: str, page: PolicyPage) -> Response:
    store = store_of(request.app)
    try:
        root = usecase.draft_path(store, draft_id)
    except NotFound:
        return refuse(page, "not_found", status=404, name=draft_id[:80])
    body = parameters_workbook(read_kb_files(root))
    return finish(page, Response(body, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="parameter-{draft_id}.xlsx"'}))


@router.post("/kebijakan/draf/{draft_id}/parameter")
async def parameters_upload(request: Request, draft_id: str, page: PolicyWritePage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    upload = await uploaded_file(form, {".xlsx": "xlsx"})
    if isinstance(upload, Problem):
        return _draft_page(request, page, draft_id, status=422, form="spreadsheet", problems=[upload])
    return await off_loop(_apply_workbook, request, page, draft_id, upload.data, upload.name)


def _apply_workbook(request: Request, page: Any, draft_id: str, data: bytes, name: str) -> Response:
    """Read the upload through the guarded reader (in a worker thread) and apply the rows that changed."""
    store = store_of(request.app)
    try:
        root = usecase.draft_path(store, draft_id)
        files = read_kb_files(root)
        sheets = intake.read_workbook(data, read_limits(request), source=name)
        edits = edits_from_workbook(files, {k: list(v) for k, v in sheets.items()})
        info = drafts.apply_draft_edits(store, draft_id, list(edits), by=_by(page), via="spreadsheet")
    except NotFound:
        return refuse(page, "not_found", status=404, name=draft_id[:80])
    except LimitExceeded as exc:
        return _draft_page(request, page, draft_id, status=exc.status, form="spreadsheet", problems=exc.problems)
    except InvalidInput as exc:
        return _draft_page(request, page, draft_id, status=422, form="spreadsheet", problems=list(exc.problems))
    return finish(page, RedirectResponse(f"/kebijakan/draf/{info.draft_id}?diubah={len(edits)}", status_code=303))


@router.get("/kebijakan/draf/{draft_id}/beda")
def diff_page(request: Request, draft_id: str, page: PolicyPage) -> Response:
    store = store_of(request.app)
    try:
        diff = usecase.diff_draft(store, draft_id, None)
    except NotFound:
        return refuse(page, "not_found", status=404, name=draft_id[:80])
    except InvalidInput as exc:
        return _draft_page(request, page, draft_id, status=422, form="diff", problems=list(exc.problems))
    files = read_kb_files(usecase.draft_path(store, draft_id))
    return render(page, "workbench_diff.html", active="policy", draft_id=draft_id, d=diff_words(page.t, diff, files))


@router.post("/kebijakan/draf/{draft_id}/what-if")
async def start_whatif(request: Request, draft_id: str, page: PolicyWritePage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    cycles, as_of, problems = view.whatif_fields(form)
    if problems:
        return _draft_page(request, page, draft_id, status=422, form="whatif", problems=problems)
    store = store_of(request.app)
    try:
        job = usecase.start_simulation(request.app.state.services, store, draft_id, cycles=cycles,
                                       source="stored", as_of=as_of, by=_by(page))
    except NotFound:
        return refuse(page, "not_found", status=404, name=draft_id[:80])
    except InvalidInput as exc:
        return _draft_page(request, page, draft_id, status=422, form="whatif", problems=list(exc.problems))
    return finish(page, RedirectResponse(f"/kebijakan/draf/{draft_id}/what-if/{job.job_id}", status_code=303))


@router.get("/kebijakan/draf/{draft_id}/what-if/{job_id}")
def whatif_progress(request: Request, draft_id: str, job_id: str, page: PolicyPage) -> Response:
    services = request.app.state.services
    try:
        job = usecase.simulation(services, draft_id, job_id)
    except NotFound:
        return refuse(page, "not_found", status=404, name=job_id[:80])
    report = store_of(request.app).find_whatif_run(job_id) if job.state == "done" else None
    note = view.future_change_note(store_of(request.app), draft_id, job.params) if report is not None else None
    report_id = (report.draft.policy_hash or "").split(":")[-1] if report is not None else None
    return render(page, "workbench_job.html", active="policy", draft_id=draft_id, job=job, report=report,
                  report_id=report_id, note=note)


@router.post("/kebijakan/draf/{draft_id}/terbit")
async def publish_draft(request: Request, draft_id: str, page: PolicyWritePage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    cycle, problems = view.cycle_field(form.get("effective_cycle"), "effective_cycle")
    reason = str(form.get("reason") or "")
    label, label_problems = view.version_field(form.get("version"))
    if problems or label_problems or cycle is None or label is None:
        return _draft_page(request, page, draft_id, status=422, form="publish", problems=problems + label_problems)
    store = store_of(request.app)
    try:
        # The label is an edit of its own (recorded in the history): the draft published is the one carrying it.
        if drafts.draft_info(store, draft_id).version != label.version:
            draft_id = usecase.apply_edit(store, draft_id, label, by=_by(page)).draft_id
        pv = usecase.publish(request.app.state.services, store, draft_id, effective_from=cycle_date(cycle),
                             reason=reason, by=_by(page), latest_completed_cycle=None,
                             confirm_changes=form.get("confirm_changes") == "ya")
    except NotFound:
        return refuse(page, "not_found", status=404, name=draft_id[:80])
    except InvalidInput as exc:
        return _draft_page(request, page, draft_id, status=422, form="publish",
                           problems=view.publish_problems(exc.problems))
    return finish(page, RedirectResponse(f"/kebijakan/versi?terbit={pv.version}", status_code=303))


@router.post("/kebijakan/versi/{version}/kembalikan")
async def rollback_version(request: Request, version: str, page: PolicyWritePage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    cycle, problems = view.cycle_field(form.get("effective_cycle"), "effective_cycle")
    store = store_of(request.app)
    if not problems and cycle is not None:
        try:
            pv = drafts.rollback(store, version, effective_from=cycle_date(cycle),
                                 reason=str(form.get("reason") or ""), by=_by(page))
            request.app.state.services.engines.published()
            return finish(page, RedirectResponse(f"/kebijakan/versi?terbit={pv.version}", status_code=303))
        except InvalidInput as exc:
            problems = view.publish_problems(exc.problems)
    published = store.versions()
    today = dt.date.today()
    return render(page, "workbench_versions.html", status=422, active="policy",
                  rows=view.version_rows(published, governance(published), today),
                  people=key_labels(request.app.state.services),
                  in_force=view.in_force_by_cycle(published, today), problems=problems, rollback_of=version)
