"""A simulation job survives a restart of the real server: its state is read afterwards, never lost."""

from __future__ import annotations

import re
import signal
import time

import httpx
import psutil
import pytest

from knowledge.versions import SHIPPED_KB
from tests.service.helpers import cli_key, running_server

BASE = "/v1/knowledge-bases/ppm-cimahi"
SYNTHETIC_CYCLES = [2018, 2019, 2021, 2022, 2023, 2024, 2025]


def draft_files() -> dict[str, str]:
    files = {p.relative_to(SHIPPED_KB).as_posix(): p.read_text(encoding="utf-8")
             for p in SHIPPED_KB.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    files["kb.yaml"] = re.sub(r"^version:.*$", 'version: "2027.restart"', files["kb.yaml"], count=1, flags=re.M)
    return files


def poll(base: str, url: str, headers: dict, until, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = httpx.get(f"{base}{url}", headers=headers, timeout=10).json()
        if until(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


@pytest.fixture
def environment(tmp_path):
    return {"BERDAYA_KB_STORE": str(tmp_path / "store")}


def test_a_simulation_running_when_the_server_is_killed_reads_as_interrupted_after_the_restart(
        tmp_path, environment):
    url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    with running_server(url, 1, tmp_path, **environment) as (base, env, _), httpx.Client(timeout=60) as http:
        headers = {"Authorization": f"Bearer {cli_key(env, 'policy')}"}
        up = http.post(f"{base}{BASE}/drafts", json={"files": draft_files()}, headers=headers)
        assert up.status_code == 201, up.text
        draft = up.json()["draft_id"]
        jobs = f"{BASE}/drafts/{draft}/simulations"
        short = http.post(f"{base}{jobs}", json={"cycles": [2025], "source": "synthetic"}, headers=headers).json()
        poll(base, f"{jobs}/{short['job_id']}", headers, lambda b: b["status"] == "done")
        long = http.post(f"{base}{jobs}", json={"cycles": SYNTHETIC_CYCLES, "source": "synthetic"},
                         headers=headers).json()
        poll(base, f"{jobs}/{long['job_id']}", headers, lambda b: b["status"] == "running" and b["done"] > 0)
        server = pid_listening(base)
        workers = server.children(recursive=True)
        assert workers, "the simulation's worker processes were not found"
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        # The what-if's workers end with the server (policy.processes), none is left with parent 1.
        _, alive = psutil.wait_procs(workers, timeout=60)
        assert alive == [], [(p.pid, p.status()) for p in alive]

    with running_server(url, 1, tmp_path, **environment) as (base, env, _):
        after = httpx.get(f"{base}{jobs}/{long['job_id']}", headers=headers, timeout=10).json()
        assert after["status"] == "interrupted"
        assert "berhenti" in after["error"]["message"]["id"] and "stopped" in after["error"]["message"]["en"]
        finished = httpx.get(f"{base}{jobs}/{short['job_id']}", headers=headers, timeout=10).json()
        assert finished["status"] == "done"
        report = httpx.get(finished["result"], headers=headers, timeout=10).json()
        assert report["cycles"] == [2025] and report["totals"]["proposals"] > 0


def pid_listening(base: str):
    """The server process answering at `base` (the uvicorn process `berdaya serve` became)."""
    port = int(base.rsplit(":", 1)[1])
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            return psutil.Process(conn.pid)
    raise AssertionError(f"no process listens on {port}")
