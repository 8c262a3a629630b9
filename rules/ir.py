"""The compiled form of a condition: the normal form the engine runs and explanations read.

Negation is pushed down to comparisons (`not (a < b)` is `a >= b`; the facts are complete
and finite, so this is exact), every comparison has a fact alone on its left, derived
conclusions are tokens (`name+` holds, `name-` does not), and the branches of an `or`
are made mutually exclusive (`a or b` is `a or (not a and b)`) so that a rule fires at
most once per check: durable-rules fires once per satisfied branch otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from rules.condition import Arith, Name, Node

FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
OPPOSITE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


@dataclass(frozen=True)
class Cmp:
    """`fact op rhs`; rhs is a number, a text, or arithmetic over numbers and numeric facts."""

    op: str
    fact: str
    rhs: Node

    def facts(self) -> set[str]:
        out = {self.fact}
        stack = [self.rhs]
        while stack:
            n = stack.pop()
            if isinstance(n, Name):
                out.add(n.name)
            elif isinstance(n, Arith):
                stack += [n.left, n.right]
        return out


@dataclass(frozen=True)
class Const:
    value: bool

    def facts(self) -> set[str]:
        return set()


class Conclusion(NamedTuple):
    """A derived conclusion and which side of it: `holds` or not (the engine matches its `token`).

    A tuple: compared and hashed in C, as it is on every check.
    """

    name: str
    holds: bool

    @property
    def token(self) -> str:
        """The engine's form of the conclusion: 'name+' when it holds, 'name-' when it does not."""
        return self.name + ("+" if self.holds else "-")

    def negated(self) -> Conclusion:
        return Conclusion(self.name, not self.holds)


@dataclass(frozen=True)
class Concl:
    """A condition on a derived conclusion."""

    conclusion: Conclusion

    def facts(self) -> set[str]:
        return set()


@dataclass(frozen=True)
class IAnd:
    items: tuple[IRNode, ...]

    def facts(self) -> set[str]:
        return set().union(*(i.facts() for i in self.items))


@dataclass(frozen=True)
class IOr:
    items: tuple[IRNode, ...]

    def facts(self) -> set[str]:
        return set().union(*(i.facts() for i in self.items))


IRNode = Cmp | Const | Concl | IAnd | IOr


@dataclass(frozen=True)
class Unit:
    """One engine rule: fires when `cond` holds on the proposal fact and every conclusion in `needs`
    has been concluded; then reports `rule_id` and, for a derive rule, asserts `concludes`."""

    key: str
    rule_id: str
    cond: IRNode | None
    needs: frozenset[Conclusion]
    concludes: Conclusion | None


def negate(node: IRNode) -> IRNode:
    if isinstance(node, Cmp):
        return Cmp(OPPOSITE[node.op], node.fact, node.rhs)
    if isinstance(node, Const):
        return Const(not node.value)
    if isinstance(node, Concl):
        return Concl(node.conclusion.negated())
    if isinstance(node, IAnd):
        return IOr(tuple(negate(i) for i in node.items))
    return IAnd(tuple(negate(i) for i in node.items))


def has_conclusions(node: IRNode) -> bool:
    if isinstance(node, Concl):
        return True
    if isinstance(node, (IAnd, IOr)):
        return any(has_conclusions(i) for i in node.items)
    return False


def simplify(node: IRNode) -> IRNode:
    """Flatten nested and/or and fold constants."""
    if isinstance(node, (IAnd, IOr)):
        kind = type(node)
        unit, absorbing = (True, False) if kind is IAnd else (False, True)
        items: list[IRNode] = []
        for item in (simplify(i) for i in node.items):
            if isinstance(item, Const):
                if item.value == absorbing:
                    return Const(absorbing)
                continue
            items.extend(item.items if isinstance(item, kind) else (item,))
        if not items:
            return Const(unit)
        return items[0] if len(items) == 1 else kind(tuple(items))
    return node


def exclusive(node: IRNode) -> IRNode:
    """Rewrite every `or` so that at most one branch holds for any fact."""
    node = simplify(node)
    if isinstance(node, IAnd):
        return simplify(IAnd(tuple(exclusive(i) for i in node.items)))
    if isinstance(node, IOr):
        branches: list[IRNode] = []
        for n, item in enumerate(node.items):
            guard = tuple(negate(prev) for prev in node.items[:n])
            branches.append(exclusive(IAnd((*guard, item))) if guard else exclusive(item))
        return simplify(IOr(tuple(branches)))
    return node
