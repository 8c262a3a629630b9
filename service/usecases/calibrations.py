"""Calibration artifacts: list, read one exactly as stored, store a new (immutable) one."""

from __future__ import annotations

from typing import Any

from calibration.artifact import CalibrationArtifact
from service import repository
from service.auth import Principal
from service.deps import Services
from service.models import Calibration
from service.schemas import CalibrationSummary


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
