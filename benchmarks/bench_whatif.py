"""What-if replay of a draft over every synthetic cycle (every RW, 2018-2026 without the suspended 2020) through durable-rules.

The draft is the shipped knowledge base with one policy change (the women's share of the
musyawarah raised to 0.40 from 2022). Every proposal is checked under the published version
and under the draft, in 2 spawned worker processes (worker start-up, compiling both
knowledge bases for every cycle, and the report included). Generation of the SYNTHETIC
proposals is timed separately. Goal (issue 7): the replay under 10 s on a 2-core machine.

    python benchmarks/bench_whatif.py [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.synthetic import load_settings
from knowledge.versions import SHIPPED_KB
from policy.store import KBStore
from policy.whatif import simulate, synthetic_items

CYCLES = list(load_settings().default_cycles)   # the suspended 2020 has no proposals


def make_draft(target: Path) -> Path:
    shutil.copytree(SHIPPED_KB, target)
    path = target / "parameters" / "min_women_attendance_share.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["values"][dt.date(2022, 1, 1)] = {
        "value": 0.40, "reference": "Rapat evaluasi tahunan (benchmark)", "status": "assumed",
        "modelled_on": "Ambang 30% P2KP dinaikkan untuk uji kinerja / P2KP 30% raised for the benchmark"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = KBStore(Path(tmp) / "store")
        latest = store.latest()
        draft = make_draft(Path(tmp) / "draft")
        t0 = time.perf_counter()
        items = synthetic_items(CYCLES)
        generated = time.perf_counter() - t0
        t1 = time.perf_counter()
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self0 = resource.getrusage(resource.RUSAGE_SELF)
        report = simulate(draft, items, baseline_dir=latest.content_dir, baseline_version=latest.version,
                          cycles=CYCLES, workers=args.workers, synthetic=True, source="synthetic")
        replay = time.perf_counter() - t1
        children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self1 = resource.getrusage(resource.RUSAGE_SELF)
    parent_cpu = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    worker_cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    n = report.totals.proposals
    figures = {
        "proposals": n, "checks": 2 * n, "workers": report.run.workers if report.run else 0,
        "generate_seconds": round(generated, 2), "replay_seconds": round(replay, 2),
        "proposals_per_second": round(n / replay, 1), "checks_per_second": round(2 * n / replay, 1),
        "verdict_changed": report.totals.verdict_changed, "goal_seconds": 10,
        "goal_met": replay < 10, "worker_cpu_seconds": round(worker_cpu, 2),
        "parent_cpu_seconds": round(parent_cpu, 2),
        "load_average_1min": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"what-if (SINTETIS / synthetic) {CYCLES[0]}-{CYCLES[-1]}: {n} proposal x 2 versi, "
          f"{figures['workers']} pekerja / workers")
    print(f"  replay {replay:.2f} s  ({figures['proposals_per_second']} proposal/s, "
          f"{figures['checks_per_second']} checks/s); generation {generated:.2f} s")
    print(f"  CPU pekerja / worker CPU {worker_cpu:.2f} s, induk / parent {parent_cpu:.2f} s; "
          f"load average {figures['load_average_1min']} on {figures['cpus']} CPUs")
    print(f"  putusan berubah / verdict changed: {figures['verdict_changed']}; "
          f"goal < 10 s: {'OK' if figures['goal_met'] else 'NOT MET'}")


if __name__ == "__main__":
    main()
