"""Benchmark: ppm unit-scores per second on a million SYNTHETIC units, on one core.

Measures, in one run:
- the vectorised engine (scoring.engine.score_matrix) on 1,000,000 synthetic units;
- a straightforward per-unit Python loop over a subset (default 20,000 units), extrapolated
  to a million, and the ratio of the two;
- peak memory while scoring the million (tracemalloc: Python and numpy allocations) and the
  process's peak resident set size;
- for reference, the row path (score_table on row dicts, which validates every cell) on 100,000 units.

Data: knowledge.synthetic's indicator generator when present, otherwise uniform values inside
each indicator's valid range; either way SYNTHETIC (SINTETIS), never real RWs.
Run standalone: .venv/bin/python benchmarks/bench_scoring.py [--units N] [--loop-units N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # one core, before numpy loads its BLAS

import argparse
import math
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.indices import load_index_definition
from scoring.engine import score_matrix, score_table


def synthetic_matrix(defn, n: int, seed: int = 2024) -> tuple[np.ndarray, str]:
    """(n, m) synthetic indicator matrix in definition order, and where it came from."""
    try:
        from knowledge.synthetic.indicators import synthetic_indicator_matrix

        cols = synthetic_indicator_matrix(n, seed=seed, with_ids=False)
        return np.column_stack([np.asarray(cols[i], dtype=float) for i in defn.indicator_ids]), "knowledge.synthetic"
    except (ImportError, KeyError):
        rng = np.random.default_rng(seed)
        lo = np.array([i.valid_range.min for i in defn.indicators], dtype=float)
        hi = np.array([i.valid_range.max for i in defn.indicators], dtype=float)
        return lo + (hi - lo) * rng.random((n, len(lo))), "numpy uniform"


def python_loop(defn, rows: list[list[float]]) -> list[tuple[float, int]]:
    """The same index computed unit by unit in plain Python (the baseline)."""
    inds = defn.indicators
    dims = defn.dimensions
    dim_total = sum(d.weight for d in dims)
    within = {d.id: sum(i.weight for i in inds if i.dimension == d.id) for d in dims}
    cuts = defn.fallback_cuts
    out = []
    for values in rows:
        dim_sum = {d.id: 0.0 for d in dims}
        for ind, x in zip(inds, values):
            lo, hi = ind.goalposts.low, ind.goalposts.high
            if ind.transform == "log":
                x, lo, hi = math.log(x), math.log(lo), math.log(hi)
            v = (x - lo) / (hi - lo)
            if ind.direction == "negative":
                v = 1.0 - v
            if ind.goalposts.cap:
                v = min(1.0, max(0.0, v))
            dim_sum[ind.dimension] += ind.weight / within[ind.dimension] * v
        score = sum(d.weight / dim_total * dim_sum[d.id] for d in dims)
        tier = sum(1 for c in cuts if score >= c)
        out.append((score, tier))
    return out


def best_of(repeats: int, fn):
    """(best CPU seconds, best wall seconds, result). CPU time is what one core spent; on a
    shared machine the wall time also counts waiting for the core."""
    cpu, wall, result = math.inf, math.inf, None
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        cpu, wall = min(cpu, time.process_time() - c0), min(wall, time.perf_counter() - w0)
    return cpu, wall, result


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--loop-units", type=int, default=20_000)
    parser.add_argument("--row-units", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    defn = load_index_definition("ppm")
    X, origin = synthetic_matrix(defn, args.units)
    score_matrix(defn, X[:1000])   # warm-up: compile the definition once

    t_vec, w_vec, table = best_of(args.repeats, lambda: score_matrix(defn, X))
    rate_vec, wall_rate_vec = args.units / t_vec, args.units / w_vec

    subset = X[: args.loop_units].tolist()
    t_loop, _w_loop, looped = best_of(1, lambda: python_loop(defn, subset))
    rate_loop = args.loop_units / t_loop
    same = np.allclose([s for s, _ in looped], table.score[: args.loop_units], rtol=1e-12, atol=1e-14)
    same_tier = [t for _, t in looped] == table.tier[: args.loop_units].tolist()

    tracemalloc.start()
    score_matrix(defn, X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    input_mib = X.nbytes / 2**20
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n_rows = min(args.row_units, args.units)
    names = defn.indicator_ids
    rows = [dict(zip(names, r), cycle=2024, kecamatan="SINTETIS", kelurahan="SINTETIS", rw=k + 1)
            for k, r in enumerate(X[:n_rows].tolist())]
    t_rows, _, _ = best_of(1, lambda: score_table(defn, rows))
    load = os.getloadavg()[0]

    figures = {
        "units": args.units, "vectorised_cpu_s": t_vec, "vectorised_units_per_s": rate_vec,
        "vectorised_wall_s": w_vec, "vectorised_wall_units_per_s": wall_rate_vec, "load_average": load,
        "loop_units": args.loop_units, "loop_units_per_s": rate_loop,
        "loop_extrapolated_s_per_million": 1_000_000 / rate_loop, "speedup": rate_vec / rate_loop,
        "peak_tracemalloc_mib": peak / 2**20, "input_matrix_mib": input_mib, "peak_rss_mib": rss_mib,
        "row_path_units": n_rows, "row_path_units_per_s": n_rows / t_rows,
    }
    print(f"scoring benchmark: ppm index, {args.units:,} SYNTHETIC units ({origin}), one core (BLAS threads = 1); "
          f"rates from CPU time, load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"  vectorised score_matrix : {t_vec:.3f} s CPU -> {rate_vec:,.0f} unit-scores/s (best of {args.repeats}); "
          f"wall {w_vec:.3f} s -> {wall_rate_vec:,.0f}/s")
    print(f"  per-unit Python loop    : {args.loop_units:,} units in {t_loop:.3f} s -> {rate_loop:,.0f} unit-scores/s "
          f"(extrapolated: {1_000_000 / rate_loop:.1f} s per million); same scores: {same}, same tiers: {same_tier}")
    print(f"  speed-up                : {rate_vec / rate_loop:,.0f}x")
    print(f"  peak memory (tracemalloc, scoring {args.units:,} units): {peak / 2**20:,.0f} MiB "
          f"(input matrix {input_mib:,.0f} MiB held outside); process peak RSS {rss_mib:,.0f} MiB")
    print(f"  row path score_table    : {n_rows:,} row dicts -> {n_rows / t_rows:,.0f} unit-scores/s (validates every cell)")
    print("README rows:")
    print(f"| scoring: ppm `score_matrix`, {args.units:,} synthetic units, 1 core | {rate_vec:,.0f} unit-scores/s"
          f" (CPU time; wall {wall_rate_vec:,.0f}/s at load {load:.1f}) |"
          f" {rate_vec / rate_loop:,.0f}x a per-unit Python loop ({rate_loop:,.0f}/s on {args.loop_units:,} units,"
          f" extrapolated) | peak {peak / 2**20:,.0f} MiB traced, {rss_mib:,.0f} MiB RSS |")
    print(f"| scoring: ppm `score_table` from row dicts, {n_rows:,} synthetic units | {n_rows / t_rows:,.0f} unit-scores/s |"
          f" validation of every cell included | |")
    if not (same and same_tier):
        print("MISMATCH between the engine and the Python loop", file=sys.stderr)
        raise SystemExit(1)
    return figures


if __name__ == "__main__":
    main()
