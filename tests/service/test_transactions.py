"""A submission is one transaction: an injected failure leaves nothing and the client may retry."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from service import repository
from service.models import Decision, StoredProposal


def counts(app) -> tuple[int, int]:
    with app.state.services.db.session() as session:
        return (session.scalar(select(func.count()).select_from(Decision)),
                session.scalar(select(func.count()).select_from(StoredProposal)))


def test_failure_between_check_and_commit_leaves_nothing_and_is_retryable(client, app, keys, proposal, monkeypatch):
    calls = []

    def failing_row(**fields):
        # The check has run and its decision row has been flushed inside the transaction.
        calls.append(fields["decision_id"])
        raise OperationalError("INSERT INTO proposals", {}, ConnectionError("connection lost (injected)"))

    monkeypatch.setattr(repository, "proposal_row", failing_row)
    response = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))
    assert calls, "the failure was not reached"
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["retryable"] is True and "retry" in body["message"]["en"]
    assert counts(app) == (0, 0)
    with app.state.services.db.session() as session:
        assert session.get(Decision, calls[0]) is None

    monkeypatch.undo()
    retry = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))
    assert retry.status_code == 201 and counts(app) == (1, 1)


def test_simultaneous_submissions_of_one_rw_store_exactly_one(client, app, keys, proposal):
    def post(_):
        return client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(r.status_code for r in pool.map(post, range(8)))
    assert statuses == [201] + [409] * 7
    assert counts(app) == (1, 1)
