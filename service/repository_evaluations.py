"""Reads and writes of the evaluations kept in Berdaya: score runs, tier decisions, calibrations in force.

The other half of `service.repository` (same rules: callers build no queries; each write is one
transaction). Tier decisions and in-force records are only ever added: the newest row answers,
the older ones are the audit trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, asc, desc, func, or_, select
from sqlalchemy.orm import Session

from service.errors import Conflict, NotFound
from service.models import Calibration, CalibrationInForce, CycleClosure, ScoreRun, ScoreUnit, TierDecision

# ---- score runs ---------------------------------------------------------------------------------


def add_run(session: Session, run: ScoreRun) -> ScoreRun:
    with session.begin():
        session.add(run)
    return run


def set_run_job(session: Session, run_id: str, job_id: str) -> None:
    with session.begin():
        run = session.get(ScoreRun, run_id)
        if run is not None:
            run.job_id = job_id


def count_units(session: Session, run_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(ScoreUnit).where(ScoreUnit.run_id == run_id)) or 0)


def add_units(session: Session, run_id: str, decision_id: str, units: Sequence[dict[str, Any]], start: int) -> None:
    """The units of one stored score decision, in the order they were scored (`position` from `start`)."""
    with session.begin():
        for offset, unit in enumerate(units):
            session.add(ScoreUnit(
                run_id=run_id, decision_id=decision_id, position=start + offset, cycle=unit.get("cycle"),
                kecamatan=str(unit.get("kecamatan") or ""), kelurahan=str(unit.get("kelurahan") or ""),
                rw=unit.get("rw"), score=unit.get("score"), tier=unit.get("tier"),
                borderline=bool(unit.get("borderline")), evaluator_tier=unit.get("evaluator_tier"),
                calibration_id=unit.get("calibration_id"), unit=unit))


def get_run(session: Session, run_id: str) -> ScoreRun:
    run = session.get(ScoreRun, run_id)
    if run is None:
        raise NotFound(f"Hasil skor '{run_id}' tidak ada", f"No score run '{run_id}'")
    return run


def list_runs(session: Session, limit: int = 20) -> list[ScoreRun]:
    return list(session.scalars(select(ScoreRun).order_by(ScoreRun.created_at.desc()).limit(limit)))


@dataclass(frozen=True)
class UnitQuery:
    """Which units of a run to show: filters, one sort column and a page."""

    search: str = ""
    kelurahan: str | None = None
    cycle: int | None = None
    tier: int | None = None
    borderline: bool | None = None
    sort: str = "position"
    descending: bool = False
    offset: int = 0
    limit: int = 50


SORTABLE = {"position": ScoreUnit.position, "cycle": ScoreUnit.cycle, "kelurahan": ScoreUnit.kelurahan,
            "rw": ScoreUnit.rw, "score": ScoreUnit.score, "tier": ScoreUnit.tier}


def _unit_filters(run_id: str, q: UnitQuery) -> list[Any]:
    where: list[Any] = [ScoreUnit.run_id == run_id]
    if q.kelurahan:
        where.append(ScoreUnit.kelurahan == q.kelurahan)
    if q.cycle is not None:
        where.append(ScoreUnit.cycle == q.cycle)
    if q.tier is not None:
        where.append(ScoreUnit.tier == q.tier)
    if q.borderline is not None:
        where.append(ScoreUnit.borderline.is_(q.borderline))
    if q.search:
        term = q.search.strip()
        like = f"%{term.lower()}%"
        found: list[Any] = [func.lower(ScoreUnit.kelurahan).like(like), func.lower(ScoreUnit.kecamatan).like(like)]
        if term.isdigit():
            found.append(ScoreUnit.rw == int(term))
            found.append(ScoreUnit.cycle == int(term))
        where.append(or_(*found))
    return where


def query_units(session: Session, run_id: str, q: UnitQuery) -> tuple[list[ScoreUnit], int]:
    """One page of a run's units (filtered and sorted in the database) and how many match in all."""
    where = _unit_filters(run_id, q)
    total = int(session.scalar(select(func.count()).select_from(ScoreUnit).where(*where)) or 0)
    order = (desc if q.descending else asc)(SORTABLE.get(q.sort, ScoreUnit.position))
    rows = session.scalars(select(ScoreUnit).where(*where).order_by(order, ScoreUnit.position)
                           .offset(q.offset).limit(q.limit))
    return list(rows), total


def run_tier_counts(session: Session, run_id: str, by: str) -> list[tuple[Any, int | None, int]]:
    """(value of `by`, tier, count) over a whole run: the charts cover every unit, not one page."""
    column = ScoreUnit.kelurahan if by == "kelurahan" else ScoreUnit.cycle
    return [(v, t, int(n)) for v, t, n in session.execute(
        select(column, ScoreUnit.tier, func.count()).where(ScoreUnit.run_id == run_id)
        .group_by(column, ScoreUnit.tier))]


def all_units(session: Session, run_id: str) -> list[ScoreUnit]:
    return list(session.scalars(select(ScoreUnit).where(ScoreUnit.run_id == run_id).order_by(ScoreUnit.position)))


def latest_unit(session: Session, index_name: str, cycle: int, kelurahan: str, rw: int) -> ScoreUnit | None:
    """The newest stored score of an RW in a cycle (for this index)."""
    return session.scalars(
        select(ScoreUnit).join(ScoreRun, ScoreRun.id == ScoreUnit.run_id)
        .where(ScoreRun.index_name == index_name, ScoreUnit.cycle == cycle, ScoreUnit.kelurahan == kelurahan,
               ScoreUnit.rw == rw)
        .order_by(ScoreRun.created_at.desc(), ScoreUnit.id.desc())).first()


