"""Load on a locally started `berdaya serve`, driven by wrk: POST /v1/checks against GET /healthz.

wrk (a load generator written in C; Debian package `wrk`) must be on PATH: a Python client
would measure itself. One run, on synthetic (SINTETIS) data, only 127.0.0.1 contacted:

1. one uvicorn worker on SQLite, as `berdaya serve` starts it (its pre-checks in 2 check
   worker processes): GET /healthz, then POST /v1/checks with a held-out clean proposal (a
   seed the demo data does not use), 16 connections, 2 threads, same server;
2. the same server, one connection: the median server time of a check, read from the
   `Server-Timing` header each response carries (the client's own time is left out);
3. beside it, POST /v1/checks on a server with `--check-workers 0` (checks in threads of the
   server's process, as before the check workers), to show what the processes change;
4. on PostgreSQL (`--database-url`, else `BERDAYA_TEST_POSTGRES_URL`), POST /v1/checks with
   1 worker and with 2 workers, each on a scratch database dropped afterwards.

Goals (issue 18, never asserted by a test): checks >= 0.7x healthz throughput, checks p99
<= 2x healthz p99, one-connection median server time <= 1 ms. The machine's load average is
printed: on a shared machine compare the ratios of one run, not absolute figures.

    python benchmarks/bench_service.py [--seconds 8] [--connections 16] [--threads 2] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.documents import parse_proposal, to_jsonable
from knowledge.synthetic import generate_cycles

BIN = Path(sys.executable).parent / "berdaya"
HELD_OUT_SEED = 9_999  # the demo data and the tests use other seeds

# Prints wrk's summary as one JSON line; latencies in microseconds. With `timing`, each
# response's Server-Timing duration (ms) is kept per thread and the median reported.
LUA = r"""
local body_file = os.getenv("BENCH_BODY")
local timing = os.getenv("BENCH_TIMING") == "1"
if body_file then
  local f = assert(io.open(body_file, "rb")); wrk.body = f:read("*a"); f:close()
  wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
