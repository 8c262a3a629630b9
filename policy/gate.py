"""The whole publish gate: everything a draft must pass before it is published, each problem with
its file, field and reason (Bahasa Indonesia and English).

Knowledge-level checks need only the files: schema (`knowledge.kb`), names used in
conditions, references and status of parameter values, rule ids that were already published
for a different rule. Then the publish itself: an effective date (a version may be inserted
before a later one: it governs the cycles up to that one's), who and why, a what-if report
for this content (its label aside) that covers the latest completed cycle, and the stored
decisions of the cycles it would govern whose verdict would change, which the publisher
must confirm. The engine's half (lint, compile every cycle, the draft's own rule
tests) registers rulesets, so `engine_gate` runs it in a spawned process that exits afterwards.
`policy.store.KBStore.publish` applies the gate under the store's lock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge.dates import cycle_date
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.kb import load_knowledge_base
from knowledge.kb_schema import GROUPS
from knowledge.versions import PublishedVersion, UnknownVersion, first_cycle, governed_until, pick_in_force
from policy.files import KBFiles
from policy.processes import worker_pool
from policy.reports import ChangedProposal, WhatIfReport
from policy.whatif import Item, simulate
from rules.condition import ConditionError, names_in, parse_condition
from rules.lint import cycles_to_compile, unknown_names

Check = Callable[[Path], list[Problem]]

_PLACEHOLDER_PARAM = re.compile(r"\{(param\.[A-Za-z_]\w*)")
STATUSES = ("verified", "assumed")
VERDICT_WORDS = {"eligible": ("layak", "eligible"), "needs_revision": ("perlu perbaikan", "needs revision"),
                 "ineligible": ("tidak layak", "ineligible")}


def _schema_problems(files: KBFiles) -> list[Problem]:
    """The knowledge base's own loader is the schema of record."""
    try:
        load_knowledge_base(files.root)
    except InvalidInput as exc:
        return list(exc.problems) or [Problem(files.root.name, exc.message_id, exc.message_en)]
    return []


def condition_names(when: str) -> tuple[set[str], set[str]]:
    """Fact/conclusion names and parameter names a condition mentions, by the condition language's parser.

    A condition that does not parse has none here: the engine's half of the gate (lint) names it.
    """
    try:
        return names_in(parse_condition(when or "true"))
    except ConditionError:
        return set(), set()


def name_problems(files: KBFiles) -> list[Problem]:
    """Unknown facts or parameters in conditions, evidence and message templates (lint's check)."""
    problems = []
    known = set(files.facts) | files.derived_names()
    parameters = set(files.parameters)
    for rid, (rel, _, rule) in sorted(files.rules.items()):
        when = str(rule.get("when") or "")
        names, params = condition_names(when)
        problems += [lp.problem for lp in unknown_names(f"{rel}: {rid}.when", names, (), facts=known,
                                                        parameters=parameters)]
        evidence = rule.get("evidence") or {}
        if isinstance(evidence, dict):
            if evidence.get("fact") and str(evidence["fact"]) not in known:
                problems.append(Problem(f"{rel}: {rid}.evidence.fact", f"fakta '{evidence['fact']}' tidak dikenal",
                                        f"unknown fact '{evidence['fact']}'"))
            threshold = str(evidence.get("threshold") or "")
            if threshold.startswith("param."):
                params.add(threshold[len("param."):])
        for key in ("message", "suggestion"):
            texts = rule.get(key) or {}
            for text in (texts.values() if isinstance(texts, dict) else []):
                for ref in _PLACEHOLDER_PARAM.findall(str(text)):
                    params.add(ref[len("param."):])
        problems += [lp.problem for lp in unknown_names(f"{rel}: {rid}", (), params, facts=known,
                                                        parameters=parameters)]
    return problems


