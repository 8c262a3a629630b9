"""One-time sign-in links: a key's holder signs in on a phone by opening a link (or its QR code).

A link is `<public_url>/masuk/tautan/<token>`: the token is random (`secrets`), stored only as
its SHA-256 (the API keys' hash), bound to one key, valid for `signin_link_hours` and usable
once. Opening it only shows a confirmation page (link previewers open links too); the button
posts it, which uses the link and opens the same web session as typing the key, in one
transaction. A revoked key's links open nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from enum import StrEnum

import segno
from pydantic import BaseModel

from service import repository
from service.apikeys import hash_key
from service.db import Database
from service.logs import SIGN_IN_LINK_PATH
from service.models import ApiKey, SignInLink
from service.settings import Settings


class LinkState(StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    KEY_REVOKED = "key_revoked"
    UNKNOWN = "unknown"


class IssuedLink(BaseModel):
    """A link as handed to its holder: the address to open and when it stops working."""

    url: str
    expires_at: dt.datetime


def issue_link(db: Database, settings: Settings, key_id: str, now: dt.datetime) -> IssuedLink:
    """A new one-time link for the key `key_id` (404 for a key that does not exist)."""
    token = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(hours=settings.signin_link_hours)
    with db.session() as session:
        repository.add_sign_in_link(session, link_hash=hash_key(token), key_id=key_id, now=now, expires_at=expires_at)
    return IssuedLink(url=settings.public_url.rstrip("/") + SIGN_IN_LINK_PATH + token, expires_at=expires_at)


def _state(found: tuple[SignInLink, ApiKey] | None, now: dt.datetime) -> LinkState:
    if found is None:
        return LinkState.UNKNOWN
    link, key = found
    if key.revoked_at is not None:
        return LinkState.KEY_REVOKED
    if link.used_at is not None:
        return LinkState.USED
    return LinkState.OPEN if repository.as_utc(link.expires_at) > now else LinkState.EXPIRED


def link_key(db: Database, token: str, now: dt.datetime) -> ApiKey | LinkState:
    """The key an open link signs in with, else where the link stands; writes nothing (link previewers)."""
    with db.session() as session:
        found = repository.sign_in_link(session, hash_key(token))
    state = _state(found, now)
    return found[1] if found is not None and state == LinkState.OPEN else state


def redeem(db: Database, token: str, now: dt.datetime, *, session_hash: str,
           session_expires: dt.datetime) -> ApiKey | LinkState:
    """Use the link and open the web session `session_hash`: its key, or why the link opened nothing."""
    with db.session() as session:
        key = repository.redeem_sign_in_link(session, link_hash=hash_key(token), now=now, session_hash=session_hash,
                                             session_expires=session_expires)
    if key is not None:
        return key
    state = link_key(db, token, now)
    # Open a moment ago and used since: another exchange of the same link won.
    return LinkState.USED if isinstance(state, ApiKey) else state


def terminal_qr(url: str) -> str:
    """The link's QR code in text (half blocks: two rows of modules per line), for `berdaya keys`."""
    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def svg_qr(url: str) -> str:
    """The link's QR code as an inline SVG element (no XML declaration), for the page."""
    return segno.make(url, error="m").svg_inline(scale=5, border=2, title="QR")
