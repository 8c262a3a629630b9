"""GET/POST /v1/calibrations: calibration artifacts (policy staff upload; evaluators read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from calibration.artifact import CalibrationArtifact
from service import repository
from service.auth import CurrentKey, requires
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.models import Calibration
from service.routers.common import problems
from service.schemas import EXAMPLE_CALIBRATION, CalibrationSummary

router = APIRouter(prefix="/v1", tags=["calibrations"])


def summary(row: Calibration, index_hash: str) -> CalibrationSummary:
    return CalibrationSummary(id=row.id, index_name=row.index_name, index_hash=row.index_hash, method=row.method,
                              synthetic=row.synthetic, created_at=row.created_at, usable=row.index_hash == index_hash)


@router.get("/calibrations", response_model=list[CalibrationSummary],
            summary="Kalibrasi tersimpan / stored calibrations", responses=problems(401, 403))
def list_calibrations(key: CurrentKey, services: ServicesDep) -> list[CalibrationSummary]:
    key.require("calibrations:read")
    with services.db.session() as session:
        rows = repository.list_calibrations(session)
    current = services.engines.index_hash()
    return [summary(r, current) for r in rows]


@router.get("/calibrations/{calibration_id}", response_model=dict[str, Any],
            summary="Satu artefak kalibrasi / one calibration artifact", responses=problems(401, 403, 404))
def get_calibration(calibration_id: str, key: CurrentKey, services: ServicesDep) -> dict[str, Any]:
    """The artifact exactly as stored."""
    key.require("calibrations:read")
    with services.db.session() as session:
        return repository.get_calibration(session, calibration_id).artifact


@router.post("/calibrations", status_code=201, response_model=CalibrationSummary,
             summary="Unggah artefak kalibrasi / upload a calibration artifact",
             openapi_extra=body_doc(CalibrationArtifact, {"ordinal": {
                 "summary": "Artefak ordinal (sintetis) / an ordinal artifact (synthetic)",
                 "value": EXAMPLE_CALIBRATION}}),
             dependencies=[Depends(requires("calibrations:write"))],
             responses=problems(401, 403, 409, 413, 422, 503))
def upload_calibration(artifact: Annotated[CalibrationArtifact, Depends(json_body(CalibrationArtifact))],
                       key: CurrentKey, services: ServicesDep) -> CalibrationSummary:
    """Store an artifact written by `berdaya calibrate` (policy role). Artifacts are immutable."""
    key.require("calibrations:write")
    data = artifact.model_dump(mode="json")
    services.engines.check_calibration(data)
    with services.db.session() as session:
        row = repository.add_calibration(session, data, key_id=key.key_id)
    return summary(row, services.engines.index_hash())
