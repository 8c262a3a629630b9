"""Check a proposal against the knowledge base: facts, engine, findings, verdict.

    checker = Checker.load()                 # the shipped knowledge base
    result = checker.check(proposal)         # CheckResult; result.model_dump(mode="json") is the check JSON other systems read

The verdict is `ineligible` when any blocking finding, `needs_revision` when any major one,
otherwise `eligible`. Findings are sorted by severity then rule id, so the same proposal and
knowledge-base version always give the same output. A Checker is safe to share between
threads: compiled versions are cached under a lock and the engine runs one check at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from knowledge.errors import BerdayaError
from knowledge.kb import KnowledgeBase, load_knowledge_base
from knowledge.kb_schema import SEVERITIES, Rule, Verdict
from knowledge.proposal import Proposal
from rules.compiler import CompiledVersion, UsedParameter, compile_version
from rules.condition import Arith, Compare, ConditionError, Name, Neg, Node, Num, Param, parse_condition
from rules.engine import DECIMALS, Firings, get_engine, normalise
from rules.ir import Conclusion
from rules.render import render

Extractor = Callable[[Proposal, Mapping[str, Any], Mapping[str, Any]], Any]
Scalar = int | float | str | bool | None


class FactError(BerdayaError):
    """Fact extraction did not give a value a rule needs, or gave one of the wrong kind."""


class LangText(BaseModel):
    id: str
    en: str


class Evidence(BaseModel):
    fact: str
    observed: Scalar = None
    threshold: Scalar = None


class Finding(BaseModel):
    rule_id: str
    severity: Literal["blocking", "major", "minor", "advice"]
    group: str
    fields: list[str]
    message: LangText
    suggestion: LangText
    reference: str
    evidence: Evidence | None = None


class KnowledgeBaseRef(BaseModel):
    name: str
    version: str


@dataclass
class Explanation:
    """What --explain shows: conditions, parameter values with references, conclusions, facts."""

    conditions: dict[str, str] = field(default_factory=dict)
    params: dict[str, list[UsedParameter]] = field(default_factory=dict)
    conclusions: dict[str, bool] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)
    ruleset: str = ""


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["eligible", "needs_revision", "ineligible"]
    knowledge_base: KnowledgeBaseRef
    cycle: int
    findings: list[Finding]
    passed: list[str]
    _explanation: Explanation = PrivateAttr(default_factory=Explanation)

    @property
    def explanation(self) -> Explanation:
        return self._explanation

    @property
    def fired(self) -> list[str]:
        return [f.rule_id for f in self.findings]


M = TypeVar("M", bound=BaseModel)


def built(cls: type[M], values: dict[str, Any], private: dict[str, Any] | None = None) -> M:
    """A model from values that are complete and already valid, as `model_construct` makes it
    without its per-field look-ups of defaults and aliases (a few microseconds per object, on
    every finding of every check). `values` must name every field; `private`, every private
    attribute."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", private)
    return obj


SEVERITY_ORDER = {s: n for n, s in enumerate(SEVERITIES)}
_ACCEPTED = {"number": (int, float), "boolean": (bool,), "text": (str,)}


def verdict_of(severities: list[str]) -> Verdict:
    if "blocking" in severities:
        return "ineligible"
    if "major" in severities:
        return "needs_revision"
    return "eligible"


def _split_path(path: str) -> list[str]:
    tokens = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        if name:
            tokens.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            tokens.append(f"[{index}]")
            rest = rest.lstrip("[") if rest.startswith("[") else rest
    return tokens


def expand_path(root: Any, path: str) -> list[str]:
    """`activities[*].budget_lines` -> one concrete path per activity present in the proposal."""
    out: list[str] = []

    def walk(obj: Any, tokens: list[str], prefix: str) -> None:
        if not tokens:
            out.append(prefix)
            return
        head, rest = tokens[0], tokens[1:]
        if head.startswith("["):
            items = obj if isinstance(obj, list) else []
            indices = range(len(items)) if head == "[*]" else [int(head[1:-1])]
            for i in indices:
                walk(items[i] if i < len(items) else None, rest, f"{prefix}[{i}]")
        else:
            child = getattr(obj, head, None) if not isinstance(obj, dict) else obj.get(head)
            walk(child, rest, f"{prefix}.{head}" if prefix else head)

    if "[*]" not in path:
        return [path]
    walk(root, _split_path(path), "")
    return out


