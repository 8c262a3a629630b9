"""What a synthetic proposal of a cycle must meet: the knowledge base in force, read for the generator.

Clean synthetic proposals meet every threshold of the rules of their own cycle and sit around
them as real proposals do: RWs aim at the minimum share of women, spend close to the ceiling,
and so on. The thresholds are therefore read from the shipped knowledge base for each cycle
(the parameter names are in `settings.yaml`, `policy_parameters`); how close to a threshold
the values fall is a generation setting (`clean_spread`). A cycle in which the programme was
suspended gets no proposals, as in reality.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from knowledge.dates import cycle_date
from knowledge.kb import KnowledgeBase, load_knowledge_base
from knowledge.synthetic.settings import Settings

CEILING_FRACTION = "ceiling_fraction"


@dataclass(frozen=True)
class CyclePolicy:
    """The thresholds of one cycle that the generator keeps to (or breaks, for a seeded problem)."""

    cycle: int
    ceiling: int
    thresholds: dict[str, float]          # parameter name -> value in force
    split: tuple[int, int] | None         # (infrastructure, community) parts when a split rule is in force
    menu: frozenset[str] | None           # fundable categories, None = every known category
    suspended: bool
    programme: str                        # short programme name, for titles


def _rule_uses(kb: KnowledgeBase, cycle: int, param: str) -> bool:
    day = cycle_date(cycle)
    return any(f"param.{param}" in rule.when for rule in kb.rules_on(day))


@lru_cache(maxsize=1)
def _shipped() -> KnowledgeBase:
    return load_knowledge_base()


@lru_cache(maxsize=64)
def _policy(cycle: int, names: tuple[tuple[str, Any], ...], thresholds: tuple[str, ...]) -> CyclePolicy:
    kb = _shipped()
    day = cycle_date(cycle)
    p = dict(names)

    def number(name: str) -> float:
        found = kb.parameter_value(name, day)
        return float(found) if isinstance(found, (int, float)) else float("nan")

    infra, community = p["split"]
    split = None
    if kb.parameter_value(infra, day) is not None and _rule_uses(kb, cycle, infra):
        split = (int(number(infra)), int(number(community)))
    menu = kb.parameter_value(p["menu"], day)
    return CyclePolicy(
        cycle=cycle, ceiling=int(number(p["ceiling"])),
        # `ceiling_fraction`: the PPM total is spread as a fraction of the ceiling, whose cap is 1.
        thresholds={name: 1.0 if name == CEILING_FRACTION else number(name) for name in thresholds},
        split=split, menu=frozenset(menu) if isinstance(menu, list) else None,
        suspended=number(p["suspended"]) == 1, programme=str(kb.parameter_value(p["programme"], day) or "PPM"))


def cycle_policy(s: Settings, cycle: int) -> CyclePolicy:
    """The policy in force for `cycle` in the shipped knowledge base (read once per process and cycle)."""
    names = s.raw["policy_parameters"]
    key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(names.items()))
    wanted = tuple(sorted({spec["threshold"] for spec in s.raw["clean_spread"].values()}))
    return _policy(int(cycle), key, wanted)


def near_threshold(rng: random.Random, s: Settings, name: str, policy: CyclePolicy) -> float:
    """A clean value for `name` on the allowed side of its threshold, spread as real values are.

    With probability `near` it lies within `band` of the threshold (at least `inner` from it:
    rounding in the build must not carry it across), otherwise between the band and `far`.
    Minimums are approached from above, caps (`side: max`) from below.
    """
    spec = s.raw["clean_spread"][name]
    t = policy.thresholds[spec["threshold"]]
    band, inner, far = float(spec["band"]), float(spec.get("inner", 0.0)), float(spec["far"])
    sign = -1.0 if spec.get("side") == "max" else 1.0
    if rng.random() < float(spec["near"]):
        return t + sign * rng.uniform(inner, band)
    edge = t + sign * band
    return rng.uniform(min(edge, far), max(edge, far))
