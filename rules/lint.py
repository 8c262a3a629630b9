"""`berdaya kb lint`: what is wrong or missing in a knowledge base, all at once.

Kinds of problem (stable codes): unknown_fact, unknown_parameter, duplicate_id,
missing_translation, missing_reference, untested_rule, unused_conclusion, parse_error,
compile_error, unknown_locator, stated_threshold (a rule text that writes a threshold of its
own, "30%" or "Rp 75 juta", instead of rendering the parameter), zero_division,
derived_cycle (derived facts: a divisor that can be 0, facts that depend on each other in a
circle) and unknown_label (a `{field.X}` the form does not label). Repairs are linted like
conditions: their expressions parsed, their names known, and compiled for every cycle (a type
error or a parameter not in force is a compile_error). The knowledge base is loaded leniently
so that content gaps (translations, references, duplicates) are listed rather than stopping
the load.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.dates import cycle_date
from knowledge.errors import Problem
from knowledge.kb import KnowledgeBase, load_knowledge_base
from knowledge.kb_schema import Rule
from knowledge.labels import field_label
from rules.compiler import compile_version
from rules.condition import ConditionError, names_in, parse_condition
from rules.derived import derived_problems
from rules.render import FIELD_PREFIX, PLACEHOLDER, placeholders
from rules.repair_ops import DATE_NAMES, TARGET_NAMES, compile_rule_repairs

KINDS = ("unknown_fact", "unknown_parameter", "duplicate_id", "missing_translation", "missing_reference",
         "untested_rule", "unused_conclusion", "parse_error", "compile_error", "unknown_locator",
         "stated_threshold", "zero_division", "derived_cycle", "unknown_label")
SPECIAL_SLOTS = {"observed", "threshold"}
# A number with its unit written into a text: "30%", "Rp 72,5 juta", "Rp 75.000.000", "22,5 juta".
# Zero is left alone: "batas: Rp 0" states what a rule forbids outright, not a tunable threshold.
_STATED = re.compile(r"(?:Rp\s?\d[\d.,]*(?:\s?(?:juta|ribu|miliar|jt|rb))?|\d+(?:[.,]\d+)?\s?(?:%|persen|percent|"
                     r"juta|ribu|miliar))", re.IGNORECASE)
_ZERO = re.compile(r"^(?:Rp\s?)?0(?:[.,]0+)?\s?(?:%|persen|percent)?$", re.IGNORECASE)


def stated_thresholds(text: str) -> list[str]:
    """Numbers with a unit written into a text outside its `{...}` placeholders (zero excepted)."""
    bare = PLACEHOLDER.sub(" ", text or "")
    found = (m.group(0).strip().rstrip(".,") for m in _STATED.finditer(bare))  # "Rp 0," ends a clause
    return [f for f in found if not _ZERO.match(f)]


def _texts(rule: Rule) -> list[tuple[str, str]]:
    """(field, text) for every text of a rule a person reads."""
    out = [("reference", rule.reference)]
    for label in ("title", "message", "suggestion", "action"):
        text = getattr(rule, label)
        if text is not None:
            out += [(f"{label}.id", text.id), (f"{label}.en", text.en)]
    for n, repair in enumerate(rule.repair):
        out += [(f"repair[{n}].description.id", repair.description.id),
                (f"repair[{n}].description.en", repair.description.en)]
    return out


def _repair_expressions(rule: Rule) -> list[tuple[str, str, str]]:
    """(field, target, expression) for every expression of a rule's repairs."""
    out: list[tuple[str, str, str]] = []
    for n, repair in enumerate(rule.repair):
        for s, step in enumerate(repair.steps):
            where = f"repair[{n}].steps[{s}]"
            found = [("where", step.where)] if step.where else []
            found += [(f"set.{k}", v) for k, v in (step.set_ or {}).items()]
            if step.move_until is not None:
                found += [(f"move_until.set.{k}", v) for k, v in step.move_until.set_.items()]
                found.append(("move_until.amount", step.move_until.amount))
            if step.scale_down is not None:
                found.append(("scale_down.cut", step.scale_down.cut))
            if step.shift_dates is not None:
                found += [(f"shift_dates.earliest[{i}]", t) for i, t in enumerate(step.shift_dates.earliest)]
                found += [(f"shift_dates.latest[{i}]", t) for i, t in enumerate(step.shift_dates.latest)]
            out += [(f"{where}.{label}", step.target, text) for label, text in found]
    return out


