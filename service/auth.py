"""API keys and roles: who may do what.

A key is `bdy_` followed by 43 random URL-safe characters; only its SHA-256 hash is stored
(a random 256-bit secret needs no salt or slow hash). Keys are sent as
`Authorization: Bearer <key>`. Missing, unknown or revoked keys get 401; a role that may
not do the action, or a facilitator reaching outside its kelurahan, gets 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.apikeys import hash_key
from service.errors import Forbidden, NotAuthenticated
from service.repository import find_key

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


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid key."""

    key_id: str
    role: str
    kelurahan: str | None

    def require(self, permission: str) -> Principal:
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


def requires(permission: str) -> Callable[..., Awaitable[Principal]]:
    """A route dependency refusing keys without `permission`; listed in the route's `dependencies`,
    it runs before the body is read, so a wrong role gets 403 whatever the body holds."""

    async def dependency(key: CurrentKey) -> Principal:
        return key.require(permission)

    return dependency