def reference_problems(files: KBFiles) -> list[Problem]:
    """Every dated parameter value carries its legal reference and status (assumed ones say the model)."""
    problems = []
    for name, (rel, _) in sorted(files.parameters.items()):
        values = files.parameter_values(name)
        if not values:
            problems.append(Problem(f"{rel}: values", "parameter tanpa nilai", "parameter has no values"))
        for date, entry in sorted(values.items()):
            where = f"{rel}: values.{date}"
            if not str(entry.get("reference") or "").strip():
                problems.append(Problem(f"{where}.reference", "nilai parameter tanpa rujukan hukum/sumber",
                                        "parameter value without a legal reference/source"))
            status = entry.get("status")
            if status not in STATUSES:
                problems.append(Problem(f"{where}.status", "status harus verified atau assumed",
                                        "status must be verified or assumed"))
            elif status == "assumed" and not str(entry.get("modelled_on") or "").strip():
                problems.append(Problem(f"{where}.modelled_on", "nilai asumsi harus menyebut modelnya (modelled_on)",
                                        "an assumed value must say what it was modelled on (modelled_on)"))
    return problems


def reuse_problems(files: KBFiles, published: list[tuple[str, KBFiles]]) -> list[Problem]:
    """A rule id once published keeps its meaning: same title and group (its condition may change)."""
    problems = []
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for label, old in published:
        for rid, (_, _, rule) in old.rules.items():
            seen.setdefault(rid, (label, rule))
    for rid, (rel, _, rule) in sorted(files.rules.items()):
        if rid not in seen:
            continue
        label, old_rule = seen[rid]
        for key in ("title", "group"):
            if (rule.get(key) or None) != (old_rule.get(key) or None):
                problems.append(Problem(
                    f"{rel}: {rid}.{key}",
                    f"id aturan {rid} sudah diterbitkan (versi {label}) untuk aturan lain ({key} berbeda); "
                    f"beri aturan baru id baru",
                    f"rule id {rid} was published (version {label}) for a different rule ({key} differs); "
                    f"give a new rule a new id"))
    return problems


def structure_problems(files: KBFiles) -> list[Problem]:
    problems = []
    for rid, (rel, _, rule) in sorted(files.rules.items()):
        if rule.get("group") not in GROUPS:
            problems.append(Problem(f"{rel}: {rid}.group", f"kelompok harus salah satu dari {', '.join(GROUPS)}",
                                    f"group must be one of {', '.join(GROUPS)}"))
        if not str(rule.get("when") or "").strip():
            problems.append(Problem(f"{rel}: {rid}.when", "kondisi wajib diisi", "a condition is required"))
    return problems


def condition_problems(files: KBFiles) -> list[Problem]:
    """Conditions and evidence thresholds that do not parse in the condition language (lint's parse check)."""
    problems = []
    for rid, (rel, _, rule) in sorted(files.rules.items()):
        evidence = rule.get("evidence") if isinstance(rule.get("evidence"), dict) else {}
        threshold = evidence.get("threshold") if evidence else None
        texts = [("when", rule.get("when"))] + ([("evidence.threshold", threshold)] if isinstance(threshold, str) else [])
        for key, text in texts:
            if not str(text or "").strip():
                continue  # a missing condition is structure_problems'
            try:
                parse_condition(str(text))
            except ConditionError as exc:
                problems.append(Problem(f"{rel}: {rid}.{key}", exc.message_id, exc.message_en))
    return problems


def upload_problems(files: KBFiles, published: list[tuple[str, KBFiles]]) -> list[Problem]:
    """What refuses a draft at upload: unreadable files, the schema, conditions that do not parse,
    unknown names and rule ids reused for other rules; the gate's own checks, so a draft that is
    kept can at least be simulated. Labels, dates and references are left to the publish gate."""
    if files.problems:
        return list(files.problems)
    schema = _schema_problems(files)
    seen = {p.path for p in schema}
    ours = structure_problems(files) + condition_problems(files) + name_problems(files)
    return schema + [p for p in ours if p.path not in seen] + reuse_problems(files, published)


