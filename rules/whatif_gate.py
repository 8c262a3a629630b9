"""The engine half of the publish gate: a draft must lint clean, compile for every cycle and pass its rule tests.

Compiling and testing a draft registers its rulesets, so this runs in a spawned worker
process that exits afterwards (the calling process never registers a draft). Each failure
comes back as a Problem naming the file and field (a rule's condition, a test case).
`publish_draft` joins these checks to the knowledge-level ones of `KBStore.publish`.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.kb_store import KBStore, PublishedVersion


def engine_problems(draft_dir: str, last_cycle: int) -> list[dict[str, str]]:
    """Worker task: compile every cycle from the first dated value to `last_cycle`, then run the rule tests."""
    from knowledge.kb import load_knowledge_base
    from rules.check import Checker
    from rules.kbtest import run_kb_tests
    from rules.lint import lint_path

    try:
        linted = lint_path(draft_dir)
    except InvalidInput as exc:
        return [p.as_dict() for p in exc.problems]
    if linted:
        return [Problem(lp.problem.path, f"[{lp.kind}] {lp.problem.id}", f"[{lp.kind}] {lp.problem.en}").as_dict()
                for lp in linted]
    try:
        kb = load_knowledge_base(draft_dir)
    except InvalidInput as exc:
        return [p.as_dict() for p in exc.problems]
    checker = Checker(kb)
    first = min((d.year for p in kb.parameters.values() for d in p.values), default=last_cycle)
    problems = []
    for cycle in range(first, last_cycle + 1):
        try:
            checker.version(cycle)
        except BerdayaError as exc:
            problems.append(Problem(f"rules (siklus/cycle {cycle})", exc.message_id, exc.message_en).as_dict())
    if problems:
        return problems
    report = run_kb_tests(checker)
    if not report.cases:
        problems.append(Problem("tests/", "draf tidak punya uji aturan", "the draft has no rule tests").as_dict())
    for case in report.failures:
        for p in case.problems or [Problem("", "gagal", "failed")]:
            where = f"{case.file}: {case.name}" + (f" ({p.path})" if p.path else "")
            problems.append(Problem(where, f"uji aturan gagal: {p.id}", f"rule test failed: {p.en}").as_dict())
    return problems


def engine_check(last_cycle: int) -> Callable[[Path], list[Problem]]:
    """A publish check that runs `engine_problems` in a disposable spawned process."""

    def check(draft: Path) -> list[Problem]:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            found = pool.submit(engine_problems, str(draft), last_cycle).result()
        return [Problem(**p) for p in found]

    return check


def publish_draft(store: KBStore, draft_dir: str | Path, *, effective_from: dt.date, reason: str, by: str,
                  latest_completed_cycle: int | None = None, now: dt.datetime | None = None) -> PublishedVersion:
    """Publish through the whole gate: files, references, ids, date, what-if report, compile, rule tests."""
    now = now or dt.datetime.now(dt.UTC)
    completed = latest_completed_cycle if latest_completed_cycle is not None else now.year - 1
    last = max(completed + 1, effective_from.year + 1) if isinstance(effective_from, dt.date) else completed + 1
    return store.publish(draft_dir, effective_from=effective_from, reason=reason, by=by,
                         checks=[engine_check(last)], latest_completed_cycle=completed, now=now)
