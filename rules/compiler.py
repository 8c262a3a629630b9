"""Compile a knowledge base's rules for one cycle into engine units (and durable-rules JSON).

Parameters are resolved at compile time (the values in force on the cycle date), so one
compiled version serves every check of that (knowledge-base version, cycle). Each rule
becomes one or more *units*: a condition over the proposal's compact fact (`cond`, in a
normal form whose comparisons have a fact alone on the left, as durable-rules requires)
plus the derived conclusions it needs (`needs`). A derive rule's unit asserts a conclusion
(`musyawarah_inklusif` holds, or does not), which other units match: that is
the forward chaining inside the engine. Only the polarities some rule uses are compiled,
so a conclusion costs an engine firing only when it matters.

The normal form (module `rules.ir`) is also what the differential test evaluates in plain
Python, so that both sides judge the very same conditions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from knowledge.dates import cycle_date
from knowledge.kb import KnowledgeBase
from knowledge.kb_schema import Rule
from rules.condition import (
    And,
    Arith,
    Bool,
    Compare,
    ConditionError,
    Name,
    Neg,
    Node,
    Not,
    Num,
    Or,
    Param,
    Ref,
    Str,
    names_in,
    parse_condition,
)
from rules.derived import DerivedFacts, compile_derived
from rules.ir import (
    FLIP,
    Cmp,
    Concl,
    Conclusion,
    Const,
    IAnd,
    IOr,
    IRNode,
    Unit,
    exclusive,
    has_conclusions,
    negate,
)
from rules.render import placeholders


@dataclass(frozen=True)
class UsedParameter:
    name: str
    value: float | int
    since: dt.date
    reference: str
    status: str
    modelled_on: str | None


@dataclass
class CompiledVersion:
    """Everything needed to run (and explain) the checks of one knowledge base for one cycle."""

    kb: KnowledgeBase
    cycle: int
    day: dt.date
    name: str
    rules: list[Rule]
    units: list[Unit]
    facts_used: tuple[str, ...]
    conditions: dict[str, Node] = field(default_factory=dict)
    params_used: dict[str, dict[str, UsedParameter]] = field(default_factory=dict)
    derived: DerivedFacts = field(default_factory=DerivedFacts)

    # Derived once per compiled version, so that a check does no per-rule bookkeeping.
    @cached_property
    def finding_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.is_finding]

    @cached_property
    def finding_ids(self) -> tuple[str, ...]:
        return tuple(sorted(r.id for r in self.finding_rules))

    @cached_property
    def owner(self) -> dict[str, str]:
        """Unit key -> rule id."""
        return {u.key: u.rule_id for u in self.units}

    @cached_property
    def params(self) -> dict[str, Any]:
        """Every parameter value in force on the cycle date (fact extraction uses lists too)."""
        return self.kb.params_on(self.day)

    @cached_property
    def param_slots(self) -> dict[str, Any]:
        """`param.X` -> value, for message templates."""
        return {f"param.{k}": v for k, v in self.params.items()}

    @cached_property
    def fact_kinds(self) -> tuple[tuple[str, str], ...]:
        return tuple((name, self.kb.facts[name].kind) for name in self.facts_used)

    @cached_property
    def fact_groups(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The facts used, split into numbers, yes/no facts and texts."""
        return tuple(tuple(n for n, k in self.fact_kinds if k == kind)  # type: ignore[return-value]
                     for kind in ("number", "boolean", "text"))

    @cached_property
    def conclusion_sides(self) -> tuple[tuple[str, Conclusion], ...]:
        """(conclusion, the side of it the engine asserts) for every derive rule in force: the side
        that holds when it is compiled, else the side that does not (its absence means it holds)."""
        compiled = {u.concludes for u in self.units if u.concludes}
        return tuple((r.derive, Conclusion(r.derive, Conclusion(r.derive, True) in compiled))
                     for r in self.rules if r.derive)

    @cached_property
    def condition_texts(self) -> dict[str, str]:
        return {r.id: r.when for r in self.rules}

    @cached_property
    def titles(self) -> dict[str, dict[str, str]]:
        return {r.id: {"id": r.title.id, "en": r.title.en} for r in self.rules}

    @cached_property
    def param_lists(self) -> dict[str, list[UsedParameter]]:
        return {rid: list(p.values()) for rid, p in self.params_used.items()}


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


class NotInForce(ConditionError):
    """A parameter a rule uses has no value in force on the cycle date."""


def _rule_error(rule: Rule, kb: KnowledgeBase, exc: ConditionError) -> ConditionError:
    head = f"rules.{rule.id}: "
    if isinstance(exc, NotInForce):
        return NotInForce(head + exc.message_id, head + exc.message_en)
    where = f" ({kb.rule_files.get(rule.id, 'rules')}: when)"
    return ConditionError(head + exc.message_id + where, head + exc.message_en + where)