def draft_problems(files: KBFiles, published: list[tuple[str, KBFiles]], *, store_name: str) -> list[Problem]:
    """Everything wrong with a draft that can be seen from its files, in a stable order."""
    problems = list(files.problems)
    if files.problems:
        return problems
    if files.name != store_name:
        problems.append(Problem("kb.yaml: name", f"nama basis pengetahuan '{files.name}' bukan '{store_name}'",
                                f"knowledge-base name '{files.name}' is not '{store_name}'"))
    used = {label for label, _ in published}
    if files.version in used:
        problems.append(Problem("kb.yaml: version",
                                f"versi '{files.version}' sudah diterbitkan; beri draf nomor versi baru",
                                f"version '{files.version}' is already published; give the draft a new version"))
    schema = _schema_problems(files)
    problems += schema
    seen = {p.path for p in schema}
    ours = structure_problems(files) + condition_problems(files) + name_problems(files) + reference_problems(files)
    problems += [p for p in ours if p.path not in seen]  # the loader already named these fields
    problems += reuse_problems(files, published)
    return problems


# ---- the publish itself: date, who and why, the what-if report ---------------------------------

def date_problems(effective_from: Any, published: list[PublishedVersion], reason: str, by: str) -> list[Problem]:
    """A publish has a date no earlier than the first published version's and says who publishes and why.

    A date before a later version's is allowed: the new version is inserted and governs the
    cycles up to that version's first (`affected_cycles`); `decision_problems` guards them.
    """
    problems = []
    if not isinstance(effective_from, dt.date):
        return [Problem("effective_from", "harus tanggal ISO (YYYY-MM-DD)", "must be an ISO date (YYYY-MM-DD)")]
    first = min(published, key=lambda pv: pv.effective_from, default=None)
    if first is not None and effective_from < first.effective_from:
        problems.append(Problem(
            "effective_from",
            f"tanggal berlaku {effective_from.isoformat()} sebelum versi terbit pertama "
            f"{first.version} ({first.effective_from.isoformat()}); tidak ada siklus sebelum itu yang diatur",
            f"effective date {effective_from.isoformat()} is before the first published version "
            f"{first.version} ({first.effective_from.isoformat()}); no cycle before it is governed"))
    if not (reason or "").strip():
        problems.append(Problem("reason", "alasan penerbitan wajib diisi", "a reason for publishing is required"))
    if not (by or "").strip():
        problems.append(Problem("by", "nama penerbit wajib diisi", "the publisher's name is required"))
    return problems


def affected_cycles(effective_from: dt.date, published: list[PublishedVersion]) -> tuple[int, int | None]:
    """The cycles a version effective on this date would govern: its first until a later version's (None: open)."""
    first = first_cycle(effective_from)
    return first, governed_until(first, published)


def changed_decisions(draft: Path, items: list[Item], published: list[PublishedVersion],
                      effective_from: dt.date) -> list[ChangedProposal]:
    """The stored decisions (`items`: proposal id, content) of the affected cycles whose verdict the draft changes.

    Each is replayed with the version that governs its cycle now (the one its decision was made
    with: decisions keep their version) and with the draft; only different verdicts are listed.
    """
    first, last = affected_cycles(effective_from, published)
    try:
        baseline = pick_in_force(published, cycle_date(first))
    except UnknownVersion:
        return []
    cycles = sorted({int(item.get("cycle", 0)) for _, item in items
                     if int(item.get("cycle", 0)) >= first and (last is None or int(item.get("cycle", 0)) <= last)})
    if not cycles:
        return []
    report = simulate(draft, items, baseline_dir=baseline.content_dir, baseline_version=baseline.version,
                      cycles=cycles, workers=1)
    return list(report.changed)


