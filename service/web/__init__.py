"""Berdaya's web pages, served by the same app as the API at `/`.

`router` holds every page: pra-periksa proposal (facilitators, no key needed to check),
skor pemberdayaan (evaluators), kebijakan (policy staff), sign-in and sign-out. Pages are
server-rendered Jinja2 templates with plain CSS and one small script; every text is in
`messages.yaml`, Bahasa Indonesia first with an English switch (?lang=en).
"""

from fastapi import APIRouter

from service.web import pages, policy, precheck, scores

router = APIRouter(include_in_schema=False)
for _module in (pages, precheck, scores, policy):
    router.include_router(_module.router)

__all__ = ["router"]
