"""Request and response models of a calibration run: cut points fitted to the final tiers stored in Berdaya.

A run is a background job (`service.jobs`); its report is kept in the job's row and read back as
`CalibrationRunReport`. Tier ids and method names stay codes here; pages show their names.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from service.schemas import UtcDatetime, with_examples
from service.schemas_evaluations import RunProgress

Method = Literal["ordinal", "isotonic", "quantile", "fixed", "all"]
Cycles = (Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[0-9][0-9 ,\-]*$")]
          | Annotated[list[Annotated[int, Field(ge=2000, le=2100)]], Field(min_length=1, max_length=100)])


SCORE_DRIFT = {"variable": "score", "psi": 0.08, "band": "stable", "ks_statistic": 0.07, "ks_pvalue": 0.2,
               "n_reference": 1914, "n_current": 319}
LABELS = {"decisions": 12, "overridden": 2, "imported": 1902, "unlabelled": 0, "unscored": 0}


class CalibrationRunRequest(BaseModel):
    """Which past cycles to calibrate on, with which method, and the cycles to measure drift against."""

    model_config = with_examples({"cycles": "2018-2024", "method": "all"},
                                 {"cycles": [2021, 2022, 2023], "method": "ordinal", "reference_cycles": [2021],
                                  "bootstrap": 100}, extra="forbid")

    cycles: Cycles = Field(description="`2018-2024` (the stored cycles in that range), `2018,2021` or a list of years;"
                                       " a year named on its own must have stored scores")
    method: Method = Field(default="ordinal", description="One method, or `all`: every method fitted and proposed")
    reference_cycles: Cycles | None = Field(default=None, description="Drift is measured against these (default:"
                                                                      " the calibration cycles)")
    bootstrap: int = Field(default=200, ge=10, le=1000, description="Bootstrap replicates per method")


class CutPointReport(BaseModel):
    model_config = with_examples({"lower": "tidak_berdaya", "upper": "berdaya", "value": 0.379, "low": 0.373,
                              "high": 0.384})

    lower: str = Field(description="Tier id below the cut")
    upper: str = Field(description="Tier id above the cut")
    value: float
    low: float = Field(description="Lower end of the 95% bootstrap interval")
    high: float = Field(description="Upper end of the 95% bootstrap interval")


class FitReport(BaseModel):
    """One method's fit, stored as a proposed calibration (never in force by itself)."""

    model_config = with_examples({
        "method": "ordinal", "calibration_id": "cal-ppm-ordinal-2018-2024-1a2b3c4d",
        "cut_points": [{"lower": "tidak_berdaya", "upper": "berdaya", "value": 0.379, "low": 0.373, "high": 0.384}],
        "bootstrap_used": 200, "bootstrap_skipped": 0, "flagged": 41, "units": 1914, "warning": None})

    method: str
    calibration_id: str
    cut_points: list[CutPointReport]
    bootstrap_used: int
    bootstrap_skipped: int
    flagged: int = Field(description="Units whose tier holds in under 80% of the bootstrap replicates")
    units: int
    warning: dict[str, str] | None = Field(default=None, description="The method's own warning, {id, en}")


class TierDistribution(BaseModel):
    model_config = with_examples({"tier": "berdaya", "n": 640, "minimum": 0.31, "q1": 0.42, "median": 0.47, "q3": 0.51,
                              "maximum": 0.66})

    tier: str = Field(description="Final tier id")
    n: int
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None


class ScoreHistogram(BaseModel):
    model_config = with_examples({"edges": [0.0, 0.05, 0.1], "counts": {"berdaya": [0, 3]}})

    edges: list[float] = Field(description="Bin edges on the index scale")
    counts: dict[str, list[int]] = Field(description="Final tier id -> units per bin")


