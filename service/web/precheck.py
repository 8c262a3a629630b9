"""Pra-periksa proposal: the facilitator's form, uploads, the XLSX template and the result.

Pre-checking needs no key and stores nothing. With a key that may submit signed in, the
"Ajukan" button submits through the same use case the API's POST /v1/proposals runs
(kelurahan check, check, one-transaction store), and "Simpan sebagai draf" saves a draft as
POST /v1/proposals/drafts does; `?draf=<id>` opens a draft in the form to edit it.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from knowledge import intake
from knowledge.documents import parse_proposal
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.intake import LimitExceeded
from knowledge.labels import path_words
from knowledge.proposal import KINDS
from knowledge.reference import load_reference
from service.bodies import off_loop, read_limits
from service.errors import ServiceError
from service.permissions import Permission, first_role
from service.schemas_journey import DraftEditRequest, ProposalState
from service.usecases.checks import repair_in_force
from service.usecases.journey import journey_of
from service.usecases.proposal_drafts import edit_draft, save_draft
from service.usecases.proposals import submit_proposal
from service.web import forms, kb_view, repairs_view
from service.web.i18n import Translator
from service.web.rendering import AnyPage, Page, finish, posted_form, refuse, render, uploaded_file
from service.web.security import CSRF_FIELD
from service.web.xlsx_proposal import read_workbook, write_template
from service.web.xlsx_words import Choices

if TYPE_CHECKING:
    from service.web.change_form import ChangeTarget

router = APIRouter()
SEVERITIES = ("blocking", "major", "minor", "advice")
UPLOAD_TYPES = {".json": "text", ".yaml": "text", ".yml": "text", ".xlsx": "xlsx"}


def blank_proposal(page: Page) -> dict[str, Any]:
    """What a new form shows: the cycle being prepared now, one activity with one budget line."""
    try:
        cycle = kb_view.cycle_in_preparation(kb_view.kb_in_force(page.request.app.state.services), dt.date.today())
    except BerdayaError:
        cycle = dt.date.today().year  # the form stays usable; show_form names the knowledge-base problem
    return {"cycle": cycle, "activities": [{"budget_lines": [{}], "beneficiaries": {}}],
            "musyawarah": {"attendance": {}}, "team": {}, "documents": []}


# Fields of the revision form that are not the proposal's (the amendment's berita acara): label, input id.
OWN_FIELDS = {"ba_nomor": ("journey.ba_nomor", "ba-nomor"), "ba_tanggal": ("journey.ba_tanggal", "ba-tanggal"),
              "ba_dokumen": ("journey.ba_dokumen", "ba-dokumen")}


def _problem_dict(t: Translator, p: Problem, targets: dict[str, str | None]) -> dict[str, Any]:
    """A schema problem for the page: its field's label and the text in the page's language only
    (the path stays in the JSON); a problem with no field of the form is about the whole proposal."""
    if p.path in OWN_FIELDS:
        key, target = OWN_FIELDS[p.path]
        return {"label": t(key), "text": p.id if t.lang == "id" else p.en, "target": target}
    label = path_label(t, p.path) if p.path else ""
    return {"label": label if label != p.path else t("precheck.whole_proposal"), "text": p.id if t.lang == "id" else p.en,
            "target": targets.get(p.path)}


def _shape(data: dict[str, Any]) -> list[dict[str, Any]]:
    acts: list[Any] = data["activities"] if isinstance(data.get("activities"), list) else []
    out = []
    for i, act in enumerate(acts or [{}]):
        lines: list[Any] = act["budget_lines"] if isinstance(act, dict) and isinstance(act.get("budget_lines"), list) else []
        out.append({"index": i, "lines": list(range(max(1, len(lines))))})
    return out


def path_label(t: Translator, path: str) -> str:
    """A field path in words: 'Kegiatan 1, rincian 2: Sumber dana' for activities[0].budget_lines[1].source."""
    return path_words(path, t.lang)


def _targets(paths: list[str], names: list[str]) -> dict[str, str | None]:
    """Field path -> id of the first input it concerns (for 'go to field' links)."""
    out = {}
    for path in paths:
        hit = forms.flagged_inputs([path], names)
        first = next((n for n in names if n in hit), None)
        out[path] = forms.input_id(first) if first else None
    return out


def show_form(page: Page, data: dict[str, Any], *, result: dict | None = None,
              schema_problems: list[Problem] | None = None, upload_problems: list[Problem] | None = None,
              stored: dict | None = None, confirm: bool = False, status: int = 200,
              repairs: dict | None = None, changed: list[str] | None = None, draft_id: str | None = None,
              refused: ServiceError | None = None, change: ChangeTarget | None = None) -> Response:
    services = page.request.app.state.services
    try:
        kb = kb_view.kb_in_force(services)
    except BerdayaError as exc:
        # The form stays usable (free-text category) while the knowledge base cannot load;
        # the reason is shown instead of a bare error.
        kb = None
        upload_problems = [*(upload_problems or []), Problem("knowledge base", exc.message_id, exc.message_en)]
    values = {k: forms.written(v) for k, v in forms.flatten(data).items()}
    names = forms.all_input_names(data)
    notes: dict[str, list[dict[str, str]]] = {}
    groups = []
    if result:
        by_severity: dict[str, list[dict[str, Any]]] = {s: [] for s in SEVERITIES}
        for finding in result.get("findings", []):
            paths = list(finding.get("fields") or [])
            targets = _targets(paths, names)
            links = [(path_label(page.t, p), target) for p, target in targets.items()]
            by_severity.setdefault(finding["severity"], []).append({**finding, "links": links})
            # The message is written once, under the first input it concerns; the others are
            # marked without repeating it (a budget finding concerns every line of the RAB).
            text = page.t.pick(finding.get("message"))
            for name in forms.flagged_inputs(paths, names):
                notes.setdefault(name, []).append({"severity": finding["severity"], "text": text})
                text = ""
        groups = [(s, fs) for s, fs in by_severity.items() if fs]
    problems_out = []
    if schema_problems:
        targets = _targets([p.path for p in schema_problems], names)
        problems_out = [_problem_dict(page.t, p, targets) for p in schema_problems]
        for p in schema_problems:
            for name in forms.flagged_inputs([p.path], names):
                notes.setdefault(name, []).append({"severity": "schema", "text": p.id if page.lang == "id" else p.en})
    kecamatan, kelurahan = kb_view.region_options()
    documents = kb_view.document_options(kb, data.get("cycle")) if kb else []
    chosen_docs = values.get("documents") or []
    return render(
        page, "precheck.html", status=status, active="precheck", values=values, notes=notes, result=result,
        groups=groups, schema_problems=problems_out,
        upload_problems=[p.as_dict() for p in upload_problems or []], stored=stored, confirm=confirm,
        activities=_shape(data), kecamatan_options=kecamatan, kelurahan_options=kelurahan,
        category_options=kb_view.category_options(kb, page.lang) if kb else [],
        source_options=[(s, page.t(f"source.{s}"), "") for s in forms.SOURCES],
        kind_options=[(k, page.t(f"kind.{k}"), "") for k in KINDS],
        beneficiary_fields=forms.BENEFICIARY_FIELDS, attendance_fields=forms.ATTENDANCE_FIELDS,
        speaker_fields=forms.SPEAKER_FIELDS, document_options=documents,
        other_documents=[d for d in chosen_docs if d not in documents],
        can_submit=bool(page.user and page.user.may(Permission.PROPOSALS_SUBMIT)),
        programme=kb_view.programme_of(kb, result.get("cycle")) if kb and result else None,
        totals=forms.budget_totals(data),
        repairs=repairs, changed=set(changed or ()), draft_id=draft_id, found=_found(page.t, groups),
        rule_titles=kb_view.rule_titles(services) if result else {},
        refused=None if refused is None else {"id": refused.message_id, "en": refused.message_en,
                                              "existing": getattr(refused, "extra", {}).get("existing_proposal_id")},
        change=change,
    )


def _save_draft(page: Page, data: Any, draft_id: str | None) -> Response:
    """"Simpan sebagai draf": a new draft, or the draft being edited saved again; then its page."""
    shown = data if isinstance(data, dict) else {}
    if page.user is None or not page.user.may(Permission.PROPOSALS_SUBMIT):
        return refuse(page, "role", keyed={"role": f"role.{first_role(Permission.PROPOSALS_SUBMIT)}"})
    try:
        proposal = forms.parse_typed(data, "formulir")  # typed by a person: numbers as text, read as the check reads them
        services = page.request.app.state.services
        if draft_id:
            saved = edit_draft(services, page.user, draft_id, DraftEditRequest(proposal=proposal)).id
        else:
            saved = save_draft(services, page.user, proposal).id
    except InvalidInput as exc:
        return show_form(page, shown, schema_problems=exc.problems, status=422, draft_id=draft_id)
    except ServiceError as exc:
        return show_form(page, shown, refused=exc, status=exc.status, draft_id=draft_id)
    except BerdayaError as exc:
        problem = Problem("", exc.message_id, exc.message_en)
        return show_form(page, shown, upload_problems=[problem], status=getattr(exc, "status", 500),
                         draft_id=draft_id)
    return finish(page, RedirectResponse(f"/proposal/{saved}", status_code=303))


def _found(t: Translator, groups: list[tuple[str, list[dict[str, Any]]]]) -> str:
    """What the check found, each severity counted by its name: '1 temuan menghalangi dan 5 temuan berat'."""
    parts = [t(f"precheck.found.{severity}", n=len(findings)) for severity, findings in groups]
    return t("words.and", first=", ".join(parts[:-1]), last=parts[-1]) if len(parts) > 1 else "".join(parts)


def check_and_show(page: Page, data: Any, *, typed: bool = False, submit: bool = False, confirmed: bool = False,
                   repair: bool = False, change: ChangeTarget | None = None) -> Response:
    """Validate, check (and, when asked by a facilitator, submit), then show the result.

    An ineligible proposal is stored only once the facilitator has confirmed it, after being
    told what submitting it means; otherwise the page shows the check with that question.
    `typed`: the data is what a person typed (the form, the XLSX template), numbers as text.
    `repair`: the "Terapkan perbaikan" button: the form is refilled with the proposal after the
    combined patch, checked again, its changed inputs marked; nothing is stored.
    `change`: the stored proposal the form revises or amends (`service.web.change_form`), kept on the page.
    """
    show = partial(show_form, change=change)
    shown = data if isinstance(data, dict) else {}
    try:
        proposal = forms.parse_typed(data, "formulir") if typed else parse_proposal(data, source="formulir")
    except InvalidInput as exc:
        return show(page, shown, schema_problems=exc.problems, status=422)
    services = page.request.app.state.services
    canonical = proposal.model_dump(mode="json")
    if submit:
        if page.user is None or not page.user.may(Permission.PROPOSALS_SUBMIT):
            return refuse(page, "role", keyed={"role": f"role.{first_role(Permission.PROPOSALS_SUBMIT)}"})
        if not confirmed:
            try:
                checked = services.engines.check_json(proposal)
            except BerdayaError as exc:
                problem = Problem("", exc.message_id, exc.message_en)
                return show(page, canonical, upload_problems=[problem], status=getattr(exc, "status", 500))
            if checked["verdict"] == "ineligible":
                return show(page, canonical, result=checked, confirm=True)
        try:
            stored = submit_proposal(services, page.user, proposal)
        except ServiceError as exc:
            return show(page, canonical, refused=exc, status=exc.status)
        return show(page, canonical, result=stored.check, stored={"id": stored.id})
    try:
        repaired = repair_in_force(services.engines, proposal)
        changed: list[str] = []
        if repair and repaired.patched is not None:
            changed = repairs_view.changed_inputs(repaired.repair)
            canonical = repaired.patched.model_dump(mode="json")
            repaired = repair_in_force(services.engines, repaired.patched)
    except BerdayaError as exc:
        problem = Problem("", exc.message_id, exc.message_en)
        return show(page, canonical, upload_problems=[problem], status=getattr(exc, "status", 500))
    result = repaired.model_dump(mode="json", exclude={"repair", "patched"})
    return show(page, canonical, result=result, repairs=repairs_view.repairs_context(page.t, repaired.repair),
                changed=changed)


def _draft_form(page: Page, draft_id: str) -> Response:
    """The form filled with a draft of the signed-in facilitator's kelurahan, to edit and save again."""
    if page.user is None or not page.user.may(Permission.PROPOSALS_SUBMIT):
        return refuse(page, "role", keyed={"role": f"role.{first_role(Permission.PROPOSALS_SUBMIT)}"})
    try:
        shown = journey_of(page.request.app.state.services, draft_id, page.user)
    except BerdayaError:
        return refuse(page, "not_found", status=404, name=draft_id)
    if shown.state != ProposalState.DRAFT:
        return refuse(page, "not_found", status=404, name=draft_id)
    return show_form(page, shown.proposal, draft_id=draft_id)


