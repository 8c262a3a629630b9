"""Background jobs of policy tuning (simulations): status, progress and result, one table per process.

A job runs a function in a thread; the function reports progress through the callback it
is given and returns the job's result. Finished jobs are kept (the newest `keep`) so that
their status and result can be read afterwards. The table is in memory: a job lives as
long as the process that started it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from knowledge.errors import InvalidInput

Progress = Callable[[int, int], None]


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(BaseModel):
    """A job's state as it is read (a copy: the table keeps the live one)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    job_id: str
    subject: str = Field(description="What the job is about (a draft id)")
    status: JobStatus = JobStatus.QUEUED
    done: int = 0
    total: int | None = None
    result: Any = None
    error: dict[str, Any] | None = None


def error_of(exc: BaseException) -> dict[str, Any]:
    """A job's failure as data: the bilingual message and, for invalid input, every problem."""
    if isinstance(exc, InvalidInput):
        return {"message": {"id": exc.message_id, "en": exc.message_en},
                "errors": [p.as_dict() for p in exc.problems]}
    return {"message": {"id": f"simulasi gagal: {exc}", "en": f"simulation failed: {exc}"}}


class Jobs:
    """The jobs of one process; at most `parallel` run at once (each may use several worker processes)."""

    def __init__(self, *, keep: int = 50, parallel: int = 1) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._running = threading.Semaphore(parallel)
        self.keep = keep

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = job.model_copy(update=changes)

    def start(self, subject: str, work: Callable[[Progress], Any]) -> Job:
        """Queue `work(progress)` in a thread of its own; returns the queued job."""
        job = Job(job_id=uuid.uuid4().hex[:12], subject=subject)
        with self._lock:
            self._jobs[job.job_id] = job
            finished = [k for k, j in self._jobs.items() if j.status in (JobStatus.DONE, JobStatus.FAILED)]
            for old_id in finished[:max(0, len(self._jobs) - self.keep)]:
                del self._jobs[old_id]
        threading.Thread(target=self._run, args=(job.job_id, work), name=f"policy-job-{job.job_id}",
                         daemon=True).start()
        return job

    def _run(self, job_id: str, work: Callable[[Progress], Any]) -> None:
        def progress(done: int, total: int) -> None:
            self._update(job_id, status=JobStatus.RUNNING, done=done, total=total)

        try:
            with self._running:
                result = work(progress)
            self._update(job_id, status=JobStatus.DONE, result=result)
        except Exception as exc:  # a job's failure is reported on the job, not lost in a thread
            self._update(job_id, status=JobStatus.FAILED, error=error_of(exc))

    def get(self, job_id: str, subject: str | None = None) -> Job | None:
        """The job (a copy), or None when there is none with this id (for this subject)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (subject is not None and job.subject != subject):
            return None
        return job
