"""Kebijakan: the knowledge base in force, browsable, the what-if reports of drafts, and the rules
reviewers accepted as exceptions most often per cycle (the use case of GET /v1/policy/overrides).

Policy staff only. The knowledge base shown is the one the checks use (the service's
engines). What-if reports are the ones the policy-tuning tools keep in the knowledge-base
store (`policy.store.KBStore.whatif_reports`); the page lists those that exist and says so
plainly when there are none.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from knowledge.versions import UnknownVersion
from policy.reports import dump
from service import repository
from service.usecases import reviews
from service.usecases.drafts import store_of
from service.web import kb_view
from service.web.charts import matrix_cells, paired_bars
from service.web.rendering import PolicyPage, refuse, render
from service.web.workbench_view import unit_value

router = APIRouter()
REPORT_NAME = re.compile(r"^[0-9a-f]{8,64}$")
CHANGED_SHOWN = 500  # proposals listed on the page; the JSON report keeps them all


def list_reports(app: Any) -> list[dict[str, Any]]:
    # The same store the drafts API and `berdaya kb simulate` save reports to.
    return [{"id": report_id, "report": dump(report)} for report_id, report in store_of(app).whatif_reports()]


@router.get("/kebijakan")
def policy_home(request: Request, page: PolicyPage) -> Response:
    kb = kb_view.kb_in_force(request.app.state.services)
    return render(page, "policy.html", active="policy", kb=kb, view=kb_view.browse(kb),
                  reports=list_reports(request.app), item_words=kb_view.item_words, unit_value=unit_value)


@router.get("/kebijakan/pengecualian")
def overrides_page(request: Request, page: PolicyPage) -> Response:
    by_cycle: dict[int, list[Any]] = {}
    for item in reviews.overrides(request.app.state.services, None).items:  # newest cycle first
        by_cycle.setdefault(item.cycle, []).append(item)
    return render(page, "policy_overrides.html", active="policy", by_cycle=list(by_cycle.items()))


@router.get("/kebijakan/what-if")
def whatif_list(request: Request, page: PolicyPage) -> Response:
    return render(page, "whatif_list.html", active="policy", reports=list_reports(request.app))


def _draft_back(request: Request, draft_id: str | None) -> str | None:
    """The draft a report was opened from (`?draf=`), when it is still in the store: the report links back to it,
    where the draft is published."""
    if not draft_id:
        return None
    try:
        store_of(request.app).draft_path(draft_id)
    except UnknownVersion:
        return None
    return draft_id


@router.get("/kebijakan/what-if/{report_id}")
def whatif_report(request: Request, report_id: str, page: PolicyPage, draf: str | None = None) -> Response:
    found = next((r for r in list_reports(request.app) if r["id"] == report_id), None)
    if not REPORT_NAME.match(report_id) or found is None:
        return refuse(page, "not_found", status=404, name=report_id[:80])
    report = found["report"]
    verdicts = report.get("verdicts") or ["eligible", "needs_revision", "ineligible"]
    matrices = [("all", report["transitions"]["all"]), *sorted(report["transitions"].get("by_cycle", {}).items())]
    charts = [(label, matrix_cells(matrix, verdicts)) for label, matrix in matrices]
    moved = [r for r in report.get("rules", []) if r.get("delta")]
    bars = paired_bars([(r["rule_id"], r["before"], r["after"]) for r in moved])
    titles = {r["rule_id"]: r.get("title") or {} for r in report.get("rules", [])}
    shown = report["changed"][:CHANGED_SHOWN]
    with request.app.state.services.db.session() as session:
        linked = repository.stored_proposal_ids(session, [c["ref"] for c in shown])
    return render(page, "whatif.html", active="policy", report=report, report_id=report_id, verdicts=verdicts,
                  charts=charts, bars=bars, moved=moved, titles=titles, shown=shown, linked=linked,
                  draft_back=_draft_back(request, draf))
