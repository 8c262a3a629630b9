"""GET /v1/knowledge-bases and /v1/knowledge-bases/{name}/{version}: published versions, rules and parameters.

The list is the version store's published versions (oldest first), each with the date from
which it is in force and who published it, when and why; any published version can be read
in full. A BERDAYA_KB_DIR override, when the service runs with one, is listed after them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import ConfigDict, Field

from knowledge.kb_store import UnknownVersion
from service.auth import CurrentKey
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import KnowledgeBaseDetail, KnowledgeBaseSummary, ParameterInForce, example_of

router = APIRouter(prefix="/v1", tags=["knowledge-bases"])

_PUBLISHED_EXAMPLE: dict[str, Any] = {"effective_from": "2018-01-01", "published_by": "berdaya",
                      "published_at": "2026-02-14T03:00:00+00:00",
                      "reason": "Versi awal yang dikirim bersama Berdaya / initial version shipped with Berdaya",
                      "store_hash": "sha256:e520...", "rollback_of": None, "in_force_for": [2018, 2019],
                      "override": False}


class Publication(KnowledgeBaseSummary):
    """A knowledge base the service checks with, with its publication record."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {**example_of(KnowledgeBaseSummary), **_PUBLISHED_EXAMPLE}]})

    effective_from: dt.date | None = Field(
        description="In force for cycles whose 1 January is on or after this date (until a later version); "
                    "null for a BERDAYA_KB_DIR override")
    published_by: str | None
    published_at: dt.datetime | None
    reason: str | None
    store_hash: str | None = Field(description="Hash of the version's files recorded in the version store")
    rollback_of: str | None = Field(description="The earlier version whose content this version republished")
    in_force_for: list[int] = Field(description="Cycles (first published one to next year) this version checks")
    override: bool = Field(description="BERDAYA_KB_DIR: checks every proposal instead of the published versions")


class PublicationDetail(KnowledgeBaseDetail, Publication):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**example_of(KnowledgeBaseDetail), **_PUBLISHED_EXAMPLE}]})


def _cycles(kb) -> list[int]:
    """Every cycle from the first effective date in the knowledge base to next year."""
    starts = [d for p in kb.parameters.values() for d in p.values]
    first = min(starts).year if starts else dt.date.today().year
    return list(range(first, dt.date.today().year + 2))


def _in_force_for(services, entry) -> list[int]:
    """Cycles from the first published version to next year that this version checks."""
    if entry.effective_from is None:
        return []
    versions = services.engines.published_versions()
    first = min(pv.effective_from for pv in versions).year
    out = []
    for cycle in range(first, dt.date.today().year + 2):
        try:
            chosen = services.engines.in_force(cycle)
        except UnknownVersion:  # a cycle before every version is simply not listed
            continue
        if (chosen.name, chosen.version) == (entry.name, entry.version):
            out.append(cycle)
    return out


def _summary(services, entry, kb) -> Publication:
    default = services.engines.default_kb()
    return Publication(
        name=entry.name, version=entry.version, content_hash=entry.content_hash,
        description=kb.description.model_dump(), rules=len(kb.rules), parameters=len(kb.parameters),
        default=(entry.name, entry.version) == (default.name, default.version),
        effective_from=entry.effective_from, published_by=entry.published_by, published_at=entry.published_at,
        reason=entry.reason, store_hash=entry.store_hash, rollback_of=entry.rollback_of,
        in_force_for=_in_force_for(services, entry), override=entry.effective_from is None)


@router.get("/knowledge-bases", response_model=list[Publication],
            summary="Versi basis pengetahuan yang terbit / published knowledge-base versions",
            responses=problems(401, 403))
def list_knowledge_bases(key: CurrentKey, services: ServicesDep) -> list[Publication]:
    """Published versions, oldest first, with effective date and who published them, when and why.

    `default` marks the version that checks this year's cycle.
    """
    key.require("knowledge:read")
    out = []
    for (name, version), entry in services.engines.knowledge_bases().items():
        out.append(_summary(services, entry, services.engines.load_kb(name, version)))
    return out


@router.get("/knowledge-bases/{name}/{version}", response_model=PublicationDetail,
            summary="Aturan dan parameter / rules and parameters", responses=problems(401, 403, 404))
def get_knowledge_base(name: str, version: str, key: CurrentKey, services: ServicesDep) -> PublicationDetail:
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
    return PublicationDetail(**_summary(services, entry, kb).model_dump(), cycles=cycles, rule_list=rules,
                             parameter_list=parameters)
