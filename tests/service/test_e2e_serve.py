"""End to end: `berdaya serve` as a real process on a free loopback port, spoken to over HTTP."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent / "berdaya"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=[("sqlite", 1), ("postgresql", 2)], ids=["sqlite-1-worker", "postgresql-2-workers"])
def server(request, tmp_path):
    backend, workers = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    else:
        url = request.getfixturevalue("postgresql_url")
    port = free_port()
    env = {**os.environ, "BERDAYA_DATABASE_URL": url}
    out = open(tmp_path / "stdout.log", "w+")  # noqa: SIM115 (the server writes to it until the fixture ends)
    proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT,
                            cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            out.seek(0)
            proc.kill()
            pytest.fail(f"berdaya serve did not start: {out.read()}")
        time.sleep(0.2)
    yield base, env, tmp_path / "stdout.log"
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    out.close()


def test_serve_answers_over_http(server, base_proposal):
    base, env, log_path = server
    assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
    check = httpx.post(f"{base}/v1/checks", json=base_proposal, timeout=30)
    assert check.status_code == 200 and check.json()["verdict"] in ("eligible", "needs_revision", "ineligible")

    created = subprocess.run([str(BIN), "keys", "create", "--role", "facilitator", "--kelurahan", "Cibabat"],
                             env=env, capture_output=True, text=True, check=True)
    key = re.search(r"key: (bdy_\S+)", created.stdout).group(1)
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
