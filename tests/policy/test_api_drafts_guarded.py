"""Drafts through the guarded reader: bombs and over-full zips refused, nothing kept on disk; conditions and
rule ids checked at upload with the gate's own checks; a quota per key and in all; DELETE; bodies of the
drafts routes read after the permission check; no server path in what comes back."""

from __future__ import annotations

import io
import json
import pickle
import shutil
import zipfile

import pytest
from fastapi.testclient import TestClient

from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.intake import LimitExceeded
from knowledge.versions import SHIPPED_KB, UnknownVersion, VersionTampered
from policy.drafts import DraftQuotaExceeded
from policy.store import KBStore, PublishRefused
from rules.check import FactError
from rules.compiler import NotInForce
from rules.condition import ConditionError
from rules.derived import DerivedNotInForce
from rules.engine import EngineError
from rules.fact_params import MissingParameter
from rules.repair_ops import RepairNotApplicable
from service import repository
from service.apikeys import hash_key, new_key, new_key_id
from service.app import create_app
from service.settings import Settings
from tests import attack_files as attack
from tests.policy.helpers import edit_rule, set_version

BASE = "/v1/knowledge-bases/ppm-cimahi"
ZIP = "application/zip"


def zipped(directory) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(directory).as_posix())
    return buf.getvalue()


def _key(app, role: str) -> dict[str, str]:
    key, key_id = new_key(), new_key_id()
    with app.state.services.db.session() as session:
        repository.create_key(session, key_id=key_id, key_hash=hash_key(key), role=role, kelurahan=None)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def api(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", max_drafts_per_key=2,
                              max_drafts=3, kb_store=str(tmp_path / "store")))
    app.state.kb_store = KBStore(tmp_path / "store")
    with TestClient(app) as client:
        keys = {name: _key(app, role) for name, role in
                (("policy", "policy"), ("policy2", "policy"), ("policy3", "policy"), ("evaluator", "evaluator"))}
        yield client, keys, app.state.kb_store


def draft_dir(tmp_path, label: str):
    target = tmp_path / f"draft-{label}"
    shutil.copytree(SHIPPED_KB, target, ignore=shutil.ignore_patterns("__pycache__"))
    set_version(target, f"2027.{label}")
    return target


def post_zip(client, headers, content: bytes):
    return client.post(f"{BASE}/drafts", content=content, headers={**headers, "Content-Type": ZIP})


def nothing_kept(store: KBStore) -> bool:
    return not store.drafts_dir.exists() or list(store.drafts_dir.iterdir()) == []


def bilingual(response) -> dict:
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["message"]["id"] and body["message"]["en"] and body["message"]["id"] != body["message"]["en"]
    return body


def test_a_zip_that_inflates_to_900_mib_is_refused_by_its_size_after_inflating_and_nothing_is_kept(api):
    client, keys, store = api
    bomb = attack.zip_bomb()
    assert len(bomb) < 1_000_000
    refused = post_zip(client, keys["policy"], bomb)
    assert refused.status_code == 413 and bilingual(refused)["limit"] == "max_inflated_bytes"
    # A directory that understates the size: inflating stops at the declared size and the CRC fails.
    understated = post_zip(client, keys["policy"], attack.understated_zip())
    assert understated.status_code == 422 and "rusak" in bilingual(understated)["errors"][0]["id"]
    assert nothing_kept(store)


def test_a_zip_with_more_entries_than_allowed_is_refused_and_nothing_is_kept(api):
    client, keys, store = api
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("kb.yaml", "name: ppm-cimahi\n")
        for i in range(600):
            zf.writestr(f"tests/t{i}.yaml", "")
    refused = post_zip(client, keys["policy"], buf.getvalue())
    assert refused.status_code == 422 and bilingual(refused)["limit"] == "max_entries"
    assert nothing_kept(store)


def test_a_draft_whose_condition_does_not_parse_is_refused_at_upload_with_the_rule_named(api, tmp_path):
    client, keys, store = api
    draft = draft_dir(tmp_path, "parse")
    path = edit_rule(draft, "PPM-INK-001", when="women_attendance_share <")
    refused = post_zip(client, keys["policy"], zipped(draft))
    assert refused.status_code == 422, refused.text
    where = f"{path.relative_to(draft).as_posix()}: PPM-INK-001.when"
    assert [e["path"] for e in bilingual(refused)["errors"]] == [where]
    assert nothing_kept(store)


def test_a_published_rule_id_reused_for_another_rule_is_refused_at_upload(api, tmp_path):
    client, keys, store = api
    draft = draft_dir(tmp_path, "reuse")
    edit_rule(draft, "PPM-INK-001", title={"id": "Aturan lain", "en": "Another rule"})
    refused = post_zip(client, keys["policy"], zipped(draft))
    assert refused.status_code == 422
    assert any(e["path"].endswith("PPM-INK-001.title") and "id aturan" in e["id"] for e in refused.json()["errors"])
    assert nothing_kept(store)


