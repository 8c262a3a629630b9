"""Scores: evaluation records to tiers, each cycle with the calibration in force for it, kept as a score run.

Which calibration scores a record is never a guess: an explicit `calibration_id`, else the one
policy staff put in force for the record's cycle (`service.usecases.in_force`), else the index
definition's own cut points. Records are scored in groups that share a calibration; each group is
one stored decision (replayable exactly), and every unit names its calibration. The units are kept
in `score_units` under a score run, so pages filter, sort and page over stored results.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput, Problem
from scoring.inputs import read_rows
from service import repository
from service import repository_evaluations as store
from service.auth import Principal
from service.deps import Services
from service.errors import NotFound
from service.models import Decision, ScoreRun
from service.schemas import ScoreRequest, ScoreResponse

Progress = Callable[[int, int], None]


def _rows(request: ScoreRequest, cap: int) -> list[dict[str, Any]]:
    if (request.record is None) == (request.records is None):
        raise InvalidInput([Problem("record", "isi tepat satu dari 'record' atau 'records'",
                                    "give exactly one of 'record' or 'records'")])
    rows = request.rows()
    if not rows:
        raise InvalidInput([Problem("records", "batch kosong", "empty batch")])
    if len(rows) > cap:
        raise InvalidInput([Problem(
            "records", f"batch berisi {len(rows)} catatan; batasnya {cap}. Berkas besar: unggah di halaman /skor "
                       "atau POST /v1/score-runs (dinilai bertahap)",
            f"the batch has {len(rows)} records; the limit is {cap}. Large files: upload them on the /skor page "
            "or POST /v1/score-runs (scored in chunks)")])
    return rows


def _cycle(row: dict[str, Any]) -> int | None:
    try:
        return int(str(row.get("cycle")).strip())
    except ValueError:
        return None


def calibration_for_cycle(services: Services, session: Session, cycle: int | None) -> dict[str, Any] | None:
    """The artifact in force for `cycle`, or None: the definition's own cut points."""
    if cycle is None:
        return None
    record = store.in_force_for_cycle(session, services.engines.definition().name, cycle)
    return None if record is None else repository.get_calibration(session, record.calibration_id).artifact


def _groups(services: Services, rows: Sequence[dict[str, Any]],
            calibration_id: str | None) -> list[tuple[dict[str, Any] | None, list[int]]]:
    """Row positions grouped by the calibration that scores them, in the order each first appears."""
    with services.db.session() as session:
        if calibration_id is not None:
            return [(repository.get_calibration(session, calibration_id).artifact, list(range(len(rows))))]
        by_cycle = {c: calibration_for_cycle(services, session, c) for c in {_cycle(r) for r in rows}}
    groups: dict[str | None, tuple[dict[str, Any] | None, list[int]]] = {}
    for i, row in enumerate(rows):
        artifact = by_cycle[_cycle(row)]
        groups.setdefault(None if artifact is None else artifact["id"], (artifact, []))[1].append(i)
    return list(groups.values())


