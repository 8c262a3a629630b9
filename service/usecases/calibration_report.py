"""The typed report of a calibration run: cut points with bootstrap intervals, scores per final tier,
validation of every method side by side, drift of the other stored cycles against the reference cycles.

Built from the fits (`calibration.fit.calibrate_data`) and the stored units; numbers only, no words
beyond the bilingual notes the calibration package gives (pages name tiers and methods).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from calibration.data import CalibrationData
from calibration.drift import PSI_BANDS, drift
from calibration.fit import CalibrationResult
from calibration.policy import Minimum
from knowledge.indices import IndexDefinition
from service.models import ScoreUnit
from service.schemas_calibration import (
    CalibrationRunReport,
    CutPointReport,
    CycleDrift,
    FitReport,
    LabelSources,
    MethodValidation,
    MinimumPolicy,
    ScoreHistogram,
    TierDistribution,
    TierShare,
    VariableDrift,
)

BANDS = ("stable", "moderate", "large")
BINS = 20


@dataclass(frozen=True)
class Stored:
    """The labelled units of the calibration cycles, where their labels came from, and every stored unit."""

    data: CalibrationData
    sources: dict[str, int]
    units: list[tuple[ScoreUnit, bool]]  # newest per RW and cycle, every stored cycle (for drift)


def _fit(definition: IndexDefinition, fit: CalibrationResult) -> FitReport:
    ids = definition.tier_ids
    cuts = [CutPointReport(lower=ids[k], upper=ids[k + 1], value=float(v), low=float(lo), high=float(hi))
            for k, (v, (lo, hi)) in enumerate(zip(fit.estimator.cut_points_, fit.bootstrap.intervals, strict=True))]
    warning = getattr(fit.estimator, "warning", None)
    return FitReport(method=fit.method, calibration_id=fit.artifact["id"], cut_points=cuts,
                     bootstrap_used=int(fit.bootstrap.cut_samples.shape[0]), bootstrap_skipped=fit.bootstrap.skipped,
                     flagged=int(fit.flagged.sum()), units=int(fit.flagged.size),
                     warning=dict(warning) if isinstance(warning, dict) else None)


def _quantiles(values: np.ndarray) -> dict[str, float | None]:
    if values.size == 0:
        return dict.fromkeys(("minimum", "q1", "median", "q3", "maximum"), None)
    q = np.quantile(values, [0.0, 0.25, 0.5, 0.75, 1.0])
    return dict(zip(("minimum", "q1", "median", "q3", "maximum"), (float(v) for v in q), strict=True))


def _distribution(definition: IndexDefinition, data: CalibrationData) -> tuple[list[TierDistribution], ScoreHistogram]:
    scale = definition.score_scale() or (float(data.scores.min()), float(data.scores.max()))
    edges = np.linspace(scale[0], scale[1], BINS + 1)
    rows, counts = [], {}
    for k, tier in enumerate(definition.tier_ids):
        chosen = data.scores[data.tiers == k]
        rows.append(TierDistribution(tier=tier, n=int(chosen.size), **_quantiles(chosen)))
        counts[tier] = np.histogram(chosen, bins=edges)[0].astype(int).tolist()
    return rows, ScoreHistogram(edges=[float(e) for e in edges], counts=counts)


def _validation(fit: CalibrationResult) -> list[MethodValidation]:
    out = []
    for method, result in fit.validation.items():
        pooled = result["pooled"]
        out.append(MethodValidation(method=method, n=pooled["n"], accuracy=pooled["accuracy"],
                                    quadratic_kappa=pooled["quadratic_kappa"],
                                    mean_abs_tier_error=pooled["mean_abs_tier_error"],
                                    skipped_cycles=[int(s["cycle"]) for s in result["skipped"]],
                                    confusion=pooled["confusion"]))
    return out


def _variables(units: list[ScoreUnit], indicators: list[str]) -> dict[str, np.ndarray]:
    """Score and every indicator of the units (NaN where a unit has no value)."""
    values = [{str(i["id"]): i.get("value") for i in u.unit.get("indicators") or [] if isinstance(i, dict)}
              for u in units]
    out = {"score": np.array([np.nan if u.score is None else u.score for u in units], dtype=float)}
    for name in indicators:
        column = [v.get(name) for v in values]
        out[name] = np.array([c if isinstance(c, (int, float)) and not isinstance(c, bool) else np.nan
                              for c in column], dtype=float)
    return out


def _variable(name: str, found: dict[str, Any]) -> VariableDrift:
    psi = found["psi"]
    band = "none" if psi is None else BANDS[next(i for i, (limit, _) in enumerate(PSI_BANDS) if psi < limit)]
    return VariableDrift(variable=name, psi=psi, band=band, ks_statistic=found["ks_statistic"],
                         ks_pvalue=found["ks_pvalue"], n_reference=found["n_reference"], n_current=found["n_current"])


def _drift(definition: IndexDefinition, stored: Stored, reference: list[int], fit: CalibrationResult) -> list[CycleDrift]:
    """Each stored cycle outside the reference cycles against them, tier shares under `fit`'s cut points."""
    units = [u for u, _ in stored.units]
    ref = _variables([u for u in units if u.cycle in reference], definition.indicator_ids)
    out = []
    for cycle in sorted({int(u.cycle) for u in units if u.cycle is not None} - set(reference)):
        cur = _variables([u for u in units if u.cycle == cycle], definition.indicator_ids)
        found = drift(ref, cur, cut_points=fit.estimator.cut_points_, tiers=definition.tier_ids,
                      cut_rule=definition.tiers.cut_rule)
        indicators = [_variable(name, value) for name, value in found["indicators"].items()
                      if value["n_reference"] and value["n_current"]]
        shares = [TierShare(tier=tier, **value) for tier, value in found["tier_shares"].items()]
        out.append(CycleDrift(cycle=cycle, score=_variable("score", found["score"]), indicators=indicators,
                              tier_shares=shares))
    return out


def build_report(definition: IndexDefinition, stored: Stored, fits: list[CalibrationResult], params: dict[str, Any],
                 minimum: Minimum) -> CalibrationRunReport:
    distribution, histogram = _distribution(definition, stored.data)
    counts = np.bincount(stored.data.tiers, minlength=len(definition.tier_ids))
    return CalibrationRunReport(
        index_name=definition.name, cycles=params["cycles"], skipped_cycles=params["skipped_cycles"],
        reference_cycles=params["reference_cycles"], methods=params["methods"],
        synthetic=any(f.synthetic for f in fits), labels=LabelSources(**stored.sources),
        per_tier={t: int(n) for t, n in zip(definition.tier_ids, counts, strict=True)},
        minimum=MinimumPolicy(value=minimum.value, source=minimum.source, status=minimum.status),
        fits=[_fit(definition, f) for f in fits], distribution=distribution, histogram=histogram,
        validation=_validation(fits[0]), drift_method=fits[0].method,
        drift=_drift(definition, stored, params["reference_cycles"], fits[0]))
