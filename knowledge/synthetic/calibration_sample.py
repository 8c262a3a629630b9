"""Synthetic (SINTETIS) evaluation rows with KNOWN true cut points, for calibration tests.

The caller decides the scale the cut points live on. With `score=None` the tiers are cut
from the hidden latent level; pass `score` (columns -> numpy array of index scores, e.g. the
ppm index computed by the scoring engine) and the true tiers are cut from that score, so a
calibration fitted on the same scores should recover `cut_points` up to the evaluator noise
and sampling. Example::

    sample = calibration_sample(seed=1, cut_points=(0.4, 0.6, 0.8), noise_rate=0.2,
                                score=lambda cols: my_index(cols))
    rows = sample.rows()          # cycle, kecamatan, kelurahan, rw, 17 indicators, evaluator_tier
    sample.scores, sample.true_tier, sample.evaluator_tier   # numpy arrays, aligned with rows

Sample size matters: with 20% perception noise and an index close to the latent level, an
ordered logit recovered the cuts within about 0.01 from the 319 reference RWs x 8 cycles, and
within about 0.003 from `units_per_cycle=1000`; use the larger sample when a test needs 0.01.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.reference import load_reference
from knowledge.synthetic.indicators import indicators_from_latent, noisy_tiers, rows_from_columns
from knowledge.synthetic.settings import load_settings

ScoreFunction = Callable[[Mapping[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class CalibrationSample:
    """Evaluation units with their hidden truth. Arrays are aligned with `rows()`."""

    columns: dict[str, np.ndarray]        # cycle, kecamatan, kelurahan, rw and the 17 indicators
    latent: np.ndarray                    # hidden empowerment level per unit
    scores: np.ndarray                    # the scale tiers were cut on: score(columns), or latent
    cut_points: tuple[float, ...]
    tiers: tuple[str, ...]
    true_tier: np.ndarray                 # ordinal, 0 = lowest
    evaluator_tier: np.ndarray            # ordinal, after evaluator noise
    noise_rate: float
    noise: str
    perception_sd: float
    seed: int

    @property
    def disagreement(self) -> float:
        """Realised share of evaluator tiers that differ from the true tier."""
        return float(np.mean(self.true_tier != self.evaluator_tier))

    def rows(self) -> list[dict[str, Any]]:
        """Evaluation rows as evaluators keep them, `evaluator_tier` as the tier name."""
        names = np.array(self.tiers, dtype=object)[self.evaluator_tier]
        return rows_from_columns(self.columns, {"evaluator_tier": names})


def calibration_sample(*, seed: int = 0, cycles: Sequence[int] = range(2018, 2026),
                       units_per_cycle: int | None = None, cut_points: Sequence[float] = (0.40, 0.60, 0.80),
                       noise_rate: float = 0.20, noise: str = "perception",
                       score: ScoreFunction | None = None) -> CalibrationSample:
    """Units for every cycle with tiers cut at the known `cut_points`, then evaluator noise.

    units_per_cycle: None = every RW of the reference data (real identifiers); a number =
        that many units per cycle with made-up RW numbers (for larger samples).
    noise: "perception" or "flip" (see `knowledge.synthetic.indicators`).
    score: maps the columns to the scale the cut points are on; None = the latent level.
    Levels spread widely (settings `calibration.latent_range`) so every cut has units on
    both sides, with a small upward drift per cycle.
    """
    s = load_settings()
    cfg = s.raw["calibration"]
    rng = np.random.default_rng([int(seed), 11])
    cyc = list(cycles)
    rws = load_reference().rws()
    per_cycle = len(rws) if units_per_cycle is None else int(units_per_cycle)
    lo, hi = (float(x) for x in cfg["latent_range"])
    base = rng.uniform(lo, hi, per_cycle)
    wiggle = float(cfg["cycle_noise_sd"])
    latent = np.concatenate([np.clip(base + float(cfg["drift_per_cycle"]) * i + wiggle * rng.standard_normal(per_cycle),
                                     0.0, 1.0) for i in range(len(cyc))])
    if units_per_cycle is None:
        kec = [k.kecamatan for k, _ in rws]
        kel = [k.name for k, _ in rws]
        rw = [n for _, n in rws]
    else:
        kels = load_reference().all_kelurahan()
        kec = [kels[i % len(kels)].kecamatan for i in range(per_cycle)]
        kel = [kels[i % len(kels)].name for i in range(per_cycle)]
        rw = [i // len(kels) + 1 for i in range(per_cycle)]
    columns: dict[str, np.ndarray] = {
        "cycle": np.repeat(np.asarray(cyc, dtype=np.int64), per_cycle),
        "kecamatan": np.array(kec * len(cyc), dtype=object),
        "kelurahan": np.array(kel * len(cyc), dtype=object),
        "rw": np.array(rw * len(cyc), dtype=np.int64),
    }
    columns.update(indicators_from_latent(latent, rng, s))
    scores = latent if score is None else np.asarray(score(columns), dtype=float)
    true, seen, sd = noisy_tiers(scores, cut_points, noise_rate, rng, noise)
    tiers = s.tiers[: len(cut_points) + 1] if len(cut_points) + 1 <= len(s.tiers) else \
        tuple(f"tier_{i}" for i in range(len(cut_points) + 1))
    return CalibrationSample(columns, latent, scores, tuple(float(c) for c in cut_points), tiers,
                             true, seen, float(noise_rate), noise, sd, int(seed))
