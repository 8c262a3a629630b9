"""An RW's history across the cycles Berdaya stored: per cycle its newest score (computed tier, dimension
scores, indicators, the advice that came with it) beside its newest tier decision, and whether the
next scored cycle followed the advice: each indicator the advice named moved the advised way or not.

Served by GET /v1/rw-history/{kelurahan}/{rw} and the page /skor/rw/{kelurahan}/{rw}.
"""

from __future__ import annotations

from typing import Any

from knowledge.indices import IndexDefinition
from knowledge.reference import load_reference
from service import repository_evaluations as store
from service.deps import Services
from service.errors import NotFound
from service.models import ScoreUnit, TierDecision
from service.schemas_history import AdviceFollowUp, AdviceOutcome, AdviceStep, NamedValue, RwCycle, RwHistory, Words
from service.usecases.tiers import key_labels

LANGS = ("id", "en")


def _newest_per_cycle(rows: list[ScoreUnit]) -> dict[int, ScoreUnit]:
    """The newest stored score per cycle (`rw_units` lists the newest run first within a cycle)."""
    out: dict[int, ScoreUnit] = {}
    for row in rows:
        if row.cycle is not None:
            out.setdefault(row.cycle, row)
    return out


def _not_found(kelurahan: str, rw: int) -> NotFound:
    known = load_reference().find_kelurahan(kelurahan)
    if known is None or not 1 <= rw <= known.rw_count:
        return NotFound(f"RW {rw} Kelurahan {kelurahan} tidak dikenal dan tidak punya skor tersimpan",
                        f"RW {rw} of Kelurahan {kelurahan} is unknown and has no stored scores")
    return NotFound(f"RW {rw} Kelurahan {known.name} belum punya skor tersimpan; nilai dulu di halaman Skor",
                    f"RW {rw} of Kelurahan {known.name} has no stored scores yet; score it on the Scores page")


def rw_history(services: Services, kelurahan: str, rw: int) -> RwHistory:
    """Every stored cycle of one RW, oldest first (NotFound when none is stored)."""
    known = load_reference().find_kelurahan(kelurahan)
    # Printable characters only: a NUL from the path would be a database error, not "not found".
    name = known.name if known is not None else " ".join("".join(c for c in kelurahan if c.isprintable()).split())
    definition = services.engines.definition()
    with services.db.session() as session:
        units = _newest_per_cycle(store.rw_units(session, definition.name, name, rw))
        decisions = {d.cycle: d for d in store.tier_decisions(session, definition.name, kelurahan=name, rw=rw)}
    if not units:
        raise _not_found(name, rw)
    labels = key_labels(services)
    cycles = sorted(units)
    built = []
    for i, cycle in enumerate(cycles):
        previous = units[cycles[i - 1]].unit if i else None
        later = (cycles[i + 1], units[cycles[i + 1]].unit) if i + 1 < len(cycles) else None
        built.append(_cycle(definition, units[cycle], decisions.get(cycle), labels, previous, later))
    first = units[cycles[0]]
    return RwHistory(index_name=definition.name, kecamatan=first.kecamatan or (known.kecamatan if known else ""),
                     kelurahan=name, rw=rw, cycles=built)


def _tier_name(definition: IndexDefinition, tier: int | None) -> Words | None:
    return None if tier is None else definition.tiers.levels[tier].name.model_dump()


