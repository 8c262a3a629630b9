"""Cut-point uncertainty by bootstrap, and each unit's probability of keeping its tier.

Records are resampled with replacement as they are (natural class shares). A stratified
resample with a floor per tier was tried and moved a cut, so it is not offered. Each replicate
refits the calibrator; the spread of the replicate cuts gives an interval per cut, and the
share of replicates that put a unit in the tier the point estimate gives is that unit's
tier probability.

This is cut-point (bootstrap) uncertainty only. It is much smaller than the ordered logit's
own P(tier | score) (in one test 6% of units were below 0.9 here against 28% below 0.7 there),
so every report names which of the two it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import clone

from calibration.base import CutPointCalibrator, assign_tiers
from knowledge.errors import InvalidInput

KIND = {
    "id": "ketidakpastian titik potong (bootstrap), bukan peluang tingkat dari model itu sendiri",
    "en": "cut-point (bootstrap) uncertainty, not the model's own P(tier)",
}
FLAG_BELOW = 0.8


@dataclass(frozen=True)
class BootstrapResult:
    """Replicate cut points (rows) and their percentile intervals."""

    cut_samples: np.ndarray  # (n_ok, K-1)
    intervals: np.ndarray  # (K-1, 2)
    replicates: int
    skipped: int
    seed: int
    level: float

    def summary(self) -> dict[str, Any]:
        return {"replicates": self.replicates, "used": int(self.cut_samples.shape[0]),
                "skipped": self.skipped, "seed": self.seed, "level": self.level,
                "resampling": "plain (natural class shares)", "kind": dict(KIND)}


def bootstrap_cut_points(estimator: CutPointCalibrator, scores: ArrayLike, tiers: ArrayLike, *,
                         cycles: ArrayLike | None = None, n_boot: int = 200,
                         seed: int = 0, level: float = 0.95,
                         progress: Callable[[int], None] | None = None) -> BootstrapResult:
    """Refit an unfitted calibrator on ``n_boot`` plain resamples of the records.

    Parameters
    ----------
    estimator : CutPointCalibrator
        Cloned for each replicate; ``min_per_tier`` is relaxed to 1 in the replicates, since
        the point estimate has already been checked against it.
    scores, tiers : array-like of shape (n_samples,)
    cycles : array-like of shape (n_samples,) or None
        Passed to quantile anchoring (which anchors on one cycle).
    n_boot : int, default=200
        Number of replicates. A replicate missing a tier cannot be fitted; it is counted in
        ``skipped`` (not redrawn, so the shares stay natural).
    seed : int, default=0
        Seed of numpy's default generator; the same seed gives the same result.
    level : float, default=0.95
        Coverage of the percentile interval of each cut.
    progress : callable or None
        Called with 1 after each replicate (the CLI's progress bar).

    Returns
    -------
    BootstrapResult
    """
    x = np.asarray(scores, dtype=float)
    y = np.asarray(tiers, dtype=int)
    c = None if cycles is None else np.asarray(cycles)
    rng = np.random.default_rng(seed)
    samples, skipped = [], 0
    params = {"min_per_tier": 1} if "min_per_tier" in estimator.get_params() else {}
    for _ in range(int(n_boot)):
        idx = rng.integers(0, x.size, size=x.size)
        replicate = clone(estimator).set_params(**params)
        try:
            if c is not None and getattr(replicate, "method", "") == "quantile":
                replicate.fit(x[idx], y[idx], cycles=c[idx])
            else:
                replicate.fit(x[idx], y[idx])
            samples.append(replicate.cut_points_)
        except InvalidInput:
            skipped += 1
        if progress is not None:
            progress(1)
    width = estimator.n_tiers - 1 if getattr(estimator, "n_tiers", None) else (int(y.max()) if y.size else 0)
    cut_samples = np.array(samples, dtype=float).reshape(-1, width)
    alpha = (1.0 - level) / 2.0
    if cut_samples.shape[0]:
        intervals = np.quantile(cut_samples, [alpha, 1.0 - alpha], axis=0).T
    else:
        intervals = np.full((width, 2), np.nan)
    return BootstrapResult(cut_samples, intervals, int(n_boot), skipped, int(seed), float(level))


def tier_probability(scores: ArrayLike, cut_points: ArrayLike, cut_samples: np.ndarray, cut_rule: str = ">") -> np.ndarray:
    """Share of bootstrap replicates that put each score in the tier ``cut_points`` give it."""
    x = np.asarray(scores, dtype=float)
    point = assign_tiers(x, cut_points, cut_rule)
    if cut_samples.shape[0] == 0:
        return np.full(x.shape, np.nan)
    agree = np.zeros(x.shape, dtype=float)
    for cuts in cut_samples:
        agree += assign_tiers(x, cuts, cut_rule) == point
    return np.asarray(agree / cut_samples.shape[0])


def flag_uncertain(probability: np.ndarray, below: float = FLAG_BELOW) -> np.ndarray:
    """Units whose tier probability is below ``below`` (0.8 by default)."""
    p = np.asarray(probability, dtype=float)
    return np.asarray(np.isfinite(p) & (p < below))
