"""Proposals with known women's shares, built from the hand-written valid proposal fixture."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from knowledge.versions import SHIPPED_KB

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "proposal_valid.yaml"
ATTENDANCE = 64
WOMEN = (10, 19, 20, 24, 25, 26, 32)   # shares 0.156 0.297 0.3125 0.375 0.391 0.406 0.5


def shift_years(value: Any, years: int) -> Any:
    """Move every date of a proposal by whole years (the same day and month)."""
    if isinstance(value, dict):
        return {k: shift_years(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_years(v, years) for v in value]
    if isinstance(value, dt.date):
        return value.replace(year=value.year + years)
    return value


def proposal(women: int, cycle: int = 2022, rw: int = 5) -> dict[str, Any]:
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    data = shift_years(data, cycle - data["cycle"])
    data["cycle"] = cycle
    data["region"]["rw"] = rw
    data["musyawarah"]["attendance"]["total"] = ATTENDANCE
    data["musyawarah"]["attendance"]["women"] = women
    return copy.deepcopy(data)


def women_items(cycles=(2021, 2022)) -> list[tuple[str, dict]]:
    return [(f"uji-{cycle}-perempuan-{w}", proposal(w, cycle, rw=i + 1))
            for cycle in cycles for i, w in enumerate(WOMEN)]


def women_rule_ids() -> set[str]:
    """Rules whose condition uses the women's share parameter, directly or through a conclusion."""
    rules = [r for f in sorted((SHIPPED_KB / "rules").glob("*.yaml")) for r in yaml.safe_load(f.read_text()) or []]
    direct = {r["id"] for r in rules if "param.min_women_attendance_share" in r.get("when", "")}
    conclusions = {r["derive"] for r in rules if r["id"] in direct and r.get("derive")}
    users = {r["id"] for r in rules if any(c in r.get("when", "") for c in conclusions)}
    return {r["id"] for r in rules if r["id"] in direct | users and r.get("severity")}
