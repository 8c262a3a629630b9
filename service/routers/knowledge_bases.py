"""GET /v1/knowledge-bases and /v1/knowledge-bases/{name}/{version}: rules and parameters in force."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from service.auth import CurrentKey
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import KnowledgeBaseDetail, KnowledgeBaseSummary, ParameterInForce

router = APIRouter(prefix="/v1", tags=["knowledge-bases"])


def _cycles(kb) -> list[int]:
    """Every cycle from the first effective date in the knowledge base to next year."""
    starts = [d for p in kb.parameters.values() for d in p.values]
    first = min(starts).year if starts else dt.date.today().year
    return list(range(first, dt.date.today().year + 2))


def _summary(services, entry, kb) -> KnowledgeBaseSummary:
    default = services.engines.default_kb()
    return KnowledgeBaseSummary(
        name=entry.name, version=entry.version, content_hash=entry.content_hash,
        description=kb.description.model_dump(), rules=len(kb.rules), parameters=len(kb.parameters),
        default=(entry.name, entry.version) == (default.name, default.version))


@router.get("/knowledge-bases", response_model=list[KnowledgeBaseSummary],
            summary="Basis pengetahuan yang tersedia / available knowledge bases", responses=problems(401, 403))
def list_knowledge_bases(key: CurrentKey, services: ServicesDep) -> list[KnowledgeBaseSummary]:
    key.require("knowledge:read")
    out = []
    for (name, version), entry in sorted(services.engines.knowledge_bases().items()):
        out.append(_summary(services, entry, services.engines.load_kb(name, version)))
    return out


@router.get("/knowledge-bases/{name}/{version}", response_model=KnowledgeBaseDetail,
            summary="Aturan dan parameter / rules and parameters", responses=problems(401, 403, 404))
def get_knowledge_base(name: str, version: str, key: CurrentKey, services: ServicesDep) -> KnowledgeBaseDetail:
    """Every rule, and every parameter with its dated values and the value in force per cycle."""
    key.require("knowledge:read")
    entry = services.engines.kb_entry(name, version)
    kb = services.engines.load_kb(name, version)
    cycles = _cycles(kb)
    parameters = []
    for pname, param in sorted(kb.parameters.items()):
        values = [{"from": start.isoformat(), **v.model_dump(mode="json")} for start, v in sorted(param.values.items())]
        in_force = {}
        for cycle in cycles:
            found = param.value_on(dt.date(cycle, 1, 1))
            if found is not None:
                in_force[str(cycle)] = found[1].model_dump(mode="json")["value"]
        parameters.append(ParameterInForce(name=pname, unit=param.unit, description=param.description.model_dump(),
                                           values=values, in_force=in_force))
    rules = [r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in kb.rules]
    return KnowledgeBaseDetail(**_summary(services, entry, kb).model_dump(), cycles=cycles, rule_list=rules,
                               parameter_list=parameters)
