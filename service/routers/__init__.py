"""One router per resource; `ALL_ROUTERS` is what `create_app` includes, in this order."""

from service.routers import (
    calibrations,
    checks,
    decisions,
    drafts,
    health,
    journey,
    knowledge_bases,
    proposals,
    scores,
    tiers,
)

ALL_ROUTERS = (
    health.router, checks.router, proposals.router, journey.router, scores.router, decisions.router,
    knowledge_bases.router, drafts.router, calibrations.router, tiers.router,
)
