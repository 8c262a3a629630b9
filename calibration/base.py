"""Shared machinery of the cut-point calibrators: input checks, tier assignment, the base class.

A calibrator learns K-1 ordered cut points on the index scale from scores and the tiers
evaluators gave (ordinals 0..K-1). Tiers follow the scikit-learn estimator conventions
(keyword-only parameters stored unchanged in ``__init__``; learned state ends in ``_``).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from knowledge.errors import InvalidInput, Problem
from scoring.tiers import assign_tiers as scoring_tiers

CUT_RULES = (">", ">=")


def assign_tiers(scores: ArrayLike, cut_points: ArrayLike, cut_rule: str = ">") -> np.ndarray:
    """Tier ordinal of each score given ordered cut points (the index definition's rule).

    ``cut_rule=">"``: a unit passes a cut only when strictly above it, so a score equal to a
    cut stays in the lower tier (IDM). ``cut_rule=">="``: a score equal to a cut belongs to
    the upper tier (HDI). Delegates to the scoring engine so that calibration and scoring
    can never disagree on a unit's tier.
    """
    return scoring_tiers(np.asarray(scores, dtype=float), np.asarray(cut_points, dtype=float), cut_rule)


def check_scores(scores: ArrayLike, path: str = "score") -> np.ndarray:
    """Scores as a finite 1-D float array, or InvalidInput naming the first bad position."""
    try:
        arr = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput([Problem(path, "skor harus berupa angka", "scores must be numbers")]) from None
    if arr.ndim != 1:
        raise InvalidInput([Problem(path, "skor harus berupa larik satu dimensi",
                                    "scores must be a one-dimensional array")])
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InvalidInput([Problem(f"{path}[{bad[0]}]", "skor kosong atau tidak terhingga",
                                    "score is missing or not finite")])
    return arr


def check_tiers(tiers: ArrayLike, n_scores: int, n_tiers: int | None, path: str = "evaluator_tier") -> tuple[np.ndarray, int]:
    """Tier ordinals as an int array and the number of tiers; each must lie in 0..n_tiers-1."""
    arr = np.asarray(tiers)
    if arr.ndim != 1 or arr.shape[0] != n_scores:
        raise InvalidInput([Problem(path, f"jumlah tingkat ({arr.size}) tidak sama dengan jumlah skor ({n_scores})",
                                    f"number of tiers ({arr.size}) differs from number of scores ({n_scores})")])
    if n_scores == 0:
        raise InvalidInput([Problem(path, "tidak ada catatan untuk kalibrasi", "no records to calibrate on")])
    try:
        as_float = arr.astype(float)
    except (TypeError, ValueError):
        raise InvalidInput([Problem(path, "tingkat harus berupa nomor urut 0, 1, 2, ...",
                                    "tiers must be ordinals 0, 1, 2, ...")]) from None
    if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
        raise InvalidInput([Problem(path, "tingkat harus berupa nomor urut 0, 1, 2, ...",
                                    "tiers must be ordinals 0, 1, 2, ...")])
    ints = as_float.astype(int)
    k = int(ints.max()) + 1 if n_tiers is None else int(n_tiers)
    outside = np.flatnonzero((ints < 0) | (ints >= k))
    if outside.size:
        i = outside[0]
        raise InvalidInput([Problem(f"{path}[{i}]", f"tingkat {ints[i]} di luar 0..{k - 1}",
                                    f"tier {ints[i]} is outside 0..{k - 1}")])
    if k < 2:
        raise InvalidInput([Problem(path, "perlu sedikitnya dua tingkat", "at least two tiers are needed")])
    return ints, k


def check_counts(tiers: np.ndarray, n_tiers: int, min_per_tier: int, method: str,
                 tier_names: list[str] | None = None, path: str = "evaluator_tier") -> np.ndarray:
    """Records per tier; InvalidInput for a tier with none or fewer than the method needs."""
    counts = np.bincount(tiers, minlength=n_tiers)
    problems = []
    for k, n in enumerate(counts):
        name = tier_names[k] if tier_names else str(k)
        if n == 0:
            problems.append(Problem(f"{path}={name}", f"tingkat '{name}' tidak memiliki catatan",
                                    f"tier '{name}' has no records"))
        elif n < min_per_tier:
            problems.append(Problem(
                f"{path}={name}",
                f"tingkat '{name}' hanya memiliki {n} catatan; metode {method} memerlukan sedikitnya {min_per_tier}",
                f"tier '{name}' has only {n} records; method {method} needs at least {min_per_tier}"))
    if problems:
        raise InvalidInput(problems)
    return counts


def check_ordered(cut_points: np.ndarray, method: str, path: str = "cut_points") -> np.ndarray:
    """Cut points must be finite and strictly increasing."""
    cuts = np.asarray(cut_points, dtype=float)
    if not np.all(np.isfinite(cuts)):
        raise InvalidInput([Problem(path, f"titik potong metode {method} tidak terhingga",
                                    f"cut points of method {method} are not finite")])
    if np.any(np.diff(cuts) <= 0):
        shown = ", ".join(f"{c:.4f}" for c in cuts)
        raise InvalidInput([Problem(
            path, f"titik potong metode {method} tidak berurutan naik: {shown}",
            f"cut points of method {method} are not in increasing order: {shown}")])
    return cuts


class CutPointCalibrator(BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no types
    """Base of the calibrators: validation in ``fit``, tier prediction from ``cut_points_``.

    Subclasses implement ``_fit_cuts(scores, tiers, n_tiers, **fit_params)`` returning the cut
    points; the base validates inputs before and the order of the cuts after.
    """

    method = "base"

    def _n_tiers_given(self) -> int | None:
        return getattr(self, "n_tiers", None)

    def _validate(self, scores: ArrayLike, tiers: ArrayLike) -> tuple[np.ndarray, np.ndarray, int]:
        x = check_scores(scores)
        y, k = check_tiers(tiers, x.shape[0], self._n_tiers_given())
        if getattr(self, "cut_rule", ">") not in CUT_RULES:
            raise InvalidInput([Problem("cut_rule", "cut_rule harus '>' atau '>='",
                                        "cut_rule must be '>' or '>='")])
        check_counts(y, k, getattr(self, "min_per_tier", 1), self.method)
        return x, y, k

    def fit(self, scores: ArrayLike, tiers: ArrayLike, **fit_params: Any) -> Self:
        """Learn the cut points.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            Index scores of the evaluated units.
        tiers : array-like of shape (n_samples,)
            Evaluators' tiers as ordinals 0 (lowest) .. K-1.
        **fit_params
            Method-specific (``cycles`` for :class:`QuantileCalibrator`).

        Returns
        -------
        self : object
            The fitted calibrator.
        """
        x, y, k = self._validate(scores, tiers)
        cuts = self._fit_cuts(x, y, k, **fit_params)
        self.cut_points_ = check_ordered(cuts, self.method)
        self.n_tiers_ = k
        self.tier_counts_ = np.bincount(y, minlength=k)
        return self

    def predict(self, scores: ArrayLike) -> np.ndarray:
        """Tier ordinal of each score under the fitted cut points.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)

        Returns
        -------
        tiers : ndarray of shape (n_samples,), dtype int
        """
        check_is_fitted(self, "cut_points_")
        return assign_tiers(check_scores(scores), self.cut_points_, self.cut_rule)
