"""Home, sign-in and sign-out, the stylesheet and script."""

from __future__ import annotations

import math
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from service.bodies import off_loop
from service.permissions import Role
from service.web import sessions
from service.web.rendering import AnyPage, Page, finish, posted_form, render
from service.web.security import principal_for_key, safe_next

router = APIRouter()
STATIC_DIR = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


# Where a role lands after signing in without a page to return to.
HOME_OF: dict[str, str] = {Role.REVIEWER: "/tinjauan", Role.EVALUATOR: "/skor", Role.POLICY: "/kebijakan"}


@router.get("/")
def home(page: AnyPage) -> Response:
    return render(page, "home.html", active="home")


@router.get("/masuk")
def sign_in_form(page: AnyPage, next: str = "/") -> Response:
    return render(page, "signin.html", next=safe_next(next))


@router.post("/masuk")
async def sign_in(request: Request, page: AnyPage) -> Response:
    form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    target = safe_next(str(form.get("next") or "/"))
    return await off_loop(_sign_in, page, str(form.get("api_key") or ""), target)


def _sign_in(page: Page, key: str, target: str) -> Response:
    """Check the limit on failed sign-ins, then the key; open a server-side session for it."""
    request = page.request
    wait = sessions.wait_before_sign_in(request, key)
    if wait:
        response = render(page, "signin.html", status=429, next=target, locked_minutes=math.ceil(wait / 60))
        response.headers["Retry-After"] = str(wait)
        return response
    principal = principal_for_key(request, key)
    if principal is None:
        sessions.failed_sign_in(request, key)
        return render(page, "signin.html", status=401, next=target, failed=True)
    sessions.signed_in(request)
    page.session.sign_in(sessions.start(request, principal))
    if target == "/":
        target = HOME_OF.get(principal.role, "/pra-periksa")
    return finish(page, RedirectResponse(target, status_code=303))


@router.post("/keluar")
async def sign_out(request: Request, page: AnyPage) -> Response:
    _form, refused = await posted_form(request, page)
    if refused is not None:
        return refused
    session_id = page.session.session_id
    if session_id is not None:
        # Revoked in the database: a copy of the cookie made before signing out is refused after it.
        await off_loop(sessions.end, request, session_id)
    page.session.sign_out()
    return finish(page, RedirectResponse("/", status_code=303))


@router.get("/static/{name}")
def static(name: str) -> Response:
    # Only the files that ship in static/, by exact name: no path from the URL reaches the disk.
    files = {p.name: p for p in STATIC_DIR.iterdir() if p.suffix in STATIC_TYPES}
    path = files.get(name)
    if path is None:
        return Response(status_code=404)
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "public, max-age=3600"})