class _RuleCompiler:
    def __init__(self, kb: KnowledgeBase, cycle: int, rules: list[Rule]):
        self.kb = kb
        self.cycle = cycle
        self.day = cycle_date(cycle)
        self.conclusions = {r.derive: r for r in rules if r.derive}
        self.used: dict[str, UsedParameter] = {}
        self.rule: Rule | None = None

    def fail(self, id_text: str, en_text: str) -> ConditionError:
        return ConditionError(id_text, en_text)

    # -- parameters -------------------------------------------------------------------------
    def param(self, name: str) -> Num:
        param = self.kb.parameters.get(name)
        if param is None:
            raise ConditionError(f"parameter '{name}' tidak dikenal", f"unknown parameter '{name}'")
        found = param.value_on(self.day)
        if found is None:
            day, first = self.day.isoformat(), param.first_date.isoformat()
            raise NotInForce(f"tidak ada nilai {name} yang berlaku pada {day} (pertama {first})",
                             f"no value of {name} in force on {day} (first {first})")
        since, value = found
        if isinstance(value.value, bool) or not isinstance(value.value, (int, float)):
            raise ConditionError(f"parameter '{name}' bukan angka; kondisi hanya memakai angka",
                                 f"parameter '{name}' is not a number; conditions use numbers only")
        self.used[name] = UsedParameter(name, value.value, since, value.reference, value.status, value.modelled_on)
        return Num(value.value)

    # -- types ------------------------------------------------------------------------------
    def kind(self, node: Node) -> str:
        if isinstance(node, (Num, Param, Neg, Arith)):
            return "number"
        if isinstance(node, Bool):
            return "boolean"
        if isinstance(node, Str):
            return "text"
        if isinstance(node, Ref):
            raise self.fail(f"'ref.{node.name}' hanya dipakai dalam fakta turunan (facts.yaml: expr); "
                            f"buat fakta turunan dan pakai namanya",
                            f"'ref.{node.name}' is for derived facts only (facts.yaml: expr); "
                            f"define a derived fact and use its name")
        if isinstance(node, Name):
            if node.name in self.kb.facts:
                return self.kb.facts[node.name].kind
            if node.name in self.conclusions:
                return "conclusion"
            raise self.fail(f"fakta atau kesimpulan '{node.name}' tidak dikenal (tidak ada di facts.yaml)",
                            f"unknown fact or conclusion '{node.name}' (not in facts.yaml)")
        return "condition"

    def arith(self, node: Node) -> Node:
        """A numeric expression with parameters resolved and constants folded."""
        if isinstance(node, Num):
            return node
        if isinstance(node, Ref):
            self.kind(node)  # refuses it, saying to use a derived fact
        if isinstance(node, Param):
            return self.param(node.name)
        if isinstance(node, Name):
            if self.kind(node) != "number":
                raise self.fail(f"'{node.name}' bukan angka", f"'{node.name}' is not a number")
            return node
        if isinstance(node, Neg):
            inner = self.arith(node.operand)
            return Num(-inner.value) if isinstance(inner, Num) else Arith("-", Num(0), inner)
        if isinstance(node, Arith):
            left, right = self.arith(node.left), self.arith(node.right)
            if node.op == "/":
                # durable-rules divides integers in C: a zero divisor kills the process (SIGFPE)
                # and 5/2 gives 2. Only non-zero constant divisors, always as floating point.
                if not isinstance(right, Num) or right.value == 0:
                    raise self.fail("pembagian hanya dengan konstanta bukan nol; pakai fakta rasio",
                                    "division only by a non-zero constant; use a share fact instead")
                right = Num(float(right.value))
            if isinstance(left, Num) and isinstance(right, Num):
                a, b = left.value, right.value
                return Num(_ARITH[node.op](a, b))
            return Arith(node.op, left, right)
        raise self.fail("ekspresi angka diharapkan", "a numeric expression was expected")

    # -- conditions to the normal form --------------------------------------------------------
    def cond(self, node: Node) -> IRNode:
        if isinstance(node, Bool):
            return Const(node.value)
        if isinstance(node, Name):
            kind = self.kind(node)
            if kind == "boolean":
                return Cmp("==", node.name, Num(1))
            if kind == "conclusion":
                return Concl(Conclusion(node.name, True))
            raise self.fail(f"'{node.name}' bukan ya/tidak; bandingkan dengan nilai",
                            f"'{node.name}' is not a yes/no fact; compare it with a value")
        if isinstance(node, Not):
            return negate(self.cond(node.operand))
        if isinstance(node, And):
            return IAnd(tuple(self.cond(i) for i in node.items))
        if isinstance(node, Or):
            return IOr(tuple(self.cond(i) for i in node.items))
        if isinstance(node, Compare):
            return self.compare(node)
        raise self.fail("kondisi harus berupa perbandingan atau fakta ya/tidak",
                        "a condition must be a comparison or a yes/no fact")

    def compare(self, node: Compare) -> IRNode:
        lk, rk = self.kind(node.left), self.kind(node.right)
        if "conclusion" in (lk, rk) or "condition" in (lk, rk):
            raise self.fail("kesimpulan dan kondisi tidak dibandingkan; tulis 'X' atau 'not X'",
                            "conclusions and conditions are not compared; write 'X' or 'not X'")
        if lk != rk:
            raise self.fail(f"membandingkan {lk} dengan {rk}", f"comparing {lk} with {rk}")
        if lk in ("text", "boolean"):
            if node.op not in ("==", "!="):
                raise self.fail(f"{lk} hanya dibandingkan dengan == atau !=", f"{lk} is compared with == or != only")
            left, right, op = node.left, node.right, node.op
            if not isinstance(left, Name):
                left, right = right, left
            if not isinstance(left, Name):
                return Const((left == right) == (op == "=="))
            if isinstance(right, Bool):
                right = Num(1 if right.value else 0)
            return Cmp(op, left.name, right)
        left, right = self.arith(node.left), self.arith(node.right)
        return _isolate(node.op, left, right)

    def compile(self, rule: Rule) -> tuple[Node, IRNode]:
        self.rule = rule
        try:
            ast = parse_condition(rule.when)
            return ast, self.cond(ast)
        except ConditionError as exc:
            raise _rule_error(rule, self.kb, exc) from None