def decision_problems(changed: list[ChangedProposal], confirmed: bool) -> list[Problem]:
    """Stored decisions that would change refuse the publish until the publisher confirms them, each named."""
    if confirmed or not changed:
        return []
    problems = [Problem("confirm_changes",
                        f"{len(changed)} keputusan tersimpan akan berubah dengan versi ini; periksa daftarnya "
                        f"lalu konfirmasi perubahan",
                        f"{len(changed)} stored decision(s) would change with this version; review the list "
                        f"and confirm the changes")]
    for c in changed:
        problems.append(Problem(
            f"confirm_changes: {c.ref}",
            f"siklus {c.cycle}, {c.kelurahan} RW {c.rw:02d}: {VERDICT_WORDS[c.before][0]} menjadi "
            f"{VERDICT_WORDS[c.after][0]}",
            f"cycle {c.cycle}, {c.kelurahan} RW {c.rw:02d}: {VERDICT_WORDS[c.before][1]} becomes "
            f"{VERDICT_WORDS[c.after][1]}"))
    return problems


def whatif_problems(report: WhatIfReport | None, report_hash: str, latest: PublishedVersion | None,
                    cycle: int) -> list[Problem]:
    """A what-if report exists for this content (label aside), covers the latest completed cycle and
    compared against the latest published version."""
    where = f"whatif/{report_hash.split(':')[-1]}.json"
    if report is None:
        return [Problem(where, f"belum ada laporan what-if untuk isi draf ini ({report_hash[:19]}…); "
                               f"jalankan simulasi terhadap siklus {cycle} dulu",
                        f"no what-if report for this draft content ({report_hash[:19]}…); "
                        f"simulate it against cycle {cycle} first")]
    problems = []
    if cycle not in report.cycles:
        problems.append(Problem(f"{where}: cycles",
                                f"laporan what-if tidak mencakup siklus selesai terakhir {cycle}",
                                f"the what-if report does not cover the latest completed cycle {cycle}"))
    baseline = report.baseline.version
    if latest is not None and baseline != latest.version:
        problems.append(Problem(f"{where}: baseline.version",
                                f"laporan what-if dibandingkan dengan versi {baseline}, bukan versi terbit "
                                f"terakhir {latest.version}; jalankan simulasi lagi",
                                f"the what-if report compared against version {baseline}, not the latest "
                                f"published version {latest.version}; simulate again"))
    return problems


def unpublished_problems(source: PublishedVersion | None, version: str,
                         published: list[PublishedVersion]) -> list[Problem]:
    """A rollback goes back to a version that was published."""
    if source is not None:
        return []
    known = ", ".join(v.version for v in published)
    return [Problem("version", f"versi '{version}' belum pernah diterbitkan (yang ada: {known})",
                    f"version '{version}' was never published (published: {known})")]


def label_problems(label: str, published: list[PublishedVersion]) -> list[Problem]:
    """A new version's label is not taken."""
    if any(pv.version == label for pv in published):
        return [Problem("label", f"versi '{label}' sudah diterbitkan", f"version '{label}' is already published")]
    return []


# ---- the engine's half: lint, compile every cycle, the draft's own rule tests -----------------

def engine_problems(draft_dir: str, last_cycle: int) -> list[dict[str, str]]:
    """Worker task: lint, compile every cycle from the first dated value to `last_cycle`, run the rule tests."""
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
    problems = []
    for cycle in cycles_to_compile(kb, last_cycle):
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


def engine_gate(last_cycle: int) -> Check:
    """The engine's half of the gate, run in a disposable spawned process (compiling registers rulesets,
    and the calling process never registers a draft)."""

    def run(draft: Path) -> list[Problem]:
        with worker_pool(1) as pool:
            found = pool.submit(engine_problems, str(draft), last_cycle).result()
        return [Problem(**p) for p in found]

    return run


def last_cycle_to_compile(latest_completed_cycle: int, effective_from: Any) -> int:
    """A draft must compile up to the cycle after the later of its effective year and the latest completed one."""
    if isinstance(effective_from, dt.date):
        return max(latest_completed_cycle + 1, effective_from.year + 1)
    return latest_completed_cycle + 1
