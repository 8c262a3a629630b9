"""Normalise, aggregate and count: the vectorised core (many units at once, one unit the same way).

All functions take an (n, m) matrix in the definition's indicator order and return arrays;
a NaN anywhere in a unit's row stays NaN in its result (never a silent zero).
"""

from __future__ import annotations

import numpy as np

from scoring.compiled import CompiledIndex


def normalise(ci: CompiledIndex, X: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """Goalpost normalisation: transform, (x - low)/(high - low), cap to [0, 1], flip if lower is better."""
    N = np.array(X, dtype=float, copy=True) if out is None else out
    if out is not None:
        np.copyto(N, X)
    if ci.log_cols.size:
        N[:, ci.log_cols] = np.log(N[:, ci.log_cols])
    N -= ci.low
    N /= ci.span
    if ci.negative.any():
        cols = np.flatnonzero(ci.negative)
        N[:, cols] = 1.0 - N[:, cols]
    if ci.capped_cols.size == ci.m:
        np.clip(N, 0.0, 1.0, out=N)
    elif ci.capped_cols.size:
        N[:, ci.capped_cols] = np.clip(N[:, ci.capped_cols], 0.0, 1.0)
    return N


def _weighted_geometric(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    # log(0) = -inf -> exp(-inf) = 0: a zero component gives zero, as the geometric mean should.
    with np.errstate(divide="ignore"):
        return np.exp(np.log(values) @ weights)


def dimension_scores(ci: CompiledIndex, N: np.ndarray) -> np.ndarray:
    """(n, d) dimension scores: weighted arithmetic (one matrix product) or weighted geometric."""
    D = N @ ci.arithmetic
    for k, cols, weights in ci.geometric_dims:
        D[:, k] = _weighted_geometric(N[:, cols], weights)
    return D


def index_scores(ci: CompiledIndex, D: np.ndarray) -> np.ndarray:
    """(n,) index scores from dimension scores."""
    if ci.index_geometric:
        return _weighted_geometric(D, ci.dim_weights)
    return D @ ci.dim_weights


def scores_from_normalised(ci: CompiledIndex, N: np.ndarray) -> np.ndarray:
    return index_scores(ci, dimension_scores(ci, N))


def weighted_adequacy(ci: CompiledIndex, X: np.ndarray) -> np.ndarray:
    """Alkire–Foster: share (by weight) of indicators at or beyond their adequacy cutoff.

    "Beyond" follows the direction: at least the cutoff when higher is better, at most when lower is.
    """
    with np.errstate(invalid="ignore"):
        adequate = np.where(ci.negative, X <= ci.cutoff, X >= ci.cutoff)
    result = adequate @ ci.counting_weight
    result[np.isnan(X[:, ci.counting_weight > 0]).any(axis=1)] = np.nan
    return result
