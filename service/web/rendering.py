"""Page rendering: the Jinja2 environment, the language and session of a request, error pages.

Every page handler receives a `Page` for its request (language, session, signed-in key) as an
`Annotated` dependency, renders a template with it and returns the response with the session
and language cookies set. A protected page names its permission in its signature
(`page: ScoresPage`): without a signed-in key the browser is sent to sign in, with a key
whose role may not, it gets the refusal page; the handler itself never runs.

Templates get `t` (the catalogue), `page` and the helpers below; they never read request
state directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from knowledge.errors import Problem
from knowledge.labels import document_name, generic_path, path_words
from service.auth import Principal
from service.permissions import Permission, first_role
from service.web import forms
from service.web.i18n import LANG_COOKIE, Translator, choose_lang
from service.web.security import (
    CSRF_FIELD,
    CsrfRejected,
    WebSession,
    check_csrf,
    current_principal,
    load_session,
    save_session,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals.update(input_id=forms.input_id, generic_path=generic_path, document_name=document_name,
                             path_words=path_words, CSRF_FIELD=CSRF_FIELD)
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True

# Scripts only from this site (no inline script); inline style attributes are used for chart shades.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


@dataclass
class Page:
    request: Request
    lang: str
    t: Translator
    session: WebSession
    user: Principal | None
    set_lang_cookie: bool = False
    extra_cookies: dict[str, str] = field(default_factory=dict)

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def lang_url(self, lang: str) -> str:
        """The current page in another language (the switch in the header)."""
        params = dict(self.request.query_params)
        params["lang"] = lang
        return f"{self.request.url.path}?{urlencode(params)}"


def page_for(request: Request) -> Page:
    query_lang = request.query_params.get("lang")
    lang = choose_lang(query_lang, request.cookies.get(LANG_COOKIE))
    session = load_session(request)
    user = current_principal(request, session)
    return Page(request, lang, Translator(lang), session, user,
                set_lang_cookie=query_lang == lang and request.cookies.get(LANG_COOKIE) != lang)


class PageRefused(Exception):
    """A page was refused before its handler ran; `response` is what the browser gets instead."""

    def __init__(self, response: Response) -> None:
        super().__init__("page refused")
        self.response = response


def page_allowed(permission: Permission) -> Callable[[Request], Page]:
    """The dependency of a page that needs `permission`: its `Page`, or the sign-in redirect or 403 page."""

    def dependency(request: Request) -> Page:
        page = page_for(request)
        if page.user is None:
            target = page.request.url.path
            raise PageRefused(finish(page, RedirectResponse(f"/masuk?next={target}", status_code=303)))
        if not page.user.may(permission):
            raise PageRefused(refuse(page, "role", keyed={"role": f"role.{first_role(permission)}"}))
        return page

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the role-matrix test
    return dependency


def install_page_refusals(app: FastAPI) -> None:
    async def refused(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefused)
        return exc.response

    app.add_exception_handler(PageRefused, refused)


# The pages' dependencies: any visitor, and one per permission a page needs.
AnyPage = Annotated[Page, Depends(page_for)]
ScoresPage = Annotated[Page, Depends(page_allowed(Permission.SCORES_CREATE))]
PolicyPage = Annotated[Page, Depends(page_allowed(Permission.POLICY_READ))]
TierDecisionPage = Annotated[Page, Depends(page_allowed(Permission.TIERS_DECIDE))]
CalibrationsPage = Annotated[Page, Depends(page_allowed(Permission.CALIBRATIONS_READ))]
EnactPage = Annotated[Page, Depends(page_allowed(Permission.CALIBRATIONS_ENACT))]
CalibrationRunPage = Annotated[Page, Depends(page_allowed(Permission.CALIBRATIONS_WRITE))]
PolicyWritePage = Annotated[Page, Depends(page_allowed(Permission.KNOWLEDGE_WRITE))]


def finish(page: Page, response: Response) -> Response:
    save_session(page.request, response, page.session)
    if page.set_lang_cookie:
        response.set_cookie(LANG_COOKIE, page.lang, max_age=365 * 24 * 3600, path="/", httponly=True,
                            samesite="lax", secure=page.request.url.scheme == "https")
    # Pages carry a CSRF token bound to the session: keep them out of shared caches.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def render(page: Page, template: str, status: int = 200, **context: Any) -> Response:
    response = templates.TemplateResponse(
        page.request, template, {"page": page, "t": page.t, "t_other": Translator(page.t.other), "lang": page.lang,
                       **context}, status_code=status,
    )
    return finish(page, response)


def refuse(page: Page, reason_key: str, status: int = 403, keyed: dict[str, str] | None = None,
           **values: Any) -> Response:
    """The bilingual refusal page (403 wrong role or bad CSRF token, 404).

    `keyed` values are catalogue keys, translated for each of the two languages shown.
    """
    other = Translator(page.t.other)
    here = {**values, **{k: page.t(v) for k, v in (keyed or {}).items()}}
    there = {**values, **{k: other(v) for k, v in (keyed or {}).items()}}
    return render(page, "error.html", status=status, status_code=status, reason_key=reason_key, values=here,
                  values_other=there)


async def posted_form(request: Request, page: Page) -> tuple[Any, Response | None]:
    """The posted form, and the refusal page instead when its CSRF token is missing or wrong."""
    form = await request.form()
    try:
        check_csrf(page.session, form.get(CSRF_FIELD))
    except CsrfRejected:
        return form, refuse(page, "csrf")
    return form, None


@dataclass(frozen=True)
class Upload:
    """A file posted in a form's `file` field: its name, its kind (by suffix) and its bytes."""

    name: str
    kind: str
    data: bytes


async def uploaded_file(form: Any, kinds: dict[str, str]) -> Upload | Problem:
    """The posted file when its suffix is one of `kinds` (suffix -> kind), else the problem to show."""
    upload = form.get("file")
    name = getattr(upload, "filename", "") or ""
    kind = kinds.get(PurePath(name).suffix.lower())
    if upload is None or isinstance(upload, str) or kind is None:
        *most, last = list(kinds)
        listed = ", ".join(most)
        return Problem(name or "file", f"pilih berkas {listed} atau {last}", f"choose a {listed} or {last} file")
    return Upload(name, kind, await upload.read())


def html(page: Page, body: str, status: int = 200) -> Response:
    return finish(page, HTMLResponse(body, status_code=status))
