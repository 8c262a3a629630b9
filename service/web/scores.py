"""Skor pemberdayaan: evaluators upload evaluation records and see each RW's tier.

Scoring goes through the same use case as the API's POST /v1/scores (batch cap, calibration
in force, one stored decision with the calibration id for audit), so the XLSX download is
built from that stored decision, not from anything the browser sends.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from knowledge import intake
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.intake import LimitExceeded
from knowledge.tables import sheet_row
from knowledge.validation import validate_model
from service.bodies import off_loop, read_limits
from service.errors import ServiceError
from service.schemas import ScoreRequest
from service.usecases import scores
from service.web.charts import tier_shares
from service.web.rendering import Page, ScoresPage, finish, posted_form, refuse, render, uploaded_file

router = APIRouter()
UPLOAD_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tiers(page: Page) -> list[tuple[int, str]]:
    definition = page.request.app.state.services.engines.definition()
    return [(i, page.t.pick(level.name.model_dump())) for i, level in enumerate(definition.tiers.levels)]


def _dimensions(page: Page) -> list[tuple[str, str]]:
    definition = page.request.app.state.services.engines.definition()
    return [(d.id, page.t.pick(d.name.model_dump())) for d in definition.dimensions]


def show(page: Page, *, result: dict | None = None, problems: list[Problem] | None = None,
         synthetic: bool = False, status: int = 200) -> Response:
    tiers = _tiers(page)
    units = (result or {}).get("units") or []
    counts = {t: sum(1 for u in units if u.get("tier") == t) for t, _ in tiers}
    return render(
        page, "scores.html", status=status, active="scores", result=result, units=units, tiers=tiers,
        dimensions=_dimensions(page), counts=counts, synthetic=synthetic,
        problems=[p.as_dict() for p in problems or []],
        by_kelurahan=tier_shares(units, "kelurahan", tiers), by_cycle=tier_shares(units, "cycle", tiers),
        borderline=sum(1 for u in units if u.get("borderline")),
        index_title=page.t.pick(page.request.app.state.services.engines.definition().title.model_dump()),
    )


@router.get("/skor")
def scores_form(page: ScoresPage) -> Response:
    return show(page)


@router.post("/skor")
async def scores_upload(request: Request, page: ScoresPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    upload = await uploaded_file(form, UPLOAD_FORMATS)
    if isinstance(upload, Problem):
        return show(page, problems=[upload], status=422)
    return await off_loop(score_upload, page, upload.data, upload.kind, upload.name)


def score_upload(page: Page, raw: bytes, fmt: str, name: str) -> Response:
    """Read an uploaded table (guarded reader, in a worker thread), score it and show the result."""
    request = page.request
    try:
        rows = intake.read_table(raw, fmt, read_limits(request), source=name)
        if not rows:
            raise InvalidInput([Problem(name, "berkas tidak berisi baris data", "the file has no data rows")])
        services = request.app.state.services
        body = validate_model(ScoreRequest, {"records": rows, "explain": True, "lang": page.lang}, source=name)
        assert page.user is not None  # a ScoresPage has a signed-in key that may score
        response = scores.score_records(services, page.user, body)
    except LimitExceeded as exc:
        return show(page, problems=exc.problems, status=exc.status)
    except InvalidInput as exc:
        return show(page, problems=exc.problems, status=422)
    except (ServiceError, BerdayaError) as exc:
        return show(page, problems=[Problem(name, exc.message_id, exc.message_en)],
                    status=getattr(exc, "status", 422))
    synthetic = any(str(r.get("synthetic")).strip().lower() in {"1", "true", "ya", "yes"} for r in rows)
    return show(page, result=response.model_dump(mode="json"), synthetic=synthetic)


def results_workbook(page: Page, decision_id: str, output: dict[str, Any], synthetic: bool) -> bytes:
    """One row per unit (identifiers, score, dimensions, tier, borderline, advice) and a sheet of provenance."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    dims = _dimensions(page)
    units = output.get("units") or []
    id_cols = [c for c in ("cycle", "kecamatan", "kelurahan", "rw") if any(c in u for u in units)]
    header = [*id_cols, "score", *(d for d, _ in dims), "tier", "tier_name", "borderline", "imputed_indicators",
              "evaluator_tier", "evaluator_tier_name", "advice"]
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "skor"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for u in units:
        ws.append(sheet_row([*(u.get(c) for c in id_cols), u.get("score"),
                             *((u.get("dimensions") or {}).get(d) for d, _ in dims), u.get("tier"),
                             u.get("tier_name"), bool(u.get("borderline")), ";".join(u.get("imputed") or []),
                             u.get("evaluator_tier"), u.get("evaluator_tier_name"), page.t.pick(u.get("advice"))]))
    info = wb.create_sheet("keterangan")
    info.append(["butir / item", "nilai / value"])
    for label, value in (("keputusan / decision", decision_id),
                         ("indeks / index", (output.get("index") or {}).get("name")),
                         ("hash indeks / index hash", (output.get("index") or {}).get("hash")),
                         ("kalibrasi / calibration", output.get("calibration_id") or "cut points bawaan / fallback"),
                         ("data", "SINTETIS / synthetic" if synthetic else "unggahan evaluator / evaluator upload")):
        info.append(sheet_row([label, value]))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@router.get("/skor/unduh/{decision_id}.xlsx")
def scores_download(request: Request, decision_id: str, page: ScoresPage) -> Response:
    try:
        decision = scores.score_decision(request.app.state.services, decision_id)
    except ServiceError:
        return refuse(page, "not_found", status=404, name=decision_id[:80])
    output = decision.output
    rows = (decision.input or {}).get("rows") or []
    synthetic = any(str(r.get("synthetic")).strip().lower() in {"1", "true", "ya", "yes"} for r in rows)
    body = results_workbook(page, decision_id, output, synthetic)
    return finish(page, Response(body, media_type=XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="skor-{decision_id[:8]}.xlsx"'}))
