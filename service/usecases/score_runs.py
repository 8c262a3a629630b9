"""Score runs of any size: every row checked first (a bad cell scores nothing), then scored in chunks as a
background job with progress (`service.jobs`), the units kept so pages filter, sort and page over them.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from calibration.data import name_is_synthetic
from scoring.inputs import read_rows
from service import repository_evaluations as store
from service.auth import Principal
from service.deps import Services
from service.jobs import Job, JobContext, JobOutcome
from service.models import ScoreRun, ScoreUnit
from service.schemas_evaluations import RunProgress, ScoreRunPublic, UnitPage
from service.usecases.scores import new_run, score_table_in_chunks

JOB_KIND = "score-run"


def _synthetic(rows: list[dict[str, Any]], source: str) -> bool:
    """Rows marked synthetic, or a file named so (the demo generator's evaluations_SINTETIS.xlsx)."""
    return name_is_synthetic(PurePath(source).name) or any(
        str(r.get("synthetic")).strip().lower() in {"1", "true", "ya", "yes"} for r in rows)


def start_run(services: Services, key: Principal, rows: list[dict[str, Any]], *, source: str,
              lang: str = "id") -> ScoreRunPublic:
    """Check every row (InvalidInput names row and column; nothing is stored), then score in the background."""
    read_rows(services.engines.definition(), rows, source=source)
    run = new_run(services, key, source=source, synthetic=_synthetic(rows, source), rows=len(rows))

    def work(ctx: JobContext) -> JobOutcome:
        def progress(done: int, total: int) -> None:
            ctx.progress(done, total, note={"id": f"{done} dari {total} baris dinilai",
                                            "en": f"{done} of {total} rows scored"})

        scored = score_table_in_chunks(services, key, run.id, rows, source=source, lang=lang, progress=progress)
        return JobOutcome(result_ref=run.id, result={"rows": scored})

    job = services.jobs.start(JOB_KIND, work, params={"run_id": run.id, "rows": len(rows), "source": source},
                              subject=run.id, started_by=key.key_id)
    with services.db.session() as session:
        store.set_run_job(session, run.id, job.job_id)
    return _public(services, run, job, stored=0)


def _public(services: Services, run: ScoreRun, job: Job | None, stored: int) -> ScoreRunPublic:
    return ScoreRunPublic(id=run.id, index_name=run.index_name, source=run.source, synthetic=run.synthetic,
                          rows=run.rows, stored_units=stored, job=None if job is None else RunProgress.of(job),
                          created_at=run.created_at)


def get_run(services: Services, run_id: str) -> ScoreRunPublic:
    with services.db.session() as session:
        run = store.get_run(session, run_id)
        stored = store.count_units(session, run_id)
    job = services.jobs.get(run.job_id, kind=JOB_KIND) if run.job_id else None
    return _public(services, run, job, stored)


def latest_runs(services: Services, limit: int = 10) -> list[ScoreRunPublic]:
    with services.db.session() as session:
        runs = store.list_runs(session, limit)
    return [get_run(services, r.id) for r in runs]


def unit_of(row: ScoreUnit) -> dict[str, Any]:
    return {**row.unit, "unit_id": row.id, "calibration_id": row.calibration_id}


def units_page(services: Services, run_id: str, query: store.UnitQuery) -> UnitPage:
    with services.db.session() as session:
        store.get_run(session, run_id)
        rows, total = store.query_units(session, run_id, query)
    return UnitPage(run_id=run_id, items=[unit_of(r) for r in rows], total=total, offset=query.offset,
                    limit=query.limit)


def run_units(services: Services, run_id: str) -> list[ScoreUnit]:
    with services.db.session() as session:
        store.get_run(session, run_id)
        return store.all_units(session, run_id)
