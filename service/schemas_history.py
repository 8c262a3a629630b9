"""Response models of an RW's history across cycles: tiers, dimension scores, indicators, the advice of
each cycle and whether the next cycle followed it. Texts a person reads are {"id": ..., "en": ...}."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.schemas import UtcDatetime, with_examples
from service.schemas_journey import DocumentedEnum

Words = dict[str, str]
_PORSI = {"id": "Porsi dana pihak lain", "en": "Share of other funding"}
_STEP = {"indicator": "other_funding_share", "name": _PORSI, "value": 0.0, "advised_to": 0.3,
         "lower_is_better": False, "next_value": 0.2, "moved": True}
_FOLLOW_UP = {"outcome": "followed", "next_cycle": 2024, "moved": 1, "steps": [_STEP],
              "summary": {"id": "Pada siklus 2024, 1 dari 1 indikator yang disarankan bergerak sesuai saran.",
                          "en": "In cycle 2024, 1 of the 1 advised indicators moved the advised way."}}
_VALUE = {"id": "other_funding_share", "name": _PORSI, "value": 0.2, "imputed": False, "change": 0.2}
_CYCLE = {
    "cycle": 2023, "score": 0.507, "borderline": False, "computed_tier": 1,
    "computed_tier_name": {"id": "Berdaya", "en": "Empowered"}, "final_tier": 2,
    "final_tier_name": {"id": "Mandiri", "en": "Self-reliant"}, "decided": True, "overridden": True,
    "decided_by_label": "Penilai Cibabat", "decided_at": "2026-12-02T03:00:00+00:00", "reason": "Kunjungan lapangan",
    "calibration_id": None, "dimensions": [{**_VALUE, "id": "swadaya", "name": {"id": "Swadaya", "en": "Self-reliance"}}],
    "indicators": [_VALUE], "advice": {"id": "Untuk naik ke Mandiri (skor minimal 0,6; kini 0,507): ...",
                                       "en": "To reach Mandiri (score at least 0.6; now 0.507): ..."},
    "follow_up": _FOLLOW_UP}


class AdviceOutcome(DocumentedEnum):
    """Whether the indicators a cycle's advice named moved the advised way in the next scored cycle."""

    FOLLOWED = "followed"          # every advised indicator moved the advised way
    PARTLY = "partly"              # some did
    NOT_FOLLOWED = "not_followed"  # none did
    NOT_YET = "not_yet"            # no later cycle with indicator values is stored
    NO_ADVICE = "no_advice"        # top tier, out of reach, or scored without an explanation


class NamedValue(BaseModel):
    """A dimension score or an indicator value of one cycle."""

    model_config = with_examples(_VALUE)
    id: str
    name: Words
    value: float | None
    imputed: bool = False
    change: float | None = Field(default=None, description="Against the previous scored cycle (null: none)")


class AdviceStep(BaseModel):
    """One improvement the advice named, and what the next scored cycle recorded."""

    model_config = with_examples(_STEP)
    indicator: str
    name: Words
    value: float = Field(description="The indicator's value in the advised cycle")
    advised_to: float = Field(description="The goalpost the advice pointed to")
    lower_is_better: bool
    next_value: float | None = Field(default=None, description="Its value in the next scored cycle")
    moved: bool | None = Field(default=None, description="It moved the advised way (null: no next cycle)")


class AdviceFollowUp(BaseModel):
    model_config = with_examples(_FOLLOW_UP)
    outcome: AdviceOutcome
    next_cycle: int | None
    moved: int = Field(description="Advised indicators that moved the advised way")
    steps: list[AdviceStep]
    summary: Words = Field(description="The outcome in words")


class RwCycle(BaseModel):
    """One cycle of an RW: its newest stored score and its newest tier decision."""

    model_config = with_examples(_CYCLE)
    cycle: int
    score: float | None
    borderline: bool
    computed_tier: int | None
    computed_tier_name: Words | None
    final_tier: int | None = Field(description="The decided tier, else the evaluator's imported tier, else null")
    final_tier_name: Words | None
    decided: bool = Field(description="An evaluator decided the final tier in Berdaya")
    overridden: bool = Field(description="The final tier differs from the computed one")
    decided_by_label: str | None
    decided_at: UtcDatetime | None
    reason: str
    calibration_id: str | None = Field(description="The calibration that computed the tier (null = definition cuts)")
    dimensions: list[NamedValue]
    indicators: list[NamedValue]
    advice: Words | None = Field(description="What would lift it to the next tier, as the score said")
    follow_up: AdviceFollowUp


class RwHistory(BaseModel):
    model_config = with_examples({"index_name": "ppm", "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5,
                             "cycles": [_CYCLE]})
    index_name: str
    kecamatan: str
    kelurahan: str
    rw: int
    cycles: list[RwCycle] = Field(description="Oldest cycle first")
