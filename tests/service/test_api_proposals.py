"""POST/GET /v1/proposals: roles, kelurahan scope, one active proposal per RW, pagination, audit."""

import pytest

from service.repository import input_hash
from tests.service.helpers import add_key, checked_in_force, with_region

PROBLEM = "application/problem+json"


def submit(client, keys, proposal, role="facilitator"):
    return client.post("/v1/proposals", json=proposal, headers=keys.auth(role))


def test_facilitator_submits_and_the_check_and_audit_are_stored(client, app, keys, proposal):
    response = submit(client, keys, proposal)
    assert response.status_code == 201, response.text
    body = response.json()
    expected, content_hash = checked_in_force(app, proposal)
    assert body["verdict"] == expected["verdict"] and body["check"]["findings"] == expected["findings"]
    assert (body["kelurahan"], body["rw"], body["cycle"]) == ("Cibabat", 5, 2022)
    decision = client.get(f"/v1/decisions/{body['decision_id']}", headers=keys.auth("evaluator")).json()
    assert decision["knowledge_base"] == {**expected["knowledge_base"], "content_hash": content_hash}
    assert decision["input_hash"] == input_hash({"proposal": body["proposal"], "cycle": 2022})
    assert decision["key_id"].startswith("key_") and decision["created_at"]
    assert decision["calibration_id"] is None and decision["kind"] == "check"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer bdy_not-a-key"}, {"Authorization": "Basic x"}])
def test_missing_or_unknown_key_gets_401(client, keys, proposal, headers):
    response = client.post("/v1/proposals", json=proposal, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_revoked_key_gets_401(client, app, proposal):
    key_id, key = add_key(app, "facilitator", "Cibabat")
    from service import repository

    with app.state.services.db.session() as session:
        repository.revoke_key(session, key_id)
    response = client.post("/v1/proposals", json=proposal, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["evaluator", "policy", "admin"])
def test_only_facilitators_submit(client, keys, proposal, role):
    response = submit(client, keys, proposal, role)
    assert response.status_code == 403 and response.json()["message"]["en"].startswith("Role")


def test_facilitator_cannot_submit_for_another_kelurahan(client, keys, proposal):
    response = submit(client, keys, proposal, "facilitator_other")
    assert response.status_code == 403
    assert "Melong" in response.json()["message"]["id"]


def test_second_active_proposal_of_an_rw_gets_409_naming_the_first(client, keys, proposal):
    first = submit(client, keys, proposal).json()
    again = submit(client, keys, proposal)
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["existing_proposal_id"] == first["id"]
    assert again.json()["message"]["en"] == "RW 5 of Kelurahan Cibabat already has an active proposal for cycle 2022."
    other_rw = submit(client, keys, with_region(proposal, "Cibabat", "Cimahi Utara", 6))
    assert other_rw.status_code == 201
    next_cycle = dict(proposal, cycle=2023)
    assert submit(client, keys, next_cycle).status_code != 409


def test_get_proposal_respects_kelurahan(client, keys, proposal):
    created = submit(client, keys, proposal).json()
    own = client.get(f"/v1/proposals/{created['id']}", headers=keys.auth("facilitator"))
    assert own.status_code == 200 and own.json()["proposal"] == created["proposal"]
    assert own.json()["check"] == created["check"]
    assert client.get(f"/v1/proposals/{created['id']}", headers=keys.auth("facilitator_other")).status_code == 403
    assert client.get(f"/v1/proposals/{created['id']}", headers=keys.auth("evaluator")).status_code == 200
    assert client.get(f"/v1/proposals/{created['id']}").status_code == 401
    missing = client.get("/v1/proposals/does-not-exist", headers=keys.auth("evaluator"))
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)


def test_listing_filters_paginates_and_scopes_facilitators(client, app, keys, proposal):
    melong_key = keys.facilitator_other
    for rw in (1, 2, 3):
        assert submit(client, keys, with_region(proposal, "Cibabat", "Cimahi Utara", rw)).status_code == 201
    for rw in (1, 2):
        response = client.post("/v1/proposals", json=with_region(proposal, "Melong", "Cimahi Selatan", rw),
                               headers={"Authorization": f"Bearer {melong_key}"})
        assert response.status_code == 201

    everything = client.get("/v1/proposals", headers=keys.auth("evaluator")).json()
    assert everything["total"] == 5 and len(everything["items"]) == 5

    page = client.get("/v1/proposals?limit=2&offset=2", headers=keys.auth("evaluator")).json()
    assert page["total"] == 5 and [i["id"] for i in page["items"]] == [i["id"] for i in everything["items"][2:4]]

    by_kel = client.get("/v1/proposals?kelurahan=melong&cycle=2022", headers=keys.auth("policy")).json()
    assert by_kel["total"] == 2 and {i["kelurahan"] for i in by_kel["items"]} == {"Melong"}
    assert client.get("/v1/proposals?cycle=2019", headers=keys.auth("admin")).json()["total"] == 0

    verdict = everything["items"][0]["verdict"]
    same = client.get(f"/v1/proposals?verdict={verdict}", headers=keys.auth("evaluator")).json()
    assert same["total"] == sum(1 for i in everything["items"] if i["verdict"] == verdict)

    mine = client.get("/v1/proposals", headers=keys.auth("facilitator")).json()
    assert mine["total"] == 3 and {i["kelurahan"] for i in mine["items"]} == {"Cibabat"}
    assert client.get("/v1/proposals?kelurahan=Melong", headers=keys.auth("facilitator")).status_code == 403

    bad = client.get("/v1/proposals?limit=0&verdict=maybe", headers=keys.auth("evaluator"))
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json()["errors"]} == {"query.limit", "query.verdict"}
