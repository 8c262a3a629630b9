"""POST /v1/scores and /v1/calibrations: evaluators score, policy uploads, artifacts are checked."""

import pytest

from calibration.artifact import build_artifact
from knowledge.documents import to_jsonable
from knowledge.indices import load_index_definition
from scoring.engine import score_table
from tests.service.helpers import artifact, record, upload

PROBLEM = "application/problem+json"
ADDED = ("calibration_id", "decision_id")


def engine_units(units: list[dict]) -> list[dict]:
    """The units as the scoring engine gives them: without what the service adds (their calibration, decision)."""
    return [{k: v for k, v in u.items() if k not in ADDED} for u in units]


def in_force(client, keys, art, from_cycle, reason="rapat evaluasi / review meeting"):
    return client.post("/v1/calibrations/in-force", json={"calibration_id": art["id"], "from_cycle": from_cycle,
                                                          "reason": reason}, headers=keys.auth("policy"))


def test_evaluator_scores_a_batch_as_the_scoring_engine_does(client, keys):
    rows = [record(1), record(2, swadaya_share=0.02, meetings_held=1), record(3, satisfaction_score=2)]
    response = client.post("/v1/scores", json={"records": rows, "explain": True}, headers=keys.auth("evaluator"))
    assert response.status_code == 200, response.text
    body = response.json()
    definition = load_index_definition("ppm")
    expected = to_jsonable(score_table(definition, rows, calibration=None, explain=True, lang="id").units)
    assert engine_units(body["units"]) == expected and len(body["units"]) == 3
    assert body["calibration_id"] is None and body["index"]["hash"] == definition.content_hash()
    assert {u["calibration_id"] for u in body["units"]} == {None} and body["calibrations"] == {"2024": None}
    decision = client.get(f"/v1/decisions/{body['decision_id']}", headers=keys.auth("evaluator")).json()
    assert decision["kind"] == "score" and decision["output"]["units"] == expected


def test_the_evaluators_tier_comes_back_written_as_the_computed_tier(client, keys):
    response = client.post("/v1/scores", json={"record": {**record(5), "evaluator_tier": "Mandiri"}},
                           headers=keys.auth("evaluator"))
    unit = response.json()["units"][0]
    assert isinstance(unit["tier"], int) and unit["evaluator_tier"] == 2
    assert (unit["evaluator_tier_id"], unit["evaluator_tier_name"]) == ("mandiri", "Mandiri")
    assert {"tier_id", "tier_name"} <= set(unit)


def test_one_record_is_scored_too(client, keys):
    response = client.post("/v1/scores", json={"record": record(4), "explain": False, "lang": "en"},
                           headers=keys.auth("evaluator"))
    assert response.status_code == 200 and len(response.json()["units"]) == 1


def test_a_stored_calibration_scores_nothing_until_it_is_put_in_force(client, keys):
    art = artifact()
    assert upload(client, keys, art).status_code == 201
    before = client.post("/v1/scores", json={"records": [record(1)]}, headers=keys.auth("evaluator")).json()
    assert before["calibration_id"] is None and before["cuts"]["source"] != "calibration"
    assert in_force(client, keys, art, 2024).status_code == 201
    response = client.post("/v1/scores", json={"records": [record(1)]}, headers=keys.auth("evaluator"))
    body = response.json()
    assert body["calibration_id"] == art["id"]
    expected = to_jsonable(score_table(load_index_definition("ppm"), [record(1)], calibration=art, explain=True).units)
    assert engine_units(body["units"]) == expected
    decision = client.get(f"/v1/decisions/{body['decision_id']}", headers=keys.auth("policy")).json()
    assert decision["calibration_id"] == art["id"]


def test_an_explicit_calibration_id_is_used_and_an_unknown_one_is_404(client, keys):
    low, high = artifact((0.2, 0.3, 0.4)), artifact((0.7, 0.8, 0.9))
    assert upload(client, keys, low).status_code == 201
    assert upload(client, keys, high).status_code == 201
    body = client.post("/v1/scores", json={"records": [record(1)], "calibration_id": low["id"]},
                       headers=keys.auth("evaluator")).json()
    assert body["calibration_id"] == low["id"]
    missing = client.post("/v1/scores", json={"records": [record(1)], "calibration_id": "cal-none"},
                          headers=keys.auth("evaluator"))
    assert missing.status_code == 404


@pytest.mark.parametrize("role, status", [("facilitator", 403), ("policy", 403), ("admin", 403)])
def test_only_evaluators_score(client, keys, role, status):
    response = client.post("/v1/scores", json={"records": [record(1)]}, headers=keys.auth(role))
    assert response.status_code == status


