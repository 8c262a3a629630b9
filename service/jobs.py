"""Background jobs kept in the service's database: any worker process answers their state, none is lost.

A *job* is one long piece of work started by a request (a what-if simulation of a draft, a
calibration fit, ...). Its row in the `jobs` table (migration 0004, SQLite and PostgreSQL)
holds its kind, parameters, who started it, its state, progress, a note, its outcome and its
times; the work itself runs in a thread of the process that started it. Every process reads
any job from the database, so with several workers each one answers for all jobs.

API (one `JobRunner` per app, `services.jobs`):

    job = services.jobs.start("whatif", work, params={"cycles": [2025]}, subject=draft_id,
                              started_by=key.key_id)           # -> Job (queued), returns at once
    services.jobs.get(job.job_id, kind="whatif")               # -> Job | None, from the database
    services.jobs.require(job_id, kind="whatif", subject=...)  # -> Job, or a bilingual 404
    services.jobs.list(kind="whatif", subject=draft_id)        # newest first

`work(ctx: JobContext) -> JobOutcome | None` runs in the background. It reports progress with
`ctx.progress(done, total, note=None)` (a note is {"id": ..., "en": ...}; writes are spaced
out, the last one always lands) and returns `JobOutcome(result_ref=..., result=...)`: a
reference to where the outcome is kept (a report in the version store, a calibration id) and
a small JSON summary. Raising `InvalidInput` fails the job with its bilingual problems; any
other exception fails it with a bilingual message (and a log line with the traceback).

States (`JobState`): queued -> running -> done | failed, or interrupted: the process running
the job stopped before it finished. That is found three ways: the app's shutdown marks its
own live jobs; a starting process marks the live jobs of a process of its host that no
longer exists (a pid with its start time names a process: a restarted container reuses
pids); and a job whose owner has not beaten its heartbeat for `stale_after` seconds is
reported (and stored) as interrupted by whoever reads it. An interrupted job keeps its
parameters, so the caller can start it again; a finished job's row stays, with its outcome.

At most `parallel` jobs of one process run at once (each may use several worker processes);
the others wait, queued.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from knowledge.errors import InvalidInput
from service import repository
from service.db import Database
from service.errors import NotFound
from service.models import JobRow, utcnow
from service.schemas import UtcDatetime

log = logging.getLogger("berdaya.jobs")

INTERRUPTED = {
    "id": "Pekerjaan terhenti karena layanan berhenti saat pekerjaan berjalan; hasilnya tidak ada. Jalankan lagi.",
    "en": "The job stopped because the service stopped while it was running; it has no result. Run it again.",
}


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class Job(BaseModel):
    """A job as read from the database."""

    job_id: str
    kind: str
    subject: str = Field(description="What the job is about (a draft id, an index name)")
    params: dict[str, Any]
    state: JobState
    done: int = 0
    total: int | None = None
    note: dict[str, str] | None = Field(default=None, description="What the job is doing now, {id, en}")
    result_ref: str | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = Field(default=None, description="{message: {id, en}, errors: [...]}")
    started_by: str | None = None
    created_at: UtcDatetime
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.INTERRUPTED)

    @property
    def percent(self) -> int:
        """Progress in whole percent (0 while the total is unknown)."""
        if self.state == JobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


class JobOutcome(BaseModel):
    """What a finished job leaves: where its result is kept, and a small summary."""

    result_ref: str | None = None
    result: dict[str, Any] | None = None


def error_of(exc: BaseException) -> dict[str, Any]:
    """A job's failure as data: the bilingual message and, for invalid input, every problem."""
    if isinstance(exc, InvalidInput):
        return {"message": {"id": exc.message_id, "en": exc.message_en},
                "errors": [p.as_dict() for p in exc.problems]}
    return {"message": {"id": f"pekerjaan gagal: {exc}", "en": f"the job failed: {exc}"}}


class JobContext:
    """What a job's work is given: its id and parameters, and a progress callback."""

    def __init__(self, runner: JobRunner, job_id: str, params: dict[str, Any], started_by: str | None):
        self.job_id, self.params, self.started_by = job_id, params, started_by
        self._runner = runner
        self._last_write = 0.0

    def progress(self, done: int, total: int | None, note: dict[str, str] | None = None) -> None:
        """Record progress; writes are at least `runner.progress_every` seconds apart, except the last."""
        now = time.monotonic()
        if now - self._last_write < self._runner.progress_every and (total is None or done < total):
            return
        self._last_write = now
        values: dict[str, Any] = {"state": JobState.RUNNING.value, "done": done, "total": total,
                                  "heartbeat_at": utcnow()}
        if note is not None:
            values["note"] = note
        self._runner._write(self.job_id, only_live=True, **values)


Work = Callable[[JobContext], JobOutcome | None]


