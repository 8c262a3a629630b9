"""Small SYNTHETIC evaluation tables shared by the calibration tests (not real data)."""

from functools import cache

from knowledge.indices import load_index_definition
from knowledge.synthetic.calibration_sample import calibration_sample
from knowledge.synthetic.indicators import rows_from_columns
from scoring.engine import score_table

CYCLES = (2021, 2022, 2023)


@cache
def _sample():
    definition = load_index_definition("ppm")
    return calibration_sample(seed=9, cycles=CYCLES, units_per_cycle=150, noise_rate=0.10,
                              score=lambda cols: score_table(definition, rows_from_columns(cols)).score)


def synthetic_rows() -> list[dict]:
    """450 ppm evaluation rows 2021-2023 labelled synthetic, tiers cut at 0.4/0.6/0.8 with 10% noise."""
    return [{**row, "synthetic": True} for row in _sample().rows()]


def synthetic_scores():
    """The ppm index scores of `synthetic_rows()`, in the same order."""
    return _sample().scores
