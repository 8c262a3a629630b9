"""/v1/knowledge-bases/{name}/drafts: upload a draft, diff it, simulate it (a background job), publish it.

For the *policy* role only. Drafts are kept in the version store (BERDAYA_KB_STORE) under
an id derived from their content. A simulation runs as a background job in this process's
thread pool, while the rules run in spawned worker processes (rules.whatif): the serving
process never registers a draft ruleset. The finished report is saved in the store under the
draft's content hash, which is what the publish gate looks for.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from knowledge.errors import InvalidInput, Problem
from knowledge.kb_diff import diff_kb, render_text
from knowledge.kb_files import read_kb_files, tree_hash
from knowledge.kb_store import KBStore, PublishedVersion, UnknownVersion
from rules.whatif import simulate, synthetic_items
from rules.whatif_gate import publish_draft
from service.auth import MayWriteKnowledge
from service.errors import NotFound
from service.routers.common import problems

router = APIRouter(prefix="/v1/knowledge-bases/{name}", tags=["drafts"])
MAX_FILES = 500
_JOBS: dict[str, Job] = {}
_JOBS_LOCK = threading.Lock()
KEEP_JOBS = 50
# One replay at a time per serving process: each already uses the machine's 2 worker processes.
_RUNNING = threading.Semaphore(1)


def get_store(request: Request, name: str) -> KBStore:
    """The version store of knowledge base `name`: the one the service checks with (BERDAYA_KB_STORE).

    An app may set `app.state.kb_store` to use another store for drafts and publishing.
    """
    store = getattr(request.app.state, "kb_store", None) or request.app.state.services.engines.store
    if name != store.kb_name:
        raise NotFound(f"Basis pengetahuan '{name}' tidak ada", f"No knowledge base '{name}'")
    return store


StoreDep = Annotated[KBStore, Depends(get_store)]


def _draft(store: KBStore, draft_id: str):
    try:
        return store.draft_path(draft_id)
    except UnknownVersion as exc:
        raise NotFound(exc.message_id, exc.message_en) from None


def _version(store: KBStore, label: str | None) -> PublishedVersion:
    try:
        latest = store.latest()
        assert latest is not None  # a store always holds the version it was seeded with
        return store.get(label) if label else store.get(latest.version)
    except UnknownVersion as exc:
        raise NotFound(exc.message_id, exc.message_en) from None


class DraftBundle(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"files": {"kb.yaml": "name: ppm-cimahi\nversion: \"2026.1\"\n", "parameters/pagu_per_rw.yaml": "..."}}]})

    files: dict[str, str] = Field(description="Relative path -> UTF-8 text of each knowledge-base file")


class DraftPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"draft_id": "3f2a9c0d1e4b5a69", "version": "2026.1", "content_hash": "sha256:3f2a…", "files": 31,
         "problems": []}]})

    draft_id: str
    version: str
    content_hash: str
    files: int
    problems: list[dict[str, str]] = Field(default_factory=list, description="Structural problems found on upload")


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
    status: Literal["queued", "running", "done", "failed"]
    done: int = 0
    total: int | None = None
    result: str | None = Field(default=None, description="URL of the result resource when done")
    error: dict[str, Any] | None = None


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"effective_from": "2026-01-01", "reason": "Hasil evaluasi tahunan 2025: ambang perempuan 40%"}]})

    effective_from: dt.date
    reason: str = Field(min_length=1)
    latest_completed_cycle: int | None = Field(default=None, description="Default: last calendar year")


@dataclass
class Job:
    job_id: str
    draft_id: str
    status: str = "queued"
    done: int = 0
    total: int | None = None
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _bundle_files(body: bytes, content_type: str) -> dict[str, bytes]:
    if "zip" in content_type or body[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
                if len(names) > MAX_FILES:
                    raise InvalidInput([Problem("body", f"lebih dari {MAX_FILES} berkas", f"more than {MAX_FILES} files")])
                files = {n: zf.read(n) for n in names}
        except zipfile.BadZipFile:
            raise InvalidInput([Problem("body", "bukan berkas zip yang sah", "not a valid zip file")]) from None
        # A zip of the directory itself ("ppm-cimahi/kb.yaml") is accepted as well.
        if "kb.yaml" not in files:
            tops = {n.split("/", 1)[0] for n in files}
            if len(tops) == 1 and f"{next(iter(tops))}/kb.yaml" in files:
                files = {n.split("/", 1)[1]: v for n, v in files.items()}
        return files
    try:
        bundle = DraftBundle.model_validate(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise InvalidInput([Problem("body", "harus zip atau JSON {\"files\": {jalur: teks}}",
                                    "must be a zip or JSON {\"files\": {path: text}}")]) from None
    if len(bundle.files) > MAX_FILES:
        raise InvalidInput([Problem("files", f"lebih dari {MAX_FILES} berkas", f"more than {MAX_FILES} files")])
    return {k: v.encode("utf-8") for k, v in bundle.files.items()}


def _public(draft_id: str, path) -> DraftPublic:
    files = read_kb_files(path)
    return DraftPublic(draft_id=draft_id, version=files.version, content_hash=tree_hash(path),
                       files=len([p for p in path.rglob("*") if p.is_file()]),
                       problems=[p.as_dict() for p in files.problems])


@router.post("/drafts", status_code=201, response_model=DraftPublic, responses=problems(401, 403, 404, 413, 422),
             summary="Unggah draf / upload a draft (zip or JSON bundle)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/zip": {"schema": {"type": "string", "format": "binary"}},
                 "application/json": {"schema": DraftBundle.model_json_schema()}}}})
async def upload_draft(request: Request, key: MayWriteKnowledge, store: StoreDep) -> DraftPublic:
    files = _bundle_files(await request.body(), request.headers.get("content-type", ""))
    draft_id, path = store.save_draft(files)
    return _public(draft_id, path)


@router.get("/drafts/{draft_id}", response_model=DraftPublic, responses=problems(401, 403, 404),
            summary="Draf / a draft")
def get_draft(draft_id: str, key: MayWriteKnowledge, store: StoreDep) -> DraftPublic:
    return _public(draft_id, _draft(store, draft_id))


@router.get("/drafts/{draft_id}/diff", responses=problems(401, 403, 404),
            summary="Perbedaan draf dengan versi terbit / diff of a draft against a published version")
def diff_draft(draft_id: str, key: MayWriteKnowledge, store: StoreDep,
               against: Annotated[str | None, Query(description="Published version label; default the latest")] = None,
               format: Annotated[Literal["json", "text"], Query()] = "json", lang: Literal["id", "en"] = "id") -> Any:
    draft = _draft(store, draft_id)
    base = _version(store, against)
    diff = diff_kb(base.content_dir, draft, old_label=base.version, new_label=f"draf {draft_id}")
    return {"text": render_text(diff, lang)} if format == "text" else diff


def _stored_items(request: Request, cycles: list[int]) -> list[tuple[str, dict]]:
    from service.repository import list_proposals

    db = request.app.state.services.db
    items = []
    with db.session() as session:
        for cycle in cycles:
            offset = 0
            while True:
                rows, total = list_proposals(session, cycle=cycle, offset=offset, limit=500)
                items += [(row.id, row.content) for row in rows if row.status == "active"]
                offset += len(rows)
                if not rows or offset >= total:
                    break
    return items


def _run(job: Job, store: KBStore, draft, items, cycles, synthetic: bool, source: str,
         as_of: int | None = None) -> None:
    def progress(done: int, total: int) -> None:
        with job.lock:
            job.status, job.done, job.total = "running", done, total

    try:
        with _RUNNING:
            latest = store.latest()
            assert latest is not None  # a store always holds the version it was seeded with
            if items is None:
                items = synthetic_items(cycles)
            report = simulate(draft, items, baseline_dir=store.get(latest.version).content_dir,
                              baseline_version=latest.version, cycles=cycles, progress=progress,
                              synthetic=synthetic, source=source, as_of=as_of)
            store.save_whatif(report)
        with job.lock:
            job.report, job.status = report, "done"
    except InvalidInput as exc:
        with job.lock:
            job.status, job.error = "failed", {"message": {"id": exc.message_id, "en": exc.message_en},
                                               "errors": [p.as_dict() for p in exc.problems]}
    except Exception as exc:  # a job's failure is reported on its resource, not lost in a thread
        with job.lock:
            job.status, job.error = "failed", {"message": {"id": f"simulasi gagal: {exc}", "en": f"simulation failed: {exc}"}}


def _job(draft_id: str, job_id: str) -> Job:
    with _JOBS_LOCK:
        job = _JOBS.get(job_id)
    if job is None or job.draft_id != draft_id:
        raise NotFound(f"Simulasi '{job_id}' tidak ada", f"No simulation '{job_id}'")
    return job


def _job_public(request: Request, name: str, job: Job) -> JobPublic:
    with job.lock:
        result = (str(request.url_for("simulation_result", name=name, draft_id=job.draft_id, job_id=job.job_id))
                  if job.status == "done" else None)
        return JobPublic(job_id=job.job_id, status=job.status, done=job.done, total=job.total, result=result,
                         error=job.error)


@router.post("/drafts/{draft_id}/simulations", status_code=202, response_model=JobPublic,
             responses=problems(401, 403, 404, 422), summary="Simulasi what-if (latar belakang) / what-if job")
def start_simulation(name: str, draft_id: str, body: SimulationRequest, request: Request, key: MayWriteKnowledge,
                     store: StoreDep) -> JobPublic:
    draft = _draft(store, draft_id)
    files = read_kb_files(draft)
    if files.problems:
        raise InvalidInput(list(files.problems), source=f"draft {draft_id}")
    cycles = sorted(set(body.cycles))
    # Stored proposals are read now (the request's database); synthetic ones are generated in the job.
    items = None if body.source == "synthetic" else _stored_items(request, cycles)
    job = Job(job_id=uuid.uuid4().hex[:12], draft_id=draft_id)
    with _JOBS_LOCK:
        _JOBS[job.job_id] = job
        finished = [k for k, j in _JOBS.items() if j.status in ("done", "failed")]
        for old_id in finished[:max(0, len(_JOBS) - KEEP_JOBS)]:
            del _JOBS[old_id]
    threading.Thread(target=_run, args=(job, store, draft, items, cycles, body.source == "synthetic", body.source,
                                        body.as_of_cycle),
                     name=f"whatif-{job.job_id}", daemon=True).start()
    return _job_public(request, name, job)


@router.get("/drafts/{draft_id}/simulations/{job_id}", response_model=JobPublic, responses=problems(401, 403, 404),
            summary="Kemajuan simulasi / simulation progress")
def simulation_status(name: str, draft_id: str, job_id: str, request: Request, key: MayWriteKnowledge,
                      store: StoreDep) -> JobPublic:
    return _job_public(request, name, _job(draft_id, job_id))


@router.get("/drafts/{draft_id}/simulations/{job_id}/result", name="simulation_result",
            responses=problems(401, 403, 404), summary="Laporan what-if / what-if report")
def simulation_result(draft_id: str, job_id: str, key: MayWriteKnowledge, store: StoreDep) -> dict[str, Any]:
    job = _job(draft_id, job_id)
    with job.lock:
        if job.report is None:
            raise NotFound(f"Simulasi '{job_id}' belum selesai ({job.status})",
                           f"Simulation '{job_id}' has not finished ({job.status})")
        return job.report


@router.post("/drafts/{draft_id}/publish", status_code=201, responses=problems(401, 403, 404, 422),
             summary="Terbitkan draf / publish a draft (gate: clean, own tests pass, what-if report exists)")
def publish(draft_id: str, body: PublishRequest, request: Request, key: MayWriteKnowledge,
            store: StoreDep) -> dict[str, Any]:
    pv = publish_draft(store, _draft(store, draft_id), effective_from=body.effective_from, reason=body.reason,
                       by=key.key_id, latest_completed_cycle=body.latest_completed_cycle)
    # Checks of cycles from its effective date on use it from the next request, without a restart.
    request.app.state.services.engines.published()
    return pv.summary()
