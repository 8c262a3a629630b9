"""The typed reports of policy tuning: what-if replays of rules, tier transitions of an index.

Each report is a pydantic model whose JSON (`model_dump(mode="json")`) is the document the
API returns, the store keeps under `whatif/` and the pages and spreadsheets are drawn from.
Stored reports are read back leniently (`read_report`): fields later versions added have
defaults, so an older report still lists and still opens.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VERDICTS = ("eligible", "needs_revision", "ineligible")
Matrix = dict[str, dict[str, int]]  # before -> after -> count


class ReplayPlan(StrEnum):
    """How much of a check a what-if worker can share between the baseline and the draft for one cycle."""

    SAME = "same"                # identical in force for the cycle: one check serves both
    SHARE_FACTS = "share_facts"  # only rules differ: extract facts once, judge twice
    SEPARATE = "separate"        # parameters, categories or facts differ: two full checks


class _Report(BaseModel):
    model_config = ConfigDict(extra="allow")


class Transitions(_Report):
    all: Matrix
    by_cycle: dict[str, Matrix] = Field(default_factory=dict)


class RuleCount(_Report):
    """How often a rule fired before and after (findings only, not derived conclusions)."""

    rule_id: str
    title: dict[str, str] = Field(default_factory=dict)
    group: str | None = None
    before: int
    after: int
    delta: int


class KelurahanCount(_Report):
    cycle: int
    kecamatan: str
    kelurahan: str
    proposals: int
    changed: int
    before_eligible: int = 0
    before_needs_revision: int = 0
    before_ineligible: int = 0
    after_eligible: int = 0
    after_needs_revision: int = 0
    after_ineligible: int = 0


class ChangedProposal(_Report):
    """A proposal whose verdict changed, with the findings that made the difference."""

    ref: str
    cycle: int
    kecamatan: str
    kelurahan: str
    rw: int
    before: str
    after: str
    new: list[dict[str, Any]] = Field(default_factory=list)
    gone: list[dict[str, Any]] = Field(default_factory=list)


class Totals(_Report):
    proposals: int
    verdict_changed: int
    findings_changed: int


class DraftRef(_Report):
    """The draft replayed: `policy_hash` leaves out the version label, which is metadata, not content."""

    path: str | None = None
    version: str | None = None
    content_hash: str
    policy_hash: str | None = None


class BaselineRef(_Report):
    version: str
    content_hash: str | None = None


class InvalidItem(_Report):
    ref: str
    problems: list[dict[str, str]]


class RunStats(_Report):
    seconds: float
    proposals_per_second: float | None
    workers: int
    worker_pids: list[int]
    parent_pid: int


class WhatIfSummary(_Report):
    """The tables folded from the per-proposal outcomes."""

    transitions: Transitions
    rules: list[RuleCount]
    kelurahan: list[KelurahanCount]
    changed: list[ChangedProposal]
    totals: Totals


class WhatIfReport(WhatIfSummary):
    """Past proposals checked under the published version and under a draft."""

    kind: Literal["whatif-rules"] = "whatif-rules"
    synthetic: bool = False
    source: str = "stored"
    created_at: str
    draft: DraftRef
    baseline: BaselineRef
    requested_cycles: list[int] | None = None
    as_of_cycle: int | None = None
    cycles: list[int]
    verdicts: list[str] = Field(default_factory=lambda: list(VERDICTS))
    invalid: list[InvalidItem] = Field(default_factory=list)
    run: RunStats | None = None

    @property
    def report_hash(self) -> str:
        """What the publish gate finds the report by: the draft's content without its label."""
        return self.draft.policy_hash or self.draft.content_hash


class TierUnitCount(_Report):
    cycle: Any
    kecamatan: Any
    kelurahan: Any
    units: int
    changed: int
    up: int
    down: int


class TierTotals(_Report):
    units: int
    changed: int
    up: int
    down: int


class TierChange(_Report):
    cycle: Any = None
    kecamatan: Any = None
    kelurahan: Any = None
    rw: Any = None
    before: str
    after: str


class TierReport(_Report):
    """The same evaluation records scored under the published and a draft index or calibration."""

    kind: Literal["whatif-tiers"] = "whatif-tiers"
    synthetic: bool = False
    created_at: str
    baseline: dict[str, str]
    draft: dict[str, str]
    tiers: list[str]
    cycles: list[Any]
    transitions: Transitions
    kelurahan: list[TierUnitCount]
    changed: list[TierChange]
    totals: TierTotals


def dump(report: BaseModel) -> dict[str, Any]:
    """The report as the JSON document it is stored and served as."""
    return report.model_dump(mode="json", exclude_none=False)


def read_report(data: Any) -> WhatIfReport | None:
    """A stored what-if report, or None for a document that is not one (damaged, another kind)."""
    if not isinstance(data, dict) or data.get("kind", "whatif-rules") != "whatif-rules":
        return None
    try:
        return WhatIfReport.model_validate(data)
    except ValueError:
        return None
