"""Printing a proposal: a print view and a server-made PDF (A4, the city's header) from one Jinja template.

The summary holds the activities, the RAB per line with totals by source, the findings with their
suggestions, the exceptions accepted with their reasons, the reviewers' decisions and a signature
block (the RW and each stage of the review chain). The PDF is WeasyPrint's rendering of the same
HTML, made in a worker thread.

A pre-check that was never submitted prints from the same template: the result page posts its form
again, and the proposal is read and checked again like any posted form (nothing is kept on the
server between the check and the printout, so there is nothing to expire, and what is printed is
what the rules in force say about what was sent).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from knowledge import intake
from knowledge.documents import parse_proposal
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.labels import named
from knowledge.review_chain import CHAIN_FILE, load_review_chain
from service.bodies import off_loop
from service.schemas_journey import EventKind, ProposalJourney, RevisionKind
from service.usecases import journey
from service.web import kb_view
from service.web.journey_pages import ReadPage
from service.web.precheck import posted_proposal, show_form
from service.web.rendering import AnyPage, Page, finish, posted_form, refuse, templates

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


@dataclass(frozen=True)
class UnstoredCheck:
    """What the print template reads of a proposal checked but never submitted: no id, revision or events."""

    title: str
    kecamatan: str
    kelurahan: str
    rw: int
    cycle: int
    verdict: str
    proposal: dict[str, Any]
    check: dict[str, Any]
    id: None = None
    exceptions: list[Any] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)


def _context(page: Page, shown: ProposalJourney | UnstoredCheck) -> dict[str, Any]:
    chain = load_review_chain()
    stage_names = {stage.id: page.t.pick(stage.name.model_dump()) for stage in chain.stages}
    decisions = [e for e in shown.events if e.kind in (EventKind.APPROVED, EventKind.RETURNED)]
    head = letterhead()
    # (who, signs with a staff number): the reviewers of each stage are civil servants, the RW chair is not.
    signers = [(page.t.pick(s), bool(s.get("nip", True))) for s in head.get("signatories", [])]
    signers += [(name, True) for name in stage_names.values()]
    latest = shown.revisions[-1] if isinstance(shown, ProposalJourney) and shown.revisions else None
    return {"page": page, "t": page.t, "lang": page.lang, "p": shown, "rab": rab(shown.proposal, page.lang),
            "stage_names": stage_names, "decisions": decisions, "head": head, "signers": signers,
            "rule_titles": kb_view.rule_titles(page.request.app.state.services),
            "amendment": latest if latest is not None and latest.kind == RevisionKind.AMENDMENT else None,
            "today": dt.date.today().isoformat()}


def _shown(page: Page, proposal_id: str) -> ProposalJourney | Response:
    assert page.user is not None
    try:
        return journey.journey_of(page.request.app.state.services, proposal_id, page.user)
    except BerdayaError as exc:
        if getattr(exc, "status", 500) == 404:
            return refuse(page, "not_found", status=404, name=proposal_id)
        return refuse(page, "role")


def summary_html(page: Page, shown: ProposalJourney | UnstoredCheck) -> str:
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
    return await _pdf_download(page, shown, "proposal")


async def _pdf_download(page: Page, shown: ProposalJourney | UnstoredCheck, prefix: str) -> Response:
    """The summary as a PDF attachment named after the proposal: `prefix-cycle-kelurahan-rwNN.pdf`."""
    body = await off_loop(pdf_of, summary_html(page, shown))
    name = f"{prefix}-{shown.cycle}-{shown.kelurahan}-rw{shown.rw:02d}.pdf".replace(" ", "-").lower()
    return finish(page, Response(body, media_type="application/pdf",
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'}))


def checked_again(page: Page, data: Any) -> UnstoredCheck | Response:
    """A posted pre-check form validated and checked again (a refusal is the form with its problems)."""
    try:
        proposal = parse_proposal(data, source="formulir")
    except InvalidInput as exc:
        return show_form(page, data if isinstance(data, dict) else {}, schema_problems=exc.problems, status=422)
    content = proposal.model_dump(mode="json")
    try:
        check = page.request.app.state.services.engines.check_json(proposal)
    except BerdayaError as exc:
        return show_form(page, content, upload_problems=[Problem("", exc.message_id, exc.message_en)],
                         status=getattr(exc, "status", 500))
    region = proposal.region
    return UnstoredCheck(title=proposal.title, kecamatan=region.kecamatan, kelurahan=region.kelurahan, rw=region.rw,
                         cycle=proposal.cycle, verdict=check["verdict"], proposal=content, check=check)


async def _posted_check(request: Request, page: Page) -> UnstoredCheck | Response:
    """The posted pre-check form, its CSRF token checked, read and checked again (else the page to show)."""
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    return await off_loop(checked_again, page, posted_proposal(form))


@router.post("/pra-periksa/cetak")
async def precheck_print_view(request: Request, page: AnyPage) -> Response:
    """An unstored pre-check's result as a page made for printing, from the posted form."""
    shown = await _posted_check(request, page)
    if isinstance(shown, Response):
        return shown
    return finish(page, HTMLResponse(summary_html(page, shown)))


@router.post("/pra-periksa/cetak.pdf")
async def precheck_pdf(request: Request, page: AnyPage) -> Response:
    """The same printout of an unstored pre-check as a PDF made on the server."""
    shown = await _posted_check(request, page)
    if isinstance(shown, Response):
        return shown
    return await _pdf_download(page, shown, "pra-periksa")
