"""What-if worker processes end when their parent dies: a real what-if in a subprocess, its parent
killed with SIGKILL, and no worker left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from policy.processes import worker_pool

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60  # a bound on waiting for the workers to go, not a measured duration

SCRIPT = """
from knowledge.versions import SHIPPED_KB
from policy.whatif import simulate, synthetic_items

items = synthetic_items([2021, 2022, 2023, 2024, 2025]) * 6
def progress(done, total):
    print(f"progress {done} {total}", flush=True)

simulate(SHIPPED_KB, items, baseline_dir=SHIPPED_KB, baseline_version="2026.1", workers=2, chunk_size=10,
         progress=progress)
print("finished", flush=True)
"""


def test_killing_the_parent_of_a_what_if_leaves_no_worker_behind():
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        for line in parent.stdout:
            done = int(line.split()[1]) if line.startswith("progress") else 0
            if done > 0 or line.startswith("finished"):
                break
        assert line.startswith("progress"), f"the what-if ended before its parent was killed: {line}"
        workers = [p for p in psutil.Process(parent.pid).children(recursive=True) if p.is_running()]
        assert len(workers) >= 2, workers
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        _, alive = psutil.wait_procs(workers, timeout=WAIT_SECONDS)
        assert alive == [], f"workers left behind: {[(p.pid, p.status()) for p in alive]}"
    finally:
        if parent.poll() is None:
            parent.kill()


def _report_parent() -> int:
    return os.getppid()


def _mark(value: str) -> None:
    os.environ["BERDAYA_WORKER_PROBE"] = value


def _probe() -> str | None:
    return os.environ.get("BERDAYA_WORKER_PROBE")


def test_the_pool_runs_its_callers_initializer_after_its_own():
    with worker_pool(1, initializer=_mark, initargs=("set",)) as pool:
        assert pool.submit(_report_parent).result() == os.getpid()
        assert pool.submit(_probe).result() == "set"
