"""Repair search: changes to a proposal's own data that the rules, run again, prove to work.

    found = search_repairs(checker, proposal)   # RepairResult; found.combined.patch is RFC 6902 JSON Patch

For every finding whose rule declares a `repair:` (see `rules.repair_ops`), each alternative is
computed on the proposal, applied to a copy (the patch, with `jsonpatch`) and checked again with
the same Checker and cycle. When the change brings up a new blocking or major finding that has a
repair of its own (lowering food and drink leaves a written line amount wrong), that repair is
added and the copy checked again, at most `MAX_CHAIN` times. A patch is kept only when its
finding is gone and no blocking or major finding was added; alternatives are tried smallest
first (fewest fields changed, then least Rupiah moved). The combined patch starts from the best
single patch and keeps adding the best verified repair of what remains, each computed on the
proposal as already repaired, until the proposal is eligible or nothing more verifies; the
findings left carry the rule's `action` (what only the RW can do) or its suggestion.

Patches are on the proposal's JSON (the `Proposal` contract): a `test` of the old value before
every `replace` (an `add` where the field was absent), so that a patch applied to a proposal
changed since refuses to apply. Every change is checked against the schema's allow-list of
patchable fields. Same input and knowledge-base version, same patches: every choice is ordered.
The search runs only when asked for; the plain check never comes here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jsonpatch
from pydantic import BaseModel, ValidationError

from knowledge.kb import KnowledgeBase
from knowledge.kb_schema import Verdict
from knowledge.proposal import Proposal
from rules.check import Checker, CheckResult, KnowledgeBaseRef, LangText
from rules.compiler import CompiledVersion
from rules.render import render
from rules.repair_ops import Change, CompiledRepair, Path, RepairNotApplicable, changes_of, compile_repairs, is_patchable

MAX_CHAIN = 3
SERIOUS = frozenset({"blocking", "major"})
VERDICT_RANK = {"eligible": 0, "needs_revision": 1, "ineligible": 2}


class RepairError(RuntimeError):
    """A repair produced a change outside the allow-list of patchable fields (a bug, never data)."""


class FieldChange(BaseModel):
    """One field a patch changes, with the budget line's item or the activity's code to read it by."""

    path: str
    pointer: str
    before: Any = None
    after: Any = None
    item: str | None = None
    activity: str | None = None


class FindingRef(BaseModel):
    rule_id: str
    severity: Literal["blocking", "major", "minor", "advice"]
    title: LangText


class RepairPatch(BaseModel):
    """A verified patch: what it changes, the findings it clears and the check result after it."""

    rules: list[str]
    description: list[LangText]
    changes: list[FieldChange]
    patch: list[dict[str, Any]]
    fields_changed: int
    rupiah_moved: int
    clears: list[FindingRef]
    result: CheckResult


class RemainingAction(BaseModel):
    """A finding no verified patch clears: `action` (only the RW can do it), `not_verified` (the rule's
    repair did not hold for this proposal) or `suggestion` (the rule declares neither)."""

    rule_id: str
    severity: Literal["blocking", "major", "minor", "advice"]
    title: LangText
    kind: Literal["action", "not_verified", "suggestion"]
    text: LangText


class RepairResult(BaseModel):
    knowledge_base: KnowledgeBaseRef
    cycle: int
    verdict: Verdict
    verdict_after: Verdict
    patches: list[RepairPatch]
    combined: RepairPatch | None
    actions: list[RemainingAction]
    checks: int


# ---- the proposal's JSON and its patches ----------------------------------------------------------

def pointer_of(path: Path) -> str:
    """RFC 6901: ("activities", 0, "budget_lines", 2, "source") -> /activities/0/budget_lines/2/source."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def dotted(path: Path) -> str:
    """The path as findings name fields: activities[0].budget_lines[2].source."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _at(doc: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            doc = doc[part] if isinstance(doc, list) and part < len(doc) else None
        else:
            doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def json_patch(root: Mapping[str, Any], changes: Mapping[Path, Any]) -> list[dict[str, Any]]:
    """RFC 6902 operations for `changes` against `root`: test the old value, then replace it."""
    ops: list[dict[str, Any]] = []
    for path in sorted(changes, key=_order):
        before, pointer = _at(root, path), pointer_of(path)
        if before is None:
            ops.append({"op": "add", "path": pointer, "value": changes[path]})
        else:
            ops += [{"op": "test", "path": pointer, "value": before},
                    {"op": "replace", "path": pointer, "value": changes[path]}]
    return ops


def _order(path: Path) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in path)


def _copied_along(doc: dict[str, Any], paths: Iterable[Path]) -> dict[str, Any]:
    """A copy of `doc` sharing everything but the containers on `paths` (patched in place afterwards)."""
    root = dict(doc)
    for path in paths:
        node: Any = root
        for part in path[:-1]:
            child = node[part]
            child = dict(child) if isinstance(child, dict) else list(child)
            node[part] = child
            node = child
    return root


def _value(line: Mapping[str, Any]) -> int:
    return round(float(line["quantity"]) * float(line["unit_price"]))


def rupiah_moved(root: Mapping[str, Any], changes: Mapping[Path, Any]) -> int:
    """Money a patch moves to another source or cuts, over the budget lines it touches."""
    lines: dict[Path, dict[str, Any]] = {}
    for path, after in changes.items():
        if len(path) == 5:
            line = lines.setdefault(path[:4], dict(_at(root, path[:4])))
            line[str(path[4])] = after
    total = 0
    for where, after in lines.items():
        before = _at(root, where)
        total += _value(before) if after["source"] != before["source"] else abs(_value(before) - _value(after))
    return total


# ---- the search -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _State:
    """The proposal as repaired so far: its JSON, model, check, and the changes from the original."""

    doc: dict[str, Any]
    proposal: Proposal
    result: CheckResult
    changes: dict[Path, Any] = field(default_factory=dict)
    rules: tuple[str, ...] = ()
    descriptions: tuple[LangText, ...] = ()

    @property
    def fired(self) -> frozenset[str]:
        return frozenset(f.rule_id for f in self.result.findings)

    def serious(self) -> frozenset[str]:
        return frozenset(f.rule_id for f in self.result.findings if f.severity in SERIOUS)


def _score(state: _State, root: Mapping[str, Any]) -> tuple[Any, ...]:
    severities = [f.severity for f in state.result.findings]
    return (VERDICT_RANK[state.result.verdict], severities.count("blocking"), severities.count("major"),
            len(severities), len(state.changes), rupiah_moved(root, state.changes), state.rules)


class _Search:
    def __init__(self, checker: Checker, cycle: int, repairs: Mapping[str, tuple[CompiledRepair, ...]]):
        self.checker, self.cycle, self.repairs = checker, cycle, repairs
        self.categories = checker.kb.categories
        self.param_slots = checker.version(cycle).param_slots
        self.checks = 0

    def checked(self, doc: dict[str, Any]) -> tuple[Proposal, CheckResult] | None:
        try:
            proposal = Proposal.model_validate(doc)
        except ValidationError:
            return None  # a value the contract refuses: this repair does not apply here
        self.checks += 1
        return proposal, self.checker.check(proposal, self.cycle)

    def applied(self, state: _State, changes: list[Change], repairs: tuple[CompiledRepair, ...]) -> _State | None:
        fresh = {c.path: c.after for c in changes if _at(state.doc, c.path) != c.after}
        if not fresh:
            return None
        for path in fresh:
            if not is_patchable(path):
                raise RepairError(f"repair of {repairs[0].rule_id} changes {dotted(path)}, which is not patchable")
        doc = _copied_along(state.doc, fresh)
        jsonpatch.JsonPatch(json_patch(state.doc, fresh)).apply(doc, in_place=True)
        checked = self.checked(doc)
        if checked is None:
            return None
        # Descriptions quote the facts the repair was computed from (the excess it removes, ...).
        slots = {**state.result.explanation.facts, **self.param_slots}
        said = tuple(LangText(id=render(r.description.id, slots, "id"), en=render(r.description.en, slots, "en"))
                     for r in repairs)
        return _State(doc, checked[0], checked[1], {**state.changes, **fresh},
                      (*state.rules, *(r.rule_id for r in repairs)), (*state.descriptions, *said))

    def computed(self, state: _State, repair: CompiledRepair) -> list[Change]:
        try:
            return changes_of(repair, state.proposal, state.result.explanation.facts, self.categories)
        except RepairNotApplicable:
            return []

    def alternatives(self, state: _State, rule_id: str) -> list[tuple[CompiledRepair, list[Change]]]:
        """A rule's alternatives computed on `state`, smallest first (fields, Rupiah, order written)."""
        found = []
        for repair in self.repairs.get(rule_id, ()):
            changes = self.computed(state, repair)
            if changes:
                as_map = {c.path: c.after for c in changes}
                found.append(((len(changes), rupiah_moved(state.doc, as_map), repair.index), repair, changes))
        found.sort(key=lambda item: item[0])
        return [(repair, changes) for _, repair, changes in found]

    def attempt(self, state: _State, rule_id: str) -> _State | None:
        """The first alternative of `rule_id` that verifies on `state`, with the repairs it needed after it."""
        for repair, changes in self.alternatives(state, rule_id):
            found = self._verified(state, rule_id, self.applied(state, changes, (repair,)))
            if found is not None:
                return found
        return None

    def _verified(self, start: _State, rule_id: str, current: _State | None) -> _State | None:
        for _ in range(MAX_CHAIN + 1):
            if current is None:
                return None
            added = sorted(current.serious() - start.fired)
            if rule_id not in current.fired and not added:
                return current
            if not added:
                return None  # its own finding is still there and nothing new to follow up
            follow: list[Change] = []
            used: list[CompiledRepair] = []
            for other in added:
                options = self.alternatives(current, other)
                if not options:
                    return None  # the change brings up a problem no repair can clear
                used.append(options[0][0])
                follow += options[0][1]
            current = self.applied(current, follow, tuple(used))
        return None


