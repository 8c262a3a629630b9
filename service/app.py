"""The application factory: `create_app(settings)` builds one FastAPI app with its own database.

Startup migrates the database (alembic, idempotent), marks background jobs left by a process
that stopped as interrupted (`service.jobs`) and imports calibration artifacts from
`BERDAYA_CALIBRATION_DIR`; shutdown marks this process's running jobs interrupted. Routers
are included in one place, `_include_routers`; a router from `service/web/` is added there.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from calibration.artifact import load_artifact
from knowledge.reference import use_reference
from service import repository
from service.check_workers import CheckWorkers
from service.db import Database
from service.deps import Services
from service.engines import Engines
from service.errors import install_error_handlers
from service.jobs import JobRunner
from service.limits import BodySizeLimit
from service.logs import RequestLogMiddleware, configure_logging
from service.openapi import install_openapi
from service.routers import ALL_ROUTERS
from service.settings import Settings, get_settings
from service.usecases.checks import check_body
from service.web import install_pages

DESCRIPTION = """
Berdaya: pemeriksaan proposal PPM dan skor pemberdayaan Kota Cimahi /
PPM proposal checks and empowerment scoring for Kota Cimahi.

Kunci API dikirim sebagai `Authorization: Bearer <kunci>`; `POST /v1/checks` tidak memerlukan kunci.
API keys are sent as `Authorization: Bearer <key>`; `POST /v1/checks` needs none.
Errors are RFC 9457 `application/problem+json` with a bilingual message.
"""


def import_calibrations(services: Services) -> int:
    """Store every artifact in the calibration directory that is not stored yet."""
    directory = services.settings.calibration_dir
    if not directory:
        return 0
    count = 0
    for path in sorted(Path(directory).glob("*.json")):
        artifact = load_artifact(path)
        services.engines.check_calibration(artifact)  # the checks of POST /v1/calibrations: plausible for the index
        with services.db.session() as session:
            repository.add_calibration(session, artifact)
        count += 1
    return count


def _include_routers(app: FastAPI) -> None:
    """The single place where routers are mounted (API routers first, then web pages)."""
    for router in ALL_ROUTERS:
        app.include_router(router)
    install_pages(app)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    use_reference(settings.reference)
    db = Database(settings)
    # One background job at a time per process: a what-if already uses the machine's 2 worker processes.
    services = Services(settings=settings, db=db, engines=Engines(settings.kb_dir, settings.index, settings.kb_store),
                        jobs=JobRunner(db, parallel=1))
    if settings.check_workers:
        services.checks = CheckWorkers(settings, check_body)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        services.db.migrate()
        services.jobs.recover()
        import_calibrations(services)
        if services.checks is not None:
            services.checks.start()
        yield
        if services.checks is not None:
            services.checks.stop()
        services.jobs.shutdown()
        services.db.dispose()

    app = FastAPI(title="Berdaya", version="1", description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.services = services
    install_error_handlers(app)
    _include_routers(app)
    install_openapi(app)
    # Outermost first: every request is logged, including those refused for their size.
    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestLogMiddleware)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory for `berdaya serve` (each worker process reads the environment)."""
    return create_app(get_settings())
