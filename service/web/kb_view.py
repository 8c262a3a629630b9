"""The knowledge base in force, read for the pages: form choices and the policy browser.

Loaded through the service's engines (the same knowledge base the checks use) and cached
by content hash, so a page does not re-read the YAML files on every request.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from knowledge.dates import cycle_date
from knowledge.errors import BerdayaError
from knowledge.kb import KnowledgeBase, load_knowledge_base
from knowledge.kb_schema import GROUPS
from knowledge.labels import document_name
from knowledge.reference import load_reference

_PARAM = re.compile(r"param\.([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=4)
def _load(path: str, content_hash: str) -> KnowledgeBase:
    return load_knowledge_base(path)


def kb_in_force(services) -> KnowledgeBase:
    entry = services.engines.default_kb()
    return _load(str(entry.path), entry.content_hash)


def cycle_in_preparation(kb: KnowledgeBase, today: dt.date) -> int:
    """The cycle a facilitator is most likely preparing on `today`: this year's until its
    submission deadline has passed, then next year's when that cycle is open (December 2026: 2027)."""
    year = today.year
    deadline = kb.parameter_value("submission_deadline", cycle_date(year))
    last_open = kb.parameter_value("last_open_cycle", cycle_date(year + 1))
    try:
        month, day = (int(part) for part in str(deadline).split("-"))
        passed = today > dt.date(year, month, day)
    except ValueError:
        passed = False
    return year + 1 if passed and isinstance(last_open, int) and year + 1 <= last_open else year


def programme_of(kb: KnowledgeBase, cycle: Any) -> tuple[str, list[str]] | None:
    """The programme's name and stages in force for a cycle (stages empty when none are recorded)."""
    try:
        day = cycle_date(int(cycle))
    except (TypeError, ValueError):
        return None
    name = kb.parameter_value("programme_name", day)
    stages = kb.parameter_value("programme_stages", day)
    if not isinstance(name, str):
        return None
    return name, [str(s) for s in stages] if isinstance(stages, list) else []


def category_options(kb: KnowledgeBase, lang: str) -> list[tuple[str, str, str]]:
    """(value, label, group label) for the category select, grouped like the taxonomy."""
    groups = {"sarana_prasarana": {"id": "Sarana dan prasarana", "en": "Infrastructure"},
              "pemberdayaan": {"id": "Pemberdayaan", "en": "Empowerment"}}
    out = []
    for cat in sorted(kb.categories.values(), key=lambda c: (c.group != "sarana_prasarana", c.id)):
        label = (cat.name.id if lang == "id" else cat.name.en) or cat.id
        out.append((cat.id, label, groups[cat.group][lang]))
    return out


def document_options(kb: KnowledgeBase, cycle: Any) -> list[str]:
    """Required then optional document ids in force for the cycle (the latest values otherwise)."""
    try:
        day = cycle_date(int(cycle))
    except (TypeError, ValueError):
        day = dt.date.today()
    docs: list[str] = []
    for name in ("required_documents", "optional_documents"):
        param = kb.parameters.get(name)
        if param is None:
            continue
        found = param.value_on(day)
        value = found[1].value if found else param.values[max(param.values)].value
        docs += [str(d) for d in (value if isinstance(value, list) else [])]
    return list(dict.fromkeys(docs))


def item_words(kb: KnowledgeBase, item: Any, lang: str) -> str:
    """An item of a list parameter in words: a category or document by its name, anything else as written."""
    category = kb.categories.get(str(item))
    if category is not None:
        return str(getattr(category.name, lang))
    return document_name(str(item), lang)


def region_options() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    ref = load_reference()
    kecamatan = [(k.name, k.name, "") for k in ref.kecamatan]
    kelurahan = [(kel.name, kel.name, kec.name) for kec in ref.kecamatan for kel in kec.kelurahan]
    return kecamatan, kelurahan


def rule_titles(services) -> dict[str, dict[str, str]]:
    """Rule id -> its title in both languages, from the knowledge base in force: a finding is read
    by its rule's title (rule ids are stable, so a stored check of an older version finds its title
    too); {} while the knowledge base cannot load, the id then stands alone."""
    try:
        kb = kb_in_force(services)
    except BerdayaError:
        return {}
    return {rule.id: rule.title.model_dump() for rule in kb.rules}


def parameters_of(rule) -> list[str]:
    """Parameter names a rule's condition and evidence use (for links in the browser)."""
    text = rule.when + " " + (str(rule.evidence.threshold) if rule.evidence and rule.evidence.threshold else "")
    return list(dict.fromkeys(_PARAM.findall(text)))


def browse(kb: KnowledgeBase) -> dict[str, Any]:
    """Rules by group with the parameters they use; parameters with their dated values."""
    used_by: dict[str, list[str]] = {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for rule in kb.rules:
        params = parameters_of(rule)
        for p in params:
            used_by.setdefault(p, []).append(rule.id)
        groups.setdefault(rule.group, []).append({"rule": rule, "params": params, "file": kb.rule_files.get(rule.id)})
    parameters = []
    for name, param in sorted(kb.parameters.items()):
        values = [{"date": day.isoformat(), "value": v.value, "reference": v.reference, "status": v.status,
                   "modelled_on": v.modelled_on} for day, v in sorted(param.values.items())]
        parameters.append({"name": name, "param": param, "values": values, "used_by": used_by.get(name, [])})
    ordered = {g: groups[g] for g in GROUPS if g in groups} | groups
    return {"groups": ordered, "parameters": parameters,
            "categories": sorted(kb.categories.values(), key=lambda c: c.id)}
