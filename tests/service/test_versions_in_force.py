"""The service and `berdaya check` judge each proposal with the published version in force for its cycle.

The store starts with the shipped versions (the history version effective 2018-01-01, the 2026
programme's version effective 2026-01-01); the tests publish a version that raises the
women's-participation threshold from 30% to 40% from 2027-01-01. A proposal with 24 women
among 64 attendees (37.5%) passes the old threshold and fails the new one, so a 2027 proposal
gets the women's finding and a 2026 proposal does not.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from knowledge.documents import parse_proposal, to_jsonable
from knowledge.kb import load_knowledge_base
from knowledge.versions import SHIPPED_KB
from policy.store import KBStore
from rules.registry import loaded_versions
from service.app import create_app
from service.cli import app as cli_app
from tests.policy.engine_fixtures import proposal as proposal_with_dates
from tests.policy.engine_fixtures import women_rule_ids
from tests.policy.helpers import add_param_value, record_whatif, set_version
from tests.service.helpers import make_settings

RAISED = "2027.1-uji-perempuan-40"
SHARE_375 = 24  # of 64 attendees: between the old (0.30) and the new (0.40) threshold
D = dt.date


def proposal(women: int, cycle: int, rw: int = 5) -> dict:
    """The policy tests' proposal with a known women's share, as JSON."""
    return to_jsonable(proposal_with_dates(women, cycle, rw=rw))


def women_findings(check: dict) -> set[str]:
    return {f["rule_id"] for f in check["findings"]} & women_rule_ids()


def raised_draft(tmp_path):
    draft = tmp_path / "draft-raised"
    shutil.copytree(SHIPPED_KB, draft)
    set_version(draft, RAISED)
    add_param_value(draft, "min_women_attendance_share", "2027-01-01", 0.40)
    return draft


def publish_raised(store: KBStore, tmp_path):
    draft = raised_draft(tmp_path)
    record_whatif(store, draft, [2025])
    return store.publish(draft, effective_from=D(2027, 1, 1), reason="Evaluasi tahunan 2025: ambang perempuan 40%",
                         by="Bu Rina (kebijakan)", latest_completed_cycle=2025)


@pytest.fixture
def store(tmp_path) -> KBStore:
    return KBStore(tmp_path / "versions")


@pytest.fixture
def app(database_url, store):
    # The store comes through the settings (BERDAYA_KB_STORE), not the environment of the test.
    return create_app(make_settings(database_url, kb_store=str(store.root)))


def precheck(client, women: int, cycle: int, rw: int = 5) -> dict:
    response = client.post("/v1/checks", json=proposal(women, cycle, rw=rw))
    assert response.status_code == 200, response.text
    return response.json()


def test_settings_read_the_store_from_berdaya_kb_store(tmp_path):
    from service.settings import Settings

    settings = Settings.from_env({"BERDAYA_KB_STORE": str(tmp_path / "elsewhere")})
    assert settings.kb_store == str(tmp_path / "elsewhere")
    assert Settings.from_env({}).kb_store != str(tmp_path / "elsewhere")


def test_a_publish_changes_checks_of_its_cycles_without_a_restart(client, store, tmp_path):
    first = store.latest()
    before = precheck(client, SHARE_375, 2027)
    assert before["knowledge_base"]["version"] == first.version and not women_findings(before)

    raised = publish_raised(store, tmp_path)

    after_2027 = precheck(client, SHARE_375, 2027)
    after_2026 = precheck(client, SHARE_375, 2026)
    assert after_2027["knowledge_base"]["version"] == raised.version and women_findings(after_2027)
    assert after_2026["knowledge_base"]["version"] == first.version and not women_findings(after_2026)
    # A 2027 proposal above the new threshold is still fine under the new version.
    assert not women_findings(precheck(client, 26, 2027))
    assert raised.content_hash in loaded_versions()


def test_a_submission_records_the_version_used_and_replays_with_exactly_it(client, keys, store, tmp_path):
    first = store.latest()
    raised = publish_raised(store, tmp_path)
    facilitator = keys.auth("facilitator")
    submitted = client.post("/v1/proposals", json=proposal(SHARE_375, 2027), headers=facilitator)
    assert submitted.status_code == 201, submitted.text
    decision_id = submitted.json()["decision_id"]
    assert women_findings(submitted.json()["check"])

    decision = client.get(f"/v1/decisions/{decision_id}", headers=keys.auth("evaluator")).json()
    raised_hash = load_knowledge_base(raised.content_dir).content_hash()
    assert decision["knowledge_base"] == {"name": "ppm-cimahi", "version": raised.version,
                                          "content_hash": raised_hash}

    # A rollback to the 2026 version from 2028 changes what new 2028 checks use, not the stored decision's replay.
    rolled = store.rollback(first.version, effective_from=D(2028, 1, 1),
                            reason="Kembali ke ambang 30%", by="Bu Rina (kebijakan)")
    now = precheck(client, SHARE_375, 2028, rw=6)
    assert now["knowledge_base"]["version"] == rolled.version and not women_findings(now)

    replay = client.post(f"/v1/decisions/{decision_id}/replay", headers=keys.auth("evaluator")).json()
    assert replay["identical"] is True and replay["same_knowledge_base_content"] is True
    assert replay["replayed"]["knowledge_base"]["version"] == raised.version
    assert women_findings(replay["replayed"])


def test_a_submission_before_the_new_version_records_the_first_version(client, keys, store, tmp_path):
    first = store.latest()
    publish_raised(store, tmp_path)
    submitted = client.post("/v1/proposals", json=proposal(SHARE_375, 2026), headers=keys.auth("facilitator"))
    assert submitted.status_code == 201, submitted.text
    decision = client.get(f"/v1/decisions/{submitted.json()['decision_id']}", headers=keys.auth("policy")).json()
    assert decision["knowledge_base"]["version"] == first.version
    assert decision["knowledge_base"]["content_hash"] == load_knowledge_base(first.content_dir).content_hash()
    assert not women_findings(decision["output"])


def test_replay_of_a_version_missing_from_the_store_is_404(client, keys, app, store):
    from service.models import Decision

    submitted = client.post("/v1/proposals", json=proposal(SHARE_375, 2025), headers=keys.auth("facilitator"))
    decision_id = submitted.json()["decision_id"]
    with app.state.services.db.session() as session, session.begin():
        session.get(Decision, decision_id).kb_version = "1999.9"
    response = client.post(f"/v1/decisions/{decision_id}/replay", headers=keys.auth("policy"))
    assert response.status_code == 404
    assert "1999.9" in response.json()["detail"]


def test_knowledge_bases_lists_every_published_version_with_its_record(client, keys, store, tmp_path):
    first = store.latest()
    raised = publish_raised(store, tmp_path)
    listed = client.get("/v1/knowledge-bases", headers=keys.auth("facilitator"))
    assert listed.status_code == 200
    body = listed.json()
    history = store.versions()[0]
    assert [(e["version"], e["effective_from"]) for e in body] == [(history.version, "2018-01-01"),
                                                                   (first.version, "2026-01-01"),
                                                                   (raised.version, "2027-01-01")]
    newest = body[2]
    assert newest["published_by"] == "Bu Rina (kebijakan)" and "40%" in newest["reason"]
    assert newest["published_at"] and newest["store_hash"] == raised.content_hash
    assert newest["content_hash"] == load_knowledge_base(raised.content_dir).content_hash()
    assert 2027 in newest["in_force_for"] and 2026 in body[1]["in_force_for"] and 2027 not in body[1]["in_force_for"]
    assert 2025 in body[0]["in_force_for"] and 2026 not in body[0]["in_force_for"]
    assert [e["default"] for e in body].count(True) == 1

    for pv, share_2027 in ((first, 0.30), (raised, 0.40)):
        detail = client.get(f"/v1/knowledge-bases/ppm-cimahi/{pv.version}", headers=keys.auth("policy"))
        assert detail.status_code == 200
        params = {p["name"]: p for p in detail.json()["parameter_list"]}
        assert params["min_women_attendance_share"]["in_force"]["2027"] == share_2027
        assert detail.json()["effective_from"] == pv.effective_from.isoformat()


def test_a_publish_through_the_drafts_api_reaches_the_next_check(client, keys, store, tmp_path):
    draft = raised_draft(tmp_path)
    files = {p.relative_to(draft).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(draft.rglob("*")) if p.is_file()}
    uploaded = client.post("/v1/knowledge-bases/ppm-cimahi/drafts", json={"files": files},
                           headers=keys.auth("policy"))
    assert uploaded.status_code == 201, uploaded.text
    draft_id = uploaded.json()["draft_id"]
    registered_before = set(loaded_versions())
    assert not women_findings(precheck(client, SHARE_375, 2027))

    record_whatif(store, store.draft_path(draft_id), [2025])
    published = client.post(f"/v1/knowledge-bases/ppm-cimahi/drafts/{draft_id}/publish",
                            json={"effective_from": "2027-01-01", "reason": "Ambang perempuan 40%",
                                  "latest_completed_cycle": 2025}, headers=keys.auth("policy"))
    assert published.status_code == 201, published.text
    assert women_findings(precheck(client, SHARE_375, 2027))
    assert not women_findings(precheck(client, SHARE_375, 2026))
    # Only the published version's ruleset joined this process; the gate compiled the draft elsewhere.
    assert set(loaded_versions()) - registered_before <= {published.json()["content_hash"]}


def test_a_2026_correction_through_the_api_names_the_stored_2026_proposal_it_changes(client, keys, store, tmp_path):
    publish_raised(store, tmp_path)
    submitted = client.post("/v1/proposals", json=proposal(SHARE_375, 2026), headers=keys.auth("facilitator"))
    assert submitted.status_code == 201, submitted.text
    correction = raised_draft(tmp_path / "koreksi")
    set_version(correction, "2026.2-koreksi")
    add_param_value(correction, "min_women_attendance_share", "2026-01-01", 0.40)
    files = {p.relative_to(correction).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(correction.rglob("*")) if p.is_file()}
    draft_id = client.post("/v1/knowledge-bases/ppm-cimahi/drafts", json={"files": files},
                           headers=keys.auth("policy")).json()["draft_id"]
    record_whatif(store, store.draft_path(draft_id), [2025])
    body = {"effective_from": "2026-01-01", "reason": "Koreksi siklus 2026", "latest_completed_cycle": 2025}
    url = f"/v1/knowledge-bases/ppm-cimahi/drafts/{draft_id}/publish"
    refused = client.post(url, json=body, headers=keys.auth("policy"))
    assert refused.status_code == 422, refused.text
    paths = [e["path"] for e in refused.json()["errors"]]
    assert paths == ["confirm_changes", f"confirm_changes: {submitted.json()['id']}"]
    assert not women_findings(precheck(client, SHARE_375, 2026))
    published = client.post(url, json={**body, "confirm_changes": True}, headers=keys.auth("policy"))
    assert published.status_code == 201, published.text
    assert published.json()["confirmed_changes"] == [submitted.json()["id"]]
    assert women_findings(precheck(client, SHARE_375, 2026)) and not women_findings(precheck(client, SHARE_375, 2025))


def test_berdaya_kb_dir_still_overrides_the_store(database_url, store, tmp_path):
    publish_raised(store, tmp_path)
    shipped = load_knowledge_base()
    app = create_app(make_settings(database_url, kb_store=str(store.root), kb_dir=str(SHIPPED_KB)))
    with TestClient(app) as client:
        check = precheck(client, SHARE_375, 2027)
    assert check["knowledge_base"]["version"] == shipped.version and not women_findings(check)


def write_proposal(tmp_path, cycle: int):
    path = tmp_path / f"proposal-{cycle}.yaml"
    path.write_text(yaml.safe_dump(proposal(SHARE_375, cycle), allow_unicode=True), encoding="utf-8")
    return path


def test_berdaya_check_uses_the_version_in_force_from_the_store(store, tmp_path, monkeypatch):
    first = store.latest()
    raised = publish_raised(store, tmp_path)
    runner = CliRunner()
    monkeypatch.setenv("BERDAYA_KB_STORE", str(store.root))
    results = {}
    for cycle in (2026, 2027):
        result = runner.invoke(cli_app, ["check", str(write_proposal(tmp_path, cycle)), "--format", "json"])
        assert result.exit_code in (0, 1), result.output
        results[cycle] = json.loads(result.output)
    assert results[2027]["knowledge_base"]["version"] == raised.version and women_findings(results[2027])
    assert results[2026]["knowledge_base"]["version"] == first.version and not women_findings(results[2026])

    monkeypatch.setenv("BERDAYA_KB_STORE", str(tmp_path / "empty-store"))
    explicit = runner.invoke(cli_app, ["check", str(write_proposal(tmp_path, 2027)), "--store", str(store.root),
                                       "--format", "json"])
    assert json.loads(explicit.output)["knowledge_base"]["version"] == raised.version
    with_kb = runner.invoke(cli_app, ["check", str(write_proposal(tmp_path, 2027)), "--kb", str(SHIPPED_KB),
                                      "--store", str(store.root), "--format", "json"])
    assert json.loads(with_kb.output)["knowledge_base"]["version"] == first.version
    assert not women_findings(json.loads(with_kb.output))


def test_the_registry_reads_the_store_again_only_after_a_publish(tmp_path):
    from rules.registry import Registry

    store = KBStore(tmp_path / "versions")
    store.latest()
    registry = Registry(store)
    reads = []
    original = store.versions

    def counting():
        reads.append(1)
        return original()

    store.versions = counting
    time.sleep(0.1)  # the store's directory is older than the registry's coarse-clock margin
    first = registry.version_for_cycle(2026)
    for cycle in (2026, 2027) * 50:
        assert registry.version_for_cycle(cycle) is first
    assert len(reads) == 1

    raised = publish_raised(store, tmp_path)
    assert registry.version_for_cycle(2027).version == raised.version
    assert registry.version_for_cycle(2026) == first
    assert len(reads) >= 2


def test_loading_many_records_each_items_own_version_hash(client, app, store, tmp_path):
    from service import repository
    from service.models import Decision

    engines = app.state.services.engines
    publish_raised(store, tmp_path)
    items = []
    for cycle in (2026, 2027):
        parsed = proposal_with_dates(SHARE_375, cycle)
        check, used = engines.check_audited(parse_proposal(parsed))
        items.append((to_jsonable(parsed), check, used.content_hash))
    with app.state.services.db.session() as session:
        assert repository.submit_many(session, items, synthetic=True, kb_hash="sha256:not-used") == 2
    with app.state.services.db.session() as session:
        stored = {row.input["cycle"]: row.kb_hash for row in session.query(Decision).all()}
    assert stored == {2026: items[0][2], 2027: items[1][2]} and items[0][2] != items[1][2]


def test_a_draft_from_a_version_edited_through_the_api_keeps_its_history(client, keys, store):
    base = "/v1/knowledge-bases/ppm-cimahi"
    created = client.post(f"{base}/versions/2026.1/drafts", headers=keys.auth("policy"))
    assert created.status_code == 201, created.text
    assert client.post(f"{base}/versions/9.9/drafts", headers=keys.auth("policy")).status_code == 404
    edit = {"kind": "add_value", "parameter": "min_women_attendance_share", "date": "2027-01-01", "value": 0.35,
            "reference": "Rapat evaluasi 2026 (uji)", "status": "assumed"}
    url = f"{base}/drafts/{created.json()['draft_id']}/edits"
    refused = client.post(url, json=edit, headers=keys.auth("policy"))
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == [
        "parameters/min_women_attendance_share.yaml: values.2027-01-01.modelled_on"]
    edited = client.post(url, json={**edit, "modelled_on": "Rapat evaluasi (uji)"}, headers=keys.auth("policy"))
    assert edited.status_code == 201, edited.text
    history = client.get(f"{base}/drafts/{edited.json()['draft_id']}/history", headers=keys.auth("policy")).json()
    assert [h["via"] for h in history] == ["version", "form"] and history[1]["edits"][0]["value"] == 0.35
    assert client.post(url, json=edit, headers=keys.auth("facilitator")).status_code == 403