def _cycle(definition: IndexDefinition, row: ScoreUnit, decision: TierDecision | None, labels: dict[str, str],
           previous: dict[str, Any] | None, later: tuple[int, dict[str, Any]] | None) -> RwCycle:
    unit = row.unit
    final = decision.final_tier if decision is not None else row.evaluator_tier
    return RwCycle(
        cycle=int(row.cycle or 0), score=row.score, borderline=row.borderline, computed_tier=row.tier,
        computed_tier_name=_tier_name(definition, row.tier), final_tier=final,
        final_tier_name=_tier_name(definition, final), decided=decision is not None,
        overridden=final is not None and row.tier is not None and final != row.tier,
        decided_by_label=None if decision is None else labels.get(decision.key_id or "", decision.key_id),
        decided_at=None if decision is None else decision.created_at,
        reason="" if decision is None else decision.reason, calibration_id=row.calibration_id,
        dimensions=_dimensions(definition, unit, previous), indicators=_indicators(definition, unit, previous),
        advice=unit.get("advice") or None, follow_up=follow_up(unit, later))


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _dimensions(definition: IndexDefinition, unit: dict[str, Any],
                previous: dict[str, Any] | None) -> list[NamedValue]:
    now, before = unit.get("dimensions") or {}, (previous or {}).get("dimensions") or {}
    return [NamedValue(id=d.id, name=d.name.model_dump(), value=now.get(d.id), change=_change(now.get(d.id), before.get(d.id)))
            for d in definition.dimensions]


def _values(unit: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in (unit or {}).get("indicators") or []}


def _indicators(definition: IndexDefinition, unit: dict[str, Any],
                previous: dict[str, Any] | None) -> list[NamedValue]:
    now, before = _values(unit), _values(previous)
    if not now:  # scored without an explanation: the stored unit has no indicator values
        return []
    return [NamedValue(id=ind.id, name=ind.name.model_dump(), value=now.get(ind.id, {}).get("value"),
                       imputed=bool(now.get(ind.id, {}).get("imputed")),
                       change=_change(now.get(ind.id, {}).get("value"), before.get(ind.id, {}).get("value")))
            for ind in definition.indicators]


def follow_up(unit: dict[str, Any], later: tuple[int, dict[str, Any]] | None) -> AdviceFollowUp:
    """Whether the next scored cycle moved each indicator the unit's advice named the advised way."""
    plan = unit.get("next_tier") or {}
    advised = (plan.get("steps") or []) if plan.get("reachable") else []
    next_cycle, next_values = (later[0], _values(later[1])) if later else (None, {})
    steps = []
    for step in advised:
        value = next_values.get(step["indicator"], {}).get("value")
        moved = None if value is None else (value < step["from"] if step["lower_is_better"] else value > step["from"])
        steps.append(AdviceStep(indicator=step["indicator"], name=step["name"], value=step["from"],
                                advised_to=step["to"], lower_is_better=step["lower_is_better"], next_value=value,
                                moved=moved))
    known = [s for s in steps if s.moved is not None]
    moved_n = sum(1 for s in known if s.moved)
    if not steps:
        outcome = AdviceOutcome.NO_ADVICE
    elif not known:
        outcome = AdviceOutcome.NOT_YET
    elif moved_n == len(steps):
        outcome = AdviceOutcome.FOLLOWED
    else:
        outcome = AdviceOutcome.NOT_FOLLOWED if moved_n == 0 else AdviceOutcome.PARTLY
    return AdviceFollowUp(outcome=outcome, next_cycle=next_cycle if known else None, moved=moved_n, steps=steps,
                          summary=_summary(outcome, next_cycle, steps, moved_n))


def _summary(outcome: AdviceOutcome, cycle: int | None, steps: list[AdviceStep], moved: int) -> Words:
    if outcome is AdviceOutcome.NO_ADVICE:
        return {"id": "Tidak ada saran untuk siklus ini (tingkat tertinggi, tidak tercapai, atau tanpa penjelasan).",
                "en": "No advice for this cycle (highest tier, out of reach, or scored without an explanation)."}
    if outcome is AdviceOutcome.NOT_YET:
        return {"id": "Belum dapat dinilai: belum ada siklus berikutnya dengan nilai indikator.",
                "en": "Cannot be judged yet: no later cycle with indicator values is stored."}
    n = len(steps)
    return {"id": f"Pada siklus {cycle}, {moved} dari {n} indikator yang disarankan bergerak sesuai saran.",
            "en": f"In cycle {cycle}, {moved} of the {n} advised indicators moved the advised way."}
