"""Request and response schemas of the HTTP API, each with an example for /docs.

Separate models per use (`...Public`, `...Summary`, `...Request`): stored rows never reach a
response directly, so a key hash or an internal column cannot leak.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.config import ExtraValues

from knowledge.evaluation import EvaluationRow


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without their zone; every stored time is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_utc)]


EXAMPLE_PROPOSAL: dict[str, Any] = {
    "cycle": 2022,
    "region": {"kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5},
    "title": "Perbaikan drainase dan pelatihan UMKM",
    "submitted_on": "2022-02-14",
    "activities": [{
        "code": "A1", "name": "Perbaikan saluran drainase RT 02", "category": "sarana_prasarana.drainase",
        "location": "RT 02", "start": "2022-05-01", "end": "2022-07-31", "repairs_flood_damage": False,
        "maintenance_plan": "Kelompok pemelihara RT 02 membersihkan saluran tiap bulan",
        "budget_lines": [
            {"item": "Semen 50 kg", "unit": "sak", "quantity": 40, "unit_price": 65000, "source": "ppm",
             "kind": "material"},
            {"item": "Tenaga kerja", "unit": "HOK", "quantity": 30, "unit_price": 100000, "source": "swadaya",
             "kind": "upah"}],
        "beneficiaries": {"households": 120, "poor_households": 30, "persons_with_disability": 4,
                          "women": 200, "children": 80, "elderly": 20},
    }],
    "musyawarah": {"date": "2022-01-20", "households_in_rw": 310,
                   "attendance": {"total": 64, "women": 24, "poor": 9, "persons_with_disability": 2,
                                  "youth": 11, "elderly": 6},
                   "minutes_attached": True, "attendance_list_attached": True},
    "team": {"members": 7, "women_members": 3},
    "documents": ["berita_acara_musyawarah", "daftar_hadir", "rab", "foto_lokasi", "surat_pernyataan_swadaya"],
    "amends": None,
}

EXAMPLE_CHECK: dict[str, Any] = {
    "verdict": "needs_revision", "knowledge_base": {"name": "ppm-cimahi", "version": "2025.2"}, "cycle": 2022,
    "findings": [{
        "rule_id": "PPM-INK-002", "severity": "major", "group": "inclusion",
        "fields": ["musyawarah.attendance.women"],
        "message": {"id": "Perempuan hanya 20% peserta musyawarah (minimal 30%).",
                    "en": "Women were only 20% of musyawarah attendees (minimum 30%)."},
        "suggestion": {"id": "Undang lebih banyak perempuan ...", "en": "Invite more women ..."},
        "reference": "diasumsikan, mengikuti P2KP", "evidence": {"fact": "women_attendance_share",
                                                                   "observed": 0.2, "threshold": 0.3}}],
    "passed": ["PPM-ANG-001"],
}

EXAMPLE_UNIT: dict[str, Any] = {
    "cycle": 2024, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5, "score": 0.58,
    "dimensions": {"partisipasi": 0.66, "inklusi": 0.5, "swadaya": 0.31, "akuntabilitas": 0.85,
                   "keberlanjutan": 0.59},
    "tier": 1, "tier_id": "berdaya", "tier_name": "Berdaya", "borderline": True, "imputed": [],
    "available_share": 1.0, "not_scored_reason": None,
}

EXAMPLE_RECORD: dict[str, Any] = {
    "cycle": 2024, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5,
    "musyawarah_attendance_rate": 0.18, "women_attendance_share": 0.35, "meetings_held": 4,
    "poor_beneficiary_share": 0.25, "disability_voice": 3, "vulnerable_proposals_share": 0.2,
    "swadaya_share": 0.15, "volunteer_hours_per_household": 8, "other_funding_share": 0.05,
    "realisation_rate": 0.95, "on_time_share": 0.8, "lpj_days_late": 10, "public_disclosure": 4,
    "assets_maintained_share": 0.7, "active_groups": 5, "umkm_income_change": 0.1, "satisfaction_score": 4,
}


def with_examples(*items: Any, extra: ExtraValues | None = None) -> ConfigDict:
    """A model's config that documents `items` as its examples in /docs (`example_of` reads them back)."""
    config = ConfigDict(json_schema_extra={"examples": list(items)})
    if extra is not None:
        config["extra"] = extra
    return config


def example_of(model: type[BaseModel], n: int = 0) -> dict[str, Any]:
    """The n-th example a model documents in its schema (set with `with_examples`)."""
    extra: Any = model.model_config.get("json_schema_extra")
    example: dict[str, Any] = extra["examples"][n]
    return example