def _repair_problems(kb: KnowledgeBase, rule: Rule, rel: str) -> list[LintProblem]:
    """Syntax and unknown names in a rule's repairs (types and parameters in force: `_compile_problems`)."""
    out = []
    for label, target, text in _repair_expressions(rule):
        try:
            names, params = names_in(parse_condition(text))
        except ConditionError as exc:
            out.append(LintProblem("parse_error", Problem(f"{rel}.{label}", exc.message_id, exc.message_en)))
            continue
        own = set(DATE_NAMES) | set(TARGET_NAMES[target])
        out += unknown_names(f"{rel}.{label}", names, params, facts=set(kb.facts) | own, parameters=set(kb.parameters))
    return out


def _stated_problems(kb: KnowledgeBase) -> list[LintProblem]:
    out = []
    for rule in kb.rules:
        rel = f"{kb.rule_files.get(rule.id, 'rules')}: {rule.id}"
        for field, text in _texts(rule):
            for found in stated_thresholds(text):
                out.append(LintProblem("stated_threshold", Problem(
                    f"{rel}.{field}",
                    f"teks menulis ambang sendiri '{found}'; tulis isian parameter (misalnya "
                    f"{{param.nama:pct}} atau {{param.nama:rupiah}}) agar angka selalu sama dengan nilai yang berlaku",
                    f"the text writes a threshold of its own '{found}'; write the parameter's placeholder (e.g. "
                    f"{{param.name:pct}} or {{param.name:rupiah}}) so that the number always matches the value in force")))
    return out


@dataclass(frozen=True)
class LintProblem:
    kind: str
    problem: Problem

    def line(self, lang: str = "id") -> str:
        return f"[{self.kind}] {self.problem.line(lang)}"


def _known_locators() -> set[str]:
    from rules.facts import LOCATORS  # the shipped extraction names its locators

    return set(LOCATORS)


def unknown_names(where: str, names: Iterable[str], params: Iterable[str], *, facts: Collection[str],
                  parameters: Collection[str]) -> list[LintProblem]:
    """Names a rule uses that the knowledge base does not define: facts (or conclusions) and parameters.

    The one check of unknown names: `berdaya kb lint` and the publish gate both use it.
    """
    out = []
    for name in sorted(set(names)):
        if name not in facts:
            out.append(LintProblem("unknown_fact", Problem(where, f"fakta '{name}' tidak dikenal (tidak ada di facts.yaml)",
                                                           f"unknown fact '{name}' (not in facts.yaml)")))
    for name in sorted(set(params)):
        if name not in parameters:
            out.append(LintProblem("unknown_parameter", Problem(where, f"parameter '{name}' tidak dikenal",
                                                                f"unknown parameter '{name}'")))
    return out


def _unknown_labels(where: str, slots: Iterable[str]) -> list[LintProblem]:
    """`{field.X}` slots whose X the form does not label (knowledge/data/labels.yaml)."""
    return [LintProblem("unknown_label", Problem(where, f"kolom '{name}' tidak punya label di labels.yaml",
                                                 f"field '{name}' has no label in labels.yaml"))
            for name in sorted(set(slots))
            if name.startswith(FIELD_PREFIX) and field_label(name[len(FIELD_PREFIX):]) is None]


def _kb_unknown_names(kb: KnowledgeBase, where: str, names: Iterable[str], params: Iterable[str],
                      conclusions: set[str]) -> list[LintProblem]:
    return unknown_names(where, names, params, facts=set(kb.facts) | conclusions, parameters=set(kb.parameters))


