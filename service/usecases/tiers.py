"""Tier decisions: an evaluator confirms an RW's computed tier for a cycle or sets another with a reason.

The computed tier is the RW's newest stored score for that cycle (a score run), never a number the
caller sends, so the audit record (who, when, computed tier, final tier, reason, calibration that
computed it) says what Berdaya computed. A closed cycle refuses decisions (409) with nothing stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from knowledge.errors import InvalidInput, Problem
from scoring.tiers import tier_ordinal
from service import repository
from service import repository_evaluations as store
from service.auth import Principal
from service.deps import Services
from service.errors import NotFound
from service.models import CycleClosure, TierDecision
from service.schemas_evaluations import (
    ClosurePublic,
    OverrideRate,
    OverrideRates,
    TierDecisionPublic,
    TierDecisionRequest,
)


def _tier_name(services: Services, tier: int, lang: str = "id") -> str:
    level = services.engines.definition().tiers.levels[tier]
    return str(level.name.model_dump()[lang])


def key_labels(services: Services) -> dict[str, str]:
    """API key id -> the label it was given (who a person reads as having done something)."""
    with services.db.session() as session:
        return {row.id: row.label or row.id for row in repository.list_keys(session)}


def public(services: Services, row: TierDecision, labels: dict[str, str] | None = None) -> TierDecisionPublic:
    labels = labels if labels is not None else key_labels(services)
    return TierDecisionPublic(
        id=row.id, index_name=row.index_name, cycle=row.cycle, kecamatan=row.kecamatan, kelurahan=row.kelurahan,
        rw=row.rw, score=row.score, computed_tier=row.computed_tier,
        computed_tier_name=_tier_name(services, row.computed_tier), final_tier=row.final_tier,
        final_tier_name=_tier_name(services, row.final_tier), overridden=row.final_tier != row.computed_tier,
        reason=row.reason, calibration_id=row.calibration_id, decided_by=row.key_id,
        decided_by_label=labels.get(row.key_id or ""), created_at=row.created_at)


def _final_tier(services: Services, value: str) -> int:
    try:
        tier = tier_ordinal(services.engines.definition(), value)
    except ValueError:
        tier = None
    if tier is None:
        names = ", ".join(_tier_name(services, i) for i in range(len(services.engines.definition().tiers.levels)))
        raise InvalidInput([Problem("tier", f"tingkat '{value}' tidak dikenal; pilih salah satu: {names}",
                                    f"unknown tier '{value}'; choose one of: {names}")])
    return tier


def decide_tier(services: Services, key: Principal, body: TierDecisionRequest) -> TierDecisionPublic:
    """Store the evaluator's final tier for an RW and cycle (nothing is stored when it is refused)."""
    final = _final_tier(services, body.tier)
    index_name = services.engines.definition().name
    with services.db.session() as session:
        unit = store.latest_unit(session, index_name, body.cycle, body.kelurahan, body.rw)
    if unit is None:
        raise NotFound(f"RW {body.rw} {body.kelurahan} belum dinilai untuk siklus {body.cycle}; nilai dulu di /skor",
                       f"RW {body.rw} {body.kelurahan} has no stored score for cycle {body.cycle}; score it first")
    if unit.tier is None:
        raise InvalidInput([Problem("tier", "skor RW ini tidak lengkap, jadi tidak ada tingkat terhitung untuk "
                                    "dikonfirmasi", "this RW's score is incomplete, so there is no computed tier")])
    if final != unit.tier and not body.reason.strip():
        raise InvalidInput([Problem("reason", "alasan wajib diisi bila tingkat akhir berbeda dari tingkat terhitung",
                                    "a reason is required when the final tier differs from the computed one")])
    row = TierDecision(id="", index_name=index_name, cycle=body.cycle, kecamatan=unit.kecamatan,
                       kelurahan=unit.kelurahan, rw=unit.rw, score=unit.score, computed_tier=unit.tier,
                       final_tier=final, reason=body.reason.strip(), calibration_id=unit.calibration_id,
                       score_unit_id=unit.id, key_id=key.key_id)
    with services.db.session() as session:
        stored = store.add_tier_decision(session, row)
    return public(services, stored)


def list_decisions(services: Services, *, cycle: int | None = None, kelurahan: str | None = None,
                   rw: int | None = None, history: bool = False) -> list[TierDecisionPublic]:
    with services.db.session() as session:
        rows = store.tier_decisions(session, services.engines.definition().name,
                                    cycles=None if cycle is None else [cycle], kelurahan=kelurahan, rw=rw,
                                    latest_only=not history)
    labels = key_labels(services)
    return [public(services, r, labels) for r in rows]


def _rate(group: str, rows: Iterable[TierDecision]) -> OverrideRate:
    items = list(rows)
    raised = sum(1 for r in items if r.final_tier > r.computed_tier)
    lowered = sum(1 for r in items if r.final_tier < r.computed_tier)
    return OverrideRate(group=group, decisions=len(items), overrides=raised + lowered,
                        rate=(raised + lowered) / len(items) if items else 0.0, raised=raised, lowered=lowered)


def _grouped(rows: list[TierDecision], key: Callable[[TierDecision], str]) -> list[OverrideRate]:
    groups: dict[str, list[TierDecision]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return [_rate(name, items) for name, items in sorted(groups.items())]


def override_rates(services: Services, cycle: int | None = None) -> OverrideRates:
    """Final tiers against computed ones, by kelurahan and by evaluator (the newest decision per RW-cycle)."""
    with services.db.session() as session:
        rows = store.tier_decisions(session, services.engines.definition().name,
                                    cycles=None if cycle is None else [cycle])
    labels = key_labels(services)
    return OverrideRates(by_kelurahan=_grouped(rows, lambda r: r.kelurahan),
                         by_evaluator=_grouped(rows, lambda r: labels.get(r.key_id or "", r.key_id or "—")),
                         total=_rate("", rows))


def _closure(row: CycleClosure) -> ClosurePublic:
    return ClosurePublic(cycle=row.cycle, reason=row.reason, closed_by=row.key_id, created_at=row.created_at)


def close_cycle(services: Services, key: Principal, cycle: int, reason: str) -> ClosurePublic:
    """Close a cycle for tier decisions (policy staff); closing it twice is a 409."""
    if not 2000 <= cycle <= 2100:
        raise InvalidInput([Problem("cycle", f"siklus {cycle} di luar 2000-2100", f"cycle {cycle} is outside 2000-2100")])
    with services.db.session() as session:
        return _closure(store.close_cycle(session, cycle, reason, key.key_id))


def closed_cycles(services: Services) -> list[ClosurePublic]:
    with services.db.session() as session:
        return [_closure(r) for r in store.closed_cycles(session)]


def final_tier_labels(services: Services, units: list[dict[str, Any]]) -> dict[tuple[int, str, int], int]:
    """(cycle, kelurahan, rw) -> final tier: the newest tier decision, else the evaluator's tier as imported."""
    out: dict[tuple[int, str, int], int] = {}
    for unit in units:
        if unit.get("evaluator_tier") is not None and unit.get("cycle") is not None:
            out[(int(unit["cycle"]), str(unit["kelurahan"]), int(unit["rw"]))] = int(unit["evaluator_tier"])
    with services.db.session() as session:
        for row in store.tier_decisions(session, services.engines.definition().name):
            out[(row.cycle, row.kelurahan, row.rw)] = row.final_tier
    return out
