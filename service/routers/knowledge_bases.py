"""GET /v1/knowledge-bases and /v1/knowledge-bases/{name}/{version}: published versions, rules and parameters.

The list is the version store's published versions (oldest first), each with the date from
which it is in force and who published it, when and why; any published version can be read
in full. A BERDAYA_KB_DIR override, when the service runs with one, is listed after them.
"""

from __future__ import annotations

from fastapi import APIRouter

from service.auth import MayReadKnowledge
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import Publication, PublicationDetail
from service.usecases import knowledge_bases

router = APIRouter(prefix="/v1", tags=["knowledge-bases"])


@router.get("/knowledge-bases", response_model=list[Publication],
            summary="Versi basis pengetahuan yang terbit / published knowledge-base versions",
            responses=problems(401, 403))
def list_knowledge_bases(key: MayReadKnowledge, services: ServicesDep) -> list[Publication]:
    """Published versions, oldest first, with effective date and who published them, when and why.

    `default` marks the version that checks this year's cycle.
    """
    return knowledge_bases.list_knowledge_bases(services)


@router.get("/knowledge-bases/{name}/{version}", response_model=PublicationDetail,
            summary="Aturan dan parameter / rules and parameters", responses=problems(401, 403, 404))
def get_knowledge_base(name: str, version: str, key: MayReadKnowledge, services: ServicesDep) -> PublicationDetail:
    """Every rule, and every parameter with its dated values and the value in force per cycle."""
    return knowledge_bases.get_knowledge_base(services, name, version)
