"""Fact extraction for the small test knowledge base (tests/rules/fixtures/kb_small).

The engine's unit tests must not depend on the shipped knowledge base's facts, so this
computes the handful of facts the small base uses, the way `rules.facts` does for the real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.proposal import Proposal

SMALL_KB = Path(__file__).parent / "fixtures" / "kb_small"


@dataclass(frozen=True)
class SmallFacts:
    values: dict[str, Any]
    locators: dict[str, list[str]]


def small_facts(proposal: Proposal, params: Mapping[str, Any], categories: Mapping[str, Any]) -> SmallFacts:
    ppm = swadaya = mamin = 0
    wage_lines: list[str] = []
    for a, act in enumerate(proposal.activities):
        for n, line in enumerate(act.budget_lines):
            amount = line.computed_amount
            if line.source == "ppm":
                ppm += amount
                if line.kind == "mamin":
                    mamin += amount
                if line.kind == "upah":
                    wage_lines.append(f"activities[{a}].budget_lines[{n}].source")
            elif line.source == "swadaya":
                swadaya += amount
    att = proposal.musyawarah.attendance
    values = {
        "ppm_total": ppm,
        "ppm_excess": max(0, ppm - params["pagu_per_rw"]),
        "mamin_share": mamin / ppm if ppm else 0.0,
        "swadaya_total": swadaya,
        "women_attendance_share": att.women / att.total if att.total else 0.0,
        "poor_attendance_count": att.poor,
        "ppm_wage_line_count": len(wage_lines),
        "maintenance_plan_missing": any(not (a.maintenance_plan or "").strip() for a in proposal.activities),
        "kecamatan": proposal.region.kecamatan,
        "unknown_category_count": sum(a.category not in categories for a in proposal.activities),
        # A value far below 1e-4, which Python's json writes as 1e-05 style notation.
        "precision_probe": proposal.musyawarah.households_in_rw / 5e10,
    }
    return SmallFacts(values, {"ppm_wage_lines": wage_lines})