def _number(node: Node, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Any:
    """A threshold for display: arithmetic over numbers, parameters and facts."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Param):
        return params.get(node.name)
    if isinstance(node, Name):
        return facts.get(node.name)
    if isinstance(node, Neg):
        inner = _number(node.operand, params, facts)
        return None if inner is None else -inner
    if isinstance(node, Arith):
        a, b = _number(node.left, params, facts), _number(node.right, params, facts)
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or (node.op == "/" and b == 0):
            return None
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None}[node.op]
    return None


@lru_cache(maxsize=512)
def _parsed_threshold(text: str) -> Node | None:
    try:
        return parse_condition(text)
    except ConditionError:
        return None  # lint reports it; a finding still shows its message


def _tidy(value: Any) -> Scalar:
    if isinstance(value, float):
        value = round(value, 6)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return value if isinstance(value, (int, str, bool)) or value is None else str(value)


class Checker:
    """Checks proposals against one knowledge base; compiled versions are cached per cycle."""

    def __init__(self, kb: KnowledgeBase, extract: Extractor | None = None):
        self.kb = kb
        self._extract = extract
        self._versions: dict[int, CompiledVersion] = {}
        self._lock = threading.Lock()
        self._kb_ref = KnowledgeBaseRef(name=kb.name, version=kb.version)

    @classmethod
    def load(cls, kb_dir: str | Path | None = None, *, extract: Extractor | None = None) -> Checker:
        return cls(load_knowledge_base(kb_dir), extract)

    @property
    def extract(self) -> Extractor:
        if self._extract is None:
            from rules.facts import extract_facts  # the shipped fact extraction, imported when first needed
            self._extract = extract_facts
        return self._extract

    def version(self, cycle: int) -> CompiledVersion:
        """The compiled, registered rules for `cycle` (compiled once per process and cycle)."""
        with self._lock:
            compiled = self._versions.get(cycle)
            if compiled is None:
                compiled = compile_version(self.kb, cycle)
                get_engine().register(compiled.name, compiled.units)
                self._versions[cycle] = compiled
            return compiled

    def params_for(self, compiled: CompiledVersion) -> dict[str, Any]:
        return compiled.params

    def facts(self, proposal: Proposal, cycle: int | None = None) -> tuple[CompiledVersion, Any]:
        compiled = self.version(cycle or proposal.cycle)
        facts = self.extract(proposal, compiled.params, self.kb.categories)
        compiled.derived.evaluate(facts.values, proposal.region)  # facts the knowledge base defines in data
        return compiled, facts

    def engine_fact(self, compiled: CompiledVersion, values: Mapping[str, Any]) -> dict[str, Any]:
        """The compact fact the engine sees: only the facts the rules use, normalised.

        Runs on every check, so the usual case (every value present and of its kind) is a
        few tight loops; anything else goes to `_checked_fact`, which says what is wrong.
        """
        numbers, booleans, texts = compiled.fact_groups
        try:
            fact = {name: values[name] for name in compiled.facts_used}
        except KeyError:
            return self._checked_fact(compiled, values)
        for name in numbers:
            value = fact[name]
            kind = type(value)
            if kind is float:
                if value - value != 0:  # inf or nan
                    return self._checked_fact(compiled, values)
                fact[name] = round(value, DECIMALS)
            elif kind is not int:
                return self._checked_fact(compiled, values)
        for name in booleans:
            value = fact[name]
            if type(value) is not bool:
                return self._checked_fact(compiled, values)
            fact[name] = 1 if value else 0
        for name in texts:
            if type(fact[name]) is not str:
                return self._checked_fact(compiled, values)
        return fact

    def _checked_fact(self, compiled: CompiledVersion, values: Mapping[str, Any]) -> dict[str, Any]:
        fact = {}
        for name, kind in compiled.fact_kinds:
            value = values.get(name)
            kind_of = type(value)
            if kind_of not in _ACCEPTED[kind]:
                if value is None:
                    raise FactError(f"fakta '{name}' tidak dihasilkan oleh ekstraksi fakta",
                                    f"fact extraction did not produce fact '{name}'")
                if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    kind_of, value = float, float(value)  # a numpy or other numeric subtype
                else:
                    raise FactError(f"fakta '{name}' harus bertipe {kind}, bukan {kind_of.__name__}",
                                    f"fact '{name}' must be of kind {kind}, not {kind_of.__name__}")
            fact[name] = value if kind_of is int or kind_of is str else normalise(value)
        return fact

    def check(self, proposal: Proposal, cycle: int | None = None) -> CheckResult:
        compiled, facts = self.facts(proposal, cycle)
        return self.judge(compiled, proposal, facts)

    def judge(self, compiled: CompiledVersion, proposal: Proposal, facts: Any,
              run: Callable[[CompiledVersion, dict[str, Any]], Firings] | None = None) -> CheckResult:
        """Run the engine on extracted facts and turn its firings into the result.

        `run` replaces the engine (the differential test and the benchmark pass a plain
        evaluation of the same compiled units); by default the durable-rules engine runs.
        """
        fact = self.engine_fact(compiled, facts.values)
        firings = run(compiled, fact) if run is not None else get_engine().fire(compiled.name, fact)
        owner = compiled.owner
        fired_ids = {owner[key] for key in firings.units if key in owner}
        findings = []
        if fired_ids:
            slots = {**facts.values, **compiled.param_slots}
            for rule in compiled.finding_rules:
                if rule.id in fired_ids:
                    findings.append(self._finding(rule, compiled, proposal, facts, slots))
            findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule_id))
        passed = [rid for rid in compiled.finding_ids if rid not in fired_ids]
        explanation = self._explain(compiled, firings.conclusions, facts.values)
        result = built(CheckResult, {"verdict": verdict_of([f.severity for f in findings]),
                                     "knowledge_base": self._kb_ref, "cycle": compiled.cycle,
                                     "findings": findings, "passed": passed}, {"_explanation": explanation})
        return result

    def _explain(self, compiled: CompiledVersion, concluded: list[Conclusion],
                 values: Mapping[str, Any]) -> Explanation:
        conclusions = {}
        for name, side in compiled.conclusion_sides:
            conclusions[name] = (side in concluded) == side.holds
        return Explanation(conditions=compiled.condition_texts, params=compiled.param_lists,
                           conclusions=conclusions, facts=dict(values), titles=compiled.titles, ruleset=compiled.name)

    def _evidence(self, rule: Rule, compiled: CompiledVersion, values: Mapping[str, Any],
                  params: Mapping[str, Any]) -> Evidence | None:
        fact, threshold = None, None
        if rule.evidence is not None:
            fact = rule.evidence.fact
            raw = rule.evidence.threshold
            if isinstance(raw, str):
                parsed = _parsed_threshold(raw)
                threshold = None if parsed is None else _number(parsed, params, values)
            else:
                threshold = raw
        else:
            ast = compiled.conditions.get(rule.id)
            if isinstance(ast, Compare) and isinstance(ast.left, Name) and ast.left.name in self.kb.facts:
                fact, threshold = ast.left.name, _number(ast.right, params, values)
        if fact is None:
            return None
        return built(Evidence, {"fact": fact, "observed": _tidy(values.get(fact)), "threshold": _tidy(threshold)})

    def _finding(self, rule: Rule, compiled: CompiledVersion, proposal: Proposal, facts: Any,
                 slots: dict[str, Any]) -> Finding:
        """One finding; `slots` holds the facts and `param.X` values for the templates."""
        values = facts.values
        evidence = self._evidence(rule, compiled, values, compiled.params)
        fields: list[str] = []
        for path in rule.fields:
            fields += expand_path(proposal, path)
        if rule.fields_from:
            fields += list(getattr(facts, "locators", {}).get(rule.fields_from, []))
        fields = list(dict.fromkeys(fields))
        if evidence is not None:
            slots = {**slots, "observed": evidence.observed, "threshold": evidence.threshold}
        # Only rules with a message and a severity make findings (derived conclusions make none).
        assert rule.message is not None and rule.suggestion is not None and rule.severity is not None
        message = built(LangText, {"id": render(rule.message.id, slots, "id"),
                                   "en": render(rule.message.en, slots, "en")})
        suggestion = built(LangText, {"id": render(rule.suggestion.id, slots, "id"),
                                      "en": render(rule.suggestion.en, slots, "en")})
        # A reference may quote the value in force ("ambang {param.min_women_attendance_share:pct}").
        reference = render(rule.reference, slots, "id") if "{" in rule.reference else rule.reference
        # Built without re-validation: every part comes from the validated knowledge base.
        return built(Finding, {"rule_id": rule.id, "severity": rule.severity, "group": rule.group, "fields": fields,
                               "message": message, "suggestion": suggestion, "reference": reference,
                               "evidence": evidence})


# key -> Checker, for the life of the process: a durable-rules ruleset is registered once and
# cannot be unloaded, so every Checker of one knowledge base content is this one.
_SHARED: dict[str, Checker] = {}
_SHARED_LOCK = threading.Lock()


def shared_checker(key: str, load: Callable[[], Checker]) -> Checker:
    """The process's Checker for `key` (a content hash or a directory), loaded on first use."""
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = _SHARED[key] = load()
        return found


def shared_keys() -> list[str]:
    """The keys of the Checkers this process has loaded (and so of the rulesets it registered)."""
    with _SHARED_LOCK:
        return sorted(_SHARED)


def default_checker() -> Checker:
    """The process-wide Checker for the shipped knowledge base."""
    return shared_checker("shipped", Checker.load)