def _patch(root: _State, state: _State, titles: Mapping[str, Mapping[str, str]]) -> RepairPatch:
    changes = []
    for path in sorted(state.changes, key=_order):
        line = _at(root.doc, path[:4]) if len(path) == 5 else None
        activity = _at(root.doc, path[:2]) if len(path) >= 3 else None
        changes.append(FieldChange(path=dotted(path), pointer=pointer_of(path), before=_at(root.doc, path),
                                   after=state.changes[path], item=line["item"] if line else None,
                                   activity=activity["code"] if activity else None))
    clears = [FindingRef(rule_id=f.rule_id, severity=f.severity, title=LangText(**titles[f.rule_id]))
              for f in root.result.findings if f.rule_id not in state.fired]
    # A repair applied twice (a written total set again after a later change) is listed once, last.
    last = {rule: n for n, rule in enumerate(state.rules)}
    kept = [n for n, rule in enumerate(state.rules) if last[rule] == n]
    return RepairPatch(rules=[state.rules[n] for n in kept], description=[state.descriptions[n] for n in kept],
                       changes=changes,
                       patch=json_patch(root.doc, state.changes), fields_changed=len(state.changes),
                       rupiah_moved=rupiah_moved(root.doc, state.changes), clears=clears, result=state.result)


def _combined(search: _Search, root: _State, first: Mapping[str, _State]) -> _State | None:
    """Best single patch, then the best verified repair of what remains, until eligible or stuck."""
    state, options = root, dict(first)
    failed = {f.rule_id for f in root.result.findings if f.rule_id in search.repairs and f.rule_id not in first}
    while options:
        best = min(options.values(), key=lambda s: _score(s, root.doc))
        if _score(best, root.doc)[:4] >= _score(state, root.doc)[:4]:
            break
        state = best
        if state.result.verdict == "eligible":
            break
        options = {}
        for finding in state.result.findings:
            rule_id = finding.rule_id
            if rule_id in search.repairs and rule_id not in failed:
                found = search.attempt(state, rule_id)
                if found is None:
                    failed.add(rule_id)
                else:
                    options[rule_id] = found
    return None if state is root else state


