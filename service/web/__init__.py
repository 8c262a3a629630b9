"""Berdaya's web pages, served by the same app as the API at `/`.

`router` holds every page: pra-periksa proposal (facilitators, no key needed to check),
proposals through review (lists, one proposal's page, the reviewer's queue), skor pemberdayaan
(evaluators; an RW's history across cycles), kebijakan (policy staff: the knowledge base in force
and the workbench of versions, drafts, what-if and publishing), sign-in and sign-out. Pages are
server-rendered Jinja2 templates with plain CSS and one small script; every text is in
`messages.yaml`, Bahasa Indonesia first with an English switch (?lang=en).
"""

from fastapi import APIRouter, FastAPI

from service.web import (
    change_form,
    journey_pages,
    pages,
    phone_signin,
    policy,
    precheck,
    printing,
    rw_history,
    scores,
    tier_pages,
    workbench,
)
from service.web.rendering import install_page_refusals

router = APIRouter(include_in_schema=False)
for _module in (pages, phone_signin, precheck, change_form, journey_pages, printing, scores, tier_pages,
                rw_history, policy, workbench):
    router.include_router(_module.router)


def install_pages(app: FastAPI) -> None:
    """Mount every page and the answer to a refused one (sign-in redirect or 403 page)."""
    app.include_router(router)
    install_page_refusals(app)


__all__ = ["install_pages", "router"]