class KbRef(BaseModel):
    model_config = with_examples({"name": "ppm-cimahi", "version": "2026.1", "content_hash": "sha256:ab12..."})
    name: str | None
    version: str | None
    content_hash: str | None = Field(default=None, description="sha256 of every file of the knowledge base used")


class StageView(BaseModel):
    """A stage of the review chain: its position, id, who decides there, and its name."""

    model_config = with_examples({"index": 1, "id": "kecamatan", "scope": "kecamatan",
                              "name": {"id": "Kecamatan: pengawasan teknis dan administratif",
                                       "en": "Kecamatan: technical and administrative oversight"}})

    index: int
    id: str
    scope: str
    name: dict[str, str]


class ProposalSummary(BaseModel):
    model_config = with_examples({
        "id": "7f0c0c1e-2f57-4a53-9a55-0e4f6d1f9a10", "cycle": 2022, "kecamatan": "Cimahi Utara",
        "kelurahan": "Cibabat", "rw": 5, "title": "Perbaikan drainase", "status": "active",
        "verdict": "eligible", "decision_id": "0b1e7a8e-4a4c-4a53-8f0e-1d2c3b4a5f60", "synthetic": False,
        "created_at": "2026-02-14T03:00:00+00:00", "state": "in_review", "revision": 1,
        "stage": {"index": 1, "id": "kecamatan", "scope": "kecamatan",
                  "name": {"id": "Kecamatan: pengawasan teknis dan administratif",
                           "en": "Kecamatan: technical and administrative oversight"}},
        "updated_at": "2026-02-15T03:00:00+00:00"})

    id: str
    cycle: int
    kecamatan: str
    kelurahan: str
    rw: int
    title: str
    status: str
    verdict: Literal["eligible", "needs_revision", "ineligible"]
    decision_id: str
    synthetic: bool
    created_at: UtcDatetime
    state: str = Field(description="draft | in_review | returned | approved | withdrawn")
    revision: int
    stage: StageView | None = Field(description="The stage it waits at (or was returned from)")
    updated_at: UtcDatetime


class ProposalPublic(ProposalSummary):
    model_config = with_examples({
        **example_of(ProposalSummary),
        "proposal": EXAMPLE_PROPOSAL, "check": EXAMPLE_CHECK})

    proposal: dict[str, Any] = Field(description="The proposal as submitted (after validation)")
    check: dict[str, Any] = Field(description="The check JSON stored with it")


class ProposalPage(BaseModel):
    model_config = with_examples({"items": [example_of(ProposalSummary)],
                              "total": 1, "offset": 0, "limit": 50})

    items: list[ProposalSummary]
    total: int
    offset: int
    limit: int


class ScoreRequest(BaseModel):
    """One evaluation record (`record`) or a batch (`records`), as flat rows like the spreadsheets."""

    model_config = with_examples({"records": [EXAMPLE_RECORD], "explain": True, "lang": "id"},
                                 {"record": EXAMPLE_RECORD, "calibration_id": None, "explain": False, "lang": "en"},
                                 extra="forbid")

    record: EvaluationRow | None = Field(default=None, description="A single evaluation row")
    records: list[EvaluationRow] | None = Field(default=None, description="A batch of evaluation rows (capped)")
    calibration_id: str | None = Field(
        default=None, description="Calibration to use for every record; default: the one in force for each "
                                  "record's cycle (none in force: the definition's cut points)")
    explain: bool = True
    lang: Literal["id", "en"] = "id"

    def rows(self) -> list[dict[str, Any]]:
        if self.records is not None:
            return list(self.records)
        return [self.record] if self.record is not None else []


class ScoreResponse(BaseModel):
    model_config = with_examples({
        "decision_id": "0b1e7a8e-4a4c-4a53-8f0e-1d2c3b4a5f60",
        "index": {"name": "ppm", "version": "1", "hash": "sha256:ab12..."},
        "calibration_id": "cal-ppm-ordinal-2018-2023-1a2b3c4d",
        "cuts": {"values": [0.41, 0.59, 0.78], "rule": ">", "source": "calibration",
                 "calibration_id": "cal-ppm-ordinal-2018-2023-1a2b3c4d"},
        "synthetic": False, "summary": {"units": 1, "scored": 1, "tiers": {"mandiri": 1}},
        "units": [EXAMPLE_UNIT]})

    decision_id: str = Field(description="The first stored decision (one per calibration used)")
    decision_ids: list[str] = Field(default_factory=list, description="Every stored decision of this scoring")
    run_id: str | None = Field(default=None, description="The score run that keeps the units (GET /v1/score-runs/{id})")
    index: dict[str, Any] = Field(description="Index definition used: name, version, content hash")
    calibration_id: str | None = Field(
        description="Calibration artifact used when one scored every unit; null = the definition's cuts or several")
    calibrations: dict[str, str | None] = Field(
        default_factory=dict, description="Per cycle: the calibration that scored it (null = the definition's cuts)")
    cuts: dict[str, Any] = Field(description="Cut points used, their rule and source")
    synthetic: bool
    summary: dict[str, Any]
    units: list[dict[str, Any]] = Field(description="Per unit: score, dimensions, tier, borderline, explanation")


