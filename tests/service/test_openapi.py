"""OpenAPI at /docs: every schema has an example, every error response is problem+json."""

from service.errors import PROBLEM_JSON

EXPECTED = {
    ("post", "/v1/checks"), ("post", "/v1/proposals"), ("get", "/v1/proposals"),
    ("get", "/v1/proposals/{proposal_id}"), ("post", "/v1/scores"), ("get", "/v1/knowledge-bases"),
    ("get", "/v1/knowledge-bases/{name}/{version}"), ("get", "/v1/calibrations"),
    ("get", "/v1/calibrations/{calibration_id}"), ("post", "/v1/calibrations"),
    ("get", "/v1/decisions/{decision_id}"), ("post", "/v1/decisions/{decision_id}/replay"),
    ("get", "/healthz"), ("get", "/readyz"),
}


def test_docs_and_every_endpoint_are_published(client):
    assert client.get("/docs").status_code == 200
    doc = client.get("/openapi.json").json()
    operations = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert operations >= EXPECTED


def test_every_schema_has_an_example(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    missing = [name for name, schema in schemas.items() if not schema.get("examples")]
    assert missing == []


def test_every_documented_error_is_problem_json(client):
    doc = client.get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")) and path != "/readyz":
                    assert list(response["content"]) == [PROBLEM_JSON], (method, path, status)
    body = doc["paths"]["/v1/checks"]["post"]["requestBody"]["content"]["application/json"]
    assert body["examples"]["drainase"]["value"]["region"]["kelurahan"] == "Cibabat"


def test_the_check_documents_its_repair_query_and_answer(client):
    doc = client.get("/openapi.json").json()
    operation = doc["paths"]["/v1/checks"]["post"]
    (repair,) = [p for p in operation["parameters"] if p["name"] == "repair"]
    assert repair["in"] == "query" and repair["schema"]["type"] == "boolean" and "RFC 6902" in repair["description"]
    answers = operation["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"]
    assert {a["$ref"] for a in answers} == {"#/components/schemas/CheckResult", "#/components/schemas/RepairedCheck"}
    repaired = doc["components"]["schemas"]["RepairedCheck"]["properties"]
    assert {"repair", "patched", "verdict", "findings"} <= set(repaired)
