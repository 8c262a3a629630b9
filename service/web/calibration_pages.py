"""Kalibrasi dari tingkat akhir: an evaluator (or policy staff) chooses past cycles and a method, the run
fits in the background (`service.usecases.calibration_runs`, the same code as POST /v1/calibration-runs)
and its page refreshes until the report is there, in words and tables.

A refused run (cycles without stored scores, too few final tiers per tier) is shown on /kalibrasi
with its reasons and the form as it was sent; nothing is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from knowledge.errors import InvalidInput
from knowledge.validation import problems_from
from service.errors import NotFound
from service.permissions import Permission
from service.schemas_calibration import CalibrationRunRequest
from service.usecases import calibration_runs
from service.web import calibration_view as view
from service.web.rendering import CalibrationRunPage, CalibrationsPage, finish, posted_form, refuse, render
from service.web.scores import services_of
from service.web.tier_pages import show_calibrations

router = APIRouter()


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
