"""Load a knowledge-base directory (kb.yaml, parameters/, categories, facts, rules/, tests/).

`load_knowledge_base(path)` validates every file and reports every problem at once, each
naming its file and field, in Bahasa Indonesia and English. A parameter value without a
legal reference, an assumed value without `modelled_on`, a text missing a language or a
duplicate id is an error when loading strictly (the default); `strict=False` keeps such
gaps in `.issues` so that `berdaya kb lint` can list them all.

Values in force: a cycle Y uses what is in force on 1 January of Y (the cycle date).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge import DATA_DIR, intake
from knowledge.errors import InvalidInput, Problem
from knowledge.kb_schema import Category, FactDef, KbMeta, Parameter, ParamValue, Rule, RuleTestFile, Text
from knowledge.validation import problems_from

DEFAULT_KB = DATA_DIR / "kb" / "ppm-cimahi"
YAML_LIMITS = intake.ReadLimits()



@dataclass(frozen=True)
class KbIssue:
    """A content gap found while loading: `kind` is a stable code used by the linter."""

    kind: str
    problem: Problem


class KnowledgeBase(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    path: Path
    name: str
    version: str
    description: Text
    parameters: dict[str, Parameter]
    categories: dict[str, Category]
    facts: dict[str, FactDef]
    rules: list[Rule]
    rule_files: dict[str, str] = Field(default_factory=dict, description="rule id -> file it is defined in")
    tests: dict[str, RuleTestFile] = Field(default_factory=dict)
    issues: list[KbIssue] = Field(default_factory=list)
    digest: str = ""

    def content_hash(self) -> str:
        """sha256 over every file of the knowledge base (names and bytes), as 'sha256:<hex>'."""
        return self.digest

    def rules_on(self, day: dt.date) -> list[Rule]:
        return [r for r in self.rules if r.applies_on(day)]

    def parameter_value(self, name: str, day: dt.date) -> ParamValue | None:
        param = self.parameters.get(name)
        found = param.value_on(day) if param else None
        return found[1].value if found else None

    def params_on(self, day: dt.date) -> dict[str, ParamValue]:
        """Every parameter that has a value in force on `day`, by name."""
        out = {}
        for name, param in sorted(self.parameters.items()):
            found = param.value_on(day)
            if found is not None:
                out[name] = found[1].value
        return out


def _read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    rel = path.relative_to(root).as_posix()
    # Through the guarded reader: a knowledge base may be a draft someone uploaded.
    try:
        return intake.read_yaml(intake.read_file(path, YAML_LIMITS, source=rel), YAML_LIMITS, source=rel)
    except InvalidInput as exc:
        problems.extend(Problem(f"{rel}: {p.path}" if p.path and p.path != rel else rel, p.id, p.en)
                        for p in exc.problems)
    return None


def _validate(model: type[BaseModel], data: Any, rel: str, prefix: str, problems: list[Problem]) -> Any:
    if not isinstance(data, dict):
        problems.append(Problem(f"{rel}: {prefix}".rstrip(": "), "harus berupa objek (pemetaan kunci-nilai)",
                                "must be an object (a key-value mapping)"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for p in problems_from(exc, prefix):
            problems.append(Problem(f"{rel}: {p.path}" if p.path else rel, p.id, p.en))
    return None


def _list_of(data: Any, rel: str, problems: list[Problem]) -> list[Any]:
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(rel, "harus berupa daftar", "must be a list"))
        return []
    return data


def _hash_files(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()



def _load_named_list(root: Path, filename: str, model: type, key: str, words: tuple[str, str],
                     problems: list[Problem], issues: list[KbIssue]) -> dict[str, Any]:
    """A YAML list of `model` items keyed by their `key` field; a repeated key is a lint issue."""
    path = root / filename
    data = _read_yaml(path, root, problems) if path.exists() else None
    found: dict[str, Any] = {}
    for n, item in enumerate(_list_of(data, filename, problems)):
        obj = _validate(model, item, filename, f"[{n}]", problems)
        if obj is None:
            continue
        name = getattr(obj, key)
        if name in found:
            issues.append(KbIssue("duplicate_id", Problem(f"{filename}: [{n}].{key}",
                                  f"{words[0]} '{name}' ganda", f"duplicate {words[1]} '{name}'")))
        found[name] = obj
    return found

def load_knowledge_base(path: str | Path | None = None, *, strict: bool = True) -> KnowledgeBase:
    """Read and validate a knowledge-base directory; `None` is the shipped PPM Cimahi base."""
    root = Path(path) if path is not None else DEFAULT_KB
    if not (root / "kb.yaml").is_file():
        raise InvalidInput([Problem(str(root / "kb.yaml"), "berkas basis pengetahuan tidak ditemukan",
                                    "knowledge-base file not found")], source=str(root))
    problems: list[Problem] = []
    meta = _validate(KbMeta, _read_yaml(root / "kb.yaml", root, problems), "kb.yaml", "", problems)

    parameters: dict[str, Parameter] = {}
    for file in sorted((root / "parameters").glob("*.yaml")):
        rel = file.relative_to(root).as_posix()
        data = _read_yaml(file, root, problems)
        if isinstance(data, dict):
            data = {"name": file.stem, **data}
        param = _validate(Parameter, data, rel, "", problems)
        if param is not None:
            parameters[param.name] = param

    issues: list[KbIssue] = []
    categories = _load_named_list(root, "categories.yaml", Category, "id", ("id kategori", "category id"),
                                  problems, issues)
    facts = _load_named_list(root, "facts.yaml", FactDef, "name", ("nama fakta", "fact name"), problems, issues)

    rules: list[Rule] = []
    rule_files: dict[str, str] = {}
    for file in sorted((root / "rules").glob("*.yaml")):
        rel = file.relative_to(root).as_posix()
        for n, item in enumerate(_list_of(_read_yaml(file, root, problems), rel, problems)):
            rule = _validate(Rule, item, rel, f"[{n}]", problems)
            if rule is None:
                continue
            if rule.id in rule_files:
                issues.append(KbIssue("duplicate_id", Problem(f"{rel}: [{n}].id",
                              f"id aturan '{rule.id}' ganda (juga di {rule_files[rule.id]})",
                              f"duplicate rule id '{rule.id}' (also in {rule_files[rule.id]})")))
                continue
            rules.append(rule)
            rule_files[rule.id] = rel

    tests: dict[str, RuleTestFile] = {}
    for file in sorted((root / "tests").glob("*.yaml")):
        rel = file.relative_to(root).as_posix()
        data = _read_yaml(file, root, problems)
        if isinstance(data, dict) and "cases" in data:
            suite = _validate(RuleTestFile, data, rel, "", problems)
            if suite is not None:
                tests[rel] = suite

    if problems or meta is None:
        raise InvalidInput(problems or [Problem("kb.yaml", "tidak sah", "invalid")], source=root.name)

    kb = KnowledgeBase(path=root, name=meta.name, version=meta.version, description=meta.description,
                       parameters=parameters, categories=categories, facts=facts, rules=rules,
                       rule_files=rule_files, tests=tests, digest=_hash_files(root))
    issues.extend(quality_problems(kb))
    if strict and issues:
        raise InvalidInput([i.problem for i in issues], source=root.name)
    return kb.model_copy(update={"issues": issues})


def _text_issues(text: Text | None, where: str) -> list[KbIssue]:
    if text is None:
        return []
    out = []
    for lang, label in (("id", "Bahasa Indonesia"), ("en", "English")):
        if not getattr(text, lang).strip():
            out.append(KbIssue("missing_translation", Problem(f"{where}.{lang}",
                       f"teks {label} belum diisi", f"the {label} text is missing")))
    return out


def quality_problems(kb: KnowledgeBase) -> list[KbIssue]:
    """Missing translations and missing legal references, each naming its file and field."""
    out = _text_issues(kb.description, "kb.yaml: description")
    for name, param in sorted(kb.parameters.items()):
        rel = f"parameters/{name}.yaml"
        out += _text_issues(param.description, f"{rel}: description")
        for day, value in sorted(param.values.items()):
            where = f"{rel}: values.{day.isoformat()}"
            if not value.reference.strip():
                out.append(KbIssue("missing_reference", Problem(f"{where}.reference",
                           "nilai parameter tanpa rujukan hukum/sumber", "parameter value without a legal reference")))
            if value.status == "assumed" and not (value.modelled_on or "").strip():
                out.append(KbIssue("missing_reference", Problem(f"{where}.modelled_on",
                           "nilai asumsi wajib menyebut acuannya (modelled_on)",
                           "an assumed value must say what it was modelled on (modelled_on)")))
    for n, cat in enumerate(kb.categories.values()):
        out += _text_issues(cat.name, f"categories.yaml: [{n}].name")
        if not cat.reference.strip():
            out.append(KbIssue("missing_reference", Problem(f"categories.yaml: [{n}].reference",
                       f"kategori '{cat.id}' tanpa rujukan", f"category '{cat.id}' has no reference")))
    for n, fact in enumerate(kb.facts.values()):
        out += _text_issues(fact.description, f"facts.yaml: [{n}].description")
    for rule in kb.rules:
        rel = f"{kb.rule_files.get(rule.id, 'rules')}: {rule.id}"
        out += _text_issues(rule.title, f"{rel}.title")
        out += _text_issues(rule.message, f"{rel}.message")
        out += _text_issues(rule.suggestion, f"{rel}.suggestion")
        out += _text_issues(rule.action, f"{rel}.action")
        for n, repair in enumerate(rule.repair):
            out += _text_issues(repair.description, f"{rel}.repair[{n}].description")
        if rule.is_finding and not rule.reference.strip():
            out.append(KbIssue("missing_reference", Problem(f"{rel}.reference",
                       "aturan tanpa rujukan hukum", "rule without a legal reference")))
    return out