def test_scores_need_a_key(client):
    assert client.post("/v1/scores", json={"records": [record(1)]}).status_code == 401


def test_batch_above_the_cap_gets_422(client, keys):
    rows = [record(rw) for rw in range(1, 7)]  # the test app's cap is 5
    response = client.post("/v1/scores", json={"records": rows}, headers=keys.auth("evaluator"))
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["path"] == "records" and "5" in response.json()["errors"][0]["en"]


def test_record_and_records_together_or_neither_are_refused(client, keys):
    both = client.post("/v1/scores", json={"record": record(1), "records": [record(2)]}, headers=keys.auth("evaluator"))
    neither = client.post("/v1/scores", json={"explain": True}, headers=keys.auth("evaluator"))
    assert both.status_code == 422 and neither.status_code == 422


def test_invalid_record_names_row_and_column(client, keys):
    response = client.post("/v1/scores", json={"records": [record(1), record(2, women_attendance_share=3.5)]},
                           headers=keys.auth("evaluator"))
    assert response.status_code == 422
    text = " ".join(e["path"] + e["en"] for e in response.json()["errors"])
    assert "women_attendance_share" in text


def test_calibration_upload_list_get_and_roles(client, keys):
    art = artifact()
    assert upload(client, keys, art, "admin").status_code == 403
    created = upload(client, keys, art, "evaluator")  # an evaluator proposes; only policy puts it in force
    assert created.status_code == 201 and created.json()["usable"] is True
    assert upload(client, keys, art).status_code == 201  # the same artifact again is accepted unchanged
    listed = client.get("/v1/calibrations", headers=keys.auth("evaluator")).json()
    assert [c["id"] for c in listed] == [art["id"]]
    got = client.get(f"/v1/calibrations/{art['id']}", headers=keys.auth("policy"))
    assert got.json() == art
    assert client.get("/v1/calibrations", headers=keys.auth("facilitator")).status_code == 403
    assert client.get("/v1/calibrations/cal-missing", headers=keys.auth("evaluator")).status_code == 404


def test_edited_or_foreign_artifacts_are_refused(client, keys):
    edited = artifact()
    edited["cut_points"] = [0.3, 0.5, 0.7]
    response = upload(client, keys, edited)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "id"

    definition = load_index_definition("ppm")
    foreign = build_artifact(index_name="ppm", index_hash="sha256:" + "0" * 64, method="fixed", cycles=[2022],
                             tiers=list(definition.tier_ids), cut_points=[0.3, 0.5, 0.7],
                             cut_intervals=[[0.3, 0.3], [0.5, 0.5], [0.7, 0.7]], validation={}, synthetic=True)
    response = upload(client, keys, foreign)
    assert response.status_code == 422 and "index.hash" in {e["path"] for e in response.json()["errors"]}
    assert client.get("/v1/calibrations", headers=keys.auth("policy")).json() == []


def test_an_artifact_id_cannot_be_reused_for_other_content(client, keys):
    import datetime as dt

    definition = load_index_definition("ppm")
    common = {"index_name": "ppm", "index_hash": definition.content_hash(), "method": "fixed", "cycles": [2022],
                  "tiers": list(definition.tier_ids), "cut_points": [0.3, 0.5, 0.7],
                  "cut_intervals": [[0.3, 0.3], [0.5, 0.5], [0.7, 0.7]], "validation": {}, "synthetic": True}
    first = build_artifact(**common, created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    later = build_artifact(**common, created_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    assert first["id"] == later["id"] and first != later
    assert upload(client, keys, first).status_code == 201
    response = upload(client, keys, later)
    assert response.status_code == 409 and "immutable" in response.json()["message"]["en"]
    assert client.get(f"/v1/calibrations/{first['id']}", headers=keys.auth("policy")).json() == first


def test_artifacts_in_the_calibration_directory_are_imported_at_start(tmp_path):
    from fastapi.testclient import TestClient

    from calibration.artifact import write_artifact
    from service.app import create_app
    from service.settings import Settings
    from tests.service.helpers import add_key

    art = artifact((0.3, 0.5, 0.7))
    write_artifact(art, tmp_path / "artifacts" / f"{art['id']}.json")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                              calibration_dir=str(tmp_path / "artifacts")))
    with TestClient(app) as client:
        _, key = add_key(app, "evaluator")
        headers = {"Authorization": f"Bearer {key}"}
        assert [c["id"] for c in client.get("/v1/calibrations", headers=headers).json()] == [art["id"]]
        scored = client.post("/v1/scores", json={"record": record(1)}, headers=headers).json()
        assert scored["calibration_id"] is None  # imported artifacts are proposals, not in force
