"""Background jobs kept in the database (service.jobs): read by any process, never lost when one stops."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import delete

from knowledge.errors import InvalidInput, Problem
from service import repository
from service.db import Database
from service.jobs import JobContext, JobOutcome, JobRunner, JobState
from service.models import JobRow
from tests.service.helpers import make_settings


@pytest.fixture
def db(database_url):
    database = Database(make_settings(database_url))
    database.migrate()
    yield database
    with database.session() as session, session.begin():
        session.execute(delete(JobRow))
    database.dispose()


def wait_for(runner: JobRunner, job_id: str, *states: JobState, timeout: float = 20, done: int = 0):
    deadline = time.monotonic() + timeout
    while True:
        job = runner.get(job_id)
        if job is not None and job.state in states and job.done >= done:
            return job
        assert time.monotonic() < deadline, f"job {job_id} is {job and job.state}, not {states}"
        time.sleep(0.05)


def test_another_process_reads_a_jobs_progress_and_its_outcome_from_the_database(db):
    here, elsewhere = JobRunner(db, progress_every=0), JobRunner(db)
    release = threading.Event()

    def work(ctx: JobContext) -> JobOutcome:
        ctx.progress(3, 10, note={"id": "menghitung", "en": "counting"})
        release.wait(10)
        return JobOutcome(result_ref="whatif/runs/x", result={"changed": 7})

    job = here.start("count", work, params={"cycles": [2025]}, subject="draft-1", started_by="key-1")
    running = wait_for(elsewhere, job.job_id, JobState.RUNNING, done=3)
    assert (running.done, running.total, running.note["en"], running.percent) == (3, 10, "counting", 30)
    release.set()
    done = wait_for(elsewhere, job.job_id, JobState.DONE)
    assert (done.result_ref, done.result, done.params, done.started_by) == ("whatif/runs/x", {"changed": 7},
                                                                          {"cycles": [2025]}, "key-1")
    assert done.started_at is not None and done.finished_at >= done.started_at and done.percent == 100


def test_a_job_refused_for_its_input_keeps_every_problem_in_both_languages(db):
    runner = JobRunner(db)

    def work(ctx: JobContext) -> None:
        raise InvalidInput([Problem("parameters/x.yaml: values[0].value", "bukan angka", "not a number")])

    job = wait_for(runner, runner.start("count", work).job_id, JobState.FAILED)
    assert job.error["errors"] == [{"path": "parameters/x.yaml: values[0].value", "id": "bukan angka",
                                    "en": "not a number"}]
    assert job.error["message"]["id"] and job.error["message"]["en"]


def test_a_job_whose_process_is_gone_is_interrupted_when_the_service_starts_again(db):
    before = JobRunner(db)
    before.pid, before.started = 2 ** 22 + 12345, "1"  # a process this host does not have
    blocked = threading.Event()
    job = before.start("count", lambda ctx: blocked.wait(10) and None)
    wait_for(before, job.job_id, JobState.RUNNING)

    after = JobRunner(db)
    assert after.recover() == 1
    found = after.get(job.job_id)
    assert found.state == JobState.INTERRUPTED
    assert "berhenti" in found.error["message"]["id"] and "stopped" in found.error["message"]["en"]
    blocked.set()


def test_a_job_still_running_in_another_live_process_is_left_alone_at_start(db):
    other = JobRunner(db)
    blocked = threading.Event()
    job = other.start("count", lambda ctx: blocked.wait(10) and None)
    wait_for(other, job.job_id, JobState.RUNNING)
    assert JobRunner(db).recover() == 0
    assert JobRunner(db).get(job.job_id).state == JobState.RUNNING
    blocked.set()


def test_a_job_whose_owner_stopped_beating_reads_as_interrupted_from_anywhere(db):
    with db.session() as session:
        repository.add_job(session, JobRow(
            id="stale0000000001", kind="count", subject="", params={}, state="running", done=1, total=5,
            owner="another-host:1:abc", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            heartbeat_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    job = JobRunner(db, stale_after=30).get("stale0000000001")
    assert job.state == JobState.INTERRUPTED and job.done == 1


def test_stopping_the_service_interrupts_its_running_jobs_and_keeps_finished_ones(db):
    runner = JobRunner(db)
    finished = wait_for(runner, runner.start("count", lambda ctx: JobOutcome(result={"n": 1})).job_id, JobState.DONE)
    blocked = threading.Event()
    running = runner.start("count", lambda ctx: blocked.wait(10) and None)
    wait_for(runner, running.job_id, JobState.RUNNING)
    assert runner.shutdown() == 1
    again = JobRunner(db)
    assert again.get(running.job_id).state == JobState.INTERRUPTED
    assert again.get(finished.job_id).result == {"n": 1}
    blocked.set()


def test_jobs_beyond_the_parallel_limit_wait_queued(db):
    runner = JobRunner(db, parallel=1)
    blocked = threading.Event()
    first = runner.start("count", lambda ctx: blocked.wait(10) and None)
    wait_for(runner, first.job_id, JobState.RUNNING)
    second = runner.start("count", lambda ctx: None)
    time.sleep(0.3)
    assert runner.get(second.job_id).state == JobState.QUEUED
    blocked.set()
    wait_for(runner, second.job_id, JobState.DONE)


def test_jobs_are_listed_newest_first_by_kind_and_subject(db):
    runner = JobRunner(db)
    ids = [runner.start("count", lambda ctx: None, subject="a").job_id for _ in range(2)]
    runner.start("other", lambda ctx: None, subject="a")
    listed = runner.list(kind="count", subject="a")
    assert [j.job_id for j in listed] == ids[::-1]
    assert runner.get(ids[0], kind="other") is None