class DecisionPublic(BaseModel):
    model_config = with_examples({
        "id": "0b1e7a8e-4a4c-4a53-8f0e-1d2c3b4a5f60", "kind": "check",
        "knowledge_base": {"name": "ppm-cimahi", "version": "2026.1"}, "index_name": None, "index_hash": None,
        "calibration_id": None, "input_hash": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "key_id": "key_1a2b3c4d5e6f", "created_at": "2026-02-14T03:00:00+00:00",
        "input": {"proposal": EXAMPLE_PROPOSAL, "cycle": 2022}, "output": EXAMPLE_CHECK})

    id: str
    kind: Literal["check", "score"]
    knowledge_base: KbRef
    index_name: str | None
    index_hash: str | None
    calibration_id: str | None
    input_hash: str
    key_id: str | None
    created_at: UtcDatetime
    input: dict[str, Any]
    output: dict[str, Any]


class ReplayResult(BaseModel):
    model_config = with_examples({
        "decision_id": "0b1e7a8e-4a4c-4a53-8f0e-1d2c3b4a5f60", "kind": "check", "identical": True,
        "knowledge_base": {"name": "ppm-cimahi", "version": "2025.2"}, "calibration_id": None,
        "same_knowledge_base_content": True, "stored": EXAMPLE_CHECK, "replayed": EXAMPLE_CHECK})

    decision_id: str
    kind: Literal["check", "score"]
    identical: bool
    same_knowledge_base_content: bool | None = Field(
        description="The knowledge base replayed has the content hash stored with the decision (null for scores)")
    knowledge_base: KbRef
    calibration_id: str | None
    stored: dict[str, Any]
    replayed: dict[str, Any]


class KnowledgeBaseSummary(BaseModel):
    model_config = with_examples({"name": "ppm-cimahi", "version": "2026.1", "content_hash": "sha256:ab12...",
                              "description": {"id": "Aturan PPM Kota Cimahi", "en": "Cimahi PPM rules"},
                              "rules": 34, "parameters": 18, "default": True})

    name: str
    version: str
    content_hash: str
    description: dict[str, str] | None
    rules: int
    parameters: int
    default: bool


class ParameterInForce(BaseModel):
    model_config = with_examples({
        "name": "pagu_per_rw", "unit": "IDR", "description": {"id": "Pagu dana PPM per RW", "en": "PPM ceiling per RW"},
        "values": [{"from": "2018-01-01", "value": 72500000, "reference": "Pemberitaan Pemkot Cimahi 2018",
                    "status": "verified", "modelled_on": None}],
        "in_force": {"2018": 72500000, "2021": 75000000}})

    name: str
    unit: str | None
    description: dict[str, str] | None
    values: list[dict[str, Any]]
    in_force: dict[str, Any] = Field(description="Value in force for each cycle (on 1 January of the cycle)")


class KnowledgeBaseDetail(KnowledgeBaseSummary):
    model_config = with_examples({
        **example_of(KnowledgeBaseSummary),
        "rules": 1, "parameters": 1, "cycles": [2018, 2021],
        "rule_list": [{"id": "PPM-ANG-001", "group": "budget", "severity": "blocking",
                       "when": "ppm_total > param.pagu_per_rw"}],
        "parameter_list": [example_of(ParameterInForce)]})

    cycles: list[int]
    rule_list: list[dict[str, Any]]
    parameter_list: list[ParameterInForce]


class CalibrationSummary(BaseModel):
    model_config = with_examples({"id": "cal-ppm-ordinal-2018-2023-1a2b3c4d", "index_name": "ppm",
                              "index_hash": "sha256:ab12...", "method": "ordinal", "synthetic": True,
                              "created_at": "2026-02-14T03:00:00+00:00", "usable": True})

    id: str
    index_name: str
    index_hash: str
    method: str
    synthetic: bool
    created_at: UtcDatetime
    usable: bool = Field(description="Fitted for the index definition this service scores with")


EXAMPLE_CALIBRATION: dict[str, Any] = {
    "id": "cal-ppm-ordinal-2018-2023-1a2b3c4d",
    "index": {"name": "ppm", "hash": "sha256:" + "ab" * 32},
    "method": "ordinal", "cycles": [2018, 2019, 2020, 2021, 2022, 2023],
    "tiers": ["tidak_berdaya", "berdaya", "mandiri", "madani"], "cut_points": [0.41, 0.59, 0.78],
    "cut_intervals": [[0.40, 0.42], [0.58, 0.60], [0.77, 0.79]], "validation": {},
    "created_at": "2026-02-14T03:00:00Z", "synthetic": True}


