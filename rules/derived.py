"""Derived facts: facts a knowledge base defines in data, as expressions in the condition language.

A fact in `facts.yaml` with `expr:` is computed from other facts, parameters (`param.X`) and
the RW's reference data (`ref.rt_count`, `ref.kelurahan`, `ref.kecamatan`), for example

    - name: pagu_for_rw
      unit: IDR
      kind: number
      expr: {2018-01-01: "param.pagu_per_rw", 2027-01-01: "param.pagu_per_rt * ref.rt_count"}

The expression is parsed by `rules.condition` (never evaluated as Python) and compiled once
per knowledge base and cycle into small closures with the parameters in force resolved;
every check evaluates them, in dependency order, after fact extraction and before the
engine sees the fact. Computing them here rather than in the engine keeps arithmetic away
from the engine's hazards (integer division and a fatal zero divisor in its C core).
Division by zero gives 0, the convention of every share fact; `berdaya kb lint` flags a
divisor that can be zero. A number-kind expression gives a number, a boolean-kind one a
condition, a text-kind one a text. An RW missing from the reference data has 0 RTs and
empty names (its proposal is refused by the eligibility rules anyway).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from knowledge.kb import KnowledgeBase
from knowledge.kb_schema import FactDef
from knowledge.reference import Reference, load_reference
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
    all_names_in,
    parse_condition,
)

Values = Mapping[str, Any]
Fn = Callable[[Values, Values], Any]

# Reference data a derived fact may use: name -> (kind, never zero).
REFERENCE_FIELDS: dict[str, tuple[str, bool]] = {
    "rt_count": ("number", True), "kelurahan": ("text", False), "kecamatan": ("text", False)}

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
            "!=": operator.ne}


def _divide(a: float, b: float) -> float:
    return a / b if b else 0.0


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _divide}


class DerivedNotInForce(ConditionError):
    """A derived fact uses a parameter (or a derived fact) with no value in force on the cycle date."""


@dataclass(frozen=True)
class _Expr:
    kind: str
    fn: Fn
    const: bool = False


def _constant(kind: str, value: Any) -> _Expr:
    return _Expr(kind, lambda values, ref: value, const=True)


def _folded(kind: str, fn: Fn, *parts: _Expr) -> _Expr:
    """An expression node; computed once, at compile time, when all its parts are constants."""
    if all(p.const for p in parts):
        return _constant(kind, fn({}, {}))
    return _Expr(kind, fn)


class _Builder:
    """Type-checks one parsed expression and turns it into a closure over (values, reference).

    `names` adds names of the caller's own (name -> kind) before the knowledge base's facts:
    a repair's expressions read the fields of the line or activity they work on. `where` is
    the place errors name; `allow_ref` admits `ref.X` (derived facts only).
    """

    def __init__(self, kb: KnowledgeBase, day: dt.date, fact: str, *, where: str | None = None,
                 names: Mapping[str, str] | None = None, allow_ref: bool = True):
        self.kb, self.day, self.fact = kb, day, fact
        self.where = where or f"facts.yaml: {fact}.expr"
        self.names: Mapping[str, str] = names or {}
        self.allow_ref = allow_ref

    def fail(self, id_text: str, en_text: str) -> ConditionError:
        return ConditionError(f"{self.where}: {id_text}", f"{self.where}: {en_text}")

    def build(self, node: Node) -> _Expr:
        if isinstance(node, Num):
            return _constant("number", node.value)
        if isinstance(node, Bool):
            return _constant("boolean", node.value)
        if isinstance(node, Str):
            return _constant("text", node.value)
        if isinstance(node, Param):
            return self.param(node.name)
        if isinstance(node, Name):
            return self.name(node.name)
        if isinstance(node, Ref):
            return self.ref(node.name)
        if isinstance(node, Neg):
            inner = self.typed(node.operand, "number")
            f = inner.fn
            return _folded("number", lambda values, ref: -f(values, ref), inner)
        if isinstance(node, Arith):
            return self.arith(node)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Not):
            inner = self.typed(node.operand, "boolean")
            g = inner.fn
            return _folded("boolean", lambda values, ref: not g(values, ref), inner)
        return self.logic(node)

    def typed(self, node: Node, kind: str) -> _Expr:
        expr = self.build(node)
        if expr.kind != kind:
            raise self.fail(f"{expr.kind} di tempat yang memerlukan {kind}", f"{expr.kind} where {kind} is needed")
        return expr

    def param(self, name: str) -> _Expr:
        param = self.kb.parameters.get(name)
        if param is None:
            raise self.fail(f"parameter '{name}' tidak dikenal", f"unknown parameter '{name}'")
        found = param.value_on(self.day)
        if found is None:
            day = self.day.isoformat()
            who_id, who_en = (f"fakta turunan '{self.fact}'", f"derived fact '{self.fact}'") if self.fact else \
                (self.where, self.where)
            raise DerivedNotInForce(f"{who_id}: tidak ada nilai {name} yang berlaku pada {day}",
                                    f"{who_en}: no value of {name} in force on {day}")
        value = found[1].value
        if isinstance(value, (int, float)):
            return _constant("number", value)
        if isinstance(value, str):
            return _constant("text", value)
        raise self.fail(f"parameter daftar '{name}' tidak dapat dipakai dalam ekspresi",
                        f"list parameter '{name}' cannot be used in an expression")

    def name(self, name: str) -> _Expr:
        own = self.names.get(name)
        if own is not None:
            return _Expr(own, lambda values, ref: values[name])
        fact = self.kb.facts.get(name)
        if fact is None:
            raise self.fail(f"fakta '{name}' tidak dikenal (tidak ada di facts.yaml)",
                            f"unknown fact '{name}' (not in facts.yaml)")
        return _Expr(fact.kind, lambda values, ref: values[name])

    def ref(self, name: str) -> _Expr:
        if not self.allow_ref:
            raise self.fail(f"'ref.{name}': data rujukan hanya dipakai lewat fakta turunan",
                            f"'ref.{name}': reference data is used through derived facts only")
        if name not in REFERENCE_FIELDS:
            raise self.fail(f"data rujukan 'ref.{name}' tidak dikenal (ada: {', '.join(REFERENCE_FIELDS)})",
                            f"unknown reference data 'ref.{name}' (known: {', '.join(REFERENCE_FIELDS)})")
        return _Expr(REFERENCE_FIELDS[name][0], lambda values, ref: ref[name])

    def arith(self, node: Arith) -> _Expr:
        left, right = self.typed(node.left, "number"), self.typed(node.right, "number")
        op, lf, rf = _ARITH[node.op], left.fn, right.fn
        return _folded("number", lambda values, ref: op(lf(values, ref), rf(values, ref)), left, right)

    def compare(self, node: Compare) -> _Expr:
        left, right = self.build(node.left), self.build(node.right)
        if left.kind != right.kind:
            raise self.fail(f"membandingkan {left.kind} dengan {right.kind}", f"comparing {left.kind} with {right.kind}")
        if left.kind != "number" and node.op not in ("==", "!="):
            raise self.fail(f"{left.kind} hanya dibandingkan dengan == atau !=",
                            f"{left.kind} is compared with == or != only")
        op, lf, rf = _COMPARE[node.op], left.fn, right.fn
        return _folded("boolean", lambda values, ref: op(lf(values, ref), rf(values, ref)), left, right)

    def logic(self, node: Node) -> _Expr:
        if not isinstance(node, (And, Or)):
            raise self.fail("ekspresi tidak dikenal", "unknown expression")
        parts = tuple(self.typed(item, "boolean") for item in node.items)
        fns = tuple(p.fn for p in parts)
        if isinstance(node, And):
            return _folded("boolean", lambda values, ref: all(f(values, ref) for f in fns), *parts)
        return _folded("boolean", lambda values, ref: any(f(values, ref) for f in fns), *parts)


def compile_expression(kb: KnowledgeBase, day: dt.date, text: str, *, where: str,
                       names: Mapping[str, str]) -> tuple[str, Fn]:
    """(kind, closure over (values, reference)) of one expression in the condition language, with the
    parameters in force on `day` resolved and `names` (name -> kind) readable besides the facts.
    Raise ConditionError naming `where` for a syntax error, an unknown name or a type error."""
    try:
        node = _parse(text)
    except ConditionError as exc:
        raise ConditionError(f"{where}: {exc.message_id}", f"{where}: {exc.message_en}") from None
    expr = _Builder(kb, day, "", where=where, names=names, allow_ref=False).build(node)
    return expr.kind, expr.fn


@dataclass(frozen=True)
class DerivedFacts:
    """The derived facts of one knowledge base for one cycle, ready to evaluate on every check."""

    order: tuple[tuple[str, Fn], ...] = ()
    unavailable: dict[str, ConditionError] = field(default_factory=dict)
    uses_reference: bool = False
    params: dict[str, frozenset[str]] = field(default_factory=dict)  # fact -> parameters it uses, transitively

    def evaluate(self, values: dict[str, Any], region: Any) -> None:
        """Add every derived fact to `values` (the extracted facts), in dependency order."""
        if not self.order:
            return
        ref = reference_values(region) if self.uses_reference else _NO_REFERENCE
        for name, fn in self.order:
            values[name] = fn(values, ref)


_NO_REFERENCE: dict[str, Any] = {}
_REFERENCE_CACHE: dict[tuple[int, str, int], dict[str, Any]] = {}


def reference_values(region: Any, reference: Reference | None = None) -> dict[str, Any]:
    """`ref.*` values of a proposal's RW: RT count and the reference's kelurahan and kecamatan names."""
    ref = reference or load_reference()
    key = (id(ref), str(region.kelurahan), int(region.rw))
    found = _REFERENCE_CACHE.get(key)
    if found is None:
        kel = ref.find_kelurahan(region.kelurahan)
        rts = kel.rt_count(region.rw) if kel else None
        found = {"rt_count": rts or 0, "kelurahan": kel.name if kel and rts else "",
                 "kecamatan": kel.kecamatan if kel and rts else ""}
        if len(_REFERENCE_CACHE) >= 4096:  # region names come from requests: keep the cache bounded
            _REFERENCE_CACHE.clear()
        _REFERENCE_CACHE[key] = found
    return found


@lru_cache(maxsize=256)
def _parse(text: str) -> Node:
    return parse_condition(text)


def parsed_expressions(fact: FactDef) -> dict[dt.date | None, Node]:
    """Every dated expression of a derived fact, parsed (ConditionError names the fact on a syntax error)."""
    out = {}
    for start, text in fact.expressions().items():
        try:
            out[start] = _parse(text)
        except ConditionError as exc:
            where = f"facts.yaml: {fact.name}.expr"
            raise ConditionError(f"{where}: {exc.message_id}", f"{where}: {exc.message_en}") from None
    return out


def dependency_order(kb: KnowledgeBase, day: dt.date | None = None) -> list[str]:
    """Derived facts in an order where each comes after the derived facts it uses; a cycle is an error.

    With `day`, only the expressions in force that day count; without, every dated expression.
    """
    derived = {name: f for name, f in kb.facts.items() if f.derived}
    deps: dict[str, set[str]] = {}
    for name, fact in derived.items():
        nodes = parsed_expressions(fact)
        chosen = nodes.values() if day is None else [n for s, n in nodes.items() if s is None or s <= day][-1:]
        deps[name] = {n for node in chosen for n in all_names_in(node)[0] if n in derived}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            chain = " -> ".join((*path[path.index(name):], name))
            raise ConditionError(f"fakta turunan saling bergantung melingkar: {chain}",
                                 f"derived facts depend on each other in a cycle: {chain}")
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep, (*path, name))
        state[name] = 2
        order.append(name)

    for name in sorted(deps):
        visit(name, ())
    return order


def compile_derived(kb: KnowledgeBase, day: dt.date) -> DerivedFacts:
    """The derived facts in force on `day`; raise ConditionError for an unknown name, a type error or a cycle.

    A fact whose parameters have no value in force that day is left out and listed in
    `unavailable` (a rule of that cycle that uses it is a compile error).
    """
    order: list[tuple[str, Fn]] = []
    unavailable: dict[str, ConditionError] = {}
    params_of: dict[str, frozenset[str]] = {}
    uses_reference = False
    for name in dependency_order(kb, day):
        fact = kb.facts[name]
        text = fact.expr_on(day)
        if text is None:
            unavailable[name] = DerivedNotInForce(
                f"fakta turunan '{name}' belum punya ekspresi yang berlaku pada {day.isoformat()}",
                f"derived fact '{name}' has no expression in force on {day.isoformat()}")
            continue
        node = _parse(text)
        names, params, refs = all_names_in(node)
        params_of[name] = frozenset(params).union(*(params_of.get(n, frozenset()) for n in names))
        blocked = sorted(n for n in names if n in unavailable)
        if blocked:
            unavailable[name] = DerivedNotInForce(
                f"fakta turunan '{name}' memakai '{blocked[0]}' yang tidak berlaku pada {day.isoformat()}",
                f"derived fact '{name}' uses '{blocked[0]}', which is not in force on {day.isoformat()}")
            continue
        try:
            expr = _Builder(kb, day, name).build(node)
        except DerivedNotInForce as exc:
            unavailable[name] = exc
            continue
        if expr.kind != fact.kind:
            raise ConditionError(f"facts.yaml: {name}.expr: ekspresi bertipe {expr.kind}, fakta bertipe {fact.kind}",
                                 f"facts.yaml: {name}.expr: the expression is {expr.kind}, the fact is {fact.kind}")
        uses_reference = uses_reference or bool(refs)
        order.append((name, expr.fn))
    return DerivedFacts(tuple(order), unavailable, uses_reference, params_of)


def _positive(node: Node, kb: KnowledgeBase, seen: frozenset[str] = frozenset()) -> bool:
    """True when the expression is always > 0: positive constants and parameters, facts marked
    `positive`, the RT count, and sums, products and quotients of positive terms."""
    if isinstance(node, Num):
        return node.value > 0
    if isinstance(node, Param):
        param = kb.parameters.get(node.name)
        if param is None:
            return False
        return all(isinstance(v.value, (int, float)) and v.value > 0 for v in param.values.values())
    if isinstance(node, Ref):
        return REFERENCE_FIELDS.get(node.name, ("", False))[1]
    if isinstance(node, Name):
        fact = kb.facts.get(node.name)
        if fact is None or node.name in seen:
            return False
        return fact.positive or (fact.derived and all(
            _positive(n, kb, seen | {node.name}) for n in parsed_expressions(fact).values()))
    if isinstance(node, Arith) and node.op in "*/+":
        return _positive(node.left, kb, seen) and _positive(node.right, kb, seen)
    return False


def _never_zero(node: Node, kb: KnowledgeBase) -> bool:
    if isinstance(node, Num):
        return node.value != 0
    if isinstance(node, Neg):
        return _never_zero(node.operand, kb)
    return _positive(node, kb)


def _divisors(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Arith):
            if n.op == "/":
                out.append(n.right)
            stack += [n.left, n.right]
        elif isinstance(n, (Neg, Not)):
            stack.append(n.operand)
        elif isinstance(n, Compare):
            stack += [n.left, n.right]
        elif isinstance(n, (And, Or)):
            stack += list(n.items)
    return out


def derived_problems(kb: KnowledgeBase) -> list[tuple[str, str, str, str]]:
    """(kind, path, id text, en text) for every derived fact: syntax, unknown names, cycles, zero divisors."""
    from rules.condition import to_text

    out: list[tuple[str, str, str, str]] = []
    for name, fact in sorted(kb.facts.items()):
        if not fact.derived:
            continue
        for start, text in fact.expressions().items():
            where = f"facts.yaml: {name}.expr" + (f".{start.isoformat()}" if start else "")
            try:
                node = parse_condition(text)
            except ConditionError as exc:
                out.append(("parse_error", where, exc.message_id, exc.message_en))
                continue
            names, params, refs = all_names_in(node)
            for n in sorted(names - set(kb.facts)):
                out.append(("unknown_fact", where, f"fakta '{n}' tidak dikenal (tidak ada di facts.yaml)",
                            f"unknown fact '{n}' (not in facts.yaml)"))
            for p in sorted(params - set(kb.parameters)):
                out.append(("unknown_parameter", where, f"parameter '{p}' tidak dikenal", f"unknown parameter '{p}'"))
            for r in sorted(refs - set(REFERENCE_FIELDS)):
                out.append(("unknown_fact", where, f"data rujukan 'ref.{r}' tidak dikenal (ada: {', '.join(REFERENCE_FIELDS)})",
                            f"unknown reference data 'ref.{r}' (known: {', '.join(REFERENCE_FIELDS)})"))
            for divisor in _divisors(node):
                if not _never_zero(divisor, kb):
                    shown = to_text(divisor)
                    out.append(("zero_division", where,
                                f"pembagian dengan {shown}, yang dapat bernilai 0 (hasilnya 0); bagi dengan fakta "
                                f"positive: true, parameter bukan nol atau pakai fakta bagian (share) yang ada",
                                f"division by {shown}, which can be 0 (the result is then 0); divide by a fact marked "
                                f"positive: true, a non-zero parameter, or use an existing share fact"))
    try:
        dependency_order(kb)
    except ConditionError as exc:
        out.append(("derived_cycle", "facts.yaml", exc.message_id, exc.message_en))
    return out
