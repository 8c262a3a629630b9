"""Drafts of a knowledge base through the service: the store it checks with, stored proposals to replay, jobs.

The policy operations themselves are `policy.drafts`'; this module adds what only the service
knows: which store (the engines', or `app.state.kb_store` for another), the proposals
submitted to it (replayed by a what-if), and the background jobs (`service.jobs`, kind
`whatif`) that run simulations; each run's report is kept in the store under the job's id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from knowledge.versions import PublishedVersion, UnknownVersion
from policy import drafts
from policy.edits import Edit, EditRecord
from policy.reports import ChangedProposal, WhatIfReport
from policy.store import KBStore, Stored
from service import repository
from service.deps import Services
from service.errors import Conflict, NotFound
from service.jobs import Job, JobContext, JobOutcome, JobState

WHATIF = "whatif"
Source = Literal["synthetic", "stored"]


def store_of(app: Any) -> KBStore:
    """The version store drafts are kept in and published to: the one the service checks with."""
    store: KBStore = getattr(app.state, "kb_store", None) or app.state.services.engines.store
    return store


def _not_found(exc: UnknownVersion) -> NotFound:
    return NotFound(exc.message_id, exc.message_en)


def draft_path(store: KBStore, draft_id: str) -> Any:
    try:
        return store.draft_path(draft_id)
    except UnknownVersion as exc:
        raise _not_found(exc) from None


def draft_info(store: KBStore, draft_id: str) -> drafts.DraftInfo:
    draft_path(store, draft_id)
    return drafts.draft_info(store, draft_id)


def save_draft(services: Services, store: KBStore, files: dict[str, bytes], by: str) -> drafts.DraftInfo:
    """Keep an uploaded draft within the quota of the settings (409 past it) after the gate's upload checks."""
    quota = drafts.DraftQuota(per_key=services.settings.max_drafts_per_key, total=services.settings.max_drafts)
    try:
        return drafts.save_bundle(store, files, by=by, quota=quota)
    except drafts.DraftQuotaExceeded as exc:
        raise Conflict(exc.message_id, exc.message_en) from None


def delete_draft(store: KBStore, draft_id: str) -> None:
    draft_path(store, draft_id)
    drafts.remove_draft(store, draft_id)


def start_draft(store: KBStore, version: str, *, by: str) -> drafts.DraftInfo:
    """A new draft from a published version (recorded in the edit log)."""
    try:
        return drafts.start_draft(store, version, by=by)
    except UnknownVersion as exc:
        raise _not_found(exc) from None


def apply_edit(store: KBStore, draft_id: str, edit: Edit, *, by: str) -> drafts.DraftInfo:
    """One typed edit of a draft: the new draft, or the problems it introduced (nothing saved)."""
    draft_path(store, draft_id)
    return drafts.apply_draft_edit(store, draft_id, edit, by=by)


def edit_history(store: KBStore, draft_id: str) -> list[EditRecord]:
    draft_path(store, draft_id)
    return store.edit_history(draft_id)


def diff_draft(store: KBStore, draft_id: str, against: str | None) -> dict[str, Any]:
    draft_path(store, draft_id)
    try:
        return drafts.diff_draft(store, draft_id, against)
    except UnknownVersion as exc:
        raise _not_found(exc) from None


def stored_items(services: Services, cycles: list[int]) -> list[tuple[str, dict[str, Any]]]:
    """The active proposals submitted to this service in `cycles`, as (proposal id, content)."""
    items = []
    with services.db.session() as session:
        for cycle in cycles:
            offset = 0
            while True:
                rows, total = repository.list_proposals(session, cycle=cycle, offset=offset, limit=500)
                items += [(row.id, row.content) for row in rows if row.status == "active"]
                offset += len(rows)
                if not rows or offset >= total:
                    break
    return items


def start_simulation(services: Services, store: KBStore, draft_id: str, *, cycles: list[int], source: Source,
                     as_of: int | None, by: str | None = None) -> Job:
    """A background what-if of a draft over stored proposals (read now) or the SYNTHETIC cycles (made in the job)."""
    draft = draft_path(store, draft_id)
    drafts.require_valid(drafts.draft_info(store, draft_id))
    chosen = sorted(set(cycles))
    items = None if source == "synthetic" else stored_items(services, chosen)

    def work(ctx: JobContext) -> JobOutcome:
        report = drafts.simulate_draft(store, draft, items, cycles=chosen, synthetic=source == "synthetic",
                                       source=source, as_of=as_of, progress=ctx.progress, run_id=ctx.job_id)
        return JobOutcome(result_ref=f"whatif/runs/{ctx.job_id}", result=report.totals.model_dump())

    params = {"draft_id": draft_id, "cycles": chosen, "source": source, "as_of_cycle": as_of}
    return services.jobs.start(WHATIF, work, params=params, subject=draft_id, started_by=by)


def simulation(services: Services, draft_id: str, job_id: str) -> Job:
    job = services.jobs.get(job_id, kind=WHATIF, subject=draft_id)
    if job is None:
        raise NotFound(f"Simulasi '{job_id}' tidak ada", f"No simulation '{job_id}'")
    return job


def simulations(services: Services, draft_id: str) -> list[Job]:
    """The what-if jobs of a draft, newest first."""
    return services.jobs.list(kind=WHATIF, subject=draft_id)


def simulation_report(services: Services, store: KBStore, draft_id: str, job_id: str) -> WhatIfReport:
    """The report of a finished simulation, read back from the store (it outlives the process that made it)."""
    job = simulation(services, draft_id, job_id)
    report = store.find_whatif_run(job_id) if job.state == JobState.DONE else None
    if report is None:
        raise NotFound(f"Simulasi '{job_id}' belum selesai ({job.state})",
                       f"Simulation '{job_id}' has not finished ({job.state})")
    return report


def stored_loader(services: Services, today: dt.date | None = None) -> Stored:
    """Stored proposals of cycles `first` to `last` (None: up to the cycle after next, the latest one taken)."""

    def load(first: int, last: int | None) -> list[tuple[str, dict[str, Any]]]:
        end = last if last is not None else max(first, (today or dt.date.today()).year + 2)
        return stored_items(services, list(range(first, end + 1)))

    return load


def publish(services: Services, store: KBStore, draft_id: str, *, effective_from: dt.date, reason: str, by: str,
            latest_completed_cycle: int | None, confirm_changes: bool = False) -> PublishedVersion:
    """Publish a draft through the whole gate; checks of its cycles use it from the next request.

    Stored decisions of the cycles it would govern whose verdict changes refuse it until confirmed."""
    pv = drafts.publish_draft(store, draft_path(store, draft_id), effective_from=effective_from, reason=reason,
                              by=by, latest_completed_cycle=latest_completed_cycle,
                              stored=stored_loader(services), confirm_changes=confirm_changes)
    services.engines.published()
    return pv


def decisions_changed(services: Services, store: KBStore, draft_id: str,
                      effective_from: dt.date) -> list[ChangedProposal]:
    """The stored decisions the gate would list for a publish of this draft from `effective_from`."""
    return drafts.decisions_changed(store, draft_path(store, draft_id), effective_from=effective_from,
                                    stored=stored_loader(services))
