"""Whether a calibration artifact is plausible for an index: cut points on the index's scale, in order,
and validation figures that agree with the confusion matrices they claim to come from.

An artifact is someone's claim ("these cuts, this accuracy"). Its id proves only that it was not
edited after writing, not that it was written by `berdaya calibrate`: an artifact with cut
points -3, -2, -1 and a declared accuracy of 1.0 has a valid id. What can be recomputed from
the artifact itself is recomputed here: each pooled and per-cycle accuracy, mean absolute tier
error and quadratic weighted kappa from its confusion matrix, and the count of records.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from knowledge.errors import Problem
from knowledge.indices import IndexDefinition

TOLERANCE = 1e-6


def _on_scale(artifact: dict[str, Any], definition: IndexDefinition) -> list[Problem]:
    scale = definition.score_scale()
    if scale is None:
        return []
    low, high = scale
    problems = []
    for i, cut in enumerate(artifact["cut_points"]):
        if not low <= cut <= high:
            problems.append(Problem(f"cut_points[{i}]", f"titik potong {cut} di luar skala indeks {low}..{high}",
                                    f"cut point {cut} is outside the index's scale {low}..{high}"))
    for i, (lo, hi) in enumerate(artifact["cut_intervals"]):
        if not (low <= lo and hi <= high):
            problems.append(Problem(f"cut_intervals[{i}]", f"selang [{lo}, {hi}] di luar skala indeks {low}..{high}",
                                    f"interval [{lo}, {hi}] is outside the index's scale {low}..{high}"))
    return problems


def _kappa(confusion: np.ndarray) -> float | None:
    k = confusion.shape[0]
    n = confusion.sum()
    weights = (np.subtract.outer(np.arange(k), np.arange(k)) ** 2) / max((k - 1) ** 2, 1)
    expected = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / n
    denominator = float((weights * expected).sum())
    return None if denominator == 0 else 1.0 - float((weights * confusion).sum()) / denominator


def recomputed(metrics: dict[str, Any], n_tiers: int) -> dict[str, Any] | None:
    """n, accuracy, mean absolute tier error and quadratic kappa from a confusion matrix (None: no matrix)."""
    confusion = np.asarray(metrics.get("confusion"), dtype=float) if metrics.get("confusion") is not None else None
    if confusion is None or confusion.shape != (n_tiers, n_tiers) or (confusion < 0).any():
        return None
    n = float(confusion.sum())
    if n == 0:
        return {"n": 0, "accuracy": None, "mean_abs_tier_error": None, "quadratic_kappa": None}
    distance = np.abs(np.subtract.outer(np.arange(n_tiers), np.arange(n_tiers)))
    return {"n": n, "accuracy": float(np.trace(confusion)) / n,
            "mean_abs_tier_error": float((distance * confusion).sum()) / n, "quadratic_kappa": _kappa(confusion)}


def _differs(declared: Any, actual: Any) -> bool:
    if declared is None or actual is None:
        return declared is not actual
    return not isinstance(declared, (int, float)) or abs(float(declared) - float(actual)) > TOLERANCE


def _metric_problems(path: str, metrics: Any, n_tiers: int) -> list[Problem]:
    if not isinstance(metrics, dict):
        return []
    problems = []
    accuracy = metrics.get("accuracy")
    if isinstance(accuracy, (int, float)) and not 0 <= accuracy <= 1:
        problems.append(Problem(f"{path}.accuracy", f"akurasi {accuracy} di luar 0..1",
                                f"accuracy {accuracy} is outside 0..1"))
    if metrics.get("confusion") is None:
        return problems
    actual = recomputed(metrics, n_tiers)
    if actual is None:
        return [*problems, Problem(f"{path}.confusion", f"matriks konfusi harus {n_tiers}×{n_tiers} bilangan tak negatif",
                                   f"the confusion matrix must be {n_tiers}×{n_tiers} non-negative counts")]
    for name, value in actual.items():
        if name in metrics and _differs(metrics[name], value):
            shown = "-" if value is None else f"{value:.6g}"
            problems.append(Problem(
                f"{path}.{name}", f"{name} {metrics[name]} tidak cocok dengan matriks konfusinya ({shown})",
                f"{name} {metrics[name]} does not match its confusion matrix ({shown})"))
    return problems


def validation_problems(artifact: dict[str, Any]) -> list[Problem]:
    """Every figure of `validation.methods` that its own confusion matrix contradicts."""
    methods = artifact.get("validation", {}).get("methods")
    if not isinstance(methods, dict):
        return []
    n_tiers = len(artifact["tiers"])
    problems = []
    for method, result in sorted(methods.items()):
        if not isinstance(result, dict):
            continue
        base = f"validation.methods.{method}"
        problems += _metric_problems(f"{base}.pooled", result.get("pooled"), n_tiers)
        per_cycle = result.get("per_cycle")
        for cycle, metrics in sorted((per_cycle or {}).items()) if isinstance(per_cycle, dict) else []:
            problems += _metric_problems(f"{base}.per_cycle.{cycle}", metrics, n_tiers)
    return problems


def plausibility_problems(artifact: dict[str, Any], definition: IndexDefinition) -> list[Problem]:
    """Cut points and intervals off the index's scale, and validation figures their matrices contradict."""
    return _on_scale(artifact, definition) + validation_problems(artifact)
