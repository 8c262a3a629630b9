"""The OpenAPI document: every schema with an example, every 422 as problem+json.

Models from other packages (the proposal, the check result, the calibration artifact) carry
no examples of their own; they get them here, cut from the same example proposal and check
that the routes show, so the examples in /docs always agree with each other.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from calibration.artifact import CalibrationArtifact
from knowledge.proposal import Proposal
from service.errors import PROBLEM_JSON
from service.schemas import (
    EXAMPLE_CALIBRATION,
    EXAMPLE_CHECK,
    EXAMPLE_FIELD_CHANGE,
    EXAMPLE_FINDING_REF,
    EXAMPLE_PROPOSAL,
    EXAMPLE_REMAINING_ACTION,
    EXAMPLE_REPAIR,
    EXAMPLE_REPAIR_PATCH,
    ScoreRequest,
)

BODY_MODELS = (Proposal, ScoreRequest, CalibrationArtifact)


def schema_examples() -> dict[str, Any]:
    activity = EXAMPLE_PROPOSAL["activities"][0]
    finding = EXAMPLE_CHECK["findings"][0]
    musyawarah = EXAMPLE_PROPOSAL["musyawarah"]
    return {
        "Proposal": EXAMPLE_PROPOSAL,
        "Region": EXAMPLE_PROPOSAL["region"],
        "Activity": activity,
        "BudgetLine": activity["budget_lines"][0],
        "Beneficiaries": activity["beneficiaries"],
        "Musyawarah": musyawarah,
        "Attendance": musyawarah["attendance"],
        "Speakers": {"women": 5, "poor": 2, "persons_with_disability": 1, "youth": 3, "elderly": 1},
        "Team": EXAMPLE_PROPOSAL["team"],
        "Amendment": {"proposal_ref": "PPM-2022-CIBABAT-RW05", "berita_acara_perubahan": True},
        "CheckResult": EXAMPLE_CHECK,
        "RepairedCheck": {**EXAMPLE_CHECK, "repair": EXAMPLE_REPAIR, "patched": EXAMPLE_PROPOSAL},
        "RepairResult": EXAMPLE_REPAIR,
        "RepairPatch": EXAMPLE_REPAIR_PATCH,
        "FieldChange": EXAMPLE_FIELD_CHANGE,
        "FindingRef": EXAMPLE_FINDING_REF,
        "RemainingAction": EXAMPLE_REMAINING_ACTION,
        "Finding": finding,
        "LangText": finding["message"],
        "Evidence": finding["evidence"],
        "KnowledgeBaseRef": EXAMPLE_CHECK["knowledge_base"],
        "CalibrationArtifact": EXAMPLE_CALIBRATION,
        "IndexRef": EXAMPLE_CALIBRATION["index"],
        "Bilingual": {"id": "Masukan tidak sah: 1 masalah", "en": "Invalid input: 1 problem(s)"},
        "ProblemError": {"path": "region.rw", "id": "wajib diisi", "en": "Field required"},
    }


def _problem_422() -> dict[str, Any]:
    return {"description": "Invalid input: every field path with a bilingual message",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


def _add_body_schemas(schemas: dict[str, Any]) -> None:
    """Schemas of the bodies that routes read themselves (service.bodies), which FastAPI does not see."""
    for model in BODY_MODELS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas.setdefault(model.__name__, schema)


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        _add_body_schemas(schemas)
        for name, example in schema_examples().items():
            if name in schemas and "examples" not in schemas[name]:
                schemas[name]["examples"] = [example]
        # FastAPI documents its own 422 body; the service answers problem+json instead.
        for path in doc.get("paths", {}).values():
            for operation in path.values():
                responses = operation.get("responses", {})
                if "422" in responses:
                    responses["422"] = _problem_422()
                for response in responses.values():
                    content = response.get("content", {})
                    if PROBLEM_JSON in content:
                        content.pop("application/json", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = doc
        return doc

    app.openapi = build  # type: ignore[method-assign]
