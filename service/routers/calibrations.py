"""GET/POST /v1/calibrations: calibration artifacts (policy staff upload; evaluators read); /v1/calibration-runs:
cut points fitted to the stored final tiers as a background job (evaluators and policy staff)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from calibration.artifact import CalibrationArtifact
from service.auth import MayEnactCalibrations, MayReadCalibrations, MayWriteCalibrations
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_CALIBRATION, CalibrationSummary
from service.schemas_calibration import CalibrationRunPublic, CalibrationRunRequest
from service.schemas_evaluations import InForcePublic, InForceRequest, TierTransitions
from service.usecases import calibration_runs, calibrations, score_runs

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


@router.post("/calibration-runs", status_code=202, response_model=CalibrationRunPublic,
             summary="Kalibrasi dari tingkat akhir tersimpan / calibrate on the stored final tiers",
             openapi_extra=body_doc(CalibrationRunRequest), responses=problems(401, 403, 413, 422, 503))
def start_calibration_run(key: MayWriteCalibrations,
                          body: Annotated[CalibrationRunRequest, Depends(json_body(CalibrationRunRequest))],
                          services: ServicesDep) -> CalibrationRunPublic:
    """Start a calibration run over past cycles (a background job). Cycles without stored scores, or too few
    final tiers in a tier, are refused (422) before anything is written; the finished run stores each fit as a
    proposed calibration (policy staff put one in force)."""
    return calibration_runs.start_run(services, key, body)


@router.get("/calibration-runs", response_model=list[CalibrationRunPublic],
            summary="Kalibrasi yang dijalankan / calibration runs", responses=problems(401, 403))
def list_calibration_runs(key: MayReadCalibrations, services: ServicesDep) -> list[CalibrationRunPublic]:
    """The newest runs first, each with its state and, when done, its report."""
    return calibration_runs.list_runs(services)


@router.get("/calibration-runs/{run_id}", response_model=CalibrationRunPublic,
            summary="Satu kalibrasi yang dijalankan / one calibration run", responses=problems(401, 403, 404))
def get_calibration_run(run_id: str, key: MayReadCalibrations, services: ServicesDep) -> CalibrationRunPublic:
    """State and progress; when done, the report (cut points, scores per final tier, validation, drift)."""
    return calibration_runs.get_run(services, run_id)
