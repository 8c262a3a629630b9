"""GET /healthz (the process answers) and GET /readyz (database and knowledge base usable)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.deps import ServicesDep
from service.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Proses hidup / liveness")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, summary="Siap melayani / readiness",
            responses={503: {"model": Readiness, "description": "Not ready"}})
def readyz(services: ServicesDep) -> JSONResponse:
    try:
        database = services.db.ping()
        migrations = services.db.at_head()
    except Exception:  # any database failure means "not ready", never a 500
        database, migrations = False, False
    try:
        services.engines.checker()
        services.engines.verify_published()  # a version edited on disk since it was published: not ready
        kb = True
    except Exception:  # a knowledge base that does not load means "not ready"
        kb = False
    # Checks run in threads while the check workers start: slower, but served, so still ready.
    workers = services.checks is None or services.checks.starting == 0
    ready = database and migrations and kb
    body = Readiness(status="ready" if ready else "not_ready", database=database, migrations=migrations,
                     knowledge_base=kb, check_workers=workers)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