def test_drafts_are_kept_within_a_quota_per_key_and_in_all_and_can_be_deleted(api, tmp_path):
    client, keys, store = api
    ids = []
    for label in ("a", "b"):
        created = post_zip(client, keys["policy"], zipped(draft_dir(tmp_path, label)))
        assert created.status_code == 201, created.text
        ids.append(created.json()["draft_id"])
    over = post_zip(client, keys["policy"], zipped(draft_dir(tmp_path, "c")))
    assert over.status_code == 409 and "hapus draf" in bilingual(over)["message"]["id"]
    assert post_zip(client, keys["policy2"], zipped(draft_dir(tmp_path, "d"))).status_code == 201
    full = post_zip(client, keys["policy3"], zipped(draft_dir(tmp_path, "e")))
    assert full.status_code == 409 and "3" in full.json()["message"]["en"]
    assert client.delete(f"{BASE}/drafts/{ids[0]}", headers=keys["evaluator"]).status_code == 403
    assert client.delete(f"{BASE}/drafts/{ids[0]}", headers=keys["policy"]).status_code == 204
    assert client.get(f"{BASE}/drafts/{ids[0]}", headers=keys["policy"]).status_code == 404
    assert client.delete(f"{BASE}/drafts/{ids[0]}", headers=keys["policy"]).status_code == 404
    assert post_zip(client, keys["policy"], zipped(draft_dir(tmp_path, "c2"))).status_code == 201
    assert len(store.draft_ids()) == 3 and len(store.draft_ids(by=None)) == 3


@pytest.mark.parametrize("route", ["/drafts", "/drafts/0123456789abcdef/simulations",
                                   "/drafts/0123456789abcdef/publish"])
def test_drafts_bodies_are_read_after_the_permission_and_refused_in_both_languages(api, route):
    client, keys, store = api
    for body in (b"{not json", attack.deep_json(), b"\xff\xfe"):
        wrong_role = client.post(BASE + route, content=body,
                                 headers={**keys["evaluator"], "Content-Type": "application/json"})
        assert wrong_role.status_code == 403
        refused = client.post(BASE + route, content=body, headers={**keys["policy"], "Content-Type": "application/json"})
        assert refused.status_code == 422, (route, body[:10], refused.text)
        assert bilingual(refused)["errors"]
    assert nothing_kept(store)


def test_no_server_path_in_refusals_or_what_if_results(api, tmp_path):
    client, keys, store = api
    draft = draft_dir(tmp_path, "paths")
    edit_rule(draft, "PPM-INK-001", severity="fatal")
    refused = post_zip(client, keys["policy"], zipped(draft))
    assert refused.status_code == 422 and str(tmp_path) not in refused.text
    from policy.drafts import simulate_draft

    created = post_zip(client, keys["policy"], zipped(draft_dir(tmp_path, "clean")))
    draft_id = created.json()["draft_id"]
    report = simulate_draft(store, store.draft_path(draft_id), [], cycles=[2025], synthetic=False,
                            source="stored", workers=1)
    text = json.dumps(report.model_dump(mode="json"))
    assert str(tmp_path) not in text and report.draft.path == draft_id
    unknown = client.get(f"{BASE}/drafts/{draft_id}/diff?against=1999.9", headers=keys["policy"])
    assert unknown.status_code == 404 and "1999.9" in unknown.text and str(tmp_path) not in unknown.text


ERRORS = [
    BerdayaError("pesan", "message"), InvalidInput([Problem("a.b", "salah", "wrong")], source="x"),
    LimitExceeded([Problem("", "batas", "limit")], source="y", limit="max_rows"),
    VersionTampered([Problem("rules/a.yaml", "diubah", "changed")], source="2026.1"),
    UnknownVersion("tidak ada", "none"), ConditionError("kondisi", "condition"),
    NotInForce("tidak berlaku", "not in force"), DerivedNotInForce("turunan", "derived"),
    RepairNotApplicable("perbaikan", "repair"), FactError("fakta", "fact"), EngineError("mesin", "engine"),
    MissingParameter("parameter", "parameter"), PublishRefused([Problem("kb.yaml", "ditolak", "refused")]),
    DraftQuotaExceeded("kuota", "quota"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_that_cross_process_boundaries_survive_a_pickle_round_trip(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.message_id, copy.message_en, str(copy)) == (error.message_id, error.message_en, str(error))
    assert getattr(copy, "problems", None) == getattr(error, "problems", None)
    assert getattr(copy, "limit", None) == getattr(error, "limit", None)


def test_a_yaml_alias_bomb_inside_a_draft_is_refused_by_the_guarded_reader_naming_its_file(api):
    client, keys, store = api
    files = {"kb.yaml": "name: ppm-cimahi\nversion: '2027.bomb'\n",
             "rules/eligibility.yaml": attack.alias_bomb(9).decode(), "facts.yaml": attack.self_reference().decode()}
    refused = client.post(f"{BASE}/drafts", json={"files": files}, headers=keys["policy"])
    assert refused.status_code == 422, refused.text
    paths = [e["path"] for e in bilingual(refused)["errors"]]
    assert any(p.startswith("rules/eligibility.yaml") for p in paths) and any(p.startswith("facts.yaml") for p in paths)
    assert nothing_kept(store)
