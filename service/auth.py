"""The key behind a request and the permission a route needs.

Handlers name what they need in their signature: `key: MayReadProposals` is the
authenticated key, checked against the permission table (`service.permissions`).

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
from service.models import ApiKey
from service.permissions import Permission, Role, allows
from service.repository import find_key


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid key."""

    key_id: str
    role: str
    kelurahan: str | None
    scope: str | None = None      # a reviewer's: kelurahan, kecamatan or city
    kecamatan: str | None = None

    @classmethod
    def of(cls, row: ApiKey) -> Principal:
        return cls(row.id, row.role, row.kelurahan, row.scope, row.kecamatan)

    def may(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    def require(self, permission: Permission) -> Principal:
        if not self.may(permission):
            raise Forbidden(f"Peran '{self.role}' tidak boleh melakukan ini ({permission})",
                            f"Role '{self.role}' may not do this ({permission})")
        return self

    @property
    def scoped_kelurahan(self) -> str | None:
        """The kelurahan a facilitator's key is bound to; None for the other roles (they see all)."""
        return self.kelurahan if self.role == Role.FACILITATOR else None

    def require_kelurahan(self, kelurahan: str) -> None:
        if self.role == Role.FACILITATOR and self.kelurahan != kelurahan:
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
    return Principal.of(row)


CurrentKey = Annotated[Principal, Depends(authenticate)]


def permitted(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """The dependency for `permission`: the authenticated key, or 403 for a role that may not.

    Declared before a route's body, it runs before the body is read: a wrong role gets 403
    whatever the body holds. `async` so that it adds no threadpool hop of its own.
    """

    async def dependency(key: CurrentKey) -> Principal:
        return key.require(permission)

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the role-matrix test
    return dependency


# One alias per permission, used in handler signatures: `key: MayReadProposals`.
MaySubmitProposals = Annotated[Principal, Depends(permitted(Permission.PROPOSALS_SUBMIT))]
MayReviewProposals = Annotated[Principal, Depends(permitted(Permission.PROPOSALS_REVIEW))]
MayReadPolicy = Annotated[Principal, Depends(permitted(Permission.POLICY_READ))]
MayReadProposals = Annotated[Principal, Depends(permitted(Permission.PROPOSALS_READ))]
MayCreateScores = Annotated[Principal, Depends(permitted(Permission.SCORES_CREATE))]
MayReadDecisions = Annotated[Principal, Depends(permitted(Permission.DECISIONS_READ))]
MayReplayDecisions = Annotated[Principal, Depends(permitted(Permission.DECISIONS_REPLAY))]
MayReadKnowledge = Annotated[Principal, Depends(permitted(Permission.KNOWLEDGE_READ))]
MayWriteKnowledge = Annotated[Principal, Depends(permitted(Permission.KNOWLEDGE_WRITE))]
MayReadCalibrations = Annotated[Principal, Depends(permitted(Permission.CALIBRATIONS_READ))]
MayWriteCalibrations = Annotated[Principal, Depends(permitted(Permission.CALIBRATIONS_WRITE))]
MayEnactCalibrations = Annotated[Principal, Depends(permitted(Permission.CALIBRATIONS_ENACT))]
MayDecideTiers = Annotated[Principal, Depends(permitted(Permission.TIERS_DECIDE))]
MayReadTiers = Annotated[Principal, Depends(permitted(Permission.TIERS_READ))]
MayCloseCycles = Annotated[Principal, Depends(permitted(Permission.CYCLES_CLOSE))]