def process_start(pid: int) -> str:
    """When process `pid` started (clock ticks after boot, from /proc), or "" when there is no such process.

    A pid is reused, by a restarted container for instance; a pid with the same start time is the same process.
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


class JobRunner:
    """The jobs of one app: started here, run in threads of this process, read from the database by anyone."""

    def __init__(self, db: Database, *, parallel: int = 1, heartbeat_seconds: float = 5.0,
                 stale_after: float = 60.0, progress_every: float = 0.5):
        self.db = db
        self.heartbeat_seconds, self.stale_after, self.progress_every = heartbeat_seconds, stale_after, progress_every
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.started = process_start(self.pid) or uuid.uuid4().hex[:8]
        self._slots = threading.Semaphore(parallel)
        self._mine: set[str] = set()
        self._lock = threading.Lock()
        self._beating: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def owner(self) -> str:
        return f"{self.host}:{self.pid}:{self.started}"

    # -- reading --------------------------------------------------------------------------
    def get(self, job_id: str, *, kind: str | None = None, subject: str | None = None) -> Job | None:
        """The job, or None when there is none with this id (of this kind, about this subject)."""
        with self.db.session() as session:
            row = repository.get_job(session, job_id)
        if row is None or (kind is not None and row.kind != kind) or (subject is not None and row.subject != subject):
            return None
        return self._checked(row)

    def require(self, job_id: str, *, kind: str | None = None, subject: str | None = None) -> Job:
        job = self.get(job_id, kind=kind, subject=subject)
        if job is None:
            raise NotFound(f"Pekerjaan '{job_id}' tidak ada", f"No job '{job_id}'")
        return job

    def list(self, *, kind: str | None = None, subject: str | None = None, limit: int = 50) -> list[Job]:
        with self.db.session() as session:
            rows = repository.list_jobs(session, kind=kind, subject=subject, limit=limit)
        return [self._checked(row) for row in rows]

    def _checked(self, row: JobRow) -> Job:
        """The row as a Job; a live job whose owner stopped beating is interrupted (and stored so)."""
        if row.state in repository.LIVE_JOB_STATES and row.owner != self.owner:
            beat = row.heartbeat_at if row.heartbeat_at.tzinfo else row.heartbeat_at.replace(tzinfo=dt.UTC)
            if (utcnow() - beat).total_seconds() > self.stale_after:
                self._interrupt(row.id)
                with self.db.session() as session:
                    row = repository.get_job(session, row.id) or row
        return Job(job_id=row.id, kind=row.kind, subject=row.subject, params=row.params, state=JobState(row.state),
                   done=row.done, total=row.total, note=row.note, result_ref=row.result_ref, result=row.result,
                   error=row.error, started_by=row.started_by, created_at=row.created_at,
                   started_at=row.started_at, finished_at=row.finished_at)

    # -- running --------------------------------------------------------------------------
    def start(self, kind: str, work: Work, *, params: dict[str, Any] | None = None, subject: str = "",
              started_by: str | None = None) -> Job:
        """Store the job (queued) and run `work` in a thread of this process; returns at once."""
        now = utcnow()
        row = JobRow(id=uuid.uuid4().hex[:16], kind=kind, subject=subject, params=dict(params or {}),
                     state=JobState.QUEUED.value, done=0, started_by=started_by, owner=self.owner,
                     created_at=now, heartbeat_at=now)
        with self.db.session() as session:
            repository.add_job(session, row)
        with self._lock:
            self._mine.add(row.id)
        self._ensure_heartbeat()
        threading.Thread(target=self._run, args=(row.id, dict(row.params), started_by, work),
                         name=f"job-{kind}-{row.id}", daemon=True).start()
        return self._checked(row)

    def _run(self, job_id: str, params: dict[str, Any], started_by: str | None, work: Work) -> None:
        try:
            with self._slots:
                self._write(job_id, only_live=True, state=JobState.RUNNING.value, started_at=utcnow())
                outcome = work(JobContext(self, job_id, params, started_by)) or JobOutcome()
            self._write(job_id, state=JobState.DONE.value, result_ref=outcome.result_ref, result=outcome.result,
                        finished_at=utcnow(), note=None)
        except Exception as exc:  # a job's failure is reported on the job, not lost in a thread
            if not isinstance(exc, InvalidInput):
                log.exception("job %s failed", job_id)
            self._write(job_id, state=JobState.FAILED.value, error=error_of(exc), finished_at=utcnow())
        finally:
            with self._lock:
                self._mine.discard(job_id)

    def _write(self, job_id: str, *, only_live: bool = False, **values: Any) -> bool:
        with self.db.session() as session:
            return repository.update_job(session, job_id, only_live=only_live, **values)

    def _interrupt(self, job_id: str) -> bool:
        return self._write(job_id, only_live=True, state=JobState.INTERRUPTED.value, error={"message": INTERRUPTED},
                           finished_at=utcnow())

    # -- liveness ---------------------------------------------------------------------------
    def _ensure_heartbeat(self) -> None:
        with self._lock:
            if self._beating is not None and self._beating.is_alive():
                return
            self._beating = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)
            self._beating.start()

    def _beat(self) -> None:
        while not self._stopping.wait(self.heartbeat_seconds):
            with self._lock:
                mine = sorted(self._mine)
            try:
                with self.db.session() as session:
                    repository.beat_jobs(session, mine, utcnow())
            except Exception:  # a missed beat is retried at the next one; the job goes on
                log.warning("job heartbeat not written", exc_info=True)

    def recover(self) -> int:
        """At start: live jobs of a process of this host that is gone become interrupted. Returns how many."""
        self._stopping.clear()
        with self.db.session() as session:
            rows = repository.live_jobs(session)
        count = 0
        for row in rows:
            host, _, rest = row.owner.partition(":")
            pid, _, started = rest.partition(":")
            if host == self.host and pid.isdigit() and process_start(int(pid)) != started:
                count += self._interrupt(row.id)
        return count

    def shutdown(self) -> int:
        """At stop: this process's live jobs become interrupted (their threads die with it). Returns how many."""
        self._stopping.set()
        with self._lock:
            mine = sorted(self._mine)
        return sum(self._interrupt(job_id) for job_id in mine)
