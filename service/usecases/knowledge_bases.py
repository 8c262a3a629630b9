"""Knowledge bases: the published versions (with their records and the cycles each checks), one in full."""

from __future__ import annotations

import datetime as dt
from typing import Any

from knowledge.dates import cycle_date
from knowledge.kb import KnowledgeBase
from knowledge.versions import UnknownVersion
from service.deps import Services
from service.engines import KnowledgeBaseEntry
from service.schemas import ParameterInForce, Publication, PublicationDetail


def _cycles(kb: KnowledgeBase) -> list[int]:
    """Every cycle from the first effective date in the knowledge base to next year."""
    starts = [d for p in kb.parameters.values() for d in p.values]
    first = min(starts).year if starts else dt.date.today().year
    return list(range(first, dt.date.today().year + 2))


def _in_force_for(services: Services, entry: KnowledgeBaseEntry) -> list[int]:
    """Cycles from the first published version to next year that this version checks."""
    if entry.effective_from is None:
        return []
    versions = services.engines.published_versions()
    first = min(pv.effective_from for pv in versions).year
    out = []
    for cycle in range(first, dt.date.today().year + 2):
        try:
            chosen = services.engines.entry_for_cycle(cycle)
        except UnknownVersion:  # a cycle before every version is simply not listed
            continue
        if (chosen.name, chosen.version) == (entry.name, entry.version):
            out.append(cycle)
    return out


def _summary(services: Services, entry: KnowledgeBaseEntry, kb: KnowledgeBase) -> Publication:
    default = services.engines.default_kb()
    tampered = services.engines.tampered_files(entry.name, entry.version)
    return Publication(
        integrity="tampered" if tampered else "verified", tampered_files=tampered,
        name=entry.name, version=entry.version, content_hash=entry.content_hash,
        description=kb.description.model_dump(), rules=len(kb.rules), parameters=len(kb.parameters),
        default=(entry.name, entry.version) == (default.name, default.version),
        effective_from=entry.effective_from, published_by=entry.published_by, published_at=entry.published_at,
        reason=entry.reason, store_hash=entry.store_hash, rollback_of=entry.rollback_of,
        in_force_for=_in_force_for(services, entry), override=entry.effective_from is None)


def list_knowledge_bases(services: Services) -> list[Publication]:
    """Published versions, oldest first (then a BERDAYA_KB_DIR override), each with its record."""
    out = []
    for (name, version), entry in services.engines.knowledge_bases().items():
        out.append(_summary(services, entry, services.engines.load_kb(name, version)))
    return out


def get_knowledge_base(services: Services, name: str, version: str) -> PublicationDetail:
    """Every rule, and every parameter with its dated values and the value in force per cycle."""
    entry = services.engines.kb_entry(name, version)
    kb = services.engines.load_kb(name, version)
    cycles = _cycles(kb)
    parameters = []
    for pname, param in sorted(kb.parameters.items()):
        values = [{"from": start.isoformat(), **v.model_dump(mode="json")} for start, v in sorted(param.values.items())]
        in_force: dict[str, Any] = {}
        for cycle in cycles:
            found = param.value_on(cycle_date(cycle))
            if found is not None:
                in_force[str(cycle)] = found[1].model_dump(mode="json")["value"]
        parameters.append(ParameterInForce(name=pname, unit=param.unit, description=param.description.model_dump(),
                                           values=values, in_force=in_force))
    rules = [r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in kb.rules]
    return PublicationDetail(**_summary(services, entry, kb).model_dump(), cycles=cycles, rule_list=rules,
                             parameter_list=parameters)
