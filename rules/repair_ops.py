"""A knowledge base's repairs compiled for one cycle, and the changes a repair makes to one proposal.

A rule's `repair:` (schema: `knowledge.kb_schema.Repair`) lists alternatives, each a list of
steps. A step picks items of its `target` (budget lines, activities, or the proposal itself)
with `where`, a condition, and applies one operation of a closed vocabulary:

    set          fields := expressions, on every item picked
    move_until   `set` on the lines picked, one at a time in `order`, until their value reaches `amount`
    scale_down   lower the quantity of the lines picked by one factor until their value falls by `cut`
    shift_dates  move an activity's start and end inside a window, keeping its length when it fits

Expressions are the condition language (`rules.condition`), compiled once per cycle with the
parameters in force (`rules.derived.compile_expression`), never evaluated as Python. Besides
the facts and `param.X` they read the fields of the item a step works on (`LINE_NAMES`,
`ACTIVITY_NAMES`) and a few dates as day numbers (`DATE_NAMES`). Which fields a step may change
is the schema's allow-list (`PATCHABLE_FIELDS`). `changes_of` computes one alternative on one
proposal from its facts; every step sees the proposal as it was given. Nothing here is trusted:
the repair search (`rules.repair`) applies the changes and runs the rules again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from knowledge.dates import cycle_date
from knowledge.kb import KnowledgeBase
from knowledge.kb_schema import PATCHABLE_FIELDS, RepairStep, Rule, Text
from knowledge.proposal import Proposal
from rules.condition import ConditionError
from rules.derived import compile_expression
from rules.fact_params import category_of

Fn = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]
Path = tuple[str | int, ...]

# What a step's expressions can read of the item it works on (name -> kind). Dates are day
# numbers (days since 1 January of the year 1), so `end - start` is a length in days.
LINE_NAMES = {
    "source": "text", "kind": "text", "item": "text", "unit": "text", "quantity": "number",
    "unit_price": "number", "amount": "number", "amount_given": "boolean", "value": "number",
    "cash_to_individuals": "boolean", "activity_code": "text", "activity_group": "text",
    "activity_infrastructure": "boolean",
}
ACTIVITY_NAMES = {
    "code": "text", "category": "text", "group": "text", "infrastructure": "boolean", "start": "number",
    "end": "number", "stated_total": "number", "stated_total_given": "boolean", "total": "number",
}
DATE_NAMES = {"cycle_start": "number", "cycle_end": "number", "musyawarah_date": "number", "submitted_date": "number"}
TARGET_NAMES = {"lines": LINE_NAMES, "activities": ACTIVITY_NAMES, "proposal": {}}
# The kind of expression each patchable field takes (dates as day numbers).
FIELD_KINDS = {"source": "text", "quantity": "number", "amount": "number", "start": "number", "end": "number",
               "stated_total": "number", "requested_total": "number"}
_NO_REFERENCE: dict[str, Any] = {}
# Subsets of lines `move_until` compares exactly (order `fewest`); beyond, a greedy choice.
_EXACT_LIMIT = 5000


class RepairNotApplicable(ConditionError):
    """A repair computed a value the proposal cannot hold (a date out of range, a number that is not finite)."""


@dataclass(frozen=True)
class Change:
    """One field a repair sets: its path in the proposal's JSON and the new JSON value."""

    path: Path
    after: Any


@dataclass(frozen=True)
class CompiledStep:
    target: str
    operation: str
    where: Fn | None = None
    sets: tuple[tuple[str, Fn], ...] = ()
    amount: Fn | None = None          # move_until's amount, scale_down's cut
    order: str = "fewest"
    earliest: tuple[Fn, ...] = ()
    latest: tuple[Fn, ...] = ()


@dataclass(frozen=True)
class CompiledRepair:
    """One alternative repair of one rule, ready to compute on a proposal."""

    rule_id: str
    index: int
    description: Text
    steps: tuple[CompiledStep, ...]


# ---- compiling ---------------------------------------------------------------------------------

def _expression(kb: KnowledgeBase, day: dt.date, text: str, kind: str, where: str,
                names: Mapping[str, str]) -> Fn:
    found, fn = compile_expression(kb, day, text, where=where, names=names)
    if found != kind:
        raise ConditionError(f"{where}: ekspresi bertipe {found}, diperlukan {kind}",
                             f"{where}: the expression is {found}, {kind} is needed")
    return fn


