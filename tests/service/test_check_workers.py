"""Pre-checks in check worker processes (`service.check_workers`): the same answers as in a thread.

Each test starts an app with `check_workers=2` on SQLite and waits until /readyz says the
workers have started (a spawned worker imports the service, so this takes a second or more).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import psutil
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.check_workers import CheckWorkers
from service.usecases.checks import check_body
from tests.service.helpers import checked_in_force, make_settings, wages_and_over_ceiling

pytestmark = pytest.mark.slow


def wait_until(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "check workers did not start"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workers")
    app = create_app(make_settings(f"sqlite:///{tmp / 'db.sqlite3'}", kb_store=str(tmp / "kb-store"), check_workers=2))
    with TestClient(app) as client:
        wait_until(lambda: client.get("/readyz").json()["check_workers"])
        yield app, client


def test_checks_are_answered_by_the_worker_processes_with_the_check_json(served, proposal):
    app, client = served
    workers = app.state.services.checks
    before = workers.answered
    response = client.post("/v1/checks", json=proposal)
    assert response.status_code == 200, response.text
    assert response.json() == checked_in_force(app, proposal)[0]
    assert workers.answered == before + 1
    pids = workers.pids()
    assert len(pids) == 2 and os.getpid() not in pids and all(psutil.pid_exists(p) for p in pids)


def test_repairs_are_searched_in_the_workers_as_in_a_thread(served):
    app, client = served
    before = app.state.services.checks.answered
    through_workers = client.post("/v1/checks?repair=true", json=wages_and_over_ceiling())
    assert through_workers.status_code == 200 and app.state.services.checks.answered == before + 1
    limits = app.state.services.settings.read_limits()
    in_thread = check_body(app.state.services.engines, through_workers.request.content, limits, True)
    assert through_workers.content == in_thread and through_workers.json()["repair"]["patches"]


def test_a_clients_mistake_gets_the_same_problem_as_without_workers(served, client, proposal):
    app, with_workers = served
    del proposal["team"]["members"]
    expected = client.post("/v1/checks", json=proposal)  # `client`: an app whose checks run in threads
    answered = app.state.services.checks.answered
    response = with_workers.post("/v1/checks", json=proposal)
    assert response.status_code == expected.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json() == expected.json()
    assert app.state.services.checks.answered == answered  # refused by the worker, raised by the thread
    malformed = with_workers.post("/v1/checks", content=b'{"cycle": 2022,', headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and malformed.json()["errors"]


def test_a_worker_that_dies_is_replaced_and_checks_go_on(served, proposal):
    app, client = served
    workers = app.state.services.checks
    victim = workers.pids()[0]
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in workers.pids() and client.get("/readyz").json()["check_workers"])
    assert len(workers.pids()) == 2
    before = workers.answered
    for _ in range(4):
        assert client.post("/v1/checks", json=proposal).status_code == 200
    assert workers.answered == before + 4


def test_until_a_worker_is_ready_checks_run_in_threads(tmp_path, base_proposal):
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", kb_store=str(tmp_path / "kb"), check_workers=1)
    body = json.dumps(base_proposal).encode()

    async def scenario() -> tuple[bytes | None, int, bytes | None]:
        workers = CheckWorkers(settings, check_body)
        workers.start()
        # No loop turn has passed since start: the worker cannot have said it is ready.
        early, starting = await workers.check(body, False), workers.starting
        while workers.starting:
            await asyncio.sleep(0.05)
        late = await workers.check(body, False)
        pids = workers.pids()
        workers.stop()
        assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids)
        return early, starting, late

    early, starting, late = asyncio.run(scenario())
    assert early is None and starting == 1
    assert late is not None and late.startswith(b'{"verdict"')


def test_stopping_the_app_stops_its_workers(tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", kb_store=str(tmp_path / "kb"), check_workers=2))
    with TestClient(app) as client:
        wait_until(lambda: client.get("/readyz").json()["check_workers"])
        pids = app.state.services.checks.pids()
    assert len(pids) == 2
    assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids)
