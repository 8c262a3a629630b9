"""Printing a proposal: a print view and a server-made PDF (A4, the city's header) from one Jinja template.

The summary holds the activities, the RAB per line with totals by source, the findings with their
suggestions, the exceptions accepted with their reasons, the reviewers' decisions and a signature
block (the RW and each stage of the review chain). The PDF is WeasyPrint's rendering of the same
HTML, made in a worker thread.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from knowledge import intake
from knowledge.errors import BerdayaError
from knowledge.labels import named
from knowledge.review_chain import CHAIN_FILE, load_review_chain
from service.bodies import off_loop
from service.schemas_journey import EventKind, ProposalJourney, RevisionKind
from service.usecases import journey
from service.web import kb_view
from service.web.journey_pages import ReadPage
from service.web.rendering import Page, finish, refuse, templates

router = APIRouter()
LETTERHEAD = CHAIN_FILE.parent / "letterhead.yaml"


@lru_cache(maxsize=1)
def letterhead(path: str = str(LETTERHEAD)) -> dict[str, Any]:
    limits = intake.ReadLimits()
    data: dict[str, Any] = intake.read_yaml(intake.read_file(path, limits), limits, source=Path(path).name)
    return data


def rab(content: dict[str, Any], lang: str) -> dict[str, Any]:
    """The RAB per line (activity, item, quantity, unit price, amount, source) with totals by source."""
    lines: list[dict[str, Any]] = []
    totals: defaultdict[str, int] = defaultdict(int)
    for number, activity in enumerate(content.get("activities") or [], start=1):
        for line in activity.get("budget_lines") or []:
            amount = round(float(line.get("quantity") or 0) * float(line.get("unit_price") or 0))
            source = str(line.get("source") or "")
            totals[source] += amount
            lines.append({"activity": number, "item": line.get("item"), "unit": line.get("unit"),
                          "quantity": line.get("quantity"), "unit_price": line.get("unit_price"),
                          "amount": amount, "source": named("sources", source, lang) or source})
    by_source = [(named("sources", s, lang) or s, n) for s, n in sorted(totals.items())]
    return {"lines": lines, "by_source": by_source, "total": sum(totals.values())}


def _context(page: Page, shown: ProposalJourney) -> dict[str, Any]:
    chain = load_review_chain()
    stage_names = {stage.id: page.t.pick(stage.name.model_dump()) for stage in chain.stages}
    decisions = [e for e in shown.events if e.kind in (EventKind.APPROVED, EventKind.RETURNED)]
    head = letterhead()
    # (who, signs with a staff number): the reviewers of each stage are civil servants, the RW chair is not.
    signers = [(page.t.pick(s), bool(s.get("nip", True))) for s in head.get("signatories", [])]
    signers += [(name, True) for name in stage_names.values()]
    latest = shown.revisions[-1] if shown.revisions else None
    return {"page": page, "t": page.t, "lang": page.lang, "p": shown, "rab": rab(shown.proposal, page.lang),
            "stage_names": stage_names, "decisions": decisions, "head": head, "signers": signers,
            "rule_titles": kb_view.rule_titles(page.request.app.state.services),
            "amendment": latest if latest is not None and latest.kind == RevisionKind.AMENDMENT else None}


def _shown(page: Page, proposal_id: str) -> ProposalJourney | Response:
    assert page.user is not None
    try:
        return journey.journey_of(page.request.app.state.services, proposal_id, page.user)
    except BerdayaError as exc:
        if getattr(exc, "status", 500) == 404:
            return refuse(page, "not_found", status=404, name=proposal_id)
        return refuse(page, "role")


def summary_html(page: Page, shown: ProposalJourney) -> str:
    return templates.get_template("print.html").render(_context(page, shown))


@router.get("/proposal/{proposal_id}/cetak")
def print_view(proposal_id: str, page: ReadPage) -> Response:
    """The proposal's summary as a page made for printing (A4, no menu or forms)."""
    shown = _shown(page, proposal_id)
    if isinstance(shown, Response):
        return shown
    return finish(page, HTMLResponse(summary_html(page, shown)))


def pdf_of(html: str) -> bytes:
    # Imported here: WeasyPrint loads pango and fonts, which no other page needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


@router.get("/proposal/{proposal_id}/cetak.pdf")
async def print_pdf(proposal_id: str, page: ReadPage) -> Response:
    """The same summary as a PDF made on the server."""
    shown = await off_loop(_shown, page, proposal_id)
    if isinstance(shown, Response):
        return shown
    body = await off_loop(pdf_of, summary_html(page, shown))
    name = f"proposal-{shown.cycle}-{shown.kelurahan}-rw{shown.rw:02d}.pdf".replace(" ", "-").lower()
    return finish(page, Response(body, media_type="application/pdf",
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'}))
