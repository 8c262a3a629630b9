"""Calibration artifacts: list, read one exactly as stored, store a new (immutable) one; and which is in force.

Storing an artifact proposes it (evaluators and policy staff); only policy staff put one in force,
from a cycle on, with a reason. Scores already stored keep the calibration that computed them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from calibration.artifact import CalibrationArtifact
from scoring.tiers import assign_tiers
from service import repository
from service import repository_evaluations as store
from service.auth import Principal
from service.deps import Services
from service.models import Calibration, CalibrationInForce, ScoreUnit
from service.schemas import CalibrationSummary
from service.schemas_evaluations import InForcePublic, InForceRequest, TierTransitions


def summary(row: Calibration, index_hash: str) -> CalibrationSummary:
    return CalibrationSummary(id=row.id, index_name=row.index_name, index_hash=row.index_hash, method=row.method,
                              synthetic=row.synthetic, created_at=row.created_at, usable=row.index_hash == index_hash)


def list_calibrations(services: Services) -> list[CalibrationSummary]:
    with services.db.session() as session:
        rows = repository.list_calibrations(session)
    current = services.engines.index_hash()
    return [summary(r, current) for r in rows]


def get_calibration(services: Services, calibration_id: str) -> dict[str, Any]:
    with services.db.session() as session:
        return repository.get_calibration(session, calibration_id).artifact


def upload_calibration(services: Services, key: Principal, artifact: CalibrationArtifact) -> CalibrationSummary:
    """Store an artifact written by `berdaya calibrate`, checked against its id and the index definition."""
    data = artifact.model_dump(mode="json")
    services.engines.check_calibration(data)
    with services.db.session() as session:
        row = repository.add_calibration(session, data, key_id=key.key_id)
    return summary(row, services.engines.index_hash())


def _in_force_public(services: Services, row: CalibrationInForce, methods: dict[str, str],
                     labels: dict[str, str]) -> InForcePublic:
    return InForcePublic(id=row.id, index_name=row.index_name, from_cycle=row.from_cycle,
                         calibration_id=row.calibration_id, method=methods.get(row.calibration_id, ""),
                         reason=row.reason, set_by=row.key_id, set_by_label=labels.get(row.key_id or ""),
                         created_at=row.created_at)


def in_force_history(services: Services) -> list[InForcePublic]:
    """Every calibration put in force for this index, newest first (who, when, why, from which cycle)."""
    with services.db.session() as session:
        rows = store.in_force_records(session, services.engines.definition().name)
        methods = {c.id: c.method for c in repository.list_calibrations(session)}
        labels = {k.id: k.label or k.id for k in repository.list_keys(session)}
    return [_in_force_public(services, r, methods, labels) for r in rows]


def put_in_force(services: Services, key: Principal, body: InForceRequest) -> InForcePublic:
    """Put a stored calibration in force from a cycle on (policy staff). Scores already stored keep theirs."""
    with services.db.session() as session:
        artifact = repository.get_calibration(session, body.calibration_id).artifact
    services.engines.check_calibration(artifact)
    row = CalibrationInForce(index_name=services.engines.definition().name, from_cycle=body.from_cycle,
                             calibration_id=body.calibration_id, reason=body.reason.strip(), key_id=key.key_id)
    with services.db.session() as session:
        store.put_in_force(session, row)
        labels = {k.id: k.label or k.id for k in repository.list_keys(session)}
    return _in_force_public(services, row, {body.calibration_id: artifact.get("method", "")}, labels)


def in_force_by_cycle(services: Services, cycles: list[int]) -> dict[int, str | None]:
    name = services.engines.definition().name
    with services.db.session() as session:
        found = {c: store.in_force_for_cycle(session, name, c) for c in cycles}
    return {c: (r.calibration_id if r is not None else None) for c, r in found.items()}


def transitions(services: Services, calibration_id: str, from_cycle: int,
                units: list[ScoreUnit]) -> TierTransitions:
    """The tier each stored unit would get under `calibration_id` put in force from `from_cycle` (scores unchanged).

    Only the cycles it would score count: from `from_cycle` up to the next cycle another calibration is in force for.
    """
    definition = services.engines.definition()
    with services.db.session() as session:
        artifact = repository.get_calibration(session, calibration_id).artifact
        later = [r.from_cycle for r in store.in_force_records(session, definition.name) if r.from_cycle > from_cycle]
    services.engines.check_calibration(artifact)
    until = min(later, default=10_000)
    affected = [u for u in units if u.cycle is not None and from_cycle <= u.cycle < until and u.score is not None
                and u.tier is not None]
    new = assign_tiers(np.array([u.score for u in affected], dtype=float), np.array(artifact["cut_points"]),
                       definition.tiers.cut_rule)
    ids = definition.tier_ids
    matrix = {a: dict.fromkeys(ids, 0) for a in ids}
    for unit, tier in zip(affected, new, strict=True):
        matrix[ids[int(unit.tier or 0)]][ids[int(tier)]] += 1
    cycles = sorted({int(u.cycle or 0) for u in affected})
    return TierTransitions(
        calibration_id=calibration_id, from_cycle=from_cycle, cycles=cycles, units=len(affected),
        changed=sum(1 for u, t in zip(affected, new, strict=True) if u.tier != int(t)), matrix=matrix,
        current_calibrations={str(c): v for c, v in in_force_by_cycle(services, cycles).items()})