def _compile_step(kb: KnowledgeBase, day: dt.date, step: RepairStep, where: str) -> CompiledStep:
    names = {**DATE_NAMES, **TARGET_NAMES[step.target]}
    clash = sorted(set(names) & set(kb.facts))
    if clash:
        raise ConditionError(f"{where}: fakta '{clash[0]}' bernama sama dengan kolom perbaikan",
                             f"{where}: fact '{clash[0]}' has the name of a repair field")

    def expr(text: str, kind: str, label: str) -> Fn:
        return _expression(kb, day, text, kind, f"{where}.{label}", names)

    def sets(fields: Mapping[str, str], label: str) -> tuple[tuple[str, Fn], ...]:
        return tuple((f, expr(text, FIELD_KINDS[f], f"{label}.{f}")) for f, text in fields.items())

    selector = expr(step.where, "boolean", "where") if step.where else None
    if step.set_ is not None:
        return CompiledStep(step.target, "set", selector, sets(step.set_, "set"))
    if step.move_until is not None:
        move = step.move_until
        return CompiledStep(step.target, "move_until", selector, sets(move.set_, "move_until.set"),
                            expr(move.amount, "number", "move_until.amount"), move.order)
    if step.scale_down is not None:
        return CompiledStep(step.target, "scale_down", selector,
                            amount=expr(step.scale_down.cut, "number", "scale_down.cut"))
    assert step.shift_dates is not None  # the schema admits exactly one operation per step
    shift = step.shift_dates
    return CompiledStep(step.target, "shift_dates", selector,
                        earliest=tuple(expr(t, "number", f"shift_dates.earliest[{n}]") for n, t in enumerate(shift.earliest)),
                        latest=tuple(expr(t, "number", f"shift_dates.latest[{n}]") for n, t in enumerate(shift.latest)))


def compile_rule_repairs(kb: KnowledgeBase, rule: Rule, day: dt.date) -> tuple[CompiledRepair, ...]:
    """A rule's alternatives compiled for the cycle date `day` (ConditionError names the step and field)."""
    where = f"{kb.rule_files.get(rule.id, 'rules')}: {rule.id}.repair"
    out = []
    for n, repair in enumerate(rule.repair):
        steps = tuple(_compile_step(kb, day, step, f"{where}[{n}].steps[{s}]") for s, step in enumerate(repair.steps))
        out.append(CompiledRepair(rule.id, n, repair.description, steps))
    return tuple(out)


def compile_repairs(kb: KnowledgeBase, cycle: int) -> dict[str, tuple[CompiledRepair, ...]]:
    """Rule id -> its compiled alternatives, for the rules in force in `cycle` that declare a repair."""
    day = cycle_date(cycle)
    return {rule.id: compile_rule_repairs(kb, rule, day) for rule in kb.rules_on(day) if rule.repair}


# ---- computing a repair on one proposal ----------------------------------------------------------

@dataclass(frozen=True)
class _Item:
    path: Path
    env: Mapping[str, Any]


def _lines(proposal: Proposal, categories: Mapping[str, Any], common: MutableMapping[str, Any]) -> list[_Item]:
    out = []
    for a, act in enumerate(proposal.activities):
        cat = categories.get(act.category)
        group, infra, _ = category_of(cat) if cat is not None else ("", False, False)
        for n, line in enumerate(act.budget_lines):
            env = {"source": line.source, "kind": line.kind, "item": line.item, "unit": line.unit,
                   "quantity": line.quantity, "unit_price": line.unit_price, "amount": line.amount or 0,
                   "amount_given": line.amount is not None, "value": round(line.quantity * line.unit_price),
                   "cash_to_individuals": line.cash_to_individuals, "activity_code": act.code,
                   "activity_group": group, "activity_infrastructure": infra}
            out.append(_Item(("activities", a, "budget_lines", n), ChainMap(env, common)))
    return out


def _activities(proposal: Proposal, categories: Mapping[str, Any],
                common: MutableMapping[str, Any]) -> list[_Item]:
    out = []
    for a, act in enumerate(proposal.activities):
        cat = categories.get(act.category)
        group, infra, _ = category_of(cat) if cat is not None else ("", False, False)
        env = {"code": act.code, "category": act.category, "group": group, "infrastructure": infra,
               "start": act.start.toordinal(), "end": act.end.toordinal(), "stated_total": act.stated_total or 0,
               "stated_total_given": act.stated_total is not None,
               "total": sum(round(bl.quantity * bl.unit_price) for bl in act.budget_lines)}
        out.append(_Item(("activities", a), ChainMap(env, common)))
    return out


def _json_value(field: str, value: Any) -> Any:
    """An expression's value as the proposal's JSON holds it (Rupiah whole, dates ISO)."""
    kind = FIELD_KINDS.get(field)
    if kind is None or kind == "text":
        return value  # a field off the allow-list is refused by the search, not converted here
    if not math.isfinite(value):
        raise RepairNotApplicable(f"nilai {field} tidak terhingga", f"the value of {field} is not finite")
    if field in ("start", "end"):
        try:
            return dt.date.fromordinal(int(value)).isoformat()
        except (ValueError, OverflowError):
            raise RepairNotApplicable(f"tanggal {field} di luar jangkauan", f"date {field} out of range") from None
    if field == "quantity":
        return int(value) if float(value).is_integer() else round(float(value), 2)
    return round(value)


def _set(step: CompiledStep, items: list[_Item]) -> Iterator[tuple[Path, Any]]:
    for item in items:
        for field, fn in step.sets:
            yield (*item.path, field), _json_value(field, fn(item.env, _NO_REFERENCE))