@router.get("/pra-periksa")
def precheck_form(page: AnyPage, draf: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    if draf:
        return _draft_form(page, draf)
    data = blank_proposal(page)
    if page.user is not None and page.user.kelurahan:
        # A facilitator works for one kelurahan: start the form there.
        kelurahan = load_reference().find_kelurahan(page.user.kelurahan)
        if kelurahan is not None:
            data["region"] = {"kecamatan": kelurahan.kecamatan, "kelurahan": kelurahan.name}
    return show_form(page, data)


def posted_proposal(form: Any) -> Any:
    """The proposal a posted form holds (its inputs as named by `forms`), not yet validated."""
    fields = {k: v for k, v in form.multi_items() if k not in ("documents", CSRF_FIELD, "action", "draft_id")}
    return forms.form_to_proposal(fields, documents=form.getlist("documents"))


@router.post("/pra-periksa")
async def precheck_post(request: Request, page: AnyPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    data = posted_proposal(form)
    action = form.get("action")
    if action == "draft":
        return await off_loop(_save_draft, page, data, str(form.get("draft_id") or "") or None)
    return await off_loop(check_and_show, page, data, typed=True, submit=action in ("submit", "submit_anyway"),
                          confirmed=action == "submit_anyway", repair=action == "repair")


@router.post("/pra-periksa/unggah")
async def precheck_upload(request: Request, page: AnyPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    upload = await uploaded_file(form, UPLOAD_TYPES)
    if isinstance(upload, Problem):
        return show_form(page, blank_proposal(page), upload_problems=[upload], status=422)
    return await off_loop(check_upload, page, upload.data, upload.kind, upload.name)


def check_upload(page: Page, raw: bytes, kind: str, name: str) -> Response:
    """Read an uploaded proposal (guarded reader, in a worker thread), then check and show it."""
    limits = read_limits(page.request)
    try:
        if kind == "xlsx":
            workbook = read_workbook(raw, source=name, limits=limits, choices=template_choices(page))
            data: Any = forms.form_to_proposal(workbook)
        else:
            data = intake.read_text_document(raw, limits, source=name)
    except InvalidInput as exc:
        status = exc.status if isinstance(exc, LimitExceeded) else 422
        return show_form(page, blank_proposal(page), upload_problems=exc.problems, status=status)
    except BerdayaError as exc:
        return show_form(page, blank_proposal(page), upload_problems=[Problem(name, exc.message_id, exc.message_en)],
                         status=422)
    return check_and_show(page, data, typed=kind == "xlsx")


@router.get("/pra-periksa/templat.xlsx")
def precheck_template(request: Request, page: AnyPage) -> Response:
    return workbook(page, None, "templat-proposal-ppm.xlsx")


def workbook(page: Page, proposal: dict[str, Any] | None, filename: str) -> Response:
    """The XLSX template as a download, empty or filled with `proposal`."""
    ind, eng = Translator("id"), Translator("en")

    def describe(path: str) -> str:
        # The workbook is shared between people: both languages, Indonesian first.
        return f"{ind(f'field.{path}')} / {eng(f'field.{path}')}"

    body = write_template(describe, proposal, choices=template_choices(page))
    return finish(page, Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     headers={"Content-Disposition": f'attachment; filename="{filename}"',
                              "Cache-Control": "no-store"}))


def template_choices(page: Page) -> Choices:
    """The names the template's lists offer: the knowledge base's categories and documents in force."""
    try:
        kb = kb_view.kb_in_force(page.request.app.state.services)
    except BerdayaError:
        return Choices.build([], [])  # the template stays usable; categories and documents are then typed in
    categories = [(c.id, c.name.id or c.id, c.name.en or c.id) for c in kb.categories.values()]
    return Choices.build(sorted(categories), kb_view.document_options(kb, None))
