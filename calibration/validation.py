"""Leave-one-cycle-out validation of the calibration methods, side by side.

Each cycle in turn is held out: the method is fitted on the other cycles and predicts the
held-out cycle's tiers. Predictions from all folds are pooled into accuracy, quadratic
weighted kappa, mean absolute tier error and a confusion matrix (rows: evaluator tier,
columns: predicted tier). A fold whose training cycles cannot support the method (a tier
with too few records) is skipped and reported with its reason, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import clone
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from calibration.base import CutPointCalibrator
from knowledge.errors import InvalidInput


def tier_metrics(true: np.ndarray, predicted: np.ndarray, n_tiers: int) -> dict[str, Any]:
    """Accuracy, quadratic weighted kappa, mean absolute tier error and the confusion matrix."""
    true = np.asarray(true, dtype=int)
    predicted = np.asarray(predicted, dtype=int)
    labels = list(range(n_tiers))
    if true.size == 0:
        return {"n": 0, "accuracy": None, "quadratic_kappa": None, "mean_abs_tier_error": None,
                "confusion": [[0] * n_tiers for _ in labels]}
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = float(cohen_kappa_score(true, predicted, weights="quadratic", labels=labels))
    return {
        "n": int(true.size),
        "accuracy": float(np.mean(true == predicted)),
        # Undefined (NaN) when both sides hold a single tier; None keeps the JSON valid.
        "quadratic_kappa": kappa if np.isfinite(kappa) else None,
        "mean_abs_tier_error": float(np.mean(np.abs(true - predicted))),
        "confusion": confusion_matrix(true, predicted, labels=labels).tolist(),
    }


def _fit(estimator: CutPointCalibrator, scores: ArrayLike, tiers: ArrayLike,
         cycles: ArrayLike | None) -> CutPointCalibrator:
    if getattr(estimator, "method", "") == "quantile":
        return estimator.fit(scores, tiers, cycles=cycles)
    return estimator.fit(scores, tiers)


def leave_one_cycle_out(estimator: CutPointCalibrator, scores: ArrayLike, tiers: ArrayLike, cycles: ArrayLike) -> dict[str, Any]:
    """Validate one (unfitted) calibrator by leaving each cycle out in turn.

    Parameters
    ----------
    estimator : CutPointCalibrator
        Cloned for every fold; its ``n_tiers`` should be set so folds agree on K.
    scores, tiers, cycles : array-like of shape (n_samples,)

    Returns
    -------
    result : dict
        ``pooled`` (metrics over every predicted record), ``per_cycle`` (metrics and the fold's
        cut points per held-out cycle) and ``skipped`` (cycle and bilingual reason).
    """
    x = np.asarray(scores, dtype=float)
    y = np.asarray(tiers, dtype=int)
    c = np.asarray(cycles)
    n_tiers = estimator.n_tiers if estimator.n_tiers is not None else int(y.max()) + 1
    true_all, pred_all, per_cycle, skipped = [], [], {}, []
    for held in sorted(np.unique(c).tolist()):
        train, test = c != held, c == held
        if not train.any():
            skipped.append({"cycle": held, "id": "tidak ada siklus lain untuk pelatihan",
                            "en": "no other cycle to train on"})
            continue
        try:
            fold = _fit(clone(estimator), x[train], y[train], c[train])
        except InvalidInput as exc:
            first = exc.problems[0] if exc.problems else None
            skipped.append({"cycle": held,
                            "id": first.id if first else exc.message_id,
                            "en": first.en if first else exc.message_en})
            continue
        predicted = fold.predict(x[test])
        true_all.append(y[test])
        pred_all.append(predicted)
        per_cycle[str(held)] = {**tier_metrics(y[test], predicted, n_tiers),
                                "cut_points": [float(v) for v in fold.cut_points_]}
    pooled = tier_metrics(np.concatenate(true_all) if true_all else np.array([], dtype=int),
                          np.concatenate(pred_all) if pred_all else np.array([], dtype=int), n_tiers)
    return {"pooled": pooled, "per_cycle": per_cycle, "skipped": skipped}


def compare_methods(estimators: Mapping[str, CutPointCalibrator], scores: ArrayLike, tiers: ArrayLike,
                    cycles: ArrayLike) -> dict[str, Any]:
    """Leave-one-cycle-out results of several methods, keyed by method name."""
    return {name: leave_one_cycle_out(est, scores, tiers, cycles) for name, est in estimators.items()}
