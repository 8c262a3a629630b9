"""Calibration runs: cut points fitted to the final tiers Berdaya stores, as a background job.

The labels are the final tier of each RW and cycle: the latest tier decision stored (the evaluator's
confirmation or override) over the newest stored score of that RW and cycle; where no decision
exists, the evaluator tier the uploaded evaluation file carried (imported past records). The
report counts both. Everything that can refuse a run (unknown or unscored cycles, too few final
tiers per tier, the minimum being policy data) is checked before the job starts, so a refusal
writes nothing. The finished job stores each fit as a proposed calibration; putting one in force
stays with policy staff (`service.usecases.calibrations.put_in_force`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from calibration.data import CalibrationData
from calibration.fit import CalibrationResult, calibrate_data, calibrators
from calibration.policy import load_calibration_policy
from knowledge.errors import InvalidInput, Problem
from service import repository
from service import repository_evaluations as store
from service.auth import Principal
from service.deps import Services
from service.errors import Conflict
from service.jobs import Job, JobContext, JobOutcome
from service.models import ScoreUnit
from service.schemas_calibration import CalibrationRunPublic, CalibrationRunReport, CalibrationRunRequest, Cycles
from service.schemas_evaluations import RunProgress
from service.usecases.calibration_report import Stored, build_report

JOB_KIND = "calibration-run"
SUBJECT = "stored-final-tiers"


@dataclass(frozen=True)
class Chosen:
    cycles: list[int]
    skipped: list[int]  # inside a range, no stored scores


def _bad_cycles(path: str, text: str) -> InvalidInput:
    return InvalidInput([Problem(path, f"siklus '{text}' tidak sah; contoh 2018-2024 atau 2018,2021",
                                 f"cycles '{text}' are not valid; e.g. 2018-2024 or 2018,2021")])


def _year(text: str, path: str, whole: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", text.strip()) or not 2000 <= int(text) <= 2100:
        raise _bad_cycles(path, whole)
    return int(text)


def choose_cycles(value: Cycles, stored: list[int], path: str) -> Chosen:
    """The stored cycles a request names: a range takes those inside it; a year on its own must be stored."""
    whole = value if isinstance(value, str) else ",".join(str(v) for v in value)
    parts = [p.strip() for p in whole.split(",") if p.strip()]
    chosen: set[int] = set()
    skipped: set[int] = set()
    missing: list[str] = []
    for part in parts:
        if "-" in part:
            lo_text, _, hi_text = part.partition("-")
            lo, hi = _year(lo_text, path, whole), _year(hi_text, path, whole)
            if hi < lo:
                raise _bad_cycles(path, whole)
            inside = {c for c in stored if lo <= c <= hi}
            chosen |= inside
            skipped |= set(range(lo, hi + 1)) - inside
            if not inside:
                missing.append(part)
        elif (year := _year(part, path, whole)) in stored:
            chosen.add(year)
        else:
            missing.append(part)
    if not parts:
        raise InvalidInput([Problem(path, "tidak ada siklus yang dipilih", "no cycles selected")])
    if missing:
        shown, have = ", ".join(missing), ", ".join(str(c) for c in stored) or "–"
        raise InvalidInput([Problem(path, f"siklus {shown} tidak memiliki skor tersimpan (tersimpan: {have}); "
                                          "unggah evaluasinya dulu di /skor",
                                    f"cycles {shown} have no stored scores (stored: {have}); upload their evaluations "
                                    "on /skor first")])
    return Chosen(sorted(chosen), sorted(skipped))


def _indicator_values(unit: ScoreUnit) -> dict[str, float]:
    return {str(i["id"]): float(i["value"]) for i in unit.unit.get("indicators") or []
            if isinstance(i, dict) and isinstance(i.get("value"), (int, float)) and not isinstance(i["value"], bool)}


def _labelled(services: Services, units: list[tuple[ScoreUnit, bool]], cycles: list[int]) -> Stored:
    """The stored units of `cycles` paired with their final tiers, and the count of each label's source."""
    definition = services.engines.definition()
    with services.db.session() as session:
        decisions = {(d.cycle, d.kelurahan, d.rw): d for d in store.tier_decisions(session, definition.name,
                                                                                   cycles=cycles)}
    counts = dict.fromkeys(("decisions", "overridden", "imported", "unlabelled", "unscored"), 0)
    kept: list[tuple[ScoreUnit, int]] = []
    for unit, _ in units:
        if unit.cycle not in cycles:
            continue
        decision = decisions.get((int(unit.cycle), unit.kelurahan, int(unit.rw or 0)))
        if unit.score is None:
            counts["unscored"] += 1
        elif decision is not None:
            counts["decisions"] += 1
            counts["overridden"] += int(decision.final_tier != decision.computed_tier)
            kept.append((unit, decision.final_tier))
        elif unit.evaluator_tier is not None:
            counts["imported"] += 1
            kept.append((unit, int(unit.evaluator_tier)))
        else:
            counts["unlabelled"] += 1
    values = [_indicator_values(u) for u, _ in kept]
    data = CalibrationData(
        scores=np.array([u.score for u, _ in kept], dtype=float), tiers=np.array([t for _, t in kept], dtype=int),
        cycles=np.array([u.cycle for u, _ in kept], dtype=int),
        units=[{"cycle": u.cycle, "kecamatan": u.kecamatan, "kelurahan": u.kelurahan, "rw": u.rw} for u, _ in kept],
        indicators={i: np.array([v.get(i, np.nan) for v in values], dtype=float) for i in definition.indicator_ids},
        unscored=counts["unscored"], synthetic=any(s for u, s in units if u.cycle in cycles))
    return Stored(data=data, sources=counts, units=units)


