"""One calibration run: prepare, fit, validate every method, bootstrap, build the artifact.

This is what `berdaya calibrate` and the service call. Nothing is written here; the caller
writes the artifact (``calibration.artifact.write_artifact``) and the report
(``calibration.report.write_report``) once every check has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from calibration.artifact import build_artifact
from calibration.base import CutPointCalibrator, check_counts
from calibration.data import CalibrationData, prepare
from calibration.estimators import METHODS, make_calibrator
from calibration.uncertainty import FLAG_BELOW, BootstrapResult, bootstrap_cut_points, flag_uncertain, tier_probability
from calibration.validation import compare_methods
from knowledge.errors import InvalidInput, Problem
from knowledge.indices import IndexDefinition


@dataclass(frozen=True)
class CalibrationResult:
    """Everything a calibration run produced; ``artifact`` is the JSON-ready dict."""

    definition: IndexDefinition
    method: str
    cycles: list[int]
    data: CalibrationData
    estimator: CutPointCalibrator
    validation: dict[str, Any]
    bootstrap: BootstrapResult
    tier_probability: np.ndarray
    flagged: np.ndarray
    artifact: dict[str, Any]

    @property
    def synthetic(self) -> bool:
        return bool(self.artifact["synthetic"])


def calibrators(definition: IndexDefinition, *, reference_cycle: int | None = None) -> dict[str, CutPointCalibrator]:
    """One unfitted calibrator per method for this definition (fixed only if it has cuts)."""
    k = len(definition.tier_ids)
    rule = definition.tiers.cut_rule
    fixed = definition.fallback_cuts if len(definition.fallback_cuts) == k - 1 else None
    return {m: make_calibrator(m, n_tiers=k, cut_rule=rule, fixed_cuts=fixed, reference_cycle=reference_cycle)
            for m in METHODS if m != "fixed" or fixed is not None}


def _fit(estimator: CutPointCalibrator, data: CalibrationData) -> CutPointCalibrator:
    if estimator.method == "quantile":
        return estimator.fit(data.scores, data.tiers, cycles=data.cycles)
    return estimator.fit(data.scores, data.tiers)


def _tier_names(definition: IndexDefinition) -> list[str]:
    return list(definition.tier_ids)


def calibrate(definition: IndexDefinition, rows: list[dict[str, Any]], *, cycles: Sequence[int], method: str = "ordinal",
              n_bootstrap: int = 200, seed: int = 0, synthetic: bool | None = None,
              progress: Callable[[int], None] | None = None,
              created_at: datetime | None = None) -> CalibrationResult:
    """Fit tier cut points of ``definition`` to the evaluator tiers of ``rows`` in ``cycles``.

    Parameters
    ----------
    definition : knowledge.indices.IndexDefinition
    rows : list of dict
        Evaluation rows: the definition's identifier columns (its cycle column among them),
        indicators and ``evaluator_tier`` (tier id or ordinal).
    cycles : sequence of int
        Calibration cycles; each must be present in ``rows``.
    method : {"ordinal", "isotonic", "quantile", "fixed"}, default="ordinal"
        See :mod:`calibration.estimators`; "quantile" hides real progress (its warning goes
        into the report).
    n_bootstrap : int, default=200
        Bootstrap replicates for the cut-point intervals and tier probabilities.
    seed : int, default=0
        Bootstrap seed; the same inputs and seed give the same artifact (bar ``created_at``).
    synthetic : bool or None
        True labels the records synthetic. Records are labelled synthetic anyway when the
        definition is, or when a row has a truthy ``synthetic`` column; this cannot be undone.
    progress : callable or None
        Called with 1 after each bootstrap replicate.
    created_at : datetime or None
        Creation time recorded in the artifact (now if None).

    Returns
    -------
    CalibrationResult
    """
    _check_options(method, n_bootstrap)
    data = prepare(definition, rows, cycles)
    return calibrate_data(definition, data, cycles=cycles, method=method, n_bootstrap=n_bootstrap, seed=seed,
                          synthetic=synthetic, progress=progress, created_at=created_at)


def _check_options(method: str, n_bootstrap: int) -> None:
    if method not in METHODS:
        raise InvalidInput([Problem("method", f"metode '{method}' tidak dikenal; pilih {', '.join(METHODS)}",
                                    f"unknown method '{method}'; choose {', '.join(METHODS)}")])
    if int(n_bootstrap) < 1:
        raise InvalidInput([Problem("bootstrap", "jumlah ulangan bootstrap harus sedikitnya 1",
                                    "the number of bootstrap replicates must be at least 1")])


def calibrate_data(definition: IndexDefinition, data: CalibrationData, *, cycles: Sequence[int],
                   method: str = "ordinal", n_bootstrap: int = 200, seed: int = 0, synthetic: bool | None = None,
                   progress: Callable[[int], None] | None = None, created_at: datetime | None = None,
                   labels: dict[str, int] | None = None) -> CalibrationResult:
    """Fit ``method`` to records already paired with their tiers (:func:`calibrate` after ``prepare``).

    The service calls this with the scores it stored and the final tiers its evaluators decided;
    the parameters are :func:`calibrate`'s, and ``labels`` (where the tiers came from, counted by
    source) is kept in the artifact's record summary.
    """
    _check_options(method, n_bootstrap)
    cycles = sorted(int(c) for c in cycles)
    if data.scores.size == 0:
        raise InvalidInput([Problem("", "tidak ada unit yang dapat dinilai di siklus terpilih",
                                    "no unit in the selected cycles could be scored")])
    candidates = calibrators(definition)
    if method not in candidates:
        raise InvalidInput([Problem("method", "definisi indeks ini tidak memuat titik potong tetap",
                                    "this index definition carries no fixed cut points")])
    # Counted here first so that the message names the tiers rather than their ordinals.
    check_counts(data.tiers, len(definition.tier_ids), candidates[method].min_per_tier, method,
                 _tier_names(definition))
    estimator = _fit(candidates[method], data)
    validation = compare_methods(candidates, data.scores, data.tiers, data.cycles)
    boot = bootstrap_cut_points(candidates[method], data.scores, data.tiers, cycles=data.cycles,
                                n_boot=n_bootstrap, seed=seed, progress=progress)
    if boot.cut_samples.shape[0] == 0:
        raise InvalidInput([Problem("bootstrap", "tidak satu pun ulangan bootstrap dapat dipasang; data terlalu sedikit",
                                    "no bootstrap replicate could be fitted; too few records")])
    probability = tier_probability(data.scores, estimator.cut_points_, boot.cut_samples, estimator.cut_rule)
    flagged = flag_uncertain(probability)
    is_synthetic = data.synthetic or bool(synthetic)
    summary: dict[str, Any] = {
        "scheme": "leave_one_cycle_out",
        "chosen": method,
        "methods": validation,
        "bootstrap": boot.summary(),
        "tier_probability": {"flag_below": FLAG_BELOW, "flagged": int(flagged.sum()), "units": int(flagged.size)},
        "records": {"used": int(data.scores.size), "unscored": data.unscored,
                    "per_tier": {t: int(n) for t, n in zip(_tier_names(definition), estimator.tier_counts_)}},
    }
    if labels is not None:
        summary["records"]["labels"] = dict(labels)
    artifact = build_artifact(
        index_name=definition.name, index_hash=definition.content_hash(), method=method, cycles=cycles,
        tiers=_tier_names(definition), cut_points=estimator.cut_points_.tolist(),
        cut_intervals=boot.intervals.tolist(), validation=summary, synthetic=is_synthetic,
        created_at=created_at)
    return CalibrationResult(definition, method, cycles, data, estimator, validation, boot, probability,
                             flagged, artifact)

