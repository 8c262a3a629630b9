"""GET/POST /v1/calibrations: calibration artifacts (policy staff upload; evaluators read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from calibration.artifact import CalibrationArtifact
from service.auth import MayReadCalibrations, MayWriteCalibrations
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_CALIBRATION, CalibrationSummary
from service.usecases import calibrations

router = APIRouter(prefix="/v1", tags=["calibrations"])


@router.get("/calibrations", response_model=list[CalibrationSummary],
            summary="Kalibrasi tersimpan / stored calibrations", responses=problems(401, 403))
def list_calibrations(key: MayReadCalibrations, services: ServicesDep) -> list[CalibrationSummary]:
    return calibrations.list_calibrations(services)


@router.get("/calibrations/{calibration_id}", response_model=dict[str, Any],
            summary="Satu artefak kalibrasi / one calibration artifact", responses=problems(401, 403, 404))
def get_calibration(calibration_id: str, key: MayReadCalibrations, services: ServicesDep) -> dict[str, Any]:
    """The artifact exactly as stored."""
    return calibrations.get_calibration(services, calibration_id)


@router.post("/calibrations", status_code=201, response_model=CalibrationSummary,
             summary="Unggah artefak kalibrasi / upload a calibration artifact",
             openapi_extra=body_doc(CalibrationArtifact, {"ordinal": {
                 "summary": "Artefak ordinal (sintetis) / an ordinal artifact (synthetic)",
                 "value": EXAMPLE_CALIBRATION}}),
             responses=problems(401, 403, 409, 413, 422, 503))
def upload_calibration(key: MayWriteCalibrations,
                       artifact: Annotated[CalibrationArtifact, Depends(json_body(CalibrationArtifact))],
                       services: ServicesDep) -> CalibrationSummary:
    """Store an artifact written by `berdaya calibrate` (policy role). Artifacts are immutable."""
    return calibrations.upload_calibration(services, key, artifact)
