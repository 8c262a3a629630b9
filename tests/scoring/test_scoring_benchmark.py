"""The benchmark's plain-Python baseline computes the same scores and tiers as the engine.

No timing is asserted here (speed belongs to benchmarks/); this keeps the comparison honest.
"""

import importlib.util
from pathlib import Path

import numpy as np

from knowledge.indices import load_index_definition
from scoring.engine import score_matrix

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_scoring.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_scoring", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_python_loop_baseline_matches_the_engine():
    bench = load_bench()
    for name in ("ppm", "idm"):      # the baseline is a weighted arithmetic index, as ppm is
        defn = load_index_definition(name)
        if name == "ppm":
            X, _ = bench.synthetic_matrix(defn, 500)
        else:
            rng = np.random.default_rng(1)
            lo = np.array([i.valid_range.min for i in defn.indicators], dtype=float)
            hi = np.array([i.valid_range.max for i in defn.indicators], dtype=float)
            X = lo + (hi - lo) * rng.random((500, len(lo)))
        table = score_matrix(defn, X)
        looped = bench.python_loop(defn, X.tolist())
        np.testing.assert_allclose([s for s, _ in looped], table.score, rtol=1e-12, atol=1e-14)
        if defn.tiers.cut_rule == ">=":
            assert [t for _, t in looped] == table.tier.tolist()


def test_benchmark_runs_standalone_on_a_small_table(capsys):
    figures = load_bench().main(["--units", "3000", "--loop-units", "300", "--row-units", "200", "--repeats", "1"])
    assert figures["units"] == 3000 and figures["vectorised_units_per_s"] > 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "same scores: True, same tiers: True" in out