def _terms(node: Node, sign: int, out: list[tuple[int, Node]]) -> None:
    if isinstance(node, Arith) and node.op in "+-":
        _terms(node.left, sign, out)
        _terms(node.right, sign if node.op == "+" else -sign, out)
    else:
        out.append((sign, node))


def _rebuild(terms: list[tuple[int, Node]]) -> Node:
    const = sum(s * t.value for s, t in terms if isinstance(t, Num))
    rest = [(s, t) for s, t in terms if not isinstance(t, Num)]
    node: Node | None = None
    for s, t in rest:
        if node is None:  # the first term: a leading minus is 0 - t
            node = t if s > 0 else Arith("-", Num(0), t)
        else:
            node = Arith("+" if s > 0 else "-", node, t)
    if node is None:
        return Num(const)
    if const:
        node = Arith("+" if const > 0 else "-", node, Num(abs(const)))
    return node


def _isolate(op: str, left: Node, right: Node) -> IRNode:
    """`left op right` as `fact op expression`: durable-rules compares a property with a value."""
    if isinstance(left, Num) and isinstance(right, Num):
        a, b = left.value, right.value
        return Const({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op])
    if isinstance(left, Name):
        return Cmp(op, left.name, right)
    if isinstance(right, Name):
        return Cmp(FLIP[op], right.name, left)
    # Move everything to one side and solve for a fact that appears as a plain term.
    terms: list[tuple[int, Node]] = []
    _terms(left, 1, terms)
    _terms(right, -1, terms)
    for i, (sign, term) in enumerate(terms):
        if isinstance(term, Name):
            others = terms[:i] + terms[i + 1:]
            if sign > 0:  # f + rest op 0  ->  f op -rest
                return Cmp(op, term.name, _rebuild([(-s, t) for s, t in others]))
            return Cmp(FLIP[op], term.name, _rebuild(others))  # -f + rest op 0 -> f flip(op) rest
    raise ConditionError("perbandingan memerlukan satu fakta yang berdiri sendiri dalam penjumlahan",
                         "a comparison needs a fact standing alone in a sum on one side")


def _dnf(node: IRNode) -> list[tuple[tuple[IRNode, ...], frozenset[Conclusion]]]:
    """Disjuncts of (fact-only conditions, conclusion tokens) for a condition that uses conclusions."""
    if isinstance(node, Concl):
        return [((), frozenset([node.conclusion]))]
    if not has_conclusions(node):
        return [((node,), frozenset())]
    if isinstance(node, IOr):
        return [d for item in node.items for d in _dnf(item)]
    out: list[tuple[tuple[IRNode, ...], frozenset[Conclusion]]] = [((), frozenset())]
    assert isinstance(node, IAnd)  # a conjunction is all that is left
    for item in node.items:
        out = [(f1 + f2, c1 | c2) for f1, c1 in out for f2, c2 in _dnf(item)]
    return out