def rw_units(session: Session, index_name: str, kelurahan: str, rw: int) -> list[ScoreUnit]:
    """Every stored score of one RW, newest run first within a cycle."""
    return list(session.scalars(
        select(ScoreUnit).join(ScoreRun, ScoreRun.id == ScoreUnit.run_id)
        .where(ScoreRun.index_name == index_name, ScoreUnit.kelurahan == kelurahan, ScoreUnit.rw == rw)
        .order_by(ScoreUnit.cycle, ScoreRun.created_at.desc(), ScoreUnit.id.desc())))


def stored_cycles(session: Session, index_name: str, index_hash: str) -> list[int]:
    """The cycles with stored scores of this version of the index."""
    return sorted(c for c in session.scalars(
        select(ScoreUnit.cycle).join(ScoreRun, ScoreRun.id == ScoreUnit.run_id)
        .where(ScoreRun.index_name == index_name, ScoreRun.index_hash == index_hash, ScoreUnit.cycle.is_not(None))
        .distinct()) if c is not None)


def latest_units(session: Session, index_name: str, index_hash: str,
                 cycles: Sequence[int]) -> list[tuple[ScoreUnit, bool]]:
    """(unit, its run is synthetic): the newest stored score of each RW in `cycles`, this version of the index."""
    rows = session.execute(
        select(ScoreUnit, ScoreRun.synthetic).join(ScoreRun, ScoreRun.id == ScoreUnit.run_id)
        .where(ScoreRun.index_name == index_name, ScoreRun.index_hash == index_hash,
               ScoreUnit.cycle.in_(list(cycles)))
        .order_by(ScoreRun.created_at.desc(), ScoreUnit.id.desc()))
    seen: set[tuple[int | None, str, int | None]] = set()
    latest = []
    for unit, synthetic in rows:
        key = (unit.cycle, unit.kelurahan, unit.rw)
        if key not in seen:
            seen.add(key)
            latest.append((unit, bool(synthetic)))
    return latest


# ---- tier decisions -----------------------------------------------------------------------------

def add_tier_decision(session: Session, row: TierDecision) -> TierDecision:
    """Store a decision, unless its cycle is closed (checked in the same transaction)."""
    with session.begin():
        if session.get(CycleClosure, row.cycle) is not None:
            raise Conflict(f"Siklus {row.cycle} sudah ditutup; tingkat tidak dapat diputuskan lagi",
                           f"Cycle {row.cycle} is closed; tiers can no longer be decided", cycle=row.cycle)
        row.id = row.id or str(uuid.uuid4())
        session.add(row)
    return row


def tier_decisions(session: Session, index_name: str, *, cycles: Sequence[int] | None = None,
                   kelurahan: str | None = None, rw: int | None = None, latest_only: bool = True) -> list[TierDecision]:
    """Tier decisions (only the newest per RW and cycle unless `latest_only` is off), oldest cycle first."""
    where: list[Any] = [TierDecision.index_name == index_name]
    if cycles is not None:
        where.append(TierDecision.cycle.in_(list(cycles)))
    if kelurahan is not None:
        where.append(TierDecision.kelurahan == kelurahan)
    if rw is not None:
        where.append(TierDecision.rw == rw)
    rows = list(session.scalars(select(TierDecision).where(*where).order_by(
        TierDecision.cycle, TierDecision.kelurahan, TierDecision.rw, TierDecision.created_at.desc(),
        TierDecision.id)))
    if not latest_only:
        return rows
    seen: set[tuple[int, str, int]] = set()
    latest = []
    for row in rows:
        key = (row.cycle, row.kelurahan, row.rw)
        if key not in seen:
            seen.add(key)
            latest.append(row)
    return latest


# ---- closed cycles ------------------------------------------------------------------------------

def close_cycle(session: Session, cycle: int, reason: str, key_id: str | None) -> CycleClosure:
    with session.begin():
        found = session.get(CycleClosure, cycle)
        if found is not None:
            raise Conflict(f"Siklus {cycle} sudah ditutup", f"Cycle {cycle} is already closed", cycle=cycle)
        row = CycleClosure(cycle=cycle, reason=reason, key_id=key_id)
        session.add(row)
    return row


def closed_cycles(session: Session) -> list[CycleClosure]:
    return list(session.scalars(select(CycleClosure).order_by(CycleClosure.cycle)))


# ---- calibrations in force ----------------------------------------------------------------------

def put_in_force(session: Session, row: CalibrationInForce) -> CalibrationInForce:
    with session.begin():
        if session.get(Calibration, row.calibration_id) is None:
            raise NotFound(f"Kalibrasi '{row.calibration_id}' tidak ada", f"No calibration '{row.calibration_id}'")
        session.add(row)
    return row


def in_force_records(session: Session, index_name: str) -> list[CalibrationInForce]:
    """Every in-force record of an index, newest first (the audit trail)."""
    return list(session.scalars(select(CalibrationInForce).where(CalibrationInForce.index_name == index_name)
                                .order_by(CalibrationInForce.created_at.desc(), CalibrationInForce.id.desc())))


def in_force_for_cycle(session: Session, index_name: str, cycle: int) -> CalibrationInForce | None:
    """The record that names the calibration of `cycle`: latest `from_cycle` <= cycle, then the newest."""
    return session.scalars(
        select(CalibrationInForce)
        .where(and_(CalibrationInForce.index_name == index_name, CalibrationInForce.from_cycle <= cycle))
        .order_by(CalibrationInForce.from_cycle.desc(), CalibrationInForce.created_at.desc(),
                  CalibrationInForce.id.desc())).first()
