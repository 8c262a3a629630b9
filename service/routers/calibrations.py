"""GET/POST /v1/calibrations: calibration artifacts (policy staff upload; evaluators read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from calibration.artifact import CalibrationArtifact
from service.auth import MayEnactCalibrations, MayReadCalibrations, MayWriteCalibrations
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_CALIBRATION, CalibrationSummary
from service.schemas_evaluations import InForcePublic, InForceRequest, TierTransitions
from service.usecases import calibrations, score_runs

router = APIRouter(prefix="/v1", tags=["calibrations"])


@router.get("/calibrations", response_model=list[CalibrationSummary],
            summary="Kalibrasi tersimpan / stored calibrations", responses=problems(401, 403))
def list_calibrations(key: MayReadCalibrations, services: ServicesDep) -> list[CalibrationSummary]:
    return calibrations.list_calibrations(services)


@router.get("/calibrations/in-force", response_model=list[InForcePublic],
            summary="Kalibrasi yang berlaku / calibrations in force", responses=problems(401, 403))
def in_force(key: MayReadCalibrations, services: ServicesDep) -> list[InForcePublic]:
    """Every calibration put in force, newest first: from which cycle, by whom, when and why."""
    return calibrations.in_force_history(services)


@router.post("/calibrations/in-force", status_code=201, response_model=InForcePublic,
             summary="Berlakukan kalibrasi / put a calibration in force", openapi_extra=body_doc(InForceRequest),
             responses=problems(401, 403, 404, 409, 413, 422, 503))
def put_in_force(key: MayEnactCalibrations, body: Annotated[InForceRequest, Depends(json_body(InForceRequest))],
                 services: ServicesDep) -> InForcePublic:
    """Put a stored calibration in force from a cycle on (policy staff); stored scores keep their calibration."""
    return calibrations.put_in_force(services, key, body)


@router.get("/calibrations/{calibration_id}/transitions", response_model=TierTransitions,
            summary="Perubahan tingkat bila berlaku / tier transitions if put in force",
            responses=problems(401, 403, 404, 422))
def transitions(calibration_id: str, from_cycle: Annotated[int, Query(ge=2000, le=2100)], run_id: str, key: MayReadCalibrations,
                services: ServicesDep) -> TierTransitions:
    """How the stored units of a score run would change tier if `calibration_id` were in force from `from_cycle`."""
    units = score_runs.run_units(services, run_id)
    return calibrations.transitions(services, calibration_id, from_cycle, units)


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
    """Store (propose) an artifact written by `berdaya calibrate`; artifacts are immutable. Not in force until
    policy staff put it in force (POST /v1/calibrations/in-force)."""
    return calibrations.upload_calibration(services, key, artifact)