def _check_enough(services: Services, data: CalibrationData, methods: list[str]) -> None:
    """Too few final tiers in a tier: 422 naming, per tier, how many there are and how many are needed."""
    definition = services.engines.definition()
    policy = load_calibration_policy().min_final_tiers_per_tier
    candidates = calibrators(definition)
    need = max([policy.value, *(int(candidates[m].min_per_tier) for m in methods)])
    counts = np.bincount(data.tiers, minlength=len(definition.tier_ids)) if data.tiers.size else \
        np.zeros(len(definition.tier_ids), dtype=int)
    problems = []
    for level, n in zip(definition.tiers.levels, counts, strict=True):
        if n < need:
            problems.append(Problem(
                f"tier={level.id}",
                f"tingkat {level.name.id}: {n} tingkat akhir di siklus terpilih; perlu sedikitnya {need} per tingkat "
                f"(kebijakan: {policy.source}, {policy.status})",
                f"tier {level.name.en}: {n} final tiers in the chosen cycles; at least {need} per tier are needed "
                f"(policy: {policy.source}, {policy.status})"))
    if problems:
        raise InvalidInput(problems)


def _methods(services: Services, method: str) -> list[str]:
    offered = list(calibrators(services.engines.definition()))
    if method == "all":
        return offered
    if method not in offered:
        raise InvalidInput([Problem("method", "definisi indeks ini tidak memuat titik potong tetap",
                                    "this index definition carries no fixed cut points")])
    return [method]


def start_run(services: Services, key: Principal, body: CalibrationRunRequest) -> CalibrationRunPublic:
    """Check everything that can refuse the run (nothing is written then), then fit in the background."""
    definition = services.engines.definition()
    with services.db.session() as session:
        stored = store.stored_cycles(session, definition.name, services.engines.index_hash())
    chosen = choose_cycles(body.cycles, stored, "cycles")
    reference = chosen.cycles if body.reference_cycles is None else \
        choose_cycles(body.reference_cycles, stored, "reference_cycles").cycles
    methods = _methods(services, body.method)
    with services.db.session() as session:
        units = store.latest_units(session, definition.name, services.engines.index_hash(), stored)
    labelled = _labelled(services, units, chosen.cycles)
    _check_enough(services, labelled.data, methods)
    params = {"cycles": chosen.cycles, "skipped_cycles": chosen.skipped, "reference_cycles": reference,
              "method": body.method, "methods": methods, "bootstrap": body.bootstrap}

    def work(ctx: JobContext) -> JobOutcome:
        fits = _fit_all(services, ctx, labelled, params)
        ids = [_propose(services, fit.artifact, key.key_id) for fit in fits]
        report = build_report(services.engines.definition(), labelled, fits, params,
                              load_calibration_policy().min_final_tiers_per_tier)
        return JobOutcome(result_ref=ids[0], result={"calibration_ids": ids, "report": report.model_dump(mode="json")})

    job = services.jobs.start(JOB_KIND, work, params=params, subject=SUBJECT, started_by=key.key_id)
    return public(job)


def _fit_all(services: Services, ctx: JobContext, labelled: Stored, params: dict[str, Any]) -> list[CalibrationResult]:
    total = int(params["bootstrap"]) * len(params["methods"])
    done = 0

    def tick(step: int) -> None:
        nonlocal done
        done += step
        ctx.progress(done, total, note={"id": f"{done} dari {total} ulangan bootstrap dipasang",
                                        "en": f"{done} of {total} bootstrap replicates fitted"})

    return [calibrate_data(services.engines.definition(), labelled.data, cycles=params["cycles"], method=method,
                           n_bootstrap=int(params["bootstrap"]), seed=0, progress=tick, labels=labelled.sources)
            for method in params["methods"]]


def _propose(services: Services, artifact: dict[str, Any], key_id: str) -> str:
    """Store the fit as a proposed calibration; the same fit run again is the calibration already stored."""
    with services.db.session() as session:
        try:
            return repository.add_calibration(session, artifact, key_id=key_id).id
        except Conflict:  # same content, another creation time: ids are derived from the content
            return str(artifact["id"])


def public(job: Job) -> CalibrationRunPublic:
    result = job.result or {}
    report = result.get("report")
    return CalibrationRunPublic(id=job.job_id, params=job.params, job=RunProgress.of(job), started_by=job.started_by,
                                created_at=job.created_at, calibration_ids=list(result.get("calibration_ids") or []),
                                report=None if report is None else CalibrationRunReport.model_validate(report))


def get_run(services: Services, run_id: str) -> CalibrationRunPublic:
    return public(services.jobs.require(run_id, kind=JOB_KIND))


def list_runs(services: Services, limit: int = 20) -> list[CalibrationRunPublic]:
    return [public(job) for job in services.jobs.list(kind=JOB_KIND, limit=limit)]


def stored_cycles(services: Services) -> list[int]:
    with services.db.session() as session:
        return store.stored_cycles(session, services.engines.definition().name, services.engines.index_hash())
