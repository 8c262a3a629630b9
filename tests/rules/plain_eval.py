"""A plain-Python evaluation of compiled units: the reference the engine is compared with.

Used by the differential test and the benchmark only; the product path always runs
durable-rules. It judges the very same compiled conditions (`rules.ir` units), with the
same forward chaining over conclusion tokens, until nothing more fires.
"""

from __future__ import annotations

import operator
from typing import Any

from rules.compiler import CompiledVersion
from rules.condition import Arith, Name, Node, Num, Str
from rules.engine import Firings
from rules.ir import Cmp, Const, IAnd, IOr, IRNode, Unit

COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
           "!=": operator.ne}
ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def value(node: Node, fact: dict[str, Any]) -> Any:
    if isinstance(node, (Num, Str)):
        return node.value
    if isinstance(node, Name):
        return fact[node.name]
    if isinstance(node, Arith):
        return ARITH[node.op](value(node.left, fact), value(node.right, fact))
    raise TypeError(node)


def holds(node: IRNode, fact: dict[str, Any]) -> bool:
    if isinstance(node, Cmp):
        return COMPARE[node.op](fact[node.fact], value(node.rhs, fact))
    if isinstance(node, Const):
        return node.value
    if isinstance(node, IAnd):
        return all(holds(i, fact) for i in node.items)
    if isinstance(node, IOr):
        return any(holds(i, fact) for i in node.items)
    raise TypeError(node)


def run_units(units: list[Unit], fact: dict[str, Any]) -> Firings:
    fired: list[str] = []
    concluded: list[str] = []
    changed = True
    while changed:
        changed = False
        for unit in units:
            if unit.key in fired or not unit.needs <= set(concluded):
                continue
            if unit.cond is None or holds(unit.cond, fact):
                fired.append(unit.key)
                if unit.concludes and unit.concludes not in concluded:
                    concluded.append(unit.concludes)
                    changed = True
    return Firings(units=fired, conclusions=concluded)


def plain_run(compiled: CompiledVersion, fact: dict[str, Any]) -> Firings:
    """Drop-in for the engine in `Checker.judge(..., run=plain_run)`."""
    return run_units(compiled.units, fact)
