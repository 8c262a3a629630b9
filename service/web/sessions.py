"""Web sessions kept in the database, and the limit on failed sign-ins.

A signed-in cookie carries only a random session id (and its CSRF token); the database keeps
the id's SHA-256 with the key, the expiry and, after `POST /keluar`, the time it was revoked.
Every page looks the id up, so a cookie copied before sign-out is worth nothing after it, on
every worker. Failed sign-ins are counted in the database too, per client address and per
key tried: after `signin_max_failures` within `signin_window_seconds` further attempts are
refused (429, with the minutes to wait) until the oldest failure counted leaves the window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets

from fastapi import Request

from service import repository
from service.apikeys import hash_key
from service.auth import Principal
from service.models import utcnow
from service.usecases import signin_links
from service.usecases.signin_links import LinkState

SESSION_HOURS = 8  # one working day, as long as the cookie itself lives


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _client(request: Request) -> str:
    return (request.client.host if request.client else "")[:64] or "unknown"


def start(request: Request, principal: Principal) -> str:
    """A new server-side session for `principal`; returns the id the cookie will carry."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    with request.app.state.services.db.session() as db:
        repository.open_session(db, session_hash=_digest(session_id), key_id=principal.key_id, now=now,
                                expires_at=now + dt.timedelta(hours=SESSION_HOURS))
    return session_id


def start_with_link(request: Request, token: str) -> tuple[Principal, str] | LinkState:
    """Use a one-time sign-in link: its key and the new session's id, or why the link opened nothing."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    key = signin_links.redeem(request.app.state.services.db, token, now, session_hash=_digest(session_id),
                              session_expires=now + dt.timedelta(hours=SESSION_HOURS))
    return key if isinstance(key, LinkState) else (Principal.of(key), session_id)


def principal_of(request: Request, session_id: str) -> Principal | None:
    """The key of an open session (not revoked, not expired, key not revoked), else None."""
    with request.app.state.services.db.session() as db:
        key = repository.session_key(db, _digest(session_id), utcnow())
    return None if key is None else Principal.of(key)


def end(request: Request, session_id: str) -> None:
    with request.app.state.services.db.session() as db:
        repository.revoke_session(db, _digest(session_id), utcnow())


def wait_before_sign_in(request: Request, key: str) -> int:
    """Seconds this client (or this key) must wait before trying again; 0 when it may try now."""
    settings = request.app.state.services.settings
    window = dt.timedelta(seconds=settings.signin_window_seconds)
    now = utcnow()
    with request.app.state.services.db.session() as db:
        times = repository.recent_sign_in_failures(db, client=_client(request), key_hash=hash_key(key.strip()),
                                                   since=now - window, limit=settings.signin_max_failures)
    if len(times) < settings.signin_max_failures:
        return 0
    return max(1, math.ceil((min(times) + window - now).total_seconds()))


def failed_sign_in(request: Request, key: str) -> None:
    settings = request.app.state.services.settings
    now = utcnow()
    with request.app.state.services.db.session() as db:
        repository.record_sign_in_failure(db, client=_client(request), key_hash=hash_key(key.strip()), now=now,
                                          forget_before=now - dt.timedelta(seconds=settings.signin_window_seconds))


def signed_in(request: Request) -> None:
    """A successful sign-in forgets this client's failures (its typing mistakes, not another's guesses)."""
    with request.app.state.services.db.session() as db:
        repository.forget_sign_in_failures(db, client=_client(request))
