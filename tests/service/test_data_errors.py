"""Data the databases cannot store is a client error (422), the same on SQLite and PostgreSQL.

The models refuse such data first (NUL in text, numbers that are not finite); the database
layer is the defence behind them: stored JSON is standard JSON, and a PostgreSQL DataError
becomes 422, while 503 stays for a database that is really unavailable.
"""

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, StatementError

from knowledge.errors import InvalidInput
from service import repository
from service.errors import is_data_error
from service.models import Decision, StoredProposal

PROBLEM = "application/problem+json"


def stored(app) -> int:
    with app.state.services.db.session() as session:
        return sum(session.scalar(select(func.count()).select_from(m)) for m in (Decision, StoredProposal))


def test_a_title_with_nul_is_refused_by_the_model_on_both_databases(client, app, keys, proposal):
    proposal["title"] = "Perbaikan drainase\u0000"
    response = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert [e["path"] for e in response.json()["errors"]] == ["title"]
    assert stored(app) == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e309"])
def test_a_score_record_whose_cycle_is_not_finite_is_refused_on_both_databases(client, app, keys, literal):
    row = {"cycle": 2024, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5}
    body = json.dumps({"records": [row]}).replace("2024", literal)
    response = client.post("/v1/scores", content=body, headers={**keys.auth("evaluator"),
                                                                  "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert any(e["path"].startswith("records") for e in response.json()["errors"])
    assert stored(app) == 0


def test_json_that_is_not_standard_is_never_written(app):
    # SQLite's driver reports the refusal wrapped in a StatementError, psycopg passes it through.
    with pytest.raises((StatementError, InvalidInput)) as caught, app.state.services.db.session() as session:
        repository.store_score(session, request={"rows": [{"cycle": float("nan")}]}, result={}, index_name="ppm",
                               index_hash=None, calibration_id=None, key_id=None)
    assert isinstance(caught.value, InvalidInput) or is_data_error(caught.value)
    assert stored(app) == 0


def test_a_database_data_error_is_answered_as_invalid_input_not_as_unavailable(client, app, keys, proposal,
                                                                              monkeypatch):
    def refused_by_database(**fields):
        raise DataError("INSERT INTO proposals", {}, ValueError("value too long for type (injected)"))

    monkeypatch.setattr(repository, "proposal_row", refused_by_database)
    response = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert "retryable" not in response.json() and "nothing was stored" in response.json()["message"]["en"]
    assert stored(app) == 0


def test_text_with_nul_reaching_postgresql_is_a_data_error(app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite stores NUL; the models refuse it before either database sees it")
    with pytest.raises(StatementError) as caught, app.state.services.db.session() as session:
        repository.create_key(session, key_id="key_nul", key_hash="0" * 64, role="admin", kelurahan=None,
                              label="a\u0000b")
    assert is_data_error(caught.value)
