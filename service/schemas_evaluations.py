"""Request and response models of the evaluations kept in Berdaya: tier decisions, calibrations in force,
closed cycles, score runs and their units."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from knowledge.validation import plain_text
from service.jobs import Job
from service.schemas import UtcDatetime, with_examples

Text = Annotated[str, AfterValidator(plain_text)]
_RATE = {"group": "Cibabat", "decisions": 20, "overrides": 3, "rate": 0.15, "raised": 2, "lowered": 1}


class TierDecisionRequest(BaseModel):
    """The evaluator's tier for an RW in a cycle: the computed one confirmed, or another with a reason."""

    model_config = with_examples(
        {"cycle": 2024, "kelurahan": "Cibabat", "rw": 5, "tier": "mandiri",
         "reason": "Kunjungan lapangan 12 Mei: kelompok aktif lebih banyak dari catatan"}, extra="forbid")

    cycle: int = Field(ge=2000, le=2100)
    kelurahan: Text = Field(min_length=1, max_length=80)
    rw: int = Field(ge=1, le=99)
    tier: Text = Field(min_length=1, max_length=40, description="Final tier: its id, name or number (0 = lowest)")
    reason: Text = Field(default="", max_length=2000, description="Required when the tier differs from the computed one")


class TierDecisionPublic(BaseModel):
    model_config = with_examples({
        "id": "5d1c2b3a-0f4e-4c6d-9a8b-7e6f5d4c3b2a", "index_name": "ppm", "cycle": 2024, "kecamatan": "Cimahi Utara",
        "kelurahan": "Cibabat", "rw": 5, "score": 0.582, "computed_tier": 1, "computed_tier_name": "Berdaya",
        "final_tier": 2, "final_tier_name": "Mandiri", "overridden": True, "reason": "Kunjungan lapangan",
        "calibration_id": None, "decided_by": "key_1a2b3c4d5e6f", "decided_by_label": "Penilai Cibabat",
        "created_at": "2026-12-02T03:00:00+00:00"})

    id: str
    index_name: str
    cycle: int
    kecamatan: str
    kelurahan: str
    rw: int
    score: float | None
    computed_tier: int
    computed_tier_name: str
    final_tier: int
    final_tier_name: str
    overridden: bool
    reason: str
    calibration_id: str | None = Field(description="The calibration that computed the tier (null = the definition's cuts)")
    decided_by: str | None = Field(description="The key that decided")
    decided_by_label: str | None = None
    created_at: UtcDatetime


class OverrideRate(BaseModel):
    """How often the final tier differs from the computed one, and in which direction."""

    model_config = with_examples(_RATE)

    group: str
    decisions: int
    overrides: int
    rate: float = Field(description="overrides / decisions")
    raised: int = Field(description="final tier above the computed one")
    lowered: int = Field(description="final tier below the computed one")


class OverrideRates(BaseModel):
    model_config = with_examples({"by_kelurahan": [_RATE], "by_evaluator": [{**_RATE, "group": "Penilai Cibabat"}],
                                  "total": _RATE})

    by_kelurahan: list[OverrideRate]
    by_evaluator: list[OverrideRate]
    total: OverrideRate


class InForceRequest(BaseModel):
    model_config = with_examples(
        {"calibration_id": "cal-ppm-ordinal-2018_2024-1a2b3c4d", "from_cycle": 2025,
         "reason": "Kalibrasi dari tingkat akhir 2018-2024, ditinjau rapat evaluasi"}, extra="forbid")

    calibration_id: Text = Field(min_length=1, max_length=120)
    from_cycle: int = Field(ge=2000, le=2100, description="First cycle it scores (until another takes over)")
    reason: Text = Field(min_length=3, max_length=2000, description="Why (recorded with who and when)")


class InForcePublic(BaseModel):
    model_config = with_examples({
        "id": 1, "index_name": "ppm", "from_cycle": 2025, "calibration_id": "cal-ppm-ordinal-2018_2024-1a2b3c4d",
        "method": "ordinal", "reason": "Ditinjau rapat evaluasi", "set_by": "key_1a2b3c4d5e6f",
        "set_by_label": "Staf kebijakan", "created_at": "2026-12-02T03:00:00+00:00"})

    id: int
    index_name: str
    from_cycle: int
    calibration_id: str
    method: str
    reason: str
    set_by: str | None
    set_by_label: str | None = None
    created_at: UtcDatetime


class TierTransitions(BaseModel):
    """What a calibration would change if it were in force: stored scores re-tiered with its cut points."""

    model_config = with_examples({
        "calibration_id": "cal-ppm-ordinal-2018_2024-1a2b3c4d", "from_cycle": 2025, "cycles": [2025], "units": 2,
        "changed": 1, "matrix": {"berdaya": {"berdaya": 1, "mandiri": 1}}, "current_calibrations": {"2025": None}})

    calibration_id: str
    from_cycle: int
    cycles: list[int]
    units: int
    changed: int
    matrix: dict[str, dict[str, int]] = Field(description="current tier id -> new tier id -> units")
    current_calibrations: dict[str, str | None] = Field(description="Per cycle: the calibration in force now")


class ClosureRequest(BaseModel):
    model_config = with_examples({"reason": "Evaluasi siklus 2018 selesai"}, extra="forbid")

    reason: Text = Field(min_length=3, max_length=2000)


class ClosurePublic(BaseModel):
    model_config = with_examples({"cycle": 2018, "reason": "Evaluasi siklus 2018 selesai",
                                  "closed_by": "key_1a2b3c4d5e6f", "created_at": "2026-12-02T03:00:00+00:00"})

    cycle: int
    reason: str
    closed_by: str | None
    created_at: UtcDatetime


class RunProgress(BaseModel):
    """Where a score run's background job is: its state, rows done of all, and its failure if it failed."""

    model_config = with_examples({
        "job_id": "9a8b7c6d5e4f3a2b", "state": "running", "done": 1000, "total": 2552, "percent": 39,
        "note": {"id": "1000 dari 2552 baris dinilai", "en": "1000 of 2552 rows scored"}, "error": None})

    job_id: str
    state: str = Field(description="queued, running, done, failed or interrupted")
    done: int
    total: int | None
    percent: int
    note: dict[str, str] | None = None
    error: dict[str, Any] | None = None

    @classmethod
    def of(cls, job: Job) -> RunProgress:
        return cls(
            job_id=job.job_id,
            state=job.state.value,
            done=job.done,
            total=job.total,
            percent=job.percent,
            note=job.note,
            error=job.error,
        )


class ScoreRunPublic(BaseModel):
    model_config = with_examples({
        "id": "3f2e1d0c9b8a7f6e", "index_name": "ppm", "source": "evaluations_SINTETIS.xlsx", "synthetic": True,
        "rows": 2552, "stored_units": 2552, "job": None, "created_at": "2026-12-02T03:00:00+00:00"})

    id: str
    index_name: str
    source: str
    synthetic: bool
    rows: int
    stored_units: int
    job: RunProgress | None = None
    created_at: UtcDatetime


class UnitPage(BaseModel):
    model_config = with_examples({"run_id": "3f2e1d0c9b8a7f6e", "items": [], "total": 0, "offset": 0, "limit": 50})

    run_id: str
    items: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