class MethodValidation(BaseModel):
    """Leave one cycle out: each cycle predicted by the method fitted on the others."""

    model_config = with_examples({"method": "ordinal", "n": 1914, "accuracy": 0.78, "quadratic_kappa": 0.86,
                              "mean_abs_tier_error": 0.22, "skipped_cycles": [], "confusion": [[300, 20], [25, 400]]})

    method: str
    n: int
    accuracy: float | None
    quadratic_kappa: float | None
    mean_abs_tier_error: float | None
    skipped_cycles: list[int]
    confusion: list[list[int]] = Field(description="Rows: final tier; columns: predicted tier")


class VariableDrift(BaseModel):
    model_config = with_examples(SCORE_DRIFT)

    variable: str = Field(description="`score` or an indicator id")
    psi: float | None
    band: Literal["stable", "moderate", "large", "none"] = Field(description="Rough PSI band (0.1 / 0.25)")
    ks_statistic: float | None
    ks_pvalue: float | None
    n_reference: int
    n_current: int


class TierShare(BaseModel):
    model_config = with_examples({"tier": "madani", "reference": 0.07, "current": 0.12, "change_points": 5.0})

    tier: str
    reference: float
    current: float
    change_points: float


class CycleDrift(BaseModel):
    """A stored cycle against the reference cycles: scores, indicators, tier shares under the fitted cuts."""

    model_config = with_examples({
        "cycle": 2025, "score": SCORE_DRIFT,
        "indicators": [], "tier_shares": [{"tier": "madani", "reference": 0.07, "current": 0.12, "change_points": 5.0}]})

    cycle: int
    score: VariableDrift
    indicators: list[VariableDrift]
    tier_shares: list[TierShare]


class LabelSources(BaseModel):
    """Where the final tiers came from."""

    model_config = with_examples(LABELS)

    decisions: int = Field(description="Units whose final tier is the latest tier decision stored")
    overridden: int = Field(description="Of those, decisions that set another tier than the computed one")
    imported: int = Field(description="Units without a decision: the evaluator tier of the uploaded file")
    unlabelled: int = Field(description="Units left out: no decision and no imported tier")
    unscored: int = Field(description="Units left out: no score")


class MinimumPolicy(BaseModel):
    model_config = with_examples({"value": 10, "source": "Aturan praktis 10 kejadian per parameter", "status": "assumed"})

    value: int
    source: str
    status: str


class CalibrationRunReport(BaseModel):
    model_config = with_examples({
        "index_name": "ppm", "cycles": [2018, 2019, 2021], "skipped_cycles": [2020], "reference_cycles": [2018],
        "methods": ["ordinal"], "synthetic": True, "labels": LABELS,
        "per_tier": {"berdaya": 640}, "minimum": {"value": 10, "source": "...", "status": "assumed"},
        "fits": [], "distribution": [], "histogram": {"edges": [], "counts": {}}, "validation": [],
        "drift_method": "ordinal", "drift": []})

    index_name: str
    cycles: list[int]
    skipped_cycles: list[int] = Field(description="Years inside a chosen range with no stored scores (left out)")
    reference_cycles: list[int]
    methods: list[str]
    synthetic: bool
    labels: LabelSources
    per_tier: dict[str, int] = Field(description="Final tier id -> units")
    minimum: MinimumPolicy
    fits: list[FitReport]
    distribution: list[TierDistribution]
    histogram: ScoreHistogram
    validation: list[MethodValidation]
    drift_method: str = Field(description="The fit whose cut points the drift's tier shares use")
    drift: list[CycleDrift]


class CalibrationRunPublic(BaseModel):
    model_config = with_examples({
        "id": "9a8b7c6d5e4f3a2b", "params": {"cycles": [2018, 2019], "method": "all"},
        "job": {"job_id": "9a8b7c6d5e4f3a2b", "state": "running", "done": 80, "total": 800, "percent": 10,
                "note": None, "error": None},
        "started_by": "key_1a2b3c4d5e6f", "created_at": "2026-12-02T03:00:00+00:00", "calibration_ids": [],
        "report": None})

    id: str
    params: dict[str, Any]
    job: RunProgress
    started_by: str | None
    created_at: UtcDatetime
    calibration_ids: list[str] = Field(description="The proposed calibrations the run stored (when done)")
    report: CalibrationRunReport | None = None
