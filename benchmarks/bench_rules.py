"""Benchmark: proposal checks per second through durable-rules, against plain Python, and memory.

Measures, in one run, on the SYNTHETIC (SINTETIS) proposals of knowledge.synthetic's cycles:
- checks per second end to end from a validated proposal (fact extraction, engine, findings,
  messages) through durable-rules, and through a plain-Python evaluation of the same compiled
  units (tests/rules/plain_eval.py), interleaved in blocks so that machine load hits both alike;
  wall-clock and process CPU time are both reported (the CPU figure is steadier on a busy machine);
- the engine alone (assert, firings, delete) per check;
- the process's resident memory before and after 100,000 checks (psutil): it must stay flat.

Goals (issue 3): >= 3,000 checks/s in one process, <= 5x slower than plain Python, flat memory;
(issue 18) end to end at least 0.5x the engine alone's checks/s, CPU time, same run.
Run standalone: .venv/bin/python benchmarks/bench_rules.py [--checks N] [--rounds N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.documents import parse_proposal
from knowledge.synthetic import generate_cycles
from rules.check import default_checker
from rules.engine import get_engine
from tests.rules.plain_eval import plain_run


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=100_000, help="checks for the memory run")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the proposals for throughput")
    args = parser.parse_args(argv)

    data = generate_cycles()
    proposals = [parse_proposal(item.proposal) for item in data.proposals]
    checker = default_checker()
    for p in proposals:  # compile and register every cycle's rules once, outside the timings
        checker.check(p)

    def durable_block(block):
        for p in block:
            checker.check(p)

    def plain_block(block):
        for p in block:
            compiled, facts = checker.facts(p)
            checker.judge(compiled, p, facts, run=plain_run)

    prepared = [checker.facts(p) for p in proposals]
    engine_facts = [(c.name, checker.engine_fact(c, f.values)) for c, f in prepared]

    def engine_block():
        engine = get_engine()
        for name, fact in engine_facts:
            engine.fire(name, fact)

    totals = {"durable": [0.0, 0.0], "plain": [0.0, 0.0], "engine": [0.0, 0.0]}
    size = 250
    for _ in range(args.rounds):
        for start in range(0, len(proposals), size):
            block = proposals[start:start + size]
            for key, fn in (("durable", durable_block), ("plain", plain_block)):
                wall, cpu = timed(lambda fn=fn, block=block: fn(block))
                totals[key][0] += wall
                totals[key][1] += cpu
        wall, cpu = timed(engine_block)
        totals["engine"][0] += wall
        totals["engine"][1] += cpu
    n = len(proposals) * args.rounds
    rate = {k: (n / w, n / c) for k, (w, c) in totals.items()}
    ratio_wall = totals["durable"][0] / totals["plain"][0]
    ratio_cpu = totals["durable"][1] / totals["plain"][1]

    proc = psutil.Process()
    durable_block(proposals[:2000])
    rss_before = proc.memory_info().rss
    done = 0
    mid = None
    while done < args.checks:
        block = proposals[: min(len(proposals), args.checks - done)]
        durable_block(block)
        done += len(block)
        if mid is None and done >= args.checks // 10:
            mid = proc.memory_info().rss
    rss_after = proc.memory_info().rss
    mb = 1024 * 1024

    print(f"# bench_rules: {len(proposals)} synthetic (SINTETIS) proposals, cycles {', '.join(map(str, data.cycles))}, "
          f"{n} checks per way; {dt.date.today().isoformat()}, {platform.machine()}, "
          f"{psutil.cpu_count()} cores, load average {psutil.getloadavg()[0]:.1f}")
    print("| what | figure | goal |")
    print("|---|---|---|")
    print(f"| checks/s end to end, durable-rules (wall / CPU) | {rate['durable'][0]:,.0f} / {rate['durable'][1]:,.0f} "
          f"| >= 3,000 |")
    print(f"| checks/s end to end, plain Python (wall / CPU) | {rate['plain'][0]:,.0f} / {rate['plain'][1]:,.0f} | - |")
    print(f"| slowdown durable vs plain (wall / CPU) | {ratio_wall:.2f}x / {ratio_cpu:.2f}x | <= 5x |")
    print(f"| engine alone (assert, firings, delete), checks/s CPU | {rate['engine'][1]:,.0f} | - |")
    print(f"| end to end / engine alone (CPU, same run) | {rate['durable'][1] / rate['engine'][1]:.2f}x | >= 0.5x |")
    print(f"| RSS before / after {args.checks:,} checks | {rss_before / mb:.1f} MB / {rss_after / mb:.1f} MB "
          f"(+{(rss_after - rss_before) / mb:.1f} MB; {(mid or rss_after) / mb:.1f} MB at 10%) | flat |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
