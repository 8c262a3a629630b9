"""Fixtures for the service tests: the real app on SQLite and on PostgreSQL.

PostgreSQL tests use `BERDAYA_TEST_POSTGRES_URL` (set by .ci/run). The server may be shared,
so each test session creates its own randomly named database and drops it at the end; when
the variable is unset or the server unreachable, those tests are skipped with the reason.
"""

from __future__ import annotations

import copy
import os
import secrets

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from knowledge.documents import load_proposal, to_jsonable
from service.app import create_app
from service.models import (
    ApiKey,
    Calibration,
    CalibrationInForce,
    CycleClosure,
    Decision,
    ProposalEvent,
    ProposalRevision,
    ScoreRun,
    ScoreUnit,
    SignInFailure,
    SignInLink,
    StoredProposal,
    TierDecision,
    WebSessionRow,
)
from tests.service.helpers import FIXTURES, Keys, add_key, make_settings

PG_ENV = "BERDAYA_TEST_POSTGRES_URL"


def _pg_admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgresql_url():
    """A fresh, randomly named PostgreSQL database for this session, dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests skipped: {PG_ENV} is not set (.ci/run sets it)")
    import psycopg

    try:
        admin = psycopg.connect(_pg_admin_dsn(base), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL tests skipped: cannot reach {make_url(base).host}:{make_url(base).port} ({exc})")
    name = f"berdaya_test_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'berdaya.sqlite3'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request):
    return request.getfixturevalue(f"{request.param}_url")


def _empty(app) -> None:
    with app.state.services.db.session() as session, session.begin():
        for model in (WebSessionRow, SignInLink, SignInFailure, ProposalEvent, ProposalRevision, StoredProposal, TierDecision,
                      ScoreUnit, ScoreRun, CalibrationInForce, CycleClosure, Decision, Calibration, ApiKey):
            session.execute(delete(model))


@pytest.fixture
def app(database_url):
    application = create_app(make_settings(database_url, max_batch=5, max_body_bytes=200_000))
    yield application


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        _empty(app)
        yield test_client
        _empty(app)


@pytest.fixture
def keys(app, client) -> Keys:
    return Keys(
        facilitator=add_key(app, "facilitator", "Cibabat")[1],
        facilitator_other=add_key(app, "facilitator", "Melong")[1],
        evaluator=add_key(app, "evaluator")[1],
        policy=add_key(app, "policy")[1],
        admin=add_key(app, "admin")[1],
    )


@pytest.fixture(scope="session")
def base_proposal() -> dict:
    return to_jsonable(load_proposal(FIXTURES / "proposal_valid.yaml").model_dump(mode="json"))


@pytest.fixture
def proposal(base_proposal) -> dict:
    return copy.deepcopy(base_proposal)
