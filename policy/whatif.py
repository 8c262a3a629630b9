"""What-if replay: past proposals checked under the published version and under a draft.

Both knowledge bases are compiled and run only inside worker processes (spawn context):
a durable-rules ruleset cannot be unloaded, so the serving process never registers a draft
and does not even import the engine for a replay. The parent hands out chunks of
(proposal_ref, Proposal | dict) and folds the workers' outcomes into a report:
verdict transitions (overall and per cycle), how often each rule fired before and after,
counts per kelurahan, and the proposals whose verdict changed with the findings that made
the difference. The report is a `policy.reports.WhatIfReport`; `KBStore.save_whatif` keeps it
for the publish gate under the draft's content hash without its version label.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path
from typing import Any

from knowledge.dates import cycle_date
from knowledge.errors import InvalidInput, Problem
from knowledge.kb import load_knowledge_base
from knowledge.proposal import Proposal
from knowledge.reference import reference_in_force, use_reference
from knowledge.versions import tree_hash
from policy.files import policy_hash, read_kb_files
from policy.processes import worker_pool
from policy.reports import VERDICTS, ReplayPlan, WhatIfReport, WhatIfSummary

Item = tuple[str, Any]
Progress = Callable[[int, int], None]

def _checkers(baseline_dir: str, draft_dir: str) -> tuple[Any, Any]:
    """The worker process's (baseline, draft) Checkers, loaded by its first task."""
    from rules.check import Checker, shared_checker

    return (shared_checker(f"dir:{baseline_dir}", lambda: Checker.load(baseline_dir)),
            shared_checker(f"dir:{draft_dir}", lambda: Checker.load(draft_dir)))


def _in_force_signature(kb: Any, cycle: int) -> tuple[str, str]:
    """What a check of `cycle` depends on: (rules in force, parameters + categories + facts in force)."""
    day = cycle_date(cycle)
    rules = json.dumps([r.model_dump(mode="json", by_alias=True) for r in kb.rules_on(day)], sort_keys=True)
    inputs = json.dumps({"params": kb.params_on(day),
                         "categories": {k: c.model_dump(mode="json") for k, c in kb.categories.items()},
                         "facts": {k: f.model_dump(mode="json") for k, f in kb.facts.items()}},
                        sort_keys=True, default=str)
    return rules, inputs


_PLANS: dict[tuple[str, str, int], ReplayPlan] = {}


def _plan(key: tuple[str, str], baseline: Any, draft: Any, cycle: int) -> ReplayPlan:
    """How much the baseline's and the draft's checks of a cycle can share (computed once per cycle)."""
    plan_key = (*key, cycle)
    if plan_key not in _PLANS:
        (rules_b, inputs_b), (rules_d, inputs_d) = (_in_force_signature(baseline.kb, cycle),
                                                    _in_force_signature(draft.kb, cycle))
        _PLANS[plan_key] = (ReplayPlan.SAME if (rules_b, inputs_b) == (rules_d, inputs_d)
                            else ReplayPlan.SHARE_FACTS if inputs_b == inputs_d else ReplayPlan.SEPARATE)
    return _PLANS[plan_key]


def _both(key: tuple[str, str], baseline: Any, draft: Any, proposal: Proposal,
          as_of: int | None = None) -> tuple[Any, Any]:
    """CheckResults under the baseline and the draft, doing only the work the plan for the cycle needs.

    `as_of` checks with the rules and values in force for that cycle instead of the proposal's own.
    """
    cycle = as_of or proposal.cycle
    plan = _plan(key, baseline, draft, cycle)
    if plan is ReplayPlan.SEPARATE:
        return baseline.check(proposal, cycle), draft.check(proposal, cycle)
    compiled, facts = baseline.facts(proposal, cycle)
    before = baseline.judge(compiled, proposal, facts)
    if plan is ReplayPlan.SAME:
        return before, before
    return before, draft.judge(draft.version(cycle), proposal, facts)


def _outcome(ref: str, proposal: Proposal, before: Any, after: Any) -> dict[str, Any]:
    """One proposal's row; full findings (JSON) only where the two versions differ."""
    keys_b = {(f.rule_id, f.severity) for f in before.findings}
    keys_a = {(f.rule_id, f.severity) for f in after.findings}
    out = {"ref": ref, "cycle": proposal.cycle, "kecamatan": proposal.region.kecamatan,
           "kelurahan": proposal.region.kelurahan, "rw": proposal.region.rw,
           "before": before.verdict, "after": after.verdict,
           "fired_before": sorted({r for r, _ in keys_b}), "fired_after": sorted({r for r, _ in keys_a})}
    if before.verdict != after.verdict or keys_b != keys_a:
        out["gone"] = [f.model_dump(mode="json") for f in before.findings if (f.rule_id, f.severity) not in keys_a]
        out["new"] = [f.model_dump(mode="json") for f in after.findings if (f.rule_id, f.severity) not in keys_b]
    return out


