"""The files of a knowledge-base directory read as plain data, for drafts, diffs and the publish gate.

Diffs and the publish gate work on what policy staff edit: the YAML files of a
knowledge-base directory (layout in the knowledge base's README).
This module reads them without interpreting conditions, so that every problem can name the
file and field it is in. The full schema check is `knowledge.kb.load_knowledge_base`; the
hashes of a tree are `knowledge.versions`'.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge import intake
from knowledge.errors import InvalidInput, Problem
from knowledge.versions import file_digest, kb_file_list, tree_digests, tree_hash

# Drafts come from uploads: their files go through the guarded reader like every other document.
YAML_LIMITS = intake.ReadLimits()


def policy_hash(root: str | Path) -> str:
    """The content hash without the version label: `kb.yaml` is hashed without its `version`.

    The label is metadata, not content: a what-if report made for some rules and values still
    holds when only the label changes, so reports are kept and found under this hash.
    """
    base = Path(root)
    digests = tree_digests(base)
    if "kb.yaml" in digests:
        try:
            data = intake.read_yaml(intake.read_file(base / "kb.yaml", YAML_LIMITS, "kb.yaml"), YAML_LIMITS, "kb.yaml")
        except InvalidInput:
            data = None
        if isinstance(data, dict):
            unlabelled = {k: v for k, v in data.items() if k != "version"}
            text = json.dumps(unlabelled, sort_keys=True, ensure_ascii=False, default=str)
            digests["kb.yaml"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return tree_hash(base, digests)


def _date_key(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


@dataclass
class KBFiles:
    """A knowledge-base directory as data: every rule, parameter, category and fact with its file."""

    root: Path
    meta: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict[str, Any])       # id -> (file, index, rule)
    parameters: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict[str, Any])       # name -> (file, data)
    categories: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict[str, Any])       # id -> (index, category)
    facts: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict[str, Any])            # name -> (index, fact)
    tests: dict[str, str] = field(default_factory=dict)                         # file -> digest
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", ""))

    def derived_names(self) -> set[str]:
        return {str(r["derive"]) for _, _, r in self.rules.values() if r.get("derive")}

    def parameter_values(self, name: str) -> dict[str, dict[str, Any]]:
        """The dated values of one parameter, keyed by ISO date."""
        data = self.parameters.get(name, ("", {}))[1]
        values = data.get("values") or {}
        if not isinstance(values, dict):
            return {}
        return {_date_key(k): (v if isinstance(v, dict) else {"value": v}) for k, v in values.items()}


def _load_yaml(root: Path, rel: str, problems: list[Problem]) -> Any:
    try:
        return intake.read_yaml(intake.read_file(root / rel, YAML_LIMITS, rel), YAML_LIMITS, rel)
    except InvalidInput as exc:
        # The reader names the file (relative: never a server path) and the line or limit.
        problems += [Problem(f"{rel}: {p.path}" if p.path and p.path != rel else rel, p.id, p.en)
                     for p in exc.problems]
    return None


def read_kb_files(root: str | Path) -> KBFiles:
    """Read a knowledge-base directory; structural problems are collected in `.problems`, not raised."""
    base = Path(root)
    kb = KBFiles(root=base)
    if not (base / "kb.yaml").is_file():
        kb.problems.append(Problem("kb.yaml", "berkas kb.yaml tidak ada; ini bukan direktori basis pengetahuan",
                                   "kb.yaml is missing; this is not a knowledge-base directory"))
        return kb
    _read_meta(base, kb, kb.problems)
    files = kb_file_list(base)
    for rel in files:
        if rel.startswith("rules/") and rel.endswith((".yaml", ".yml")):
            _read_rules(base, rel, kb, kb.problems)
        elif rel.startswith("parameters/") and rel.endswith((".yaml", ".yml")):
            _read_parameter(base, rel, kb, kb.problems)
        elif rel.startswith("tests/"):
            kb.tests[rel] = file_digest(base / rel)
    for rel, attr, key in (("categories.yaml", "categories", "id"), ("facts.yaml", "facts", "name")):
        if rel in files:
            _read_list(base, rel, attr, key, kb, kb.problems)
    return kb


def _read_meta(base: Path, kb: KBFiles, problems: list[Problem]) -> None:
    meta = _load_yaml(base, "kb.yaml", problems)
    if isinstance(meta, dict):
        kb.meta = meta
        for key in ("name", "version"):
            if not meta.get(key):
                problems.append(Problem(f"kb.yaml: {key}", "wajib diisi", "is required"))
    elif meta is not None:
        problems.append(Problem("kb.yaml", "harus berupa objek", "must be a mapping"))


def _read_parameter(base: Path, rel: str, kb: KBFiles, problems: list[Problem]) -> None:
    before = len(problems)
    data = _load_yaml(base, rel, problems)
    if not isinstance(data, dict):
        if len(problems) == before:
            problems.append(Problem(rel, "parameter harus berupa objek", "a parameter must be a mapping"))
        return
    kb.parameters[Path(rel).stem] = (rel, data)


def _read_list(base: Path, rel: str, attr: str, key: str, kb: KBFiles, problems: list[Problem]) -> None:
    data = _load_yaml(base, rel, problems)
    if isinstance(data, dict):  # allow {categories: [...]} as well as a bare list
        data = data.get(attr, [])
    if not isinstance(data, list):
        problems.append(Problem(rel, "harus berupa daftar", "must be a list"))
        return
    target = getattr(kb, attr)
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not item.get(key):
            problems.append(Problem(f"{rel}: [{i}].{key}", "wajib diisi", "is required"))
            continue
        target[str(item[key])] = (i, item)


def _read_rules(base: Path, rel: str, kb: KBFiles, problems: list[Problem]) -> None:
    data = _load_yaml(base, rel, problems)
    if data is None:
        return
    if isinstance(data, dict):
        data = data.get("rules", [])
    if not isinstance(data, list):
        problems.append(Problem(rel, "berkas aturan harus berupa daftar aturan", "a rules file must be a list of rules"))
        return
    for i, rule in enumerate(data):
        if not isinstance(rule, dict) or not rule.get("id"):
            problems.append(Problem(f"{rel}: [{i}].id", "wajib diisi", "is required"))
            continue
        rid = str(rule["id"])
        if rid in kb.rules:
            first = kb.rules[rid][0]
            problems.append(Problem(f"{rel}: {rid}.id",
                                    f"id aturan {rid} dipakai dua kali (juga di {first})",
                                    f"rule id {rid} is used twice (also in {first})"))
            continue
        kb.rules[rid] = (rel, i, rule)


def require_clean(kb: KBFiles) -> KBFiles:
    if kb.problems:
        raise InvalidInput(list(kb.problems), source=kb.root.name)
    return kb