def _chosen(values: list[int], need: float, order: str) -> list[int]:
    """Indices of the lines `move_until` changes: in `order` until their value reaches `need`."""
    idx = [i for i, v in enumerate(values) if v > 0]
    if order != "fewest":
        ranked = sorted(idx, key=lambda i: (values[i] if order == "smallest_first" else -values[i], i))
        out, total = [], 0
        for i in ranked:
            if total >= need:
                break
            out.append(i)
            total += values[i]
        return out
    ranked = sorted(idx, key=lambda i: (-values[i], i))
    total, k = 0, len(ranked)
    for n, i in enumerate(ranked, 1):
        total += values[i]
        if total >= need:
            k = n
            break
    else:
        return ranked  # not enough in all of them: every line (the check then says it does not hold)
    if math.comb(len(ranked), k) <= _EXACT_LIMIT:
        fits = (c for c in combinations(sorted(ranked), k) if sum(values[i] for i in c) >= need)
        return list(min(fits, key=lambda c: (sum(values[i] for i in c), c)))
    # Too many subsets to compare: the k - 1 largest, then the smallest line that still covers the rest.
    head = ranked[:k - 1]
    rest = need - sum(values[i] for i in head)
    last = min((i for i in ranked[k - 1:] if values[i] >= rest), key=lambda i: (values[i], i))
    return [*head, last]


def _move_until(step: CompiledStep, items: list[_Item], common: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    assert step.amount is not None
    need = step.amount(common, _NO_REFERENCE)
    if need <= 0 or not items:
        return
    for i in _chosen([item.env["value"] for item in items], need, step.order):
        yield from _set(step, [items[i]])


def _scale_down(step: CompiledStep, items: list[_Item], common: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    assert step.amount is not None
    cut = math.ceil(step.amount(common, _NO_REFERENCE) - 1e-9)
    total = sum(item.env["value"] for item in items)
    if cut <= 0 or total <= 0:
        return
    factor = max(0.0, 1 - cut / total)
    for item in items:
        quantity = float(item.env["quantity"])
        # Rounded down, so that the value falls by at least `cut`; whole units stay whole.
        scale = 1 if quantity.is_integer() else 100
        lowered = math.floor(quantity * factor * scale + 1e-9) / scale
        if lowered != quantity:
            yield (*item.path, "quantity"), _json_value("quantity", lowered)


def _shift_dates(step: CompiledStep, items: list[_Item], common: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    for item in items:
        opens = max(fn(item.env, _NO_REFERENCE) for fn in step.earliest)
        closes = min(fn(item.env, _NO_REFERENCE) for fn in step.latest)
        start, end = item.env["start"], item.env["end"]
        if opens > closes:
            continue  # no window: nothing this repair can do for the activity
        new_start, new_end = start, end
        if new_end > closes:
            new_end, new_start = closes, max(opens, closes - (end - start))
        if new_start < opens:
            new_start, new_end = opens, min(closes, opens + (end - start))
        if new_start != start:
            yield (*item.path, "start"), _json_value("start", new_start)
        if new_end != end:
            yield (*item.path, "end"), _json_value("end", new_end)


def _dates(proposal: Proposal) -> dict[str, int]:
    submitted = proposal.submitted_on
    return {"cycle_start": cycle_date(proposal.cycle).toordinal(),
            "cycle_end": dt.date(proposal.cycle, 12, 31).toordinal(),
            "musyawarah_date": proposal.musyawarah.date.toordinal(),
            "submitted_date": submitted.toordinal() if submitted else 0}


def changes_of(repair: CompiledRepair, proposal: Proposal, facts: Mapping[str, Any],
               categories: Mapping[str, Any]) -> list[Change]:
    """The fields one alternative sets on `proposal`, whose facts are `facts` (a later step wins a field)."""
    common: MutableMapping[str, Any] = ChainMap(_dates(proposal), dict(facts))
    out: dict[Path, Any] = {}
    for step in repair.steps:
        if step.target == "lines":
            items = _lines(proposal, categories, common)
        elif step.target == "activities":
            items = _activities(proposal, categories, common)
        else:
            items = [_Item((), common)]
        if step.where is not None:
            items = [item for item in items if step.where(item.env, _NO_REFERENCE)]
        if step.operation == "set":
            found = _set(step, items)
        elif step.operation == "move_until":
            found = _move_until(step, items, common)
        elif step.operation == "scale_down":
            found = _scale_down(step, items, common)
        else:
            found = _shift_dates(step, items, common)
        out.update(found)
    return [Change(path, after) for path, after in out.items()]


def is_patchable(path: Path) -> bool:
    """Whether a change's path is on the schema's allow-list (the search refuses any other)."""
    if len(path) == 5 and path[0] == "activities" and path[2] == "budget_lines":
        return isinstance(path[1], int) and isinstance(path[3], int) and path[4] in PATCHABLE_FIELDS["lines"]
    if len(path) == 3 and path[0] == "activities":
        return isinstance(path[1], int) and path[2] in PATCHABLE_FIELDS["activities"]
    return len(path) == 1 and path[0] in PATCHABLE_FIELDS["proposal"]
