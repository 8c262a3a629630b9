"""The policy of a calibration from stored final tiers: how many final tiers each tier needs.

Data, not code (`knowledge/data/calibration/policy.yaml`): each value carries its source and
whether it is verified or assumed, so a refusal can say where its minimum comes from.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from knowledge import intake
from knowledge.indices import Sourced, Text

POLICY_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "calibration" / "policy.yaml"


class Minimum(Sourced):
    """A whole-number minimum with its source."""

    value: int = Field(ge=1)
    description: Text


class CalibrationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_final_tiers_per_tier: Minimum


def load_calibration_policy(path: str | Path | None = None) -> CalibrationPolicy:
    """The policy in `path`, or the shipped one (read once per process)."""
    return _load(str(path or POLICY_FILE))


@lru_cache(maxsize=4)
def _load(path: str) -> CalibrationPolicy:
    limits = intake.ReadLimits()
    return CalibrationPolicy.model_validate(intake.read_yaml(intake.read_file(path, limits), limits, source=path))
