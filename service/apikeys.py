"""API keys themselves: their form, their hash, and which roles and kelurahan a key may carry.

Kept apart from `service.auth` (the request-time checks, which need FastAPI and the
database) so that `berdaya keys` starts without loading the web stack.
"""

from __future__ import annotations

import hashlib
import secrets

from knowledge.errors import InvalidInput, Problem
from knowledge.reference import load_reference
from service.permissions import Role

ROLES = tuple(Role)
KEY_PREFIX = "bdy_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key_id() -> str:
    return "key_" + secrets.token_hex(6)


def check_role(role: str, kelurahan: str | None) -> str | None:
    """Validate a key's role and kelurahan; returns the canonical kelurahan name."""
    if role not in ROLES:
        raise InvalidInput([Problem("role", f"peran harus salah satu dari {', '.join(ROLES)}",
                                    f"role must be one of {', '.join(ROLES)}")])
    if role == Role.FACILITATOR:
        if not kelurahan:
            raise InvalidInput([Problem("kelurahan", "kunci fasilitator wajib menyebut --kelurahan",
                                        "a facilitator key needs --kelurahan")])
        found = load_reference().find_kelurahan(kelurahan)
        if found is None:
            raise InvalidInput([Problem("kelurahan", f"kelurahan '{kelurahan}' tidak ada di Kota Cimahi",
                                        f"kelurahan '{kelurahan}' is not in Kota Cimahi")])
        return found.name
    if kelurahan:
        raise InvalidInput([Problem("kelurahan", "hanya kunci fasilitator yang terikat pada kelurahan",
                                    "only facilitator keys are bound to a kelurahan")])
    return None