def _merged_summary(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    if len(summaries) == 1:
        return summaries[0]
    out: dict[str, Any] = {"units": 0, "scored": 0, "tiers": {}, "borderline": 0, "with_imputed_values": 0}
    for s in summaries:
        for key in ("units", "scored", "borderline", "with_imputed_values"):
            out[key] += s.get(key, 0)
        for tier, n in s.get("tiers", {}).items():
            out["tiers"][tier] = out["tiers"].get(tier, 0) + n
    return out


def score_rows(services: Services, key: Principal, rows: list[dict[str, Any]], *, run_id: str, start: int,
               explain: bool, lang: str, calibration_id: str | None = None) -> ScoreResponse:
    """Score rows (one stored decision per calibration group) and keep their units in run `run_id`."""
    units: list[dict[str, Any] | None] = [None] * len(rows)
    decisions: list[str] = []
    results: list[dict[str, Any]] = []
    groups = _groups(services, rows, calibration_id)
    for artifact, _ in groups:  # every calibration fits the definition before anything is stored
        if artifact is not None:
            services.engines.check_calibration(artifact)
    for artifact, positions in groups:
        part = [rows[i] for i in positions]
        result = services.engines.score(part, calibration=artifact, explain=explain, lang=lang)
        request = {"rows": part, "explain": explain, "lang": lang}
        with services.db.session() as session:
            decision = repository.store_score(
                session, request=request, result=result, index_name=result["index"]["name"],
                index_hash=result["index"]["hash"], calibration_id=result["calibration_id"], key_id=key.key_id)
        decisions.append(decision.id)
        results.append(result)
        for i, unit in zip(positions, result["units"], strict=True):
            units[i] = {**unit, "calibration_id": result["calibration_id"], "decision_id": decision.id}
    done = [u for u in units if u is not None]
    with services.db.session() as session:
        for decision_id in decisions:
            mine = [u for u in done if u["decision_id"] == decision_id]
            store.add_units(session, run_id, decision_id, mine, start + done.index(mine[0]))
    first = results[0]
    ids = {r["calibration_id"] for r in results}
    calibrations = {str(c): u["calibration_id"] for u in done if (c := u.get("cycle")) is not None}
    return ScoreResponse(
        decision_id=decisions[0], decision_ids=decisions, run_id=run_id, index=first["index"],
        calibration_id=next(iter(ids)) if len(ids) == 1 else None, calibrations=calibrations,
        cuts=first["cuts"] if len(results) == 1 else {"by_calibration": {r["calibration_id"]: r["cuts"]
                                                                         for r in results}},
        synthetic=any(r["synthetic"] for r in results), summary=_merged_summary([r["summary"] for r in results]),
        units=done)


def new_run(services: Services, key: Principal, *, source: str, synthetic: bool, rows: int,
            job_id: str | None = None) -> ScoreRun:
    engines = services.engines
    run = ScoreRun(id=uuid.uuid4().hex[:16], index_name=engines.definition().name, index_hash=engines.index_hash(),
                   source=source[:200], synthetic=synthetic, rows=rows, job_id=job_id, key_id=key.key_id)
    with services.db.session() as session:
        return store.add_run(session, run)


def score_records(services: Services, key: Principal, body: ScoreRequest) -> ScoreResponse:
    """Score one record or a batch (capped): one score run, one decision per calibration used."""
    rows = _rows(body, services.settings.max_batch)
    read_rows(services.engines.definition(), rows)
    if body.calibration_id is not None:
        with services.db.session() as session:
            repository.get_calibration(session, body.calibration_id)
    run = new_run(services, key, source="POST /v1/scores", synthetic=_synthetic(rows), rows=len(rows))
    return score_rows(services, key, rows, run_id=run.id, start=0, explain=body.explain, lang=body.lang,
                      calibration_id=body.calibration_id)


def _synthetic(rows: Sequence[dict[str, Any]]) -> bool:
    return any(str(r.get("synthetic")).strip().lower() in {"1", "true", "ya", "yes"} for r in rows)


def score_table_in_chunks(services: Services, key: Principal, run_id: str, rows: list[dict[str, Any]], *,
                          source: str, lang: str, progress: Progress) -> int:
    """Score a whole table in chunks of the batch cap, after checking every row (a bad cell scores nothing)."""
    read_rows(services.engines.definition(), rows, source=source)
    size = services.settings.max_batch
    for start in range(0, len(rows), size):
        score_rows(services, key, rows[start:start + size], run_id=run_id, start=start, explain=True, lang=lang)
        progress(min(start + size, len(rows)), len(rows))
    return len(rows)


def score_decision(services: Services, decision_id: str) -> Decision:
    """A stored score decision (its input rows and output), or NotFound for any other id or kind."""
    with services.db.session() as session:
        decision = repository.get_decision(session, decision_id)
    if decision.kind != "score":
        raise NotFound(f"Keputusan skor '{decision_id}' tidak ada", f"No score decision '{decision_id}'")
    return decision