def lint_kb(kb: KnowledgeBase, *, locators: set[str] | None = None) -> list[LintProblem]:
    out = [LintProblem(i.kind, i.problem) for i in kb.issues]
    conclusions = {r.derive for r in kb.rules if r.derive}
    used_conclusions: set[str] = set()
    for rule in kb.rules:
        rel = f"{kb.rule_files.get(rule.id, 'rules')}: {rule.id}"
        try:
            names, params = names_in(parse_condition(rule.when))
        except ConditionError as exc:
            out.append(LintProblem("parse_error", Problem(f"{rel}.when", exc.message_id, exc.message_en)))
            names, params = set(), set()
        used_conclusions |= names & conclusions
        out += _kb_unknown_names(kb, f"{rel}.when", names, params, conclusions)
        if rule.evidence is not None:
            ev_names: set[str] = {rule.evidence.fact}
            ev_params: set[str] = set()
            if isinstance(rule.evidence.threshold, str):
                try:
                    t_names, ev_params = names_in(parse_condition(rule.evidence.threshold))
                    ev_names |= t_names
                except ConditionError as exc:
                    out.append(LintProblem("parse_error", Problem(f"{rel}.evidence.threshold",
                                                                  exc.message_id, exc.message_en)))
            out += _kb_unknown_names(kb, f"{rel}.evidence", ev_names, ev_params, set())
        for label, template in _texts(rule):
            if label.startswith("title"):
                continue
            slots = [name for name, _ in placeholders(template) if name not in SPECIAL_SLOTS]
            out += _unknown_labels(f"{rel}.{label}", slots)
            slots = [name for name in slots if not name.startswith(FIELD_PREFIX)]
            out += _kb_unknown_names(kb, f"{rel}.{label}", [s for s in slots if not s.startswith("param.")],
                                  [s[len("param."):] for s in slots if s.startswith("param.")], set())
        out += _repair_problems(kb, rule, rel)
        if rule.fields_from and locators is not None and rule.fields_from not in locators:
            out.append(LintProblem("unknown_locator", Problem(f"{rel}.fields_from",
                       f"lokator '{rule.fields_from}' tidak dihasilkan ekstraksi fakta",
                       f"locator '{rule.fields_from}' is not produced by fact extraction")))
    for rule in kb.rules:
        if rule.derive and rule.derive not in used_conclusions:
            out.append(LintProblem("unused_conclusion", Problem(f"{kb.rule_files.get(rule.id)}: {rule.id}.derive",
                       f"kesimpulan '{rule.derive}' tidak dipakai aturan mana pun",
                       f"conclusion '{rule.derive}' is not used by any rule")))
    exercised = {rid for suite in kb.tests.values() for case in suite.cases for rid in case.expect.fires}
    for rule in kb.rules:
        if rule.id not in exercised:
            out.append(LintProblem("untested_rule", Problem(f"{kb.rule_files.get(rule.id)}: {rule.id}",
                       "tidak ada uji yang mengharapkan aturan ini terpicu",
                       "no test expects this rule to fire")))
    out += _stated_problems(kb)
    out += [LintProblem(kind, Problem(path, id_text, en_text)) for kind, path, id_text, en_text in derived_problems(kb)]
    out += _compile_problems(kb)
    return sorted(set(out), key=lambda p: (KINDS.index(p.kind), p.problem.path, p.problem.en))


def cycles_to_compile(kb: KnowledgeBase, through: int | None = None) -> range:
    """Every cycle whose rules can differ: from the first dated value (parameters, rule and fact dates)
    to the year after the last one, or to `through` when that is later. The one range lint and the
    publish gate compile."""
    years = {d.year for p in kb.parameters.values() for d in p.values}
    years |= {d.year for r in kb.rules if r.effective for d in (r.effective.from_, r.effective.to) if d}
    years |= {d.year for f in kb.facts.values() for d in f.expressions() if d}
    if not years:
        return range(through, through + 1) if through is not None else range(0)
    return range(min(years), max(max(years) + 1, through or 0) + 1)


def _compile_problems(kb: KnowledgeBase) -> list[LintProblem]:
    """Compile every cycle that can differ; each distinct error once."""
    seen: set[str] = set()
    out = []
    for cycle in cycles_to_compile(kb):
        errors: list[ConditionError] = []
        try:
            compile_version(kb, cycle)
        except ConditionError as exc:
            errors.append(exc)
        day = cycle_date(cycle)
        for rule in kb.rules_on(day):
            try:
                compile_rule_repairs(kb, rule, day)
            except ConditionError as exc:
                errors.append(exc)
        for error in errors:
            if error.message_en not in seen:
                seen.add(error.message_en)
                out.append(LintProblem("compile_error", Problem(f"siklus/cycle {cycle}", error.message_id,
                                                                error.message_en)))
    return out


def lint_path(path: str | Path | None = None) -> list[LintProblem]:
    """Lint a knowledge-base directory (None = the shipped one)."""
    return lint_kb(load_knowledge_base(path, strict=False), locators=_known_locators())
