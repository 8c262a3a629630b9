"""The drafts API for the policy role: upload, diff, simulate as a background job, publish."""

from __future__ import annotations

import io
import shutil
import time
import zipfile

import pytest
from fastapi.testclient import TestClient

from knowledge.versions import SHIPPED_KB, tree_hash
from policy.store import KBStore
from service import repository
from service.apikeys import hash_key, new_key, new_key_id
from service.app import create_app
from service.routers import drafts
from service.settings import Settings
from tests.policy.helpers import add_param_value, set_version, snapshot

BASE = "/v1/knowledge-bases/ppm-cimahi"


@pytest.fixture
def api(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    if not any(getattr(r, "path", "").startswith("/v1/knowledge-bases/{name}/drafts") for r in app.routes):
        app.include_router(drafts.router)
    app.state.kb_store = KBStore(tmp_path / "store")
    with TestClient(app) as client:
        keys = {}
        for role in ("policy", "evaluator"):
            key, key_id = new_key(), new_key_id()
            with app.state.services.db.session() as session:
                repository.create_key(session, key_id=key_id, key_hash=hash_key(key), role=role, kelurahan=None)
            keys[role] = {"Authorization": f"Bearer {key}"}
        yield client, keys, app.state.kb_store


@pytest.fixture
def women_draft(tmp_path):
    draft = tmp_path / "draft"
    shutil.copytree(SHIPPED_KB, draft)
    set_version(draft, f"2027.api-{tmp_path.name[-8:]}")
    add_param_value(draft, "min_women_attendance_share", "2027-01-01", 0.40)
    return draft


def zipped(directory) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(directory).as_posix())
    return buf.getvalue()


def test_only_the_policy_role_manages_drafts(api, women_draft):
    client, keys, _ = api
    assert client.post(f"{BASE}/drafts", content=zipped(women_draft),
                       headers={"Content-Type": "application/zip"}).status_code == 401
    denied = client.post(f"{BASE}/drafts", content=zipped(women_draft),
                         headers={**keys["evaluator"], "Content-Type": "application/zip"})
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith("application/problem+json")
    assert client.post("/v1/knowledge-bases/lain/drafts", json={"files": {}}, headers=keys["policy"]).status_code == 404
    assert client.get(f"{BASE}/drafts/0123456789abcdef/diff", headers=keys["policy"]).status_code == 404


def test_zip_and_json_uploads_of_the_same_content_are_the_same_draft(api, women_draft):
    client, keys, _ = api
    up = client.post(f"{BASE}/drafts", content=zipped(women_draft),
                     headers={**keys["policy"], "Content-Type": "application/zip"})
    assert up.status_code == 201, up.text
    body = up.json()
    assert body["content_hash"] == tree_hash(women_draft) and body["problems"] == []
    files = {p.relative_to(women_draft).as_posix(): p.read_text(encoding="utf-8")
             for p in women_draft.rglob("*") if p.is_file()}
    again = client.post(f"{BASE}/drafts", json={"files": files}, headers=keys["policy"])
    assert again.status_code == 201 and again.json()["draft_id"] == body["draft_id"]
    bad = client.post(f"{BASE}/drafts", json={"files": {"../x.yaml": "a: 1", "kb.yaml": "name: x"}},
                      headers=keys["policy"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "../x.yaml"


def test_diff_simulate_and_publish_through_the_api(api, women_draft):
    client, keys, store = api
    draft_id = client.post(f"{BASE}/drafts", content=zipped(women_draft),
                           headers={**keys["policy"], "Content-Type": "application/zip"}).json()["draft_id"]

    diff = client.get(f"{BASE}/drafts/{draft_id}/diff", headers=keys["policy"]).json()
    assert [p["name"] for p in diff["parameters"]["changed"]] == ["min_women_attendance_share"]
    assert not any(diff["rules"].values())
    text = client.get(f"{BASE}/drafts/{draft_id}/diff", params={"format": "text"}, headers=keys["policy"]).json()
    assert "1 Januari 2027: nilai baru" in text["text"]

    early = client.post(f"{BASE}/drafts/{draft_id}/publish", headers=keys["policy"],
                        json={"effective_from": "2027-01-01", "reason": "Ambang 40%", "latest_completed_cycle": 2025})
    assert early.status_code == 422
    assert next(e["path"] for e in early.json()["errors"]).startswith("whatif/")

    job = client.post(f"{BASE}/drafts/{draft_id}/simulations", headers=keys["policy"],
                      json={"cycles": [2025], "source": "synthetic"})
    assert job.status_code == 202
    status_url = f"{BASE}/drafts/{draft_id}/simulations/{job.json()['job_id']}"
    deadline = time.monotonic() + 600
    while True:
        status = client.get(status_url, headers=keys["policy"]).json()
        if status["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status["status"] == "done", status
    assert status["done"] == status["total"] > 0
    report = client.get(status["result"], headers=keys["policy"]).json()
    assert report["draft"]["content_hash"] == tree_hash(women_draft) and report["cycles"] == [2025]
    assert report["synthetic"] is True

    before = snapshot(store.root / "ppm-cimahi" / "versions")
    refused = client.post(f"{BASE}/drafts/{draft_id}/publish", headers=keys["policy"],
                          json={"effective_from": "2017-01-01", "reason": "x", "latest_completed_cycle": 2025})
    assert refused.status_code == 422 and [e["path"] for e in refused.json()["errors"]] == ["effective_from"]
    assert snapshot(store.root / "ppm-cimahi" / "versions") == before

    published = client.post(f"{BASE}/drafts/{draft_id}/publish", headers=keys["policy"],
                            json={"effective_from": "2027-01-01", "reason": "Ambang 40%",
                                  "latest_completed_cycle": 2025})
    assert published.status_code == 201, published.text
    assert published.json()["effective_from"] == "2027-01-01"
    assert store.version_for_cycle(2027).version == published.json()["version"]


def test_a_draft_with_schema_errors_is_refused_at_upload_with_every_field_named_and_nothing_kept(api, women_draft):
    client, keys, store = api
    from tests.policy.helpers import edit_rule

    edit_rule(women_draft, "PPM-INK-001", severity="fatal")
    refused = client.post(f"{BASE}/drafts", content=zipped(women_draft),
                          headers={**keys["policy"], "Content-Type": "application/zip"})
    assert refused.status_code == 422, refused.text
    assert any(e["path"].endswith(".severity") and e["path"].startswith("rules/inclusion.yaml")
               for e in refused.json()["errors"])
    assert not store.drafts_dir.exists() or list(store.drafts_dir.iterdir()) == []