class Health(BaseModel):
    model_config = with_examples({"status": "ok"})
    status: str


class Readiness(BaseModel):
    model_config = with_examples({"status": "ready", "database": True, "migrations": True, "knowledge_base": True,
                                  "check_workers": True})
    status: Literal["ready", "not_ready"]
    database: bool
    migrations: bool
    knowledge_base: bool
    check_workers: bool = Field(True, description="Every pre-check process has started (always true when checks "
                                                  "run in threads); until then checks run in threads, more slowly")


_PUBLISHED_EXAMPLE: dict[str, Any] = {"effective_from": "2018-01-01", "published_by": "berdaya",
                      "published_at": "2026-02-14T03:00:00+00:00",
                      "reason": "Versi awal yang dikirim bersama Berdaya / initial version shipped with Berdaya",
                      "store_hash": "sha256:e520...", "rollback_of": None, "in_force_for": [2018, 2019],
                      "override": False}


class Publication(KnowledgeBaseSummary):
    """A knowledge base the service checks with, with its publication record."""

    model_config = with_examples({**example_of(KnowledgeBaseSummary), **_PUBLISHED_EXAMPLE})

    effective_from: dt.date | None = Field(
        description="In force for cycles whose 1 January is on or after this date (until a later version); "
                    "null for a BERDAYA_KB_DIR override")
    published_by: str | None
    published_at: dt.datetime | None
    reason: str | None
    store_hash: str | None = Field(description="Hash of the version's files recorded in the version store")
    rollback_of: str | None = Field(description="The earlier version whose content this version republished")
    in_force_for: list[int] = Field(description="Cycles (first published one to next year) this version checks")
    integrity: Literal["verified", "tampered"] = Field(
        default="verified", description="tampered: files changed since publishing (a server fault; see tampered_files)")
    tampered_files: list[str] = Field(default_factory=list, description="Files of the version that changed, "
                                      "relative to the version store")
    override: bool = Field(description="BERDAYA_KB_DIR: checks every proposal instead of the published versions")


class PublicationDetail(KnowledgeBaseDetail, Publication):
    model_config = with_examples({**example_of(KnowledgeBaseDetail), **_PUBLISHED_EXAMPLE})


# ---- repairs (POST /v1/checks?repair=true): the example proposal with its wage line paid from PPM money
EXAMPLE_FIELD_CHANGE: dict[str, Any] = {
    "path": "activities[0].budget_lines[1].source", "pointer": "/activities/0/budget_lines/1/source",
    "before": "ppm", "after": "swadaya", "item": "Tenaga kerja", "activity": "A1"}
EXAMPLE_FINDING_REF: dict[str, Any] = {
    "rule_id": "PPM-ANG-002", "severity": "blocking",
    "title": {"id": "Upah tidak dibayar dari dana PPM", "en": "Wages are not paid from PPM money"}}
EXAMPLE_REPAIR_PATCH: dict[str, Any] = {
    "rules": ["PPM-ANG-002"],
    "description": [{"id": "Ubah sumber dana baris upah dari dana PPM menjadi swadaya warga (tenaga gotong royong).",
                     "en": "Change the source of money of the wage lines from PPM money to the residents' own "
                           "contribution (swadaya labour)."}],
    "changes": [EXAMPLE_FIELD_CHANGE],
    "patch": [{"op": "test", "path": "/activities/0/budget_lines/1/source", "value": "ppm"},
              {"op": "replace", "path": "/activities/0/budget_lines/1/source", "value": "swadaya"}],
    "fields_changed": 1, "rupiah_moved": 3_000_000, "clears": [EXAMPLE_FINDING_REF],
    "result": {**EXAMPLE_CHECK, "verdict": "eligible", "findings": []}}
EXAMPLE_REMAINING_ACTION: dict[str, Any] = {
    "rule_id": "PPM-INK-002", "severity": "major", "kind": "action",
    "title": {"id": "Perempuan hadir di musyawarah", "en": "Women attend the musyawarah"},
    "text": {"id": "Adakan musyawarah lagi dan undang warga perempuan.",
             "en": "Hold the musyawarah again and invite the women of the RW."}}
EXAMPLE_REPAIR: dict[str, Any] = {
    "knowledge_base": EXAMPLE_CHECK["knowledge_base"], "cycle": 2022, "verdict": "ineligible",
    "verdict_after": "eligible", "patches": [EXAMPLE_REPAIR_PATCH], "combined": EXAMPLE_REPAIR_PATCH,
    "actions": [], "checks": 3}
