"""The missing-data policy: an availability threshold per unit, then explicit, flagged imputation.

Methods (tried in the definition's order for each still-missing value):
- previous_cycle: the same unit's observed value in the cycle before (e.g. the same RW in 2023
  for 2024); the unit is the identifier columns other than the cycle column;
- group_mean: the mean of observed values in the unit's group (e.g. same cycle and kelurahan).
Imputation uses observed values only, never other imputed ones. A value no method fills leaves
the unit unscored: a missing value never silently counts as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.indices import IndexDefinition


@dataclass
class Filled:
    X: np.ndarray           # (n, m) observed + imputed values
    imputed: np.ndarray     # (n, m) bool
    available: np.ndarray   # (n,) observed share of indicators
    scored: np.ndarray      # (n,) bool: enough data and every gap filled
    reason: list[str | None]  # per unit, why it was not scored (None when scored)


def _keys(ids: Mapping[str, Sequence[Any]], columns: Sequence[str], n: int) -> list[tuple[Any, ...]]:
    cols = [ids[c] for c in columns]
    return [tuple(c[i] for c in cols) for i in range(n)]


def _previous_cycle(defn: IndexDefinition, X_obs: np.ndarray, X: np.ndarray, imputed: np.ndarray,
                    ids: Mapping[str, Sequence[Any]], rows: np.ndarray) -> None:
    cyc = defn.cycle_column
    if cyc is None or cyc not in ids or not all(c in ids for c in defn.id_columns):
        return
    unit_cols = [c for c in defn.id_columns if c != cyc]
    n = X.shape[0]
    units = _keys(ids, unit_cols, n)
    cycles = ids[cyc]
    where = {(u, c): i for i, (u, c) in enumerate(zip(units, cycles))}
    for i in rows:
        try:
            prev = where.get((units[i], cycles[i] - 1))
        except TypeError:
            prev = None
        if prev is None:
            continue
        gaps = np.isnan(X[i]) & ~np.isnan(X_obs[prev])
        X[i, gaps] = X_obs[prev, gaps]
        imputed[i, gaps] = True


def _group_mean(defn: IndexDefinition, X_obs: np.ndarray, X: np.ndarray, imputed: np.ndarray,
                ids: Mapping[str, Sequence[Any]], rows: np.ndarray) -> None:
    cols = defn.missing_data.group_columns
    if not cols or not all(c in ids for c in cols):
        return
    n, m = X.shape
    _, group = np.unique(np.array([repr(k) for k in _keys(ids, cols, n)]), return_inverse=True)
    g = group.max() + 1
    observed = ~np.isnan(X_obs)
    sums = np.zeros((g, m))
    counts = np.zeros((g, m))
    np.add.at(sums, group, np.where(observed, X_obs, 0.0))
    np.add.at(counts, group, observed)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    sub = X[rows]
    gaps = np.isnan(sub)
    fill = means[group[rows]]
    use = gaps & ~np.isnan(fill)
    sub[use] = fill[use]
    X[rows] = sub
    imp = imputed[rows]
    imp[use] = True
    imputed[rows] = imp


def apply_policy(defn: IndexDefinition, X_obs: np.ndarray, ids: Mapping[str, Sequence[Any]] | None = None) -> Filled:
    """Apply the definition's availability threshold and imputation to an (n, m) matrix."""
    n, m = X_obs.shape
    if not np.isnan(X_obs.sum()):   # one pass: no NaN anywhere (the usual case)
        return Filled(X_obs, np.zeros((n, m), dtype=bool), np.ones(n), np.ones(n, dtype=bool), [None] * n)
    missing = np.isnan(X_obs)
    available = 1.0 - missing.sum(axis=1) / m
    policy = defn.missing_data
    enough = available >= policy.min_available_share - 1e-12
    X = X_obs.copy()
    imputed = np.zeros_like(missing)
    rows = np.flatnonzero(missing.any(axis=1) & enough)
    for method in policy.imputation:
        if ids is None or rows.size == 0:
            break
        if method == "previous_cycle":
            _previous_cycle(defn, X_obs, X, imputed, ids, rows)
        else:
            _group_mean(defn, X_obs, X, imputed, ids, rows)
        rows = rows[np.isnan(X[rows]).any(axis=1)]
    complete = ~np.isnan(X).any(axis=1)
    scored = enough & complete
    reasons: list[str | None] = []
    for i in range(n):
        if scored[i]:
            reasons.append(None)
        elif not enough[i]:
            reasons.append("insufficient_data")
        else:
            reasons.append("not_imputable")
    return Filled(X, imputed, available, scored, reasons)