def run_chunk(baseline_dir: str, draft_dir: str, chunk: list[Item], as_of: int | None = None) -> dict[str, Any]:
    """Worker task: check each proposal under both versions (errors come back as data, not exceptions)."""
    from knowledge.documents import parse_proposal

    try:
        baseline, draft = _checkers(baseline_dir, draft_dir)
    except InvalidInput as exc:
        return {"pid": os.getpid(), "error": {"source": exc.source, "problems": [p.as_dict() for p in exc.problems]}}
    outcomes, invalid = [], []
    for ref, item in chunk:
        try:
            proposal = item if isinstance(item, Proposal) else parse_proposal(item, source=ref)
        except InvalidInput as exc:
            invalid.append({"ref": ref, "problems": [p.as_dict() for p in exc.problems]})
            continue
        before, after = _both((baseline_dir, draft_dir), baseline, draft, proposal, as_of)
        outcomes.append(_outcome(ref, proposal, before, after))
    return {"pid": os.getpid(), "outcomes": outcomes, "invalid": invalid}


def _matrix(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    counts = Counter(pairs)
    return {b: {a: counts.get((b, a), 0) for a in VERDICTS} for b in VERDICTS}


def _rule_titles(*kbs: Any) -> dict[str, dict[str, Any]]:
    titles: dict[str, dict[str, Any]] = {}
    for kb in kbs:
        for rule in kb.rules:
            titles[rule.id] = {"title": rule.title.model_dump(), "group": rule.group, "severity": rule.severity}
    return titles


def summarise(outcomes: list[dict[str, Any]], titles: dict[str, dict[str, Any]]) -> WhatIfSummary:
    """Fold per-proposal outcomes into the report's tables (deterministic order)."""
    outcomes = sorted(outcomes, key=lambda o: (o["cycle"], o["kecamatan"], o["kelurahan"], o["rw"], o["ref"]))
    by_cycle: dict[int, list[Any]] = defaultdict(list)
    for o in outcomes:
        by_cycle[o["cycle"]].append((o["before"], o["after"]))
    before_counts = Counter(r for o in outcomes for r in o["fired_before"])
    after_counts = Counter(r for o in outcomes for r in o["fired_after"])
    rules = []
    for rid in sorted(set(before_counts) | set(after_counts) | set(titles)):
        meta = titles.get(rid, {})
        if meta.get("severity") is None and rid not in before_counts and rid not in after_counts:
            continue  # derived conclusions are not findings
        b, a = before_counts.get(rid, 0), after_counts.get(rid, 0)
        rules.append({"rule_id": rid, "title": meta.get("title", {}), "group": meta.get("group"),
                      "before": b, "after": a, "delta": a - b})
    kel: dict[tuple[Any, ...], dict[str, Any]] = {}
    for o in outcomes:
        key = (o["cycle"], o["kecamatan"], o["kelurahan"])
        row = kel.setdefault(key, {"cycle": key[0], "kecamatan": key[1], "kelurahan": key[2], "proposals": 0,
                                   "changed": 0, **{f"before_{v}": 0 for v in VERDICTS},
                                   **{f"after_{v}": 0 for v in VERDICTS}})
        row["proposals"] += 1
        row["changed"] += o["before"] != o["after"]
        row[f"before_{o['before']}"] += 1
        row[f"after_{o['after']}"] += 1
    changed = [{k: o[k] for k in ("ref", "cycle", "kecamatan", "kelurahan", "rw", "before", "after", "new", "gone")}
               for o in outcomes if o["before"] != o["after"]]
    findings_changed = sum(1 for o in outcomes if o["fired_before"] != o["fired_after"])
    return WhatIfSummary.model_validate({
        "transitions": {"all": _matrix((o["before"], o["after"]) for o in outcomes),
                        "by_cycle": {str(c): _matrix(p) for c, p in sorted(by_cycle.items())}},
        "rules": rules,
        "kelurahan": [kel[k] for k in sorted(kel)],
        "changed": changed,
        "totals": {"proposals": len(outcomes), "verdict_changed": len(changed),
                   "findings_changed": findings_changed},
    })


def simulate(draft_dir: str | Path, items: Iterable[Item], *, baseline_dir: str | Path, baseline_version: str,
             cycles: Iterable[int] | None = None, workers: int = 2, chunk_size: int | None = None,
             progress: Progress | None = None, synthetic: bool = False, as_of: int | None = None,
             source: str = "stored") -> WhatIfReport:
    """Replay `items` (proposal_ref, Proposal or proposal dict) under the baseline and the draft.

    Only items whose cycle is in `cycles` (all when None) are replayed. Each is checked with the
    rules and values in force for its own cycle, or for cycle `as_of` when given (to see how a
    change dated in the future would have treated past proposals). Runs in `workers` spawned
    processes; `progress(done, total)` is called as chunks finish.
    """
    draft, baseline = Path(draft_dir), Path(baseline_dir)
    files = read_kb_files(draft)
    if files.problems:  # named by the draft's directory, not by where the server keeps it
        raise InvalidInput(list(files.problems), source=draft.name)
    # Schema errors, with file and field, before any worker starts (loading compiles nothing).
    draft_kb, baseline_kb = load_knowledge_base(draft, strict=False), load_knowledge_base(baseline, strict=False)
    wanted = sorted(set(cycles)) if cycles is not None else None
    chosen = []
    for ref, item in items:
        cycle = item.cycle if isinstance(item, Proposal) else (item or {}).get("cycle")
        if wanted is None or cycle in wanted:
            chosen.append((ref, item))
    total = len(chosen)
    size = chunk_size or max(20, min(250, total // (max(workers, 1) * 6) or 20))
    chunks = [chosen[i:i + size] for i in range(0, total, size)]
    started = time.perf_counter()
    outcomes, invalid, pids = [], [], set()
    done = 0
    if progress:
        progress(0, total)
    if chunks:
        # Spawned workers start from nothing: hand them the reference data the caller checks with.
        with worker_pool(max(1, min(workers, len(chunks))), use_reference, (reference_in_force(),)) as pool:
            pending = {pool.submit(run_chunk, str(baseline), str(draft), c, as_of): len(c) for c in chunks}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    n = pending.pop(fut)
                    result = fut.result()
                    pids.add(result["pid"])
                    if "error" in result:
                        for other in pending:
                            other.cancel()
                        err = result["error"]
                        raise InvalidInput([Problem(**p) for p in err["problems"]], source=draft.name)
                    outcomes.extend(result["outcomes"])
                    invalid.extend(result["invalid"])
                    done += n
                    if progress:
                        progress(done, total)
    seconds = time.perf_counter() - started
    summary = summarise(outcomes, _rule_titles(baseline_kb, draft_kb))
    return WhatIfReport.model_validate({
        **summary.model_dump(),
        "kind": "whatif-rules",
        "synthetic": synthetic,
        "source": source,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        # The directory's name (a draft's id in the store), never a server path.
        "draft": {"path": draft.name, "version": draft_kb.version, "content_hash": tree_hash(draft),
                  "policy_hash": policy_hash(draft)},
        "baseline": {"version": baseline_version, "content_hash": tree_hash(baseline)},
        "requested_cycles": wanted,
        "as_of_cycle": as_of,
        "cycles": sorted({o["cycle"] for o in outcomes}),
        "verdicts": list(VERDICTS),
        "invalid": sorted(invalid, key=lambda i: i["ref"]),
        "run": {"seconds": round(seconds, 3), "proposals_per_second": round(total / seconds, 1) if seconds else None,
                "workers": len(pids), "worker_pids": sorted(pids), "parent_pid": os.getpid()},
    })


def synthetic_items(cycles: Iterable[int], seed: int = 2018) -> list[Item]:
    """The synthetic demo cycles (labelled SINTETIS in every reference) as replay items."""
    from knowledge.synthetic import generate_cycles

    wanted = sorted(set(cycles))
    data = generate_cycles(seed=seed, cycles=range(min(wanted), max(wanted) + 1)) if wanted else None
    items = []
    for sp in (data.proposals if data else []):
        p = sp.proposal
        if p["cycle"] not in wanted:
            continue
        region = p["region"]
        items.append((f"SINTETIS-{p['cycle']}-{region['kelurahan']}-RW{int(region['rw']):02d}", p))
    return items
