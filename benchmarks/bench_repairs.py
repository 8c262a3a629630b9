"""Benchmark: repair searches beside plain checks, on the synthetic (SINTETIS) problem proposals.

In one run, on every proposal of knowledge.synthetic's cycles that carries a seeded problem, each
checked by the version in force for its cycle (a fresh version store with the shipped versions):
- plain checks per second and the 95th percentile of one check;
- repair searches per second (`rules.repair.search_repairs`, its own first check included), the
  95th percentile and the slowest search, with the checks a search runs (mean and most);
- the cost of a repair search in plain checks (mean and 95th percentile against the plain check's).
Plain and repair passes alternate over blocks, so that machine load hits both alike; CPU time is
reported beside wall-clock time (steadier on a shared machine).

Goal (issue 17): a repair search costs at most 20 plain checks.
Run standalone: .venv/bin/python benchmarks/bench_repairs.py [--rounds N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.documents import parse_proposal
from knowledge.synthetic import generate_cycles
from policy.store import KBStore
from rules.registry import Registry
from rules.repair import search_repairs


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the problem proposals")
    args = parser.parse_args(argv)

    data = generate_cycles(seed=2018)
    with tempfile.TemporaryDirectory() as store:
        registry = Registry(KBStore(store))
        work = []
        for item in data.proposals:
            if item.problems:
                proposal = parse_proposal(item.proposal, source="synthetic")
                work.append((registry.checker(registry.version_for_cycle(proposal.cycle)), proposal))
        for checker, proposal in work:  # compile every version's rules and repairs outside the timings
            search_repairs(checker, proposal)

        plain: list[float] = []
        repair: list[float] = []
        cpu = {"plain": 0.0, "repair": 0.0}
        checks, most = 0, 0
        size = 50
        for _ in range(args.rounds):
            for start in range(0, len(work), size):
                block = work[start:start + size]
                began = time.process_time()
                for checker, proposal in block:
                    t0 = time.perf_counter()
                    checker.check(proposal)
                    plain.append(time.perf_counter() - t0)
                cpu["plain"] += time.process_time() - began
                began = time.process_time()
                for checker, proposal in block:
                    t0 = time.perf_counter()
                    found = search_repairs(checker, proposal)
                    repair.append(time.perf_counter() - t0)
                    checks += found.checks
                    most = max(most, found.checks)
                cpu["repair"] += time.process_time() - began

    n = len(plain)
    ms = 1000.0
    print(f"# bench_repairs: {len(work)} synthetic (SINTETIS) problem proposals, cycles "
          f"{', '.join(map(str, data.cycles))}, {n} checks and {n} repair searches; {dt.date.today().isoformat()}, "
          f"{platform.machine()}, {psutil.cpu_count()} cores, load average {psutil.getloadavg()[0]:.1f}")
    print("| what | figure | goal |")
    print("|---|---|---|")
    print(f"| plain checks/s (wall / CPU) | {n / sum(plain):,.0f} / {n / cpu['plain']:,.0f} | - |")
    print(f"| plain check, p95 | {p95(plain) * ms:.2f} ms | - |")
    print(f"| repair searches/s (wall / CPU) | {n / sum(repair):,.0f} / {n / cpu['repair']:,.0f} | - |")
    print(f"| repair search, p95 | {p95(repair) * ms:.2f} ms | - |")
    print(f"| repair search, slowest | {max(repair) * ms:.2f} ms | - |")
    print(f"| checks run per repair search, mean / most | {checks / n:.1f} / {most} | - |")
    print(f"| repair search in plain checks, mean (wall / CPU) | {sum(repair) / sum(plain):.1f} / "
          f"{cpu['repair'] / cpu['plain']:.1f} | <= 20 |")
    print(f"| repair search in plain checks, p95 against p95 | {p95(repair) / p95(plain):.1f} | <= 20 |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
