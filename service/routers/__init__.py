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

# drafts before knowledge_bases: `/knowledge-bases/{name}/drafts` must not be read as a version named "drafts".
ALL_ROUTERS = (
    health.router, checks.router, proposals.router, journey.router, scores.router, decisions.router,
    drafts.router, knowledge_bases.router, calibrations.router, tiers.router,
)
