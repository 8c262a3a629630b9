"""GET /v1/decisions/{id} and POST /v1/decisions/{id}/replay: stored decisions reproduce exactly."""

import pytest

from tests.service.helpers import artifact, record, upload, with_region

PROBLEM = "application/problem+json"


@pytest.fixture
def check_decision(client, keys, proposal) -> str:
    return client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator")).json()["decision_id"]


@pytest.mark.parametrize("role", ["evaluator", "policy", "admin"])
def test_replay_of_a_stored_check_is_identical(client, keys, check_decision, role):
    response = client.post(f"/v1/decisions/{check_decision}/replay", headers=keys.auth(role))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["identical"] is True and body["replayed"] == body["stored"] and body["kind"] == "check"
    assert body["same_knowledge_base_content"] is True
    assert body["knowledge_base"]["name"] and body["knowledge_base"]["version"]


def test_replay_of_stored_checks_with_findings_is_identical(client, keys, proposal):
    proposal["activities"][0]["budget_lines"][0]["kind"] = "upah"
    proposal["musyawarah"]["attendance"]["women"] = 0
    decision = client.post("/v1/proposals", json=with_region(proposal, "Cibabat", "Cimahi Utara", 9),
                           headers=keys.auth("facilitator")).json()["decision_id"]
    body = client.post(f"/v1/decisions/{decision}/replay", headers=keys.auth("policy")).json()
    assert body["stored"]["findings"] and body["identical"] is True


def test_replay_detects_a_changed_stored_result(client, app, keys, check_decision):
    from service.models import Decision

    with app.state.services.db.session() as session, session.begin():
        row = session.get(Decision, check_decision)
        row.output = {**row.output, "verdict": "tampered"}
    body = client.post(f"/v1/decisions/{check_decision}/replay", headers=keys.auth("policy")).json()
    assert body["identical"] is False and body["replayed"]["verdict"] != "tampered"


def test_replay_of_a_stored_score_with_its_calibration_is_identical(client, keys):
    art, newer = artifact(), artifact((0.1, 0.2, 0.3))
    upload(client, keys, art)
    client.post("/v1/calibrations/in-force", json={"calibration_id": art["id"], "from_cycle": 2024,
                                                   "reason": "ditinjau / reviewed"}, headers=keys.auth("policy"))
    scored = client.post("/v1/scores", json={"records": [record(1), record(2, meetings_held=0)]},
                         headers=keys.auth("evaluator")).json()
    # A newer calibration in force must not change the replay: the stored one is used.
    upload(client, keys, newer)
    client.post("/v1/calibrations/in-force", json={"calibration_id": newer["id"], "from_cycle": 2024,
                                                   "reason": "ditinjau / reviewed"}, headers=keys.auth("policy"))
    body = client.post(f"/v1/decisions/{scored['decision_id']}/replay", headers=keys.auth("evaluator")).json()
    assert body["identical"] is True and body["calibration_id"] == art["id"] and body["kind"] == "score"
    assert body["same_knowledge_base_content"] is None


def test_decision_reading_rules(client, keys, check_decision):
    assert client.get(f"/v1/decisions/{check_decision}").status_code == 401
    assert client.get(f"/v1/decisions/{check_decision}", headers=keys.auth("facilitator")).status_code == 200
    other = client.get(f"/v1/decisions/{check_decision}", headers=keys.auth("facilitator_other"))
    assert other.status_code == 403
    replay = client.post(f"/v1/decisions/{check_decision}/replay", headers=keys.auth("facilitator"))
    assert replay.status_code == 403
    missing = client.get("/v1/decisions/nope", headers=keys.auth("evaluator"))
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)
    assert client.post("/v1/decisions/nope/replay", headers=keys.auth("evaluator")).status_code == 404
