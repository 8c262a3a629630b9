"""Web sessions, CSRF tokens and sign-in with an API key.

The session is a cookie signed with itsdangerous (HttpOnly, SameSite=Lax, Secure over
HTTPS). It carries a CSRF token bound to the session and, after sign-in, a random session
id, never the key. The id is looked up in the database on every request
(`service.web.sessions`): sign-out revokes it there, and so does revoking the key.
Every POST must echo the session's CSRF token in a form field.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from knowledge.atomic import create_atomic
from service.apikeys import hash_key
from service.auth import Principal
from service.repository import find_key
from service.web import sessions

SESSION_COOKIE = "berdaya_session"
SESSION_MAX_AGE = 8 * 3600  # one working day
CSRF_FIELD = "csrf_token"
SECRET_ENV = "BERDAYA_WEB_SECRET"
SECRET_FILE_ENV = "BERDAYA_WEB_SECRET_FILE"
DEFAULT_SECRET_FILE = Path("var") / "web_secret"


class CsrfRejected(Exception):
    """A form came without the session's CSRF token."""


@lru_cache(maxsize=1)
def signing_secret() -> str:
    """$BERDAYA_WEB_SECRET, else a secret kept in var/web_secret (made once, mode 0600).

    A file rather than a per-process random value, so that several workers on one machine
    and a restarted server keep honouring the same sessions; several machines set the
    environment variable to one shared value.
    """
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    path = Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    create_atomic(path, secrets.token_urlsafe(48), mode=0o600)  # first writer wins when two workers start together
    return path.read_text(encoding="utf-8").strip()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_secret(), salt="berdaya-web-session")


@dataclass
class WebSession:
    data: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    @property
    def csrf(self) -> str:
        return self.data["csrf"]

    @property
    def session_id(self) -> str | None:
        value = self.data.get("sid")
        return value if isinstance(value, str) else None

    def sign_in(self, session_id: str) -> None:
        # A fresh CSRF token at sign-in, so a token seen before sign-in is worth nothing after it.
        self.data = {"csrf": secrets.token_urlsafe(32), "sid": session_id}
        self.changed = True

    def sign_out(self) -> None:
        self.data = {"csrf": secrets.token_urlsafe(32)}
        self.changed = True


def load_session(request: Request) -> WebSession:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            data = _serializer().loads(raw, max_age=SESSION_MAX_AGE)
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                return WebSession(data)
        except BadSignature:
            pass
    return WebSession({"csrf": secrets.token_urlsafe(32)}, changed=True)


def save_session(request: Request, response: Response, session: WebSession) -> None:
    if not session.changed:
        return
    response.set_cookie(
        SESSION_COOKIE, _serializer().dumps(session.data), max_age=SESSION_MAX_AGE, path="/",
        httponly=True, samesite="lax", secure=request.url.scheme == "https",
    )


def check_csrf(session: WebSession, submitted: Any) -> None:
    if not isinstance(submitted, str) or not hmac.compare_digest(submitted, session.csrf):
        raise CsrfRejected()


def _key_store(request: Request):
    return request.app.state.services.db


def principal_for_key(request: Request, key: str) -> Principal | None:
    """The key's principal from the service's key store; None when unknown or revoked."""
    key = key.strip()
    if not key:
        return None
    with _key_store(request).session() as db:
        row = find_key(db, hash_key(key))
    return None if row is None else Principal.of(row)


def current_principal(request: Request, session: WebSession) -> Principal | None:
    """The signed-in key: the cookie's session must be open in the database (sign-out and key
    revocation both end it, on every worker)."""
    session_id = session.session_id
    if session_id is None:
        return None
    principal = sessions.principal_of(request, session_id)
    if principal is None:
        session.sign_out()
    return principal


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site may follow sign-in (no open redirect to another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
