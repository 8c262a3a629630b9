"""Signing in without typing a key: the one-time link's confirmation page, and "Masuk di ponsel".

Opening a link (`GET /masuk/tautan/<token>`) writes nothing: it shows whose session the link
opens and a button; only the button's POST (with the CSRF token, as every form) uses the link
(`service.usecases.signin_links`). A signed-in user makes a link of their own key for a phone
at `/masuk/ponsel`, shown as a QR code.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from service.bodies import off_loop
from service.models import utcnow
from service.permissions import Permission
from service.usecases import signin_links
from service.usecases.signin_links import LinkState
from service.web import sessions
from service.web.pages import HOME_OF
from service.web.rendering import AnyPage, Page, finish, page_allowed, posted_form, refuse, render

router = APIRouter()
PhonePage = Annotated[Page, Depends(page_allowed(Permission.SIGN_IN_LINKS))]


def _refused(page: Page, state: LinkState) -> Response:
    """Unknown: 404; used, expired or its key revoked: 410 (it existed, and is gone for good)."""
    return refuse(page, f"link_{state}", status=404 if state == LinkState.UNKNOWN else 410)


@router.get("/masuk/tautan/{token}")
def link_page(token: str, page: AnyPage) -> Response:
    services = page.request.app.state.services
    found = signin_links.link_key(services.db, token, utcnow())
    if isinstance(found, LinkState):
        return _refused(page, found)
    return render(page, "signin_link.html", token=token, role=found.role, kelurahan=found.kelurahan)


@router.post("/masuk/tautan/{token}")
async def use_link(token: str, request: Request, page: AnyPage) -> Response:
    _form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    opened = await off_loop(sessions.start_with_link, request, token)
    if isinstance(opened, LinkState):
        return _refused(page, opened)
    principal, session_id = opened
    page.session.sign_in(session_id)
    return finish(page, RedirectResponse(HOME_OF.get(principal.role, "/pra-periksa"), status_code=303))


@router.get("/masuk/ponsel")
def phone_page(page: PhonePage) -> Response:
    return render(page, "signin_phone.html")


@router.post("/masuk/ponsel")
async def make_phone_link(request: Request, page: PhonePage) -> Response:
    _form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    services = request.app.state.services
    assert page.user is not None  # PhonePage lets only a signed-in key through
    link = await off_loop(signin_links.issue_link, services.db, services.settings, page.user.key_id, utcnow())
    return render(page, "signin_phone.html", link=link, qr=signin_links.svg_qr(link.url))
