"""Who may do what, endpoint by endpoint: no key 401, a role that may not 403, the others pass."""

import pytest

from tests.service.helpers import artifact, record

ROLES = ("facilitator", "evaluator", "policy", "admin")

# method, path template, body name, roles allowed
MATRIX = [
    ("post", "/v1/proposals", "proposal_rw7", {"facilitator"}),
    ("get", "/v1/proposals", None, set(ROLES)),
    ("get", "/v1/proposals/{proposal_id}", None, set(ROLES)),
    ("post", "/v1/scores", "scores", {"evaluator"}),
    ("get", "/v1/knowledge-bases", None, set(ROLES)),
    ("get", "/v1/knowledge-bases/{kb_name}/{kb_version}", None, set(ROLES)),
    ("get", "/v1/calibrations", None, {"evaluator", "policy", "admin"}),
    ("get", "/v1/calibrations/{calibration_id}", None, {"evaluator", "policy", "admin"}),
    ("post", "/v1/calibrations", "calibration", {"evaluator", "policy"}),
    ("get", "/v1/calibrations/in-force", None, {"evaluator", "policy", "admin"}),
    ("get", "/v1/tier-decisions", None, {"evaluator", "policy", "admin"}),
    ("get", "/v1/tier-decisions/override-rates", None, {"evaluator", "policy", "admin"}),
    ("get", "/v1/decisions/{decision_id}", None, set(ROLES)),
    ("post", "/v1/decisions/{decision_id}/replay", None, {"evaluator", "policy", "admin"}),
]


@pytest.fixture
def world(client, keys, proposal):
    created = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator")).json()
    art = artifact()
    assert client.post("/v1/calibrations", json=art, headers=keys.auth("policy")).status_code == 201
    kb = client.get("/v1/knowledge-bases", headers=keys.auth("admin")).json()[0]
    rw7 = dict(proposal, region={**proposal["region"], "rw": 7})
    return {
        "ids": {"proposal_id": created["id"], "decision_id": created["decision_id"], "calibration_id": art["id"],
                "kb_name": kb["name"], "kb_version": kb["version"]},
        "bodies": {"proposal_rw7": rw7, "scores": {"record": record(1)}, "calibration": art},
    }


@pytest.mark.parametrize("method, path, body, allowed", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_role_matrix(client, keys, world, method, path, body, allowed):
    url = path.format(**world["ids"])
    payload = {"json": world["bodies"][body]} if body else {}
    anonymous = client.request(method, url, **payload)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    for role in ROLES:
        response = client.request(method, url, headers=keys.auth(role), **payload)
        if role in allowed:
            assert response.status_code in (200, 201), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["message"]["id"] and response.json()["message"]["en"]