durations = {}
if timing then
  function response(status, headers, body)
    local st = headers["Server-Timing"] or headers["server-timing"]
    if st then
      local d = st:match("dur=([%d%.]+)")
      if d then durations[#durations + 1] = tonumber(d) end
    end
  end
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for _, d in ipairs(t:get("durations") or {}) do all[#all + 1] = d end
  end
  table.sort(all)
  local median = #all > 0 and all[math.floor((#all + 1) / 2)] or -1
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"seconds":%.3f,"errors":%d,"p50_us":%d,"p99_us":%d,"timed":%d,"server_median_ms":%.4f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), #all, median))
end
"""


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench_service: wrk was not found on PATH. Install it (Debian/Ubuntu: "
                         "`apt-get install wrk`, macOS: `brew install wrk`) and run again.")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(base: str) -> bool:
    """Ready, check workers started, on enough answers in a row to have reached every uvicorn worker."""
    try:
        for _ in range(12):
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:
                if r.status != 200 or not json.load(r).get("check_workers", True):
                    return False
        return True
    except OSError:
        return False


@contextmanager
def server(workers: int, workdir: Path, database_url: str | None, check_workers: int | None = None):
    port = free_port()
    env = {**os.environ, "BERDAYA_DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
           "BERDAYA_LOG_LEVEL": "WARNING", "BERDAYA_KB_STORE": str(workdir / "kb-store")}
    extra = ["--check-workers", str(check_workers)] if check_workers is not None else []
    proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers), *extra], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while not ready(base):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"server with {workers} worker(s) did not become ready")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Wrk:
    def __init__(self, workdir: Path, body: bytes):
        self.exe = wrk_path()
        self.script = workdir / "bench.lua"
        self.script.write_text(LUA, encoding="utf-8")
        self.body = workdir / "proposal.json"
        self.body.write_bytes(body)

    def run(self, url: str, *, post: bool, connections: int, threads: int, seconds: float,
            timing: bool = False) -> dict:
        env = {**os.environ, "BENCH_TIMING": "1" if timing else "0"}
        if post:
            env["BENCH_BODY"] = str(self.body)
        cmd = [self.exe, "-c", str(connections), "-t", str(min(threads, connections)), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", str(self.script), url]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        line = next(x for x in out.splitlines() if x.startswith("BENCH "))
        m = json.loads(line[len("BENCH "):])
        m["rps"] = m["requests"] / m["seconds"]
        return m


def held_out_body() -> bytes:
    """A clean synthetic proposal of cycle 2026 generated from a seed nothing else uses."""
    data = generate_cycles(seed=HELD_OUT_SEED, cycles=[2026])
    clean = next(p for p in data.proposals if p.clean)
    return json.dumps(to_jsonable(parse_proposal(clean.proposal).model_dump(mode="json"))).encode()


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


def main_run(wrk: Wrk, base: str, args: argparse.Namespace) -> dict:
    checks, health = f"{base}/v1/checks", f"{base}/healthz"
    load = {"connections": args.connections, "threads": args.threads, "seconds": args.seconds}
    wrk.run(checks, post=True, **{**load, "seconds": 2})  # warm-up: the cycle's rules compile once
    wrk.run(health, post=False, **{**load, "seconds": 1})
    result = {"healthz": wrk.run(health, post=False, **load), "checks": wrk.run(checks, post=True, **load),
              "one_connection": wrk.run(checks, post=True, connections=1, threads=1, seconds=args.seconds,
                                        timing=True)}
    result["throughput_ratio"] = result["checks"]["rps"] / result["healthz"]["rps"]
    result["p99_ratio"] = result["checks"]["p99_us"] / max(1, result["healthz"]["p99_us"])
    return result


def threads_run(wrk: Wrk, base: str, args: argparse.Namespace) -> dict:
    """POST /v1/checks with the checks in threads of the server's process (--check-workers 0)."""
    load = {"connections": args.connections, "threads": args.threads, "seconds": args.seconds}
    wrk.run(f"{base}/v1/checks", post=True, **{**load, "seconds": 2})
    return wrk.run(f"{base}/v1/checks", post=True, **load)


def scale_run(wrk: Wrk, workdir: Path, pg: str, args: argparse.Namespace) -> dict:
    rates = {}
    for workers in (1, 2):
        with scratch_postgres(pg) as url, server(workers, workdir / f"pg{workers}", url) as base:
            load = {"connections": args.connections, "threads": args.threads, "seconds": args.seconds}
            wrk.run(f"{base}/v1/checks", post=True, **{**load, "seconds": 2})  # every worker compiles
            rates[workers] = wrk.run(f"{base}/v1/checks", post=True, **load)
    return {"one_worker": rates[1], "two_workers": rates[2], "ratio": rates[2]["rps"] / rates[1]["rps"]}


def report(main: dict, scale: dict | None, args: argparse.Namespace) -> None:
    print(f"# bench_service: wrk, {args.connections} connections, {args.threads} threads, {args.seconds:g} s each; "
          f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} (server and wrk share the machine)")
    print("| what | req/s | p50 | p99 | errors |")
    print("|---|---|---|---|---|")
    rows = [("GET /healthz, 1 worker, SQLite", main["healthz"]), ("POST /v1/checks, 1 worker, SQLite", main["checks"]),
            ("POST /v1/checks, 1 connection", main["one_connection"]),
            ("POST /v1/checks, 1 worker, SQLite, checks in threads (--check-workers 0)", main["threads"])]
    if scale:
        rows += [("POST /v1/checks, 1 worker, PostgreSQL", scale["one_worker"]),
                 ("POST /v1/checks, 2 workers, PostgreSQL", scale["two_workers"])]
    for label, m in rows:
        print(f"| {label} | {m['rps']:,.0f} | {m['p50_us'] / 1000:.2f} ms | {m['p99_us'] / 1000:.2f} ms | {m['errors']} |")
    one = main["one_connection"]
    goals = [("checks / healthz throughput", f"{main['throughput_ratio']:.2f}x", ">= 0.7x", main["throughput_ratio"] >= 0.7),
             ("checks p99 / healthz p99", f"{main['p99_ratio']:.2f}x", "<= 2x", main["p99_ratio"] <= 2),
             ("median server time of a check, 1 connection", f"{one['server_median_ms']:.3f} ms "
              f"({one['timed']} responses)", "<= 1 ms", 0 <= one["server_median_ms"] <= 1)]
    print("| goal | measured | target | met |")
    print("|---|---|---|---|")
    for label, value, target, met in goals:
        print(f"| {label} | {value} | {target} | {'yes' if met else 'no'} |")
    if scale:
        print(f"| 2 workers / 1 worker on PostgreSQL, checks | {scale['ratio']:.2f}x | - | |")
    else:
        print("scale-out not measured: no PostgreSQL (--database-url or BERDAYA_TEST_POSTGRES_URL)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("BERDAYA_TEST_POSTGRES_URL"),
                        help="PostgreSQL server for the 1 vs 2 worker run (a scratch database is made there)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "service.json"))
    args = parser.parse_args(argv)
    wrk_path()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        wrk = Wrk(workdir, held_out_body())
        (workdir / "sqlite").mkdir()
        with server(1, workdir / "sqlite", None) as base:
            main_result = main_run(wrk, base, args)
        (workdir / "threads").mkdir()
        with server(1, workdir / "threads", None, check_workers=0) as base:
            main_result["threads"] = threads_run(wrk, base, args)
        scale = None
        if args.database_url:
            for n in (1, 2):
                (workdir / f"pg{n}").mkdir()
            scale = scale_run(wrk, workdir, args.database_url, args)
    report(main_result, scale, args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"main": main_result, "scale": scale}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
