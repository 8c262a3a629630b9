"""Bounded load on a locally started `berdaya serve`: POST /v1/checks against GET /healthz.

Starts the server on a free loopback port (a temporary SQLite database), then, in the same
run, drives each endpoint with 16 concurrent clients (threads, one httpx client each) for at
most N requests or T seconds, and reports requests/s with p50/p99 latency. Goal (issue 6):
checks reach at least half of healthz's throughput, with p99 at most twice healthz's.
Only 127.0.0.1 is ever contacted.

    python benchmarks/bench_service.py [--workers 1] [--requests 3000] [--seconds 20] [--clients 16]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from knowledge.documents import parse_proposal, to_jsonable
from knowledge.synthetic import generate_cycles

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "berdaya"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, workdir: Path, database_url: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "BERDAYA_DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
           "BERDAYA_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not become ready")


def load(base: str, method: str, path: str, bodies: list[dict] | None, *, clients: int, requests: int,
         seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        mine, bad = [], 0
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.perf_counter() < stop_at:
                with lock:
                    n = next(counter, None)
                if n is None:
                    break
                t0 = time.perf_counter()
                if bodies is None:
                    r = client.request(method, path)
                else:
                    r = client.request(method, path, json=bodies[n % len(bodies)])
                mine.append(time.perf_counter() - t0)
                bad += r.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"endpoint": f"{method} {path}", "requests": len(latencies), "errors": errors,
            "seconds": round(elapsed, 2), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(q[49] * 1000, 2), "p99_ms": round(q[98] * 1000, 2)}


def proposals(n: int) -> list[dict]:
    data = generate_cycles(cycles=[2022, 2023])
    return [to_jsonable(parse_proposal(p.proposal).model_dump(mode="json")) for p in data.proposals[:n]]


@contextmanager
def scratch_postgres(base_url: str):
    """A randomly named database on the (shared) server, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"berdaya_bench_{secrets.token_hex(5)}"
    admin = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                            autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(workers: int, requests: int, seconds: float, clients: int, database_url: str | None) -> dict:
    bodies = proposals(300)
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(workers, Path(tmp), database_url)
        try:
            # Warm-up: every worker compiles the rules for the cycles used before measuring.
            load(base, "POST", "/v1/checks", bodies, clients=clients, requests=200, seconds=30)
            load(base, "GET", "/healthz", None, clients=clients, requests=200, seconds=30)
            health = load(base, "GET", "/healthz", None, clients=clients, requests=requests, seconds=seconds)
            checks = load(base, "POST", "/v1/checks", bodies, clients=clients, requests=requests, seconds=seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    verdict = {
        "throughput_ratio": round(checks["rps"] / health["rps"], 3),
        "p99_ratio": round(checks["p99_ms"] / health["p99_ms"], 3),
    }
    verdict["goal_met"] = verdict["throughput_ratio"] >= 0.5 and verdict["p99_ratio"] <= 2.0
    return {"workers": workers, "clients": clients, "healthz": health, "checks": checks, **verdict}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=0, help="0 = 1 worker, and 2 as well if the goal is missed")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL server for more than one worker (a scratch database is created there)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "service.json"))
    args = parser.parse_args()
    results = []
    plan = [args.workers] if args.workers else [1]
    for workers in plan:
        if args.database_url and workers > 1:
            with scratch_postgres(args.database_url) as url:
                results.append(run(workers, args.requests, args.seconds, args.clients, url))
        else:
            results.append(run(workers, args.requests, args.seconds, args.clients, None))
    if not args.workers and not results[0]["goal_met"]:
        pg = args.database_url or os.environ.get("BERDAYA_TEST_POSTGRES_URL")
        if pg:
            with scratch_postgres(pg) as url:
                results.append(run(2, args.requests, args.seconds, args.clients, url))
        else:
            print("goal missed with 1 worker; 2 workers need PostgreSQL (--database-url)", file=sys.stderr)
    for r in results:
        for key in ("healthz", "checks"):
            m = r[key]
            print(f"workers={r['workers']} clients={r['clients']} {m['endpoint']:<16} {m['rps']:>8} req/s  "
                  f"p50 {m['p50_ms']:>7} ms  p99 {m['p99_ms']:>7} ms  ({m['requests']} requests, {m['errors']} errors)")
        print(f"  checks/healthz throughput {r['throughput_ratio']}, p99 ratio {r['p99_ratio']}, "
              f"goal {'met' if r['goal_met'] else 'NOT met'}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
