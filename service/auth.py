"""API keys and roles: who may do what.

A key is `bdy_` followed by 43 random URL-safe characters; only its SHA-256 hash is stored
(a random 256-bit secret needs no salt or slow hash). Keys are sent as
`Authorization: Bearer <key>`. Missing, unknown or revoked keys get 401; a role that may
not do the action, or a facilitator reaching outside its kelurahan, gets 403.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from knowledge.errors import InvalidInput, Problem
from knowledge.reference import load_reference
from service.errors import Forbidden, NotAuthenticated
from service.repository import find_key

ROLES = ("facilitator", "evaluator", "policy", "admin")
KEY_PREFIX = "bdy_"

# The permission table; the roles in one place.
PERMISSIONS: dict[str, frozenset[str]] = {
    "proposals:submit": frozenset({"facilitator"}),
    "proposals:read": frozenset({"facilitator", "evaluator", "policy", "admin"}),
    "scores:create": frozenset({"evaluator"}),
    "decisions:read": frozenset({"facilitator", "evaluator", "policy", "admin"}),
    "decisions:replay": frozenset({"evaluator", "policy", "admin"}),
    "knowledge:read": frozenset({"facilitator", "evaluator", "policy", "admin"}),
    "calibrations:read": frozenset({"evaluator", "policy", "admin"}),
    "calibrations:write": frozenset({"policy"}),
}


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
    if role == "facilitator":
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


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid key."""

    key_id: str
    role: str
    kelurahan: str | None

    def require(self, permission: str) -> "Principal":
        if self.role not in PERMISSIONS[permission]:
            raise Forbidden(f"Peran '{self.role}' tidak boleh melakukan ini ({permission})",
                            f"Role '{self.role}' may not do this ({permission})")
        return self

    def require_kelurahan(self, kelurahan: str) -> None:
        if self.role == "facilitator" and self.kelurahan != kelurahan:
            raise Forbidden(
                f"Kunci fasilitator ini hanya untuk Kelurahan {self.kelurahan}, bukan {kelurahan}",
                f"This facilitator key is for Kelurahan {self.kelurahan} only, not {kelurahan}")


bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer bdy_...`")


def authenticate(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The dependency every protected route uses."""
    if credentials is None or not credentials.credentials:
        raise NotAuthenticated("Kunci API diperlukan (Authorization: Bearer ...)",
                               "An API key is required (Authorization: Bearer ...)")
    services = request.app.state.services
    with services.db.session() as session:
        row = find_key(session, hash_key(credentials.credentials))
    if row is None:
        raise NotAuthenticated("Kunci API tidak dikenal atau sudah dicabut",
                               "Unknown or revoked API key")
    request.scope.setdefault("state", {}).update(key_id=row.id, role=row.role)
    return Principal(row.id, row.role, row.kelurahan)


CurrentKey = Annotated[Principal, Depends(authenticate)]
