"""Run a knowledge base's own rule tests (tests/*.yaml), as `berdaya kb test` and pytest do.

Each case is a whole proposal file or a patch deep-merged into the file's base proposal;
list items are addressed by index (`activities: {0: {budget_lines: {1: {source: ppm}}}}`),
and the index just past the end appends an item. A case passes when the verdict is the
expected one, every rule in `fires` fired and none in `not_fires` did. For a derive rule,
"fired" means its conclusion holds.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.documents import parse_proposal, read_document
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.kb_schema import RuleTestCase
from rules.check import Checker


class PatchError(BerdayaError):
    """A test patch addresses something the base proposal does not have."""


def deep_merge(base: Any, patch: Any, path: str = "") -> Any:
    """`base` with `patch` merged in (neither is modified); dict keys that are integers index lists."""
    if isinstance(patch, dict) and isinstance(base, dict):
        out = dict(base)
        for key, value in patch.items():
            where = f"{path}.{key}" if path else str(key)
            out[key] = deep_merge(base[key], value, where) if key in base else copy.deepcopy(value)
        return out
    if isinstance(patch, dict) and isinstance(base, list):
        out_list = list(base)
        for key, value in sorted(patch.items(), key=lambda kv: int(kv[0]) if str(kv[0]).isdigit() else -1):
            if not str(key).isdigit():
                raise PatchError(f"{path}: daftar hanya dapat diubah dengan indeks angka, bukan '{key}'",
                                 f"{path}: a list is patched by numeric index, not '{key}'")
            index = int(key)
            where = f"{path}[{index}]"
            if index < len(out_list):
                out_list[index] = deep_merge(out_list[index], value, where)
            elif index == len(out_list):
                out_list.append(copy.deepcopy(value))
            else:
                raise PatchError(f"{where}: indeks di luar daftar ({len(out_list)} butir)",
                                 f"{where}: index beyond the list ({len(out_list)} items)")
        return out_list
    return copy.deepcopy(patch)


@dataclass
class CaseResult:
    file: str
    name: str
    passed: bool
    fired: list[str] = field(default_factory=list)
    verdict: str | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class KbTestReport:
    cases: list[CaseResult]
    rule_ids: list[str]
    exercised: set[str]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases) and bool(self.cases)

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    @property
    def unexercised(self) -> list[str]:
        return [r for r in self.rule_ids if r not in self.exercised]

    def text(self, lang: str = "id") -> str:
        lines = []
        for c in self.cases:
            mark = "LULUS" if c.passed else "GAGAL"
            if lang == "en":
                mark = "PASS" if c.passed else "FAIL"
            lines.append(f"{mark}  {c.file}: {c.name}")
            for p in c.problems:
                lines.append(f"      - {p.line(lang)}")
        ok = sum(c.passed for c in self.cases)
        if lang == "en":
            lines.append(f"{ok} of {len(self.cases)} cases passed; {len(self.exercised & set(self.rule_ids))} of "
                         f"{len(self.rule_ids)} rules exercised")
            if self.unexercised:
                lines.append("rules no test exercises: " + ", ".join(self.unexercised))
        else:
            lines.append(f"{ok} dari {len(self.cases)} kasus lulus; {len(self.exercised & set(self.rule_ids))} dari "
                         f"{len(self.rule_ids)} aturan teruji")
            if self.unexercised:
                lines.append("aturan yang belum diuji: " + ", ".join(self.unexercised))
        return "\n".join(lines)


def _case_proposal(root: Path, base: Any, case: RuleTestCase, rel: str) -> Any:
    if case.proposal is not None:
        return read_document(root / "tests" / case.proposal)
    return deep_merge(base, case.patch or {}, "")


def run_case(checker: Checker, rel: str, base: Any, case: RuleTestCase) -> CaseResult:
    kb = checker.kb
    known = {r.id for r in kb.rules}
    derive_ids = {r.derive: r.id for r in kb.rules if r.derive}
    result = CaseResult(file=rel, name=case.name, passed=False)
    try:
        data = _case_proposal(kb.path, base, case, rel)
        proposal = parse_proposal(data, source=f"{rel}: {case.name}")
        checked = checker.check(proposal, case.cycle)
    except InvalidInput as exc:
        result.problems = list(exc.problems) or [Problem("", exc.message_id, exc.message_en)]
        return result
    except BerdayaError as exc:
        result.problems = [Problem("", exc.message_id, exc.message_en)]
        return result
    fired = {f.rule_id for f in checked.findings}
    fired |= {derive_ids[name] for name, holds in checked.explanation.conclusions.items() if holds}
    result.fired, result.verdict = sorted(fired), checked.verdict
    exp = case.expect
    if exp.verdict is not None and checked.verdict != exp.verdict:
        result.problems.append(Problem("expect.verdict", f"putusan {checked.verdict}, diharapkan {exp.verdict}",
                                       f"verdict {checked.verdict}, expected {exp.verdict}"))
    for rid in exp.fires + exp.not_fires:
        if rid not in known:
            result.problems.append(Problem("expect", f"id aturan '{rid}' tidak dikenal", f"unknown rule id '{rid}'"))
    for rid in exp.fires:
        if rid in known and rid not in fired:
            result.problems.append(Problem("expect.fires", f"{rid} tidak terpicu", f"{rid} did not fire"))
    for rid in exp.not_fires:
        if rid in fired:
            result.problems.append(Problem("expect.not_fires", f"{rid} terpicu padahal tidak boleh",
                                           f"{rid} fired but must not"))
    result.passed = not result.problems
    return result


def run_kb_tests(checker: Checker) -> KbTestReport:
    """Run every case of every test file of the checker's knowledge base."""
    kb = checker.kb
    cases: list[CaseResult] = []
    exercised: set[str] = set()
    for rel, suite in sorted(kb.tests.items()):
        base = None
        if suite.base is not None:
            base = read_document(kb.path / "tests" / suite.base)
        for case in suite.cases:
            exercised |= set(case.expect.fires)
            try:
                cases.append(run_case(checker, rel, base, case))
            except PatchError as exc:
                cases.append(CaseResult(file=rel, name=case.name, passed=False,
                                        problems=[Problem("patch", exc.message_id, exc.message_en)]))
    return KbTestReport(cases=cases, rule_ids=sorted(r.id for r in kb.rules), exercised=exercised)
