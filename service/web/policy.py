"""Kebijakan: the knowledge base in force, browsable, and the what-if reports of drafts.

Policy staff only. The knowledge base shown is the one the checks use (the service's
engines). What-if reports are the JSON files the policy-tuning tools keep in the
knowledge-base store (`<store>/<kb name>/whatif/<draft hash>.json`); the page lists those
that exist and says so plainly when there are none.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from knowledge.kb_store import KBStore
from service.web import kb_view
from service.web.charts import matrix_cells, paired_bars
from service.web.rendering import PolicyPage, refuse, render

router = APIRouter()
REPORT_NAME = re.compile(r"^[0-9a-f]{8,64}$")


def _whatif_dir(app):
    # The same store the drafts API and `berdaya kb simulate` save reports to.
    store = getattr(app.state, "kb_store", None) or KBStore(kb_name=kb_view.kb_in_force(app.state.services).name)
    return store.whatif_dir


def list_reports(app) -> list[dict[str, Any]]:
    directory = _whatif_dir(app)
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("*.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a report being written or damaged is not listed
        if not isinstance(report, dict) or "transitions" not in report:
            continue
        out.append({"id": path.stem, "report": report})
    return sorted(out, key=lambda r: str(r["report"].get("created_at", "")), reverse=True)


@router.get("/kebijakan")
def policy_home(request: Request, page: PolicyPage) -> Response:
    kb = kb_view.kb_in_force(request.app.state.services)
    return render(page, "policy.html", active="policy", kb=kb, view=kb_view.browse(kb),
                  reports=list_reports(request.app))


@router.get("/kebijakan/what-if")
def whatif_list(request: Request, page: PolicyPage) -> Response:
    return render(page, "whatif_list.html", active="policy", reports=list_reports(request.app))


@router.get("/kebijakan/what-if/{report_id}")
def whatif_report(request: Request, report_id: str, page: PolicyPage) -> Response:
    found = next((r for r in list_reports(request.app) if r["id"] == report_id), None)
    if not REPORT_NAME.match(report_id) or found is None:
        return refuse(page, "not_found", status=404, name=report_id[:80])
    report = found["report"]
    verdicts = report.get("verdicts") or ["eligible", "needs_revision", "ineligible"]
    matrices = [("all", report["transitions"]["all"]), *sorted(report["transitions"].get("by_cycle", {}).items())]
    charts = [(label, matrix_cells(matrix, verdicts)) for label, matrix in matrices]
    moved = [r for r in report.get("rules", []) if r.get("delta")]
    bars = paired_bars([(r["rule_id"], r["before"], r["after"]) for r in moved])
    return render(page, "whatif.html", active="policy", report=report, report_id=report_id, verdicts=verdicts,
                  charts=charts, bars=bars, moved=moved)
