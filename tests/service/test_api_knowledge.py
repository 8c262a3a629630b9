"""GET /v1/knowledge-bases[/{name}/{version}] and the health endpoints."""

import datetime as dt

from knowledge.kb import load_knowledge_base


def test_knowledge_bases_are_listed_for_every_role(client, keys):
    kb = load_knowledge_base()
    for role in ("facilitator", "evaluator", "policy", "admin"):
        listed = client.get("/v1/knowledge-bases", headers=keys.auth(role))
        assert listed.status_code == 200
    entry = next(e for e in listed.json() if e["default"])
    assert (entry["name"], entry["version"], entry["content_hash"]) == (kb.name, kb.version, kb.content_hash())
    assert entry["rules"] == len(kb.rules)
    assert client.get("/v1/knowledge-bases").status_code == 401


def test_knowledge_base_detail_has_rules_and_values_in_force_per_cycle(client, keys):
    kb = load_knowledge_base()
    response = client.get(f"/v1/knowledge-bases/{kb.name}/{kb.version}", headers=keys.auth("policy"))
    assert response.status_code == 200
    body = response.json()
    assert {r["id"] for r in body["rule_list"]} == {r.id for r in kb.rules}
    params = {p["name"]: p for p in body["parameter_list"]}
    assert set(params) == set(kb.parameters)
    for name, param in params.items():
        for cycle, value in param["in_force"].items():
            assert value == kb.parameter_value(name, dt.date(int(cycle), 1, 1))
    pagu = params["pagu_per_rw"]["in_force"]
    assert pagu["2020"] != pagu["2021"]  # the ceiling changed in 2021
    assert all(v["reference"] and v["status"] in ("verified", "assumed") for v in params["pagu_per_rw"]["values"])


def test_unknown_knowledge_base_version_is_404(client, keys):
    response = client.get("/v1/knowledge-bases/ppm-cimahi/0.0", headers=keys.auth("policy"))
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/problem+json")


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": True, "migrations": True, "knowledge_base": True,
                            "check_workers": True}


def test_readyz_reports_an_unreachable_database(client, app):
    app.state.services.db.engine.dispose()
    original = app.state.services.db.ping

    def broken():
        raise ConnectionError("database down")

    app.state.services.db.ping = broken
    try:
        response = client.get("/readyz")
    finally:
        app.state.services.db.ping = original
    assert response.status_code == 503 and response.json()["database"] is False
