"""End to end: `berdaya serve` as a real process on a free loopback port, spoken to over HTTP."""

import json
import time

import httpx
import pytest

from tests.service.helpers import cli_key, running_server


@pytest.fixture(params=[("sqlite", 1), ("postgresql", 2)], ids=["sqlite-1-worker", "postgresql-2-workers"])
def server(request, tmp_path):
    backend, workers = request.param
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}" if backend == "sqlite" else request.getfixturevalue("postgresql_url")
    with running_server(url, workers, tmp_path) as running:
        yield running


def test_serve_answers_over_http(server, base_proposal):
    base, env, log_path = server
    # The first /readyz compiles the rules while the check workers start: on a busy machine, seconds.
    assert httpx.get(f"{base}/readyz", timeout=60).json()["status"] == "ready"
    check = httpx.post(f"{base}/v1/checks", json=base_proposal, timeout=30)
    assert check.status_code == 200 and check.json()["verdict"] in ("eligible", "needs_revision", "ineligible")

    key = cli_key(env, "facilitator", "Cibabat")
    headers = {"Authorization": f"Bearer {key}"}
    submitted = httpx.post(f"{base}/v1/proposals", json=base_proposal, headers=headers, timeout=30)
    assert submitted.status_code == 201
    again = httpx.post(f"{base}/v1/proposals", json=base_proposal, headers=headers, timeout=30)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    got = httpx.get(f"{base}/v1/proposals/{submitted.json()['id']}", headers=headers)
    assert got.json()["check"] == check.json()
    docs = httpx.get(f"{base}/openapi.json").json()
    assert "/v1/decisions/{decision_id}/replay" in docs["paths"]

    time.sleep(0.3)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    assert any(entry.get("event") == "request" and entry["path"] == "/v1/proposals" for entry in lines)
    assert key not in log_path.read_text()

    # Many clients at once: every worker answers, each proposal gets its own check.
    from concurrent.futures import ThreadPoolExecutor

    def pre_check(rw):
        body = dict(base_proposal, region={"kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": rw})
        return rw, httpx.post(f"{base}/v1/checks", json=body, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = dict(pool.map(pre_check, range(1, 17)))
    assert all(r.status_code == 200 for r in answers.values())
    assert {r.json()["verdict"] for r in answers.values()} == {check.json()["verdict"]}
