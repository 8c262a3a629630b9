"""Synthetic (SINTETIS) past cycles for demos, tests and benchmarks: generated, never real.

- `generate_cycles(seed, cycles)`: one proposal (with its seeded problems) and one evaluation
  record per reference RW and cycle, evaluator tiers from a hidden true index with noise.
- `write_demo_data(data, out)`: the labelled files `berdaya demo-data` writes.
- `synthetic_indicator_matrix(n, seed)`: n evaluation units as numpy columns (benchmarks).
- `calibration_sample(...)`: evaluation rows with known true cut points and evaluator noise.
- `load_settings()` / `problem_types()`: the generation settings and problem types (data in
  `knowledge/data/synthetic/`, generation settings, not policy).
"""

from knowledge.synthetic.calibration_sample import CalibrationSample, calibration_sample
from knowledge.synthetic.cycles import SyntheticData, SyntheticProposal, generate_cycles, slug
from knowledge.synthetic.export import write_demo_data
from knowledge.synthetic.indicators import (
    indicator_names,
    noisy_tiers,
    rows_from_columns,
    synthetic_indicator_matrix,
    tiers_from_scores,
)
from knowledge.synthetic.settings import ProblemType, load_settings, problem_types

__all__ = [
    "CalibrationSample", "ProblemType", "SyntheticData", "SyntheticProposal", "calibration_sample",
    "generate_cycles", "indicator_names", "load_settings", "noisy_tiers", "problem_types",
    "rows_from_columns", "slug", "synthetic_indicator_matrix", "tiers_from_scores", "write_demo_data",
]
