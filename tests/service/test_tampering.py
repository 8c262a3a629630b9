"""A published version edited on disk while the service runs: a server fault, never the client's invalid input.

The version's files are verified when it is loaded and again when a decision is replayed; /readyz
verifies every published version; GET of the version shows it as tampered with the files named.
"""

from __future__ import annotations

import os

from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.helpers import make_settings

TAMPERED = "urn:berdaya:problem:version-tampered"


def tamper(pv) -> str:
    """Edit one stored file of a published version (made writable first, as an intruder would)."""
    target = next(p for p in sorted(pv.content_dir.rglob("*.yaml")) if p.parent.name == "parameters")
    os.chmod(pv.path, 0o755)
    for directory in (pv.content_dir, target.parent):
        os.chmod(directory, 0o755)
    os.chmod(target, 0o644)
    target.write_text(target.read_text(encoding="utf-8") + "\n# diubah / changed\n", encoding="utf-8")
    return target.relative_to(pv.content_dir).as_posix()


def server_fault(response) -> dict:
    assert response.status_code == 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == TAMPERED
    assert "diubah" in body["message"]["id"] and "modified" in body["message"]["en"]
    return body


def test_a_version_tampered_while_running_is_reported_as_a_server_fault(client, keys, proposal, database_url):
    created = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))
    assert created.status_code == 201, created.text
    engines = client.app.state.services.engines
    pv = engines.store.version_for_cycle(proposal["cycle"])
    assert client.get("/readyz").status_code == 200
    changed = tamper(pv)

    replay = client.post(f"/v1/decisions/{created.json()['decision_id']}/replay", headers=keys.auth("policy"))
    body = server_fault(replay)
    assert any(e["path"].endswith(changed) for e in body["errors"])

    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["knowledge_base"] is False

    shown = client.get(f"/v1/knowledge-bases/ppm-cimahi/{pv.version}", headers=keys.auth("evaluator"))
    assert shown.status_code == 200
    assert shown.json()["integrity"] == "tampered"
    assert any(f.endswith(changed) for f in shown.json()["tampered_files"])
    listed = client.get("/v1/knowledge-bases", headers=keys.auth("evaluator")).json()
    assert {v["version"]: v["integrity"] for v in listed}[pv.version] == "tampered"

    # After a restart the version is verified when it is loaded: a check is a server fault, not a 422.
    with TestClient(create_app(make_settings(database_url))) as restarted:
        server_fault(restarted.post("/v1/checks", json=proposal))
