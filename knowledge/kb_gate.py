"""Knowledge-level checks a draft must pass before it is published (file, field and reason each).

These are the checks that need only the files: schema (through `knowledge.kb` when it is
present), names used in conditions, references of parameter values, and rule ids that were
already published for a different rule. Lint and the draft's own rule tests need the engine;
they are run by `rules.registry.publish_draft` in a worker process and passed in as checks.
"""

from __future__ import annotations

import re
from typing import Any

from knowledge.errors import InvalidInput, Problem
from knowledge.kb_files import RULE_GROUPS, KBFiles

_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|param\.[A-Za-z_]\w*|[A-Za-z_]\w*")
_KEYWORDS = {"and", "or", "not", "true", "false"}
_PLACEHOLDER_PARAM = re.compile(r"\{(param\.[A-Za-z_]\w*)")
STATUSES = ("verified", "assumed")


def _schema_problems(files: KBFiles) -> list[Problem]:
    """The engine developer's full loader, when present, is the schema of record."""
    try:
        from knowledge.kb import load_knowledge_base
    except ImportError:
        return []
    try:
        load_knowledge_base(files.root)
    except InvalidInput as exc:
        return list(exc.problems) or [Problem(str(files.root), exc.message_id, exc.message_en)]
    return []


def condition_names(when: str) -> tuple[set[str], set[str]]:
    """Fact/conclusion names and parameter names a condition mentions (strings and keywords left out)."""
    names, params = set(), set()
    for token in _TOKEN.findall(when or ""):
        if token[0] in "'\"" or token in _KEYWORDS:
            continue
        if token.startswith("param."):
            params.add(token[len("param."):])
        else:
            names.add(token)
    return names, params


def name_problems(files: KBFiles) -> list[Problem]:
    """Unknown facts or parameters in conditions, evidence and message templates."""
    problems = []
    known = set(files.facts) | files.derived_names()
    for rid, (rel, _, rule) in sorted(files.rules.items()):
        when = str(rule.get("when") or "")
        names, params = condition_names(when)
        for name in sorted(names - known):
            problems.append(Problem(f"{rel}: {rid}.when", f"fakta '{name}' tidak dikenal (tidak ada di facts.yaml)",
                                    f"unknown fact '{name}' (not in facts.yaml)"))
        evidence = rule.get("evidence") or {}
        if isinstance(evidence, dict):
            if evidence.get("fact") and str(evidence["fact"]) not in known:
                problems.append(Problem(f"{rel}: {rid}.evidence.fact", f"fakta '{evidence['fact']}' tidak dikenal",
                                        f"unknown fact '{evidence['fact']}'"))
            threshold = str(evidence.get("threshold") or "")
            if threshold.startswith("param."):
                params.add(threshold[len("param."):])
        for key in ("message", "suggestion"):
            texts = rule.get(key) or {}
            for text in (texts.values() if isinstance(texts, dict) else []):
                for ref in _PLACEHOLDER_PARAM.findall(str(text)):
                    params.add(ref[len("param."):])
        for name in sorted(params - set(files.parameters)):
            problems.append(Problem(f"{rel}: {rid}", f"parameter '{name}' tidak dikenal (tidak ada di parameters/)",
                                    f"unknown parameter '{name}' (not in parameters/)"))
    return problems


def reference_problems(files: KBFiles) -> list[Problem]:
    """Every dated parameter value carries its legal reference and status (assumed ones say the model)."""
    problems = []
    for name, (rel, _) in sorted(files.parameters.items()):
        values = files.parameter_values(name)
        if not values:
            problems.append(Problem(f"{rel}: values", "parameter tanpa nilai", "parameter has no values"))
        for date, entry in sorted(values.items()):
            where = f"{rel}: values.{date}"
            if not str(entry.get("reference") or "").strip():
                problems.append(Problem(f"{where}.reference", "nilai parameter tanpa rujukan hukum/sumber",
                                        "parameter value without a legal reference/source"))
            status = entry.get("status")
            if status not in STATUSES:
                problems.append(Problem(f"{where}.status", "status harus verified atau assumed",
                                        "status must be verified or assumed"))
            elif status == "assumed" and not str(entry.get("modelled_on") or "").strip():
                problems.append(Problem(f"{where}.modelled_on", "nilai asumsi harus menyebut modelnya (modelled_on)",
                                        "an assumed value must say what it was modelled on (modelled_on)"))
    return problems


def reuse_problems(files: KBFiles, published: list[tuple[str, KBFiles]]) -> list[Problem]:
    """A rule id once published keeps its meaning: same title and group (its condition may change)."""
    problems = []
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for label, old in published:
        for rid, (_, _, rule) in old.rules.items():
            seen.setdefault(rid, (label, rule))
    for rid, (rel, _, rule) in sorted(files.rules.items()):
        if rid not in seen:
            continue
        label, old_rule = seen[rid]
        for key in ("title", "group"):
            if (rule.get(key) or None) != (old_rule.get(key) or None):
                problems.append(Problem(
                    f"{rel}: {rid}.{key}",
                    f"id aturan {rid} sudah diterbitkan (versi {label}) untuk aturan lain ({key} berbeda); "
                    f"beri aturan baru id baru",
                    f"rule id {rid} was published (version {label}) for a different rule ({key} differs); "
                    f"give a new rule a new id"))
    return problems


def structure_problems(files: KBFiles) -> list[Problem]:
    problems = []
    for rid, (rel, _, rule) in sorted(files.rules.items()):
        if rule.get("group") not in RULE_GROUPS:
            problems.append(Problem(f"{rel}: {rid}.group", f"kelompok harus salah satu dari {', '.join(RULE_GROUPS)}",
                                    f"group must be one of {', '.join(RULE_GROUPS)}"))
        if not str(rule.get("when") or "").strip():
            problems.append(Problem(f"{rel}: {rid}.when", "kondisi wajib diisi", "a condition is required"))
    return problems


def draft_problems(files: KBFiles, published: list[tuple[str, KBFiles]], *, store_name: str) -> list[Problem]:
    """Everything wrong with a draft that can be seen from its files, in a stable order."""
    problems = list(files.problems)
    if files.problems:
        return problems
    if files.name != store_name:
        problems.append(Problem("kb.yaml: name", f"nama basis pengetahuan '{files.name}' bukan '{store_name}'",
                                f"knowledge-base name '{files.name}' is not '{store_name}'"))
    used = {label for label, _ in published}
    if files.version in used:
        problems.append(Problem("kb.yaml: version",
                                f"versi '{files.version}' sudah diterbitkan; beri draf nomor versi baru",
                                f"version '{files.version}' is already published; give the draft a new version"))
    schema = _schema_problems(files)
    problems += schema
    seen = {p.path for p in schema}
    ours = structure_problems(files) + name_problems(files) + reference_problems(files)
    problems += [p for p in ours if p.path not in seen]  # the loader already named these fields
    problems += reuse_problems(files, published)
    return problems
