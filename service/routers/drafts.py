"""/v1/knowledge-bases/{name}/drafts: upload a draft, diff it, simulate it (a background job), publish it.

For the *policy* role only. Drafts are kept in the version store the service checks with,
under an id derived from their content. A simulation runs as a background job kept in the
service's database (`service.jobs`: any worker answers its progress; a job whose process
stopped reads as interrupted), while the rules run in spawned worker processes
(`policy.whatif`): the serving process never registers a draft ruleset. The finished report
is kept in the store, where the publish gate finds it. The operations are `service.usecases.drafts` and `policy.drafts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, RootModel

from knowledge.intake import ReadLimits, exceeded, read_zip, validate_json
from policy import drafts
from policy.diff import render_text
from policy.edits import Edit, EditRecord
from policy.reports import dump
from policy.store import KBStore
from service.auth import MayWriteKnowledge
from service.bodies import body_doc, json_body, off_loop
from service.deps import ServicesDep
from service.errors import NotFound
from service.jobs import Job
from service.routers.common import problems
from service.usecases import drafts as usecase

router = APIRouter(prefix="/v1/knowledge-bases/{name}", tags=["drafts"])


def get_store(request: Request, name: str) -> KBStore:
    """The version store of knowledge base `name`: the one the service checks with.

    An app may set `app.state.kb_store` to use another store for drafts and publishing.
    """
    store = usecase.store_of(request.app)
    if name != store.kb_name:
        raise NotFound(f"Basis pengetahuan '{name}' tidak ada", f"No knowledge base '{name}'")
    return store


StoreDep = Annotated[KBStore, Depends(get_store)]


class DraftBundle(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"files": {"kb.yaml": "name: ppm-cimahi\nversion: \"2026.1\"\n", "parameters/pagu_per_rw.yaml": "..."}}]})

    files: dict[str, str] = Field(description="Relative path -> UTF-8 text of each knowledge-base file")


class DraftPublic(drafts.DraftInfo):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"draft_id": "3f2a9c0d1e4b5a69", "version": "2026.1", "content_hash": "sha256:3f2a…",
         "policy_hash": "sha256:9b1c…", "files": 31, "problems": []}]})


class SimulationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"cycles": [2024, 2025],
                                                                                "source": "synthetic"}]})

    cycles: list[Annotated[int, Field(ge=2018, le=2100)]] = Field(min_length=1, max_length=20)
    source: Literal["synthetic", "stored"] = Field(
        default="stored", description="stored: proposals submitted to this service; synthetic: the SYNTHETIC demo cycles")
    as_of_cycle: int | None = Field(default=None, ge=2018, le=2100,
                                    description="Judge with the rules and values in force for this cycle "
                                                "instead of each proposal's own cycle")


class JobPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"job_id": "c0ffee12", "status": "running", "done": 400, "total": 1200, "result": None, "error": None}]})

    job_id: str
    status: Literal["queued", "running", "done", "failed", "interrupted"]
    done: int = 0
    total: int | None = None
    result: str | None = Field(default=None, description="URL of the result resource when done")
    error: dict[str, Any] | None = None


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"effective_from": "2026-01-01", "reason": "Hasil evaluasi tahunan 2025: ambang perempuan 40%"}]})

    effective_from: dt.date
    reason: str = Field(min_length=1)
    latest_completed_cycle: int | None = Field(default=None, ge=2000, le=2100, description="Default: last calendar year")
    confirm_changes: bool = Field(default=False, description="The publisher confirms the stored decisions the gate "
                                                             "listed whose verdict this version changes")


def _bundle_files(body: bytes, content_type: str, limits: ReadLimits) -> dict[str, bytes]:
    """The files of an uploaded bundle, through the guarded reader: a zip is judged from its directory
    and while it inflates (entries, total size), JSON by depth and size; nothing is written here."""
    if "zip" in content_type or body[:4] == b"PK\x03\x04":
        files = read_zip(body, limits, "body")
        # A zip of the directory itself ("ppm-cimahi/kb.yaml") is accepted as well.
        if "kb.yaml" not in files:
            tops = {n.split("/", 1)[0] for n in files}
            if len(tops) == 1 and f"{next(iter(tops))}/kb.yaml" in files:
                files = {n.split("/", 1)[1]: v for n, v in files.items()}
        return files
    bundle = validate_json(DraftBundle, body, limits, "body")
    if len(bundle.files) > limits.max_entries:
        raise exceeded("max_entries", limits, "body", "files")
    return {k: v.encode("utf-8") for k, v in bundle.files.items()}


def _public(info: drafts.DraftInfo) -> DraftPublic:
    return DraftPublic(**info.model_dump())


def _job_public(request: Request, name: str, job: Job) -> JobPublic:
    result = (str(request.url_for("simulation_result", name=name, draft_id=job.subject, job_id=job.job_id))
              if job.state == "done" else None)
    return JobPublic(job_id=job.job_id, status=job.state.value, done=job.done, total=job.total, result=result,
                     error=job.error)


@router.post("/drafts", status_code=201, response_model=DraftPublic, responses=problems(401, 403, 404, 409, 413, 422),
             summary="Unggah draf / upload a draft (zip or JSON bundle)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/zip": {"schema": {"type": "string", "format": "binary"}},
                 "application/json": {"schema": DraftBundle.model_json_schema()}}}})
async def upload_draft(request: Request, key: MayWriteKnowledge, store: StoreDep,
                       services: ServicesDep) -> DraftPublic:
    """A draft from a zip or a JSON bundle, refused with every problem named (files that do not load,
    conditions that do not parse, rule ids reused) and nothing kept; 409 past the drafts quota."""
    body, kind = await request.body(), request.headers.get("content-type", "")

    def save() -> drafts.DraftInfo:
        files = _bundle_files(body, kind, services.settings.read_limits())
        return usecase.save_draft(services, store, files, key.key_id)

    return _public(await off_loop(save))


@router.delete("/drafts/{draft_id}", status_code=204, responses=problems(401, 403, 404),
               summary="Hapus draf / delete a draft")
def delete_draft(draft_id: str, key: MayWriteKnowledge, store: StoreDep) -> Response:
    usecase.delete_draft(store, draft_id)
    return Response(status_code=204)


@router.post("/versions/{version}/drafts", status_code=201, response_model=DraftPublic,
             responses=problems(401, 403, 404), summary="Draf baru dari versi terbit / a new draft from a published version")
def draft_from_version(version: str, key: MayWriteKnowledge, store: StoreDep) -> DraftPublic:
    return _public(usecase.start_draft(store, version, by=key.key_id))


class EditBody(RootModel[Edit]):
    """One typed edit of a draft, read after the permission check like every other body."""


@router.post("/drafts/{draft_id}/edits", status_code=201, response_model=DraftPublic,
             responses=problems(401, 403, 404, 422), openapi_extra=body_doc(EditBody),
             summary="Ubah draf / edit a draft (a typed edit, checked at once; the answer is the new draft)")
def edit_draft(draft_id: str, key: MayWriteKnowledge, edit: Annotated[EditBody, Depends(json_body(EditBody))],
               store: StoreDep) -> DraftPublic:
    return _public(usecase.apply_edit(store, draft_id, edit.root, by=key.key_id))


@router.get("/drafts", response_model=list[drafts.OpenDraft], responses=problems(401, 403),
            summary="Draf yang sedang dikerjakan / the drafts being worked on (the latest of each chain of edits)")
def list_drafts(key: MayWriteKnowledge, store: StoreDep) -> list[drafts.OpenDraft]:
    return drafts.open_drafts(store)


@router.get("/drafts/{draft_id}/history", response_model=list[EditRecord], responses=problems(401, 403, 404),
            summary="Riwayat perubahan draf / a draft's edit history (who, when, what)")
def draft_history(draft_id: str, key: MayWriteKnowledge, store: StoreDep) -> list[EditRecord]:
    return usecase.edit_history(store, draft_id)


@router.get("/drafts/{draft_id}", response_model=DraftPublic, responses=problems(401, 403, 404),
            summary="Draf / a draft")
def get_draft(draft_id: str, key: MayWriteKnowledge, store: StoreDep) -> DraftPublic:
    return _public(usecase.draft_info(store, draft_id))


@router.get("/drafts/{draft_id}/diff", responses=problems(401, 403, 404),
            summary="Perbedaan draf dengan versi terbit / diff of a draft against a published version")
def diff_draft(draft_id: str, key: MayWriteKnowledge, store: StoreDep,
               against: Annotated[str | None, Query(description="Published version label; default the latest")] = None,
               format: Annotated[Literal["json", "text"], Query()] = "json", lang: Literal["id", "en"] = "id") -> Any:
    diff = usecase.diff_draft(store, draft_id, against)
    return {"text": render_text(diff, lang)} if format == "text" else diff


@router.post("/drafts/{draft_id}/simulations", status_code=202, response_model=JobPublic,
             responses=problems(401, 403, 404, 422), openapi_extra=body_doc(SimulationRequest),
             summary="Simulasi what-if (latar belakang) / what-if job")
def start_simulation(name: str, draft_id: str, key: MayWriteKnowledge,
                     body: Annotated[SimulationRequest, Depends(json_body(SimulationRequest))], request: Request,
                     store: StoreDep, services: ServicesDep) -> JobPublic:
    job = usecase.start_simulation(services, store, draft_id, cycles=body.cycles, source=body.source,
                                   as_of=body.as_of_cycle, by=key.key_id)
    return _job_public(request, name, job)


@router.get("/drafts/{draft_id}/simulations/{job_id}", response_model=JobPublic, responses=problems(401, 403, 404),
            summary="Kemajuan simulasi / simulation progress")
def simulation_status(name: str, draft_id: str, job_id: str, request: Request, key: MayWriteKnowledge,
                      store: StoreDep, services: ServicesDep) -> JobPublic:
    return _job_public(request, name, usecase.simulation(services, draft_id, job_id))


@router.get("/drafts/{draft_id}/simulations/{job_id}/result", name="simulation_result",
            responses=problems(401, 403, 404), summary="Laporan what-if / what-if report")
def simulation_result(draft_id: str, job_id: str, key: MayWriteKnowledge, store: StoreDep,
                      services: ServicesDep) -> dict[str, Any]:
    return dump(usecase.simulation_report(services, store, draft_id, job_id))


@router.post("/drafts/{draft_id}/publish", status_code=201, responses=problems(401, 403, 404, 422),
             openapi_extra=body_doc(PublishRequest),
             summary="Terbitkan draf / publish a draft (gate: clean, own tests pass, what-if report exists)")
def publish(draft_id: str, key: MayWriteKnowledge, body: Annotated[PublishRequest, Depends(json_body(PublishRequest))],
            store: StoreDep, services: ServicesDep) -> dict[str, Any]:
    pv = usecase.publish(services, store, draft_id, effective_from=body.effective_from, reason=body.reason,
                         by=key.key_id, latest_completed_cycle=body.latest_completed_cycle,
                         confirm_changes=body.confirm_changes)
    return pv.summary()
