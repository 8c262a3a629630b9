"""Who may do what: the roles, the permissions, and the one table between them.

Routes and pages ask for a `Permission` (as an `Annotated` dependency, `service.auth` and
`service.web.rendering`); nothing else compares role names. A permission missing from the
table is a bug that the tests catch, never a KeyError at request time.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The role an API key carries (its order is the order roles are named in)."""

    FACILITATOR = "facilitator"
    REVIEWER = "reviewer"  # decides at a stage of the review chain, for a kelurahan, a kecamatan or the city
    EVALUATOR = "evaluator"
    POLICY = "policy"
    ADMIN = "admin"


class Permission(StrEnum):
    """An action a key may be allowed to do."""

    PROPOSALS_SUBMIT = "proposals:submit"
    PROPOSALS_READ = "proposals:read"
    PROPOSALS_REVIEW = "proposals:review"  # approve or return at a stage, accept a finding as an exception
    SCORES_CREATE = "scores:create"
    DECISIONS_READ = "decisions:read"
    DECISIONS_REPLAY = "decisions:replay"
    KNOWLEDGE_READ = "knowledge:read"
    POLICY_READ = "policy:read"          # the policy pages: the knowledge base in force, what-if reports
    KNOWLEDGE_WRITE = "knowledge:write"  # drafts, their simulations, publishing
    CALIBRATIONS_READ = "calibrations:read"
    CALIBRATIONS_WRITE = "calibrations:write"  # store (propose) an artifact
    CALIBRATIONS_ENACT = "calibrations:enact"  # put a calibration in force from a cycle on
    TIERS_DECIDE = "tiers:decide"              # confirm or override an RW's computed tier
    TIERS_READ = "tiers:read"                  # tier decisions, override rates, score runs
    CYCLES_CLOSE = "cycles:close"              # close a cycle for tier decisions
    SIGN_IN_LINKS = "sign_in_links:create"     # a one-time sign-in link of one's own key (for a phone)


_EVERYONE = frozenset(Role)
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.PROPOSALS_SUBMIT: frozenset({Role.FACILITATOR}),
    Permission.PROPOSALS_READ: _EVERYONE,
    Permission.PROPOSALS_REVIEW: frozenset({Role.REVIEWER}),
    Permission.SCORES_CREATE: frozenset({Role.EVALUATOR}),
    Permission.DECISIONS_READ: _EVERYONE,
    Permission.DECISIONS_REPLAY: frozenset({Role.EVALUATOR, Role.POLICY, Role.ADMIN}),
    Permission.KNOWLEDGE_READ: _EVERYONE,
    Permission.POLICY_READ: frozenset({Role.POLICY, Role.ADMIN}),
    Permission.KNOWLEDGE_WRITE: frozenset({Role.POLICY}),
    Permission.CALIBRATIONS_READ: frozenset({Role.EVALUATOR, Role.POLICY, Role.ADMIN}),
    Permission.CALIBRATIONS_WRITE: frozenset({Role.EVALUATOR, Role.POLICY}),
    Permission.CALIBRATIONS_ENACT: frozenset({Role.POLICY}),
    Permission.TIERS_DECIDE: frozenset({Role.EVALUATOR}),
    Permission.TIERS_READ: frozenset({Role.EVALUATOR, Role.POLICY, Role.ADMIN}),
    Permission.CYCLES_CLOSE: frozenset({Role.POLICY}),
    Permission.SIGN_IN_LINKS: _EVERYONE,
}


def allows(role: str, permission: Permission) -> bool:
    """Whether a key with `role` may do `permission` (an unknown role may do nothing)."""
    return role in PERMISSIONS[permission]


def first_role(permission: Permission) -> Role:
    """The first role (in `Role` order) that may do `permission`: the one a refusal names."""
    return next(role for role in Role if role in PERMISSIONS[permission])
