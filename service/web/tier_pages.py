"""Tier decisions from the scores table, and the calibration pages: in force, proposed, override rates, and
calibration runs on the stored final tiers.

All call the same use cases as the API (`service.usecases.tiers`, `service.usecases.calibrations`,
`service.usecases.calibration_runs`): a refused decision (closed cycle 409, a missing reason 422) is
shown on the scores page with its status and nothing stored; putting a calibration in force needs the
policy role. A calibration run (evaluators and policy staff: past cycles and a method) fits in the
background; its page refreshes until the report is there, in words and tables. A refused run
(cycles without stored scores, too few final tiers per tier) is shown on /kalibrasi with its reasons
and the form as sent; nothing is stored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from knowledge.errors import InvalidInput, Problem
from knowledge.validation import problems_from
from service.errors import NotFound, ServiceError
from service.permissions import Permission
from service.schemas_calibration import CalibrationRunRequest
from service.schemas_evaluations import InForceRequest, TierDecisionRequest
from service.usecases import calibration_runs, calibrations, tiers
from service.web import calibration_view as view
from service.web.rendering import (
    CalibrationRunPage,
    CalibrationsPage,
    EnactPage,
    Page,
    TierDecisionPage,
    finish,
    posted_form,
    refuse,
    render,
)
from service.web.scores import services_of, show

router = APIRouter()
KEEP = ("run", "q", "kelurahan", "cycle", "tier", "borderline", "sort", "order", "page")


# The decision form's fields by their labels, for a refusal that names one.
FIELD_LABELS = {"reason": "scores.reason_label", "tier": "scores.final_tier", "cycle": "scores.cycle",
                "kelurahan": "scores.kelurahan", "rw": "journey.rw"}


def _back(form: dict[str, str], **extra: str) -> str:
    """The view the decision was made in, at the row decided (not the table's top, scrolled aside)."""
    params = {k: form[k] for k in KEEP if form.get(k)}
    row = f"#u-{form['d_unit']}" if form.get("d_unit", "").isdigit() else "#units"
    return f"/skor?{urlencode({**params, **extra})}{row}"


def _refused(page: Page, form: dict[str, str], problems: list[Problem], status: int) -> Response:
    """A refused decision under its own heading naming the RW ("Tingkat RW 1 Cibabat 2026 tidak disimpan"),
    each field by its label, on the view it was made in (filters, sort, page) with the row's tier and
    reason as chosen, so nothing typed is lost."""
    named = [Problem(page.t(FIELD_LABELS[p.path]) if p.path in FIELD_LABELS else p.path, p.id, p.en) for p in problems]
    kept = {k: form[k] for k in KEEP if form.get(k)}
    decision = {"unit": form.get("d_unit", ""), "tier": form.get("d_tier", ""), "reason": form.get("d_reason", ""),
                "rw": form.get("d_rw", ""), "kelurahan": form.get("d_kelurahan", ""), "cycle": form.get("d_cycle", ""),
                "fields": {p.path for p in problems}}
    return show(page, run_id=form.get("run") or None, problems=named, status=status,
                problems_title="scores.decision_problems", kept=kept, decision=decision)


@router.post("/skor/tingkat")
async def decide_tier(request: Request, page: TierDecisionPage) -> Response:
    posted, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    form = {k: str(v) for k, v in posted.items() if isinstance(v, str)}
    try:
        body = TierDecisionRequest.model_validate({
            "cycle": form.get("d_cycle"), "kelurahan": form.get("d_kelurahan"), "rw": form.get("d_rw"),
            "tier": form.get("d_tier"), "reason": form.get("d_reason", "")})
        assert page.user is not None
        decided = tiers.decide_tier(services_of(page), page.user, body)
    except ValidationError as exc:
        return _refused(page, form, problems_from(exc), 422)
    except InvalidInput as exc:
        return _refused(page, form, exc.problems, 422)
    except ServiceError as exc:
        return _refused(page, form, [Problem("tier", exc.message_id, exc.message_en)], exc.status)
    done = "override" if decided.overridden else "confirm"
    back = _back(form, done=done, d_cycle=str(decided.cycle), d_kelurahan=decided.kelurahan, d_rw=str(decided.rw))
    return finish(page, RedirectResponse(back, status_code=303))


def _calibration_words(page: Page, stored: list[Any]) -> dict[str, str]:
    """Each stored calibration in words, as a person picks it: "Logit berurut · siklus 2018–2025 · 2 Desember 2026"
    (its id stays the form's value and the API's name)."""
    services = services_of(page)
    words = {}
    for c in stored:
        cycles = calibrations.get_calibration(services, c.id).get("cycles") or []
        words[c.id] = " · ".join([page.t(f"method.{c.method}"), f'{page.t("run.cycles_short")} {view.cycles_words(cycles)}',
                                  page.t.date(c.created_at.date().isoformat())])
    return words


def _preselected(stored: list[Any], proposed: str | None) -> str | None:
    """The calibration the enact form starts at: the one the run page proposed, else the newest ordered logit
    (the default method), never the fixed-cuts comparison merely because it was stored first."""
    ids = [c.id for c in stored]
    if proposed in ids:
        return proposed
    return next((c.id for c in stored if c.method == "ordinal"), ids[0] if ids else None)


def show_calibrations(page: Page, *, problems: list[Problem] | None = None, status: int = 200,
                      form: dict[str, Any] | None = None) -> Response:
    """The calibration page; `form` keeps what a refused run form held (cycles, method)."""
    services = services_of(page)
    stored = calibrations.list_calibrations(services)
    user = page.user
    return render(page, "calibrations.html", status=status, active="calibrations", stored=stored,
                  history=calibrations.in_force_history(services), rates=tiers.override_rates(services),
                  may_enact=user is not None and user.may(Permission.CALIBRATIONS_ENACT),
                  may_run=user is not None and user.may(Permission.CALIBRATIONS_WRITE),
                  cycles=calibration_runs.stored_cycles(services), runs=calibration_runs.list_runs(services, 10),
                  methods=view.METHODS, form=form or {}, words=_calibration_words(page, stored),
                  proposed=_preselected(stored, page.request.query_params.get("usul")),
                  problems=[p.as_dict() for p in problems or []])


@router.get("/kalibrasi")
def calibrations_page(page: CalibrationsPage) -> Response:
    return show_calibrations(page)


@router.post("/kalibrasi/berlakukan")
async def put_in_force(request: Request, page: EnactPage) -> Response:
    posted, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    try:
        body = InForceRequest.model_validate({"calibration_id": posted.get("calibration_id"),
                                              "from_cycle": posted.get("from_cycle"), "reason": posted.get("reason")})
        assert page.user is not None
        calibrations.put_in_force(services_of(page), page.user, body)
    except ValidationError as exc:
        return show_calibrations(page, problems=problems_from(exc), status=422)
    except InvalidInput as exc:
        return show_calibrations(page, problems=exc.problems, status=422)
    except ServiceError as exc:
        return show_calibrations(page, problems=[Problem("calibration_id", exc.message_id, exc.message_en)],
                                 status=exc.status)
    return finish(page, RedirectResponse("/kalibrasi?done=in-force#in-force", status_code=303))


@router.post("/kalibrasi/jalankan")
async def start_run(request: Request, page: CalibrationRunPage) -> Response:
    posted, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    form = {"cycles": [str(c) for c in posted.getlist("cycles")], "method": str(posted.get("method") or ""),
            "reference_cycles": [str(c) for c in posted.getlist("reference_cycles")]}
    try:
        body = CalibrationRunRequest.model_validate({
            "cycles": ",".join(form["cycles"]), "method": form["method"] or "ordinal",
            "reference_cycles": ",".join(form["reference_cycles"]) or None})
        assert page.user is not None
        run = calibration_runs.start_run(services_of(page), page.user, body)
    except ValidationError as exc:
        return show_calibrations(page, problems=problems_from(exc), status=422, form=form)
    except InvalidInput as exc:
        return show_calibrations(page, problems=list(exc.problems), status=422, form=form)
    return finish(page, RedirectResponse(f"/kalibrasi/jalankan/{run.id}", status_code=303))


@router.get("/kalibrasi/jalankan/{run_id}")
def run_page(run_id: str, page: CalibrationsPage) -> Response:
    services = services_of(page)
    try:
        run = calibration_runs.get_run(services, run_id)
    except NotFound:
        return refuse(page, "not_found", status=404, name=run_id[:80])
    definition = services.engines.definition()
    report = run.report
    return render(page, "calibration_run.html", active="calibrations", run=run, report=report,
                  finished=run.job.state not in ("queued", "running"),
                  tiers=view.tier_names(definition, page.t), indicators=view.indicator_names(definition, page.t),
                  cycles_words=view.cycles_words, histogram=view.histogram_rows if report else None,
                  may_enact=page.user is not None and page.user.may(Permission.CALIBRATIONS_ENACT))
