"""An RW's history page, /skor/rw/{kelurahan}/{rw}: the same use case as GET /v1/rw-history/{kelurahan}/{rw}
(`service.usecases.rw_history`), for every role that may read scores; an RW without stored scores is
the bilingual 404 page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter
from fastapi.responses import Response

from service.errors import NotFound
from service.permissions import Permission
from service.usecases import rw_history
from service.web.rendering import TiersReadPage, refuse, render
from service.web.scores import services_of

router = APIRouter()


@router.get("/skor/rw/{kelurahan}/{rw}")
def history_page(kelurahan: str, rw: str, page: TiersReadPage) -> Response:
    name = " ".join(kelurahan.split())[:80]
    number = int(rw) if rw.isdigit() and len(rw) <= 3 else 0
    try:
        history = rw_history.rw_history(services_of(page), name, number)
    except NotFound:
        return refuse(page, "rw_unknown", status=404, rw=rw[:8], kelurahan=name)
    assert page.user is not None  # a TiersReadPage has a signed-in key
    return render(page, "rw_history.html", active="scores", h=history, back=_back(page),
                  may_score=page.user.may(Permission.SCORES_CREATE))


def _back(page: TiersReadPage) -> str:
    """Where "Kembali" leads: the scores view the RW was opened from (its run, filters, sort and page, from this
    site's own Referer), else /skor."""
    came = urlsplit(page.request.headers.get("referer", ""))
    if came.netloc == page.request.url.netloc and came.path == "/skor" and "run" in parse_qs(came.query):
        return f"/skor?{came.query}"
    return "/skor"
