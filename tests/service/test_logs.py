"""Structured logs: one JSON line per request and per stored decision; no key, no proposal content."""

import io
import json
import logging
import re

import pytest

from service.logs import JsonFormatter


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("berdaya")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_one_line_per_request_and_per_decision_without_secrets(client, keys, proposal, log_lines):
    proposal["title"] = "Judul rahasia proposal RW"
    response = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))
    assert response.status_code == 201
    client.post("/v1/checks", json=proposal)
    client.get("/healthz")
    lines = log_lines()
    requests = [entry for entry in lines if entry.get("event") == "request"]
    decisions = [entry for entry in lines if entry.get("event") == "decision_stored"]
    assert [r["path"] for r in requests] == ["/v1/proposals", "/v1/checks", "/healthz"]
    assert requests[0]["status"] == 201 and requests[0]["role"] == "facilitator"
    took = requests[0]["duration_ms"]
    assert requests[0]["key_id"].startswith("key_") and isinstance(took, (int, float))
    assert len(decisions) == 1 and decisions[0]["decision_id"] == response.json()["decision_id"]
    assert decisions[0]["input_hash"].startswith("sha256:") and decisions[0]["kb_version"]
    raw = json.dumps(lines)
    assert keys.facilitator not in raw and "Bearer" not in raw
    for secret in ("Judul rahasia", "Semen", "berita_acara_musyawarah", "Cimahi Utara"):
        assert secret not in raw


def test_every_response_tells_its_server_time(client, proposal):
    for response in (client.get("/healthz"), client.post("/v1/checks", json=proposal),
                     client.post("/v1/checks", content=b"{")):
        name, _, duration = response.headers["server-timing"].partition(";dur=")
        # The header's form only (a figure in milliseconds); its value is the benchmarks' business.
        assert name == "app" and re.fullmatch(r"\d+(\.\d+)?", duration), response.headers["server-timing"]


def test_a_sign_in_links_token_stays_out_of_the_log(app, client, log_lines):
    from service.models import utcnow
    from service.usecases.signin_links import issue_link
    from tests.service.helpers import add_key

    services = app.state.services
    link = issue_link(services.db, services.settings, add_key(app, "evaluator")[0], utcnow())
    token = link.url.rsplit("/", 1)[1]
    assert client.get(f"/masuk/tautan/{token}").status_code == 200
    paths = [entry["path"] for entry in log_lines() if entry.get("event") == "request"]
    assert paths == ["/masuk/tautan/…"] and token not in json.dumps(log_lines())