def _units(rule: Rule, ir: IRNode, concludes: Conclusion | None) -> list[Unit]:
    key = rule.id if concludes is None else f"{rule.id}{'+' if concludes.holds else '-'}"
    if not has_conclusions(ir):
        ir = exclusive(ir)
        if ir == Const(False):
            return []
        return [Unit(key, rule.id, None if ir == Const(True) else ir, frozenset(), concludes)]
    units = []
    for n, (facts, tokens) in enumerate(_dnf(ir)):
        if any(t.negated() in tokens for t in tokens):
            continue  # X and not X never holds
        cond = exclusive(IAnd(facts)) if facts else None
        if cond == Const(False):
            continue
        units.append(Unit(f"{key}#{n}", rule.id, None if cond == Const(True) else cond, tokens, concludes))
    return units


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def compile_version(kb: KnowledgeBase, cycle: int) -> CompiledVersion:
    """Compile the rules in force for `cycle`, resolving parameters; raise ConditionError on any problem."""
    day = cycle_date(cycle)
    rules = sorted(kb.rules_on(day), key=lambda r: r.id)
    derived = compile_derived(kb, day)
    compiler = _RuleCompiler(kb, cycle, rules)
    conditions: dict[str, Node] = {}
    irs: dict[str, IRNode] = {}
    params_used: dict[str, dict[str, UsedParameter]] = {}
    for rule in rules:
        compiler.used = {}
        conditions[rule.id], irs[rule.id] = compiler.compile(rule)
        # Parameters reached through derived facts count as used too (for --explain).
        for fact in names_in(conditions[rule.id])[0]:
            for param in derived.params.get(fact, ()):
                compiler.param(param)
        params_used[rule.id] = dict(sorted(compiler.used.items()))

    # Derived conclusions must not depend on themselves (directly or through others).
    deps = {r.derive: {n for n in names_in(conditions[r.id])[0] if n in compiler.conclusions}
            for r in rules if r.derive}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in visiting:
            chain = " -> ".join((*path, name))
            raise ConditionError(f"kesimpulan saling bergantung melingkar: {chain}",
                                 f"derived conclusions depend on each other in a cycle: {chain}")
        visiting.add(name)
        for dep in sorted(deps[name]):
            visit(dep, (*path, name))
        visiting.discard(name)
        done.add(name)

    for name in sorted(deps):
        visit(name, ())

    units: list[Unit] = []
    for rule in rules:
        if rule.is_finding:
            units += _units(rule, irs[rule.id], None)
    # Compile the conclusion polarities that are needed, following chains to a fixed point.
    needed = {t for u in units for t in u.needs}
    compiled_tokens: set[Conclusion] = set()
    while needed - compiled_tokens:
        token = min(needed - compiled_tokens, key=lambda c: c.token)
        compiled_tokens.add(token)
        rule = compiler.conclusions[token.name]
        ir = irs[rule.id] if token.holds else negate(irs[rule.id])
        new = _units(rule, ir, token)
        units += new
        needed |= {t for u in new for t in u.needs}
    # A conclusion nobody uses is still compiled (positively) so that tests and reports can show it.
    for rule in rules:
        if rule.derive and not any(t.name == rule.derive for t in compiled_tokens):
            units += _units(rule, irs[rule.id], Conclusion(rule.derive, True))

    facts_used = sorted({n for u in units for n in (u.cond.facts() if u.cond else ())})
    _require_derived(rules, conditions, derived)
    payload = repr(units)
    digest = hashlib.sha256((kb.content_hash() + payload).encode()).hexdigest()[:8]
    name = f"{_slug(kb.name)}__{_slug(kb.version)}__c{cycle}__{digest}"
    return CompiledVersion(kb=kb, cycle=cycle, day=day, name=name, rules=rules, units=units,
                           facts_used=tuple(facts_used), conditions=conditions, params_used=params_used,
                           derived=derived)


def _require_derived(rules: list[Rule], conditions: dict[str, Node], derived: DerivedFacts) -> None:
    """A rule in force may not use (in its condition or texts) a derived fact that has no value this cycle."""
    if not derived.unavailable:
        return
    for rule in rules:
        used = set(names_in(conditions[rule.id])[0])
        for text in (rule.message, rule.suggestion):
            if text is not None:
                used |= {name for lang in (text.id, text.en) for name, _ in placeholders(lang)}
        for name in sorted(used & set(derived.unavailable)):
            exc = derived.unavailable[name]
            raise NotInForce(f"rules.{rule.id}: {exc.message_id}", f"rules.{rule.id}: {exc.message_en}")
