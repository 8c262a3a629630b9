"""Shared FastAPI dependencies: the app's services and a database session per use.

Handlers receive `ServicesDep`; nothing is built at import time, so tests can hand
`create_app` their own settings and database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from service.check_workers import CheckWorkers
from service.db import Database
from service.engines import Engines
from service.jobs import JobRunner
from service.settings import Settings


@dataclass
class Services:
    """Everything a request handler needs, built once per app."""

    settings: Settings
    db: Database
    engines: Engines
    jobs: JobRunner
    checks: CheckWorkers | None = None  # pre-check processes, when BERDAYA_CHECK_WORKERS > 0


async def get_services(request: Request) -> Services:
    # `async` although it awaits nothing: FastAPI runs plain-def dependencies in its
    # threadpool, a thread hop per request for a dictionary lookup.
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
