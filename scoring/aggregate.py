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
        out: np.ndarray = np.exp(np.log(values) @ weights)
    return out


def dimension_scores(ci: CompiledIndex, N: np.ndarray) -> np.ndarray:
    """(n, d) dimension scores: weighted arithmetic (one matrix product) or weighted geometric."""
    D = N @ ci.arithmetic
    for k, cols, weights in ci.geometric_dims:
        D[:, k] = _weighted_geometric(N[:, cols], weights)
    out: np.ndarray = D
    return out


def index_scores(ci: CompiledIndex, D: np.ndarray) -> np.ndarray:
    """(n,) index scores from dimension scores."""
    if ci.index_geometric:
        return _weighted_geometric(D, ci.dim_weights)
    out: np.ndarray = D @ ci.dim_weights
    return out


def scores_from_normalised(ci: CompiledIndex, N: np.ndarray) -> np.ndarray:
    return index_scores(ci, dimension_scores(ci, N))


def weighted_adequacy(ci: CompiledIndex, X: np.ndarray) -> np.ndarray:
    """Alkire–Foster: share (by weight) of indicators at or beyond their adequacy cutoff.

    "Beyond" follows the direction: at least the cutoff when higher is better, at most when
    lower is (both sides are multiplied by -1 for those). Rows with a missing value count it
    as inadequate; the engine masks unscored units itself.
    """
    cols = np.flatnonzero(ci.counting_weight > 0)
    sign = np.where(ci.negative[cols], -1.0, 1.0)
    adequate = (X[:, cols] * sign) >= (ci.cutoff[cols] * sign)
    out: np.ndarray = adequate.astype(np.float64) @ ci.counting_weight[cols]
    return out


BLOCK_ROWS = 32_768   # rows per block: a block's work arrays stay in cache, peak memory stays small


def score_blocks(ci: CompiledIndex, X: np.ndarray, *, keep_normalised: bool = False, block: int = BLOCK_ROWS
                 ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray | None]:
    """Normalise, aggregate and count block by block: (N or None, D, score, adequacy or None).

    Same arithmetic as calling the functions above on the whole matrix, row by row identical;
    blocking only bounds the temporaries (a million units need a few MiB of work space).
    """
    n = X.shape[0]
    N_all = np.empty((n, ci.m)) if keep_normalised else None
    D = np.empty((n, ci.d))
    score = np.empty(n)
    adequacy = np.empty(n) if ci.k is not None else None
    buf = np.empty((min(block, max(n, 1)), ci.m))
    for start in range(0, n, block):
        stop = min(n, start + block)
        rows = X[start:stop]
        N = normalise(ci, rows, out=buf[: stop - start])
        D[start:stop] = dimension_scores(ci, N)
        score[start:stop] = index_scores(ci, D[start:stop])
        if adequacy is not None:
            adequacy[start:stop] = weighted_adequacy(ci, rows)
        if N_all is not None:
            N_all[start:stop] = N
    return N_all, D, score, adequacy
