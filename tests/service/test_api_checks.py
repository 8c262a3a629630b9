"""POST /v1/checks: the check JSON of the rules, no key, nothing stored; problem+json errors."""


import jsonpatch
from sqlalchemy import func, select

from service.models import Decision, StoredProposal
from tests.service.helpers import checked_in_force, kb_base_proposal, wages_and_over_ceiling

PROBLEM = "application/problem+json"


def stored_rows(app) -> int:
    with app.state.services.db.session() as session:
        return sum(session.scalar(select(func.count()).select_from(m)) for m in (Decision, StoredProposal))


def test_check_returns_the_rules_check_json_without_a_key_and_stores_nothing(client, app, proposal):
    response = client.post("/v1/checks", json=proposal)
    assert response.status_code == 200, response.text
    expected, _ = checked_in_force(app, proposal)   # a 2022 proposal: the history version 2025.2
    assert response.json() == expected and expected["knowledge_base"]["version"] == "2025.2"
    assert set(response.json()) >= {"verdict", "knowledge_base", "cycle", "findings", "passed"}
    assert stored_rows(app) == 0


def test_a_seeded_problem_is_reported_with_its_field(client, proposal):
    proposal["activities"][0]["budget_lines"][0]["kind"] = "upah"  # wages paid from PPM money
    body = client.post("/v1/checks", json=proposal).json()
    fired = {f["rule_id"]: f for f in body["findings"]}
    assert fired, body
    assert any(f["group"] == "budget" for f in fired.values())
    assert body["verdict"] in ("needs_revision", "ineligible")


def test_validation_errors_are_problem_json_with_every_field_path(client, proposal):
    proposal["activities"][0]["budget_lines"][1]["source"] = "apbn"
    del proposal["team"]["members"]
    proposal["region"]["kelurahan"] = "Cibabatt"
    response = client.post("/v1/checks", json=proposal)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 422 and body["type"].startswith("urn:berdaya:problem:")
    assert body["message"]["id"] and body["message"]["en"] and body["instance"] == "/v1/checks"
    paths = {e["path"] for e in body["errors"]}
    assert {"activities[0].budget_lines[1].source", "team.members"} <= paths
    region = next(e for e in body["errors"] if e["path"].startswith("region"))
    # The model's own bilingual validator text reaches the client, with its "did you mean".
    assert "tidak ada di Kecamatan" in region["id"] and "is not in Kecamatan" in region["en"]
    assert "Cibabat" in region["id"]
    members = next(e for e in body["errors"] if e["path"] == "team.members")
    assert members["id"] == "wajib diisi" and members["en"] == "Field required"


def test_malformed_json_is_a_422_problem(client):
    response = client.post("/v1/checks", content=b'{"cycle": 2022,', headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"]


def test_body_above_the_size_cap_gets_413(client, proposal):
    proposal["title"] = "x" * 300_000  # the test app caps bodies at 200,000 bytes
    response = client.post("/v1/checks", json=proposal)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "200000" in response.json()["message"]["en"]


def test_chunked_body_above_the_cap_gets_413_too(client):
    def chunks():
        for _ in range(30):
            yield b"x" * 10_000

    response = client.post("/v1/checks", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_unknown_path_and_method_are_problems(client):
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)
    wrong = client.get("/v1/checks")
    assert wrong.status_code == 405 and wrong.headers["content-type"].startswith(PROBLEM)


def test_a_domain_error_of_the_rules_becomes_a_bilingual_problem(client, proposal):
    proposal["cycle"] = 2010  # before the first value of the PPM ceiling in the knowledge base
    response = client.post("/v1/checks", json=proposal)
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    message = response.json()["message"]
    assert "2010-01-01" in message["id"] and "in force" in message["en"]


def test_the_check_runs_in_a_pre_check_thread_not_on_the_event_loop(client, app, proposal, monkeypatch):
    """A check on the event loop would hold up every other request while it runs."""
    import asyncio

    engines = app.state.services.engines
    real, seen = engines.check_result, []

    def recording(*args, **kwargs):
        try:
            asyncio.get_running_loop()
            seen.append("event loop")
        except RuntimeError:
            seen.append("worker thread")
        return real(*args, **kwargs)

    monkeypatch.setattr(engines, "check_result", recording)
    response = client.post("/v1/checks", json=proposal)
    assert response.status_code == 200 and seen == ["worker thread"]
    assert response.json() == checked_in_force(app, proposal)[0]


# ---- ?repair=true: verified patches (service.usecases.checks) ----------------------------------

def test_repair_returns_the_check_its_verified_patches_and_the_patched_proposal(client, app):
    data = wages_and_over_ceiling()
    response = client.post("/v1/checks?repair=true", json=data)
    assert response.status_code == 200, response.text
    body = response.json()
    plain = client.post("/v1/checks", json=data).json()
    assert {k: body[k] for k in plain} == plain and body["verdict"] == "ineligible"
    repair = body["repair"]
    assert {"PPM-ANG-001", "PPM-ANG-002"} <= {c["rule_id"] for p in repair["patches"] for c in p["clears"]}
    combined = repair["combined"]
    assert combined["result"]["verdict"] == "eligible" and repair["verdict_after"] == "eligible"
    assert {"PPM-ANG-001", "PPM-ANG-002"} <= set(combined["rules"])
    # The patch is RFC 6902 on the proposal as sent; applied and checked again, it is what it claims.
    patched = jsonpatch.apply_patch(data, combined["patch"])
    assert client.post("/v1/checks", json=patched).json() == combined["result"]
    assert client.post("/v1/checks", json=body["patched"]).json() == combined["result"]
    assert stored_rows(app) == 0


def test_repair_is_deterministic(client):
    data = wages_and_over_ceiling()
    first = client.post("/v1/checks?repair=true", json=data).json()
    assert all(client.post("/v1/checks?repair=true", json=data).json() == first for _ in range(2))


def test_an_eligible_proposal_needs_no_repair(client):
    body = client.post("/v1/checks?repair=true", json=kb_base_proposal()).json()
    assert body["verdict"] == "eligible" and body["patched"] is None
    assert body["repair"]["patches"] == [] and body["repair"]["combined"] is None and body["repair"]["actions"] == []


def test_when_only_the_rw_can_fix_it_the_answer_is_actions_not_patches(client):
    data = kb_base_proposal()
    data["musyawarah"]["attendance"]["women"] = 0
    data["musyawarah"]["speakers"]["women"] = 0
    body = client.post("/v1/checks?repair=true", json=data).json()
    assert body["verdict"] != "eligible" and body["patched"] is None
    assert body["repair"]["combined"] is None and body["repair"]["patches"] == []
    assert body["repair"]["actions"] and all(a["kind"] == "action" for a in body["repair"]["actions"])


def test_repair_with_a_value_that_is_not_a_boolean_is_a_bilingual_422(client, proposal):
    response = client.post("/v1/checks?repair=perhaps", json=proposal)
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert any(e["path"].endswith("repair") for e in response.json()["errors"])
