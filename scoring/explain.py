"""Explanations per unit: contributions, the gain of raising each indicator to its goalpost,
and the fewest improvements (largest gain first) that lift the unit to the next tier.

The gain is IDM's published "nilai": for IDM it equals (5 - score) / (5·n·3). Contributions
split the score over the indicators in proportion to weight x normalised value; for an
arithmetic index they are exactly weight x normalised value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.aggregate import scores_from_normalised
from scoring.compiled import CompiledIndex
from scoring.tiers import assign_tiers


@dataclass
class Explanation:
    contributions: np.ndarray   # (n, m)
    gains: np.ndarray           # (n, m) score gain if the indicator reached its good goalpost
    plan: list[list[int]]       # per unit: indicator columns to raise, largest gain first ([] if none needed)
    plan_score: np.ndarray      # (n,) score after the plan (NaN when no next tier or unscored)
    reachable: np.ndarray       # (n,) bool: the plan reaches the next tier


def contributions(ci: CompiledIndex, N: np.ndarray, score: np.ndarray) -> np.ndarray:
    weighted = N * ci.effective_weight
    total = weighted.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, weighted / total, 0.0)
    out: np.ndarray = share * score[:, None]
    return out


def goalpost_gains(ci: CompiledIndex, N: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Score with indicator j at its good goalpost minus the score now, for every unit and j."""
    gains = np.empty_like(N)
    work = N.copy()
    for j in range(ci.m):
        saved = work[:, j].copy()
        work[:, j] = 1.0
        gains[:, j] = scores_from_normalised(ci, work) - score
        work[:, j] = saved
    out: np.ndarray = np.maximum(gains, 0.0)
    return out


def next_tier_plans(ci: CompiledIndex, N: np.ndarray, score: np.ndarray, tier: np.ndarray, cuts: np.ndarray,
                    rule: str, gains: np.ndarray) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    """Greedy: raise indicators to their goalposts, largest gain first, until the tier rises."""
    n, m = N.shape
    top = len(cuts)
    active = np.flatnonzero((tier >= 0) & (tier < top))
    # Rounded so that gains equal up to floating-point noise tie-break by indicator order,
    # whatever the unit's position in the table.
    order = np.argsort(-np.round(gains, 12), axis=1, kind="stable")
    steps = np.zeros(n, dtype=np.int64)
    plan_score = np.full(n, np.nan)
    reachable = np.zeros(n, dtype=bool)
    work = N.copy()
    for k in range(m):
        if active.size == 0:
            break
        cols = order[active, k]
        work[active, cols] = 1.0
        s = scores_from_normalised(ci, work[active])
        done = assign_tiers(s, cuts, rule) > tier[active]
        steps[active] = k + 1
        plan_score[active] = s
        reachable[active[done]] = True
        active = active[~done]
    plans = [order[i, : steps[i]].tolist() if reachable[i] else [] for i in range(n)]
    return plans, plan_score, reachable


def explain(ci: CompiledIndex, N: np.ndarray, score: np.ndarray, tier: np.ndarray, cuts: np.ndarray,
            rule: str) -> Explanation:
    safe = np.where(np.isnan(N), 0.0, N)   # unscored units get no explanation; keep arithmetic finite
    s = np.where(np.isnan(score), 0.0, score)
    contrib = contributions(ci, safe, s)
    gains = goalpost_gains(ci, safe, s)
    unscored = np.isnan(score)
    contrib[unscored] = np.nan
    gains[unscored] = np.nan
    plans, plan_score, reachable = next_tier_plans(ci, safe, s, tier, cuts, rule, np.nan_to_num(gains))
    return Explanation(contrib, gains, plans, plan_score, reachable)


def fmt_number(x: float, lang: str, decimals: int = 2) -> str:
    """Indonesian separators in id (1.234,5), English in en (1,234.5); trailing zeros dropped."""
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text