def _remaining(compiled: CompiledVersion, state: _State, repaired: set[str],
               titles: Mapping[str, Mapping[str, str]]) -> list[RemainingAction]:
    rules = {r.id: r for r in compiled.finding_rules}
    slots = {**state.result.explanation.facts, **compiled.param_slots}
    out = []
    for finding in state.result.findings:
        rule = rules[finding.rule_id]
        if rule.action is not None:
            kind: Literal["action", "not_verified", "suggestion"] = "action"
            text = LangText(id=render(rule.action.id, slots, "id"), en=render(rule.action.en, slots, "en"))
        else:
            kind = "not_verified" if finding.rule_id in repaired else "suggestion"
            text = finding.suggestion
        out.append(RemainingAction(rule_id=finding.rule_id, severity=finding.severity,
                                   title=LangText(**titles[finding.rule_id]), kind=kind, text=text))
    return out


_COMPILED: dict[tuple[int, int], tuple[KnowledgeBase, Mapping[str, tuple[CompiledRepair, ...]]]] = {}
_COMPILED_LOCK = threading.Lock()


def _compiled_repairs(checker: Checker, cycle: int) -> Mapping[str, tuple[CompiledRepair, ...]]:
    # Per loaded knowledge base and cycle, compiled on first use (the plain check never pays for it).
    # The entry keeps its knowledge base, so that an id is never reused for another one.
    key = (id(checker.kb), cycle)
    with _COMPILED_LOCK:
        found = _COMPILED.get(key)
        if found is None or found[0] is not checker.kb:
            found = _COMPILED[key] = (checker.kb, compile_repairs(checker.kb, cycle))
        return found[1]


def search_repairs(checker: Checker, proposal: Proposal, base: CheckResult | None = None,
                   cycle: int | None = None) -> RepairResult:
    """Verified patches for `proposal` (checked with `checker`, the version in force for its cycle).

    `base` is the proposal's check when the caller has it already (it is not run again).
    """
    cycle = cycle or proposal.cycle
    search = _Search(checker, cycle, _compiled_repairs(checker, cycle))
    if base is None:
        search.checks += 1
        base = checker.check(proposal, cycle)
    root = _State(proposal.model_dump(mode="json"), proposal, base)
    titles = checker.version(cycle).titles
    first: dict[str, _State] = {}
    for finding in base.findings:
        if finding.rule_id in search.repairs:
            found = search.attempt(root, finding.rule_id)
            if found is not None:
                first[finding.rule_id] = found
    final = _combined(search, root, first)
    patches = [_patch(root, state, titles) for state in first.values()]
    combined = _patch(root, final, titles) if final is not None else None
    end = final or root
    return RepairResult(knowledge_base=base.knowledge_base, cycle=base.cycle, verdict=base.verdict,
                        verdict_after=end.result.verdict, patches=patches, combined=combined,
                        actions=_remaining(checker.version(cycle), end, set(search.repairs), titles),
                        checks=search.checks)
