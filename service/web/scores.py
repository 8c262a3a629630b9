"""Skor pemberdayaan: evaluators upload evaluation records of any size and page through each RW's tier.

An upload is read by the guarded reader in a worker thread, every row checked (a bad cell names
its row and column and scores nothing), then scored as a background score run in chunks
(`service.usecases.score_runs`, the same code as POST /v1/score-runs). `/skor?run=ID` shows its
progress, then the stored units: filtered, sorted and paged in the database by query parameters,
the computed tier beside the evaluator's own, a form to confirm or override it, the calibration
in force per cycle and the tier changes a calibration newly in force would cause.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from knowledge import intake
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.intake import LimitExceeded
from service import repository_evaluations as store
from service.bodies import off_loop, read_limits
from service.deps import Services
from service.errors import ServiceError
from service.repository_evaluations import UnitQuery
from service.usecases import calibrations, score_runs, tiers
from service.usecases.tiers import final_tier_labels
from service.web.charts import share_bars
from service.web.rendering import Page, ScoresPage, finish, posted_form, refuse, render, uploaded_file
from service.web.scores_xlsx import XLSX_TYPE, run_workbook

router = APIRouter()
UPLOAD_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
PAGE_SIZE = 50
SORTS = ("position", "cycle", "kelurahan", "rw", "score", "tier")
KEPT_PARAMS = ("run", "q", "kelurahan", "cycle", "tier", "borderline", "sort", "order", "page")


def services_of(page: Page) -> Services:
    services: Services = page.request.app.state.services
    return services


def tier_names(page: Page) -> list[tuple[int, str]]:
    definition = services_of(page).engines.definition()
    return [(i, page.t.pick(level.name.model_dump())) for i, level in enumerate(definition.tiers.levels)]


def upload_columns(page: Page) -> list[tuple[str, str]]:
    """The columns an evaluation file has: the RW and cycle, each indicator of the index definition
    (its name in words, its code as the file's header) and the evaluator's tier (optional)."""
    definition = services_of(page).engines.definition()
    keys = [(page.t("scores.cycle"), "cycle"), ("Kecamatan", "kecamatan"), (page.t("scores.kelurahan"), "kelurahan"),
            ("RW", "rw")]
    indicators = [(page.t.pick(ind.name.model_dump()), ind.id) for ind in definition.indicators]
    return [*keys, *indicators, (page.t("scores.evaluator_tier_optional"), "evaluator_tier")]


def dimension_names(page: Page) -> list[tuple[str, str]]:
    definition = services_of(page).engines.definition()
    return [(d.id, page.t.pick(d.name.model_dump())) for d in definition.dimensions]


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def unit_query(params: Any) -> UnitQuery:
    """The table's filters, sort and page from the query string (unknown values are ignored, never a 5xx)."""
    sort = params.get("sort") if params.get("sort") in SORTS else "position"
    borderline = {"ya": True, "tidak": False}.get(str(params.get("borderline", "")))
    page_no = max(1, _int(params.get("page")) or 1)
    return UnitQuery(search=str(params.get("q", ""))[:80], kelurahan=params.get("kelurahan") or None,
                     cycle=_int(params.get("cycle")), tier=_int(params.get("tier")), borderline=borderline,
                     sort=sort, descending=params.get("order") == "desc", offset=(page_no - 1) * PAGE_SIZE,
                     limit=PAGE_SIZE)


def _charts(page: Page, run_id: str) -> dict[str, Any]:
    with services_of(page).db.session() as session:
        return {by: share_bars(store.run_tier_counts(session, run_id, by), tier_names(page))
                for by in ("kelurahan", "cycle")}


def _facets(page: Page, run_id: str) -> dict[str, list[Any]]:
    with services_of(page).db.session() as session:
        counts = store.run_tier_counts(session, run_id, "kelurahan")
        cycles = store.run_tier_counts(session, run_id, "cycle")
    return {"kelurahan": sorted({str(k) for k, _, _ in counts}), "cycles": sorted({int(c) for c, _, _ in cycles})}


def in_force_notes(page: Page, units: list[Any]) -> list[dict[str, Any]]:
    """Per calibration now in force for a cycle whose stored scores used another: the transitions it would cause."""
    services = services_of(page)
    cycles = sorted({u.cycle for u in units if u.cycle is not None})
    now = calibrations.in_force_by_cycle(services, cycles)
    stale: dict[str, list[int]] = {}
    for cycle in cycles:
        used = {u.calibration_id for u in units if u.cycle == cycle}
        if now[cycle] is not None and used != {now[cycle]}:
            stale.setdefault(str(now[cycle]), []).append(cycle)
    notes = []
    for calibration_id, affected in stale.items():
        mine = [u for u in units if u.cycle in affected]
        notes.append({"calibration_id": calibration_id, "cycles": affected,
                      "transitions": calibrations.transitions(services, calibration_id, min(affected), mine)})
    return notes


def _run_context(page: Page, run_id: str, asked: dict[str, str]) -> dict[str, Any]:
    services = services_of(page)
    run = score_runs.get_run(services, run_id)
    context: dict[str, Any] = {"run": run}
    if run.job is None or run.job.state != "done":
        return context
    query = unit_query(asked)
    found = score_runs.units_page(services, run_id, query)
    all_units = score_runs.run_units(services, run_id)
    finals = final_tier_labels(services, [])
    context.update(
        units=found.items, total=found.total, query=query, pages=max(1, -(-found.total // PAGE_SIZE)),
        page_no=query.offset // PAGE_SIZE + 1, facets=_facets(page, run_id), charts=_charts(page, run_id),
        finals=finals, notes=in_force_notes(page, all_units),
        in_force=calibrations.in_force_by_cycle(services, sorted({u.cycle for u in all_units if u.cycle})))
    return context


def show(page: Page, *, run_id: str | None = None, problems: list[Problem] | None = None, status: int = 200,
         problems_title: str = "scores.problems", kept: dict[str, str] | None = None,
         decision: dict[str, Any] | None = None) -> Response:
    """The scores page; `kept` is the view a refused tier decision was made in (its filters, sort and page,
    posted with the form) and `decision` what that decision held, so the row shows it again."""
    asked = kept if kept is not None else page.request.query_params
    current = {k: str(v) for k, v in asked.items() if k in KEPT_PARAMS}
    if run_id:
        current["run"] = run_id
    context = _run_context(page, run_id, current) if run_id else {}

    def params(**changes: Any) -> str:
        """The query string of this view with `changes` (None drops a parameter)."""
        merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
        return urlencode({k: v for k, v in merged.items() if k not in changes or changes[k] is not None})

    return render(page, "scores.html", status=status, active="scores", tiers=tier_names(page),
                  t_ids=services_of(page).engines.definition().tier_ids, params=params, request_params=current,
                  index_title=page.t.pick(services_of(page).engines.definition().title.model_dump()),
                  dimensions=dimension_names(page), problems=[p.as_dict() for p in problems or []],
                  recent=score_runs.latest_runs(services_of(page), 5), problems_title=problems_title,
                  decision=decision or {}, notice=_decided(page), upload_columns=upload_columns(page), **context)


def _decided(page: Page) -> str | None:
    """After a tier decision is saved (the redirect's `done`, `d_cycle`, `d_kelurahan`, `d_rw`): what was
    stored, read back from the store: "Tingkat RW 5 Cibabat 2024 disimpan: Madani (alasan: ...)"."""
    asked = page.request.query_params
    if asked.get("done") not in ("override", "confirm") or not asked.get("d_cycle", "").isdigit() \
            or not asked.get("d_rw", "").isdigit():
        return None
    found = tiers.list_decisions(services_of(page), cycle=int(asked["d_cycle"]), kelurahan=asked.get("d_kelurahan"),
                                 rw=int(asked["d_rw"]))
    if not found:
        return None
    d = found[0]
    tier = dict(tier_names(page)).get(d.final_tier, d.final_tier_name)
    key = "scores.decided_override" if d.overridden else "scores.decided_confirm"
    return page.t(key, rw=d.rw, kelurahan=d.kelurahan, cycle=d.cycle, tier=tier, reason=d.reason)


@router.get("/skor")
def scores_page(page: ScoresPage, run: str | None = None) -> Response:
    if run is not None:
        try:
            return show(page, run_id=run[:40])
        except ServiceError:
            return refuse(page, "not_found", status=404, name=run[:40])
    return show(page)


@router.post("/skor")
async def scores_upload(request: Request, page: ScoresPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    upload = await uploaded_file(form, UPLOAD_FORMATS)
    if isinstance(upload, Problem):
        return show(page, problems=[upload], status=422)
    return await off_loop(start_upload, page, upload.data, upload.kind, upload.name)


def start_upload(page: Page, raw: bytes, fmt: str, name: str) -> Response:
    """Read an uploaded table (guarded reader, in a worker thread), check every row and start its score run."""
    try:
        rows = intake.read_table(raw, fmt, read_limits(page.request), source=name)
        if not rows:
            raise InvalidInput([Problem(name, "berkas tidak berisi baris data", "the file has no data rows")])
        assert page.user is not None  # a ScoresPage has a signed-in key that may score
        run = score_runs.start_run(services_of(page), page.user, rows, source=name, lang=page.lang)
    except LimitExceeded as exc:
        return show(page, problems=exc.problems, status=exc.status)
    except InvalidInput as exc:
        return show(page, problems=exc.problems, status=422)
    except (ServiceError, BerdayaError) as exc:
        return show(page, problems=[Problem(name, exc.message_id, exc.message_en)],
                    status=getattr(exc, "status", 422))
    return finish(page, RedirectResponse(f"/skor?run={run.id}", status_code=303))


@router.get("/skor/unduh/{run_id}.xlsx")
def scores_download(run_id: str, page: ScoresPage) -> Response:
    services = services_of(page)
    try:
        run = score_runs.get_run(services, run_id)
        units = [score_runs.unit_of(u) for u in score_runs.run_units(services, run_id)]
    except ServiceError:
        return refuse(page, "not_found", status=404, name=run_id[:80])
    finals = final_tier_labels(services, [])
    body = run_workbook(page, run, units, finals, tier_names(page), dimension_names(page))
    return finish(page, Response(body, media_type=XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="skor-{run_id[:8]}.xlsx"'}))
