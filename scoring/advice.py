"""Advice sentences (Bahasa Indonesia and English) built from a unit's next-tier plan."""

from __future__ import annotations

from typing import Any

from knowledge.indices import IndexDefinition
from scoring.explain import fmt_number

_RULE_TEXT = {">": {"id": "di atas", "en": "above"}, ">=": {"id": "minimal", "en": "at least"}}


# Decimals of a score when the definition does not say (`tiers.precision`): the pages show 3.
SCORE_DECIMALS = 3


def _in_unit(value: float, unit: str, lang: str) -> str:
    """An indicator's value in its unit: a ratio as a percentage (0,16 -> 16%), others as numbers."""
    if unit == "ratio":
        return f"{fmt_number(100 * value, lang, 1)}%"
    return fmt_number(value, lang)


def _step_text(step: dict[str, Any], unit: str, lang: str) -> str:
    verb = {("id", False): "naikkan", ("id", True): "turunkan", ("en", False): "raise", ("en", True): "lower"}
    joiner = {"id": ("dari", "ke"), "en": ("from", "to")}[lang]
    return (f"{verb[(lang, step['lower_is_better'])]} {step['name'][lang]} {joiner[0]} "
            f"{_in_unit(step['from'], unit, lang)} {joiner[1]} {_in_unit(step['to'], unit, lang)} "
            f"(+{fmt_number(step['gain'], lang, 3)})")


def advice(defn: IndexDefinition, unit: dict[str, Any], lang: str) -> str:
    """One sentence saying what lifts the unit to the next tier soonest (or why there is none)."""
    levels = defn.tiers.levels
    if unit["score"] is None:
        if unit["not_scored_reason"] == "insufficient_data":
            share = fmt_number(100 * unit["available_share"], lang, 0)
            need = fmt_number(100 * defn.missing_data.min_available_share, lang, 0)
            return {"id": f"Tidak dinilai: hanya {share}% indikator terisi (perlu {need}%).",
                    "en": f"Not scored: only {share}% of indicators recorded ({need}% needed)."}[lang]
        return {"id": "Tidak dinilai: ada indikator kosong yang tidak dapat diimputasi.",
                "en": "Not scored: a missing indicator could not be imputed."}[lang]
    tier = unit["tier"]
    if tier == len(levels) - 1:
        return {"id": f"Sudah di tingkat tertinggi ({levels[tier].name.id}).",
                "en": f"Already at the highest tier ({levels[tier].name.en})."}[lang]
    plan = unit["next_tier"]
    target = levels[tier + 1].name.id if lang == "id" else levels[tier + 1].name.en
    rule = _RULE_TEXT[defn.tiers.cut_rule][lang]
    # The score and its cut to the score's own precision: "kini 0,392" beside a score shown as 0,392.
    decimals = defn.tiers.precision.decimals if defn.tiers.precision else SCORE_DECIMALS
    cut, now = fmt_number(plan["cut"], lang, decimals), fmt_number(unit["score"], lang, decimals)
    if not plan["reachable"]:
        return {"id": f"Tingkat {target} tidak tercapai walau semua indikator mencapai batas terbaiknya.",
                "en": f"Tier {target} is out of reach even with every indicator at its best goalpost."}[lang]
    units = {ind.id: ind.unit for ind in defn.indicators}
    steps = "; ".join(_step_text(s, units[s["indicator"]], lang) for s in plan["steps"])
    if lang == "id":
        return f"Untuk naik ke {target} (skor {rule} {cut}; kini {now}): {steps}."
    return f"To reach {target} (score {rule} {cut}; now {now}): {steps}."
