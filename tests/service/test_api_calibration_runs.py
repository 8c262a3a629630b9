"""Calibration runs over the API: cut points fitted to the final tiers stored in Berdaya, as a background job
(synthetic records whose evaluator tiers are cut at known points of their own scores)."""

import time

import numpy as np

from knowledge.indices import load_index_definition
from scoring.engine import score_table
from tests.service.helpers import known_tier_rows as known_rows

DEFINITION = load_index_definition("ppm")
REASON = "kunjungan lapangan: kelompok tidak aktif / field visit: groups inactive"


def wait(client, keys, path, role="evaluator", timeout=120.0):
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(path, headers=keys.auth(role)).json()
        job = body["job"]
        if job["state"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def store_scores(client, keys, rows):
    started = client.post("/v1/score-runs", json={"records": rows}, headers=keys.auth("evaluator"))
    assert started.status_code == 202, started.text
    run = wait(client, keys, f"/v1/score-runs/{started.json()['id']}")
    assert run["job"]["state"] == "done" and run["stored_units"] == len(rows), run
    return run


def start(client, keys, role="evaluator", **body):
    return client.post("/v1/calibration-runs", json={"bootstrap": 10, **body}, headers=keys.auth(role))


def finished(client, keys, response):
    assert response.status_code == 202, response.text
    run = wait(client, keys, f"/v1/calibration-runs/{response.json()['id']}")
    assert run["job"]["state"] == "done", run["job"]
    return run


def test_a_run_fits_the_stored_final_tiers_in_the_background_and_proposes_every_method(client, keys):
    store_scores(client, keys, known_rows() + known_rows(cycles=(2024,), seed=4))
    response = start(client, keys, cycles="2021-2023", method="all")
    assert response.status_code == 202 and response.json()["job"]["state"] in ("queued", "running", "done")
    run = finished(client, keys, response)
    report = run["report"]
    assert report["cycles"] == [2022, 2023] and report["skipped_cycles"] == [2021]
    assert report["labels"] == {"decisions": 0, "overridden": 0, "imported": 120, "unlabelled": 0, "unscored": 0}
    assert run["job"]["done"] == run["job"]["total"] == 10 * len(report["methods"])
    assert {v["method"] for v in report["validation"]} == set(report["methods"]) == {
        "ordinal", "isotonic", "quantile", "fixed"}
    assert sum(d["n"] for d in report["distribution"]) == 120 == sum(report["per_tier"].values())
    for fit in report["fits"]:
        assert [(c["lower"], c["upper"]) for c in fit["cut_points"]] == list(zip(DEFINITION.tier_ids,
                                                                                 DEFINITION.tier_ids[1:]))
        assert all(c["low"] <= c["value"] <= c["high"] for c in fit["cut_points"]) or fit["method"] == "fixed"
    assert [d["cycle"] for d in report["drift"]] == [2024] and report["drift"][0]["score"]["n_current"] == 60
    stored = {c["id"] for c in client.get("/v1/calibrations", headers=keys.auth("evaluator")).json()}
    assert set(run["calibration_ids"]) == {f["calibration_id"] for f in report["fits"]} <= stored
    assert client.get("/v1/calibrations/in-force", headers=keys.auth("evaluator")).json() == []  # proposed only
    assert run["id"] in {r["id"] for r in client.get("/v1/calibration-runs", headers=keys.auth("admin")).json()}


def test_an_override_to_a_lower_tier_near_the_first_cut_raises_the_fitted_first_cut(client, keys):
    rows = known_rows()
    store_scores(client, keys, rows)
    before = finished(client, keys, start(client, keys, cycles=[2022, 2023], method="ordinal"))["report"]
    first = before["fits"][0]["cut_points"][0]["value"]
    scores = np.array(score_table(DEFINITION, rows).score, dtype=float)
    above = sorted((s, i) for i, s in enumerate(scores) if rows[i]["evaluator_tier"] == DEFINITION.tier_ids[1]
                   and s > first)[:8]
    for _, i in above:
        decided = client.post("/v1/tier-decisions", json={
            "cycle": rows[i]["cycle"], "kelurahan": rows[i]["kelurahan"], "rw": rows[i]["rw"],
            "tier": DEFINITION.tier_ids[0], "reason": REASON}, headers=keys.auth("evaluator"))
        assert decided.status_code == 201, decided.text
    after = finished(client, keys, start(client, keys, cycles=[2022, 2023], method="ordinal"))["report"]
    assert after["labels"]["decisions"] == 8 and after["labels"]["imported"] == 112
    assert after["per_tier"][DEFINITION.tier_ids[0]] == before["per_tier"][DEFINITION.tier_ids[0]] + 8
    assert after["fits"][0]["cut_points"][0]["value"] > first


def test_only_evaluators_and_policy_staff_start_a_run(client, keys):
    store_scores(client, keys, known_rows())
    for role in ("facilitator", "admin"):
        assert start(client, keys, role=role, cycles="2022-2023").status_code == 403
    assert client.get("/v1/calibration-runs", headers=keys.auth("facilitator")).status_code == 403
    assert finished(client, keys, start(client, keys, role="policy", cycles="2022-2023", method="isotonic"))


def test_refusals_name_the_cycles_and_the_counts_per_tier_and_write_nothing(client, keys):
    store_scores(client, keys, known_rows(per_cycle=12))
    runs = len(client.get("/v1/calibration-runs", headers=keys.auth("evaluator")).json())
    unscored = start(client, keys, cycles="2019,2022,2025-2026")
    assert unscored.status_code == 422
    problem = unscored.json()["errors"][0]
    assert problem["path"] == "cycles" and "2019" in problem["en"] and "2025-2026" in problem["en"]
    assert "2019" in problem["id"] and "2022" not in problem["en"].split("(")[0]
    few = start(client, keys, cycles="2022-2023")
    assert few.status_code == 422
    per_tier = {p["path"]: p for p in few.json()["errors"]}
    assert set(per_tier) == {f"tier={t}" for t in DEFINITION.tier_ids}
    counts = {t: sum(r["evaluator_tier"] == t for r in known_rows(per_cycle=12)) for t in DEFINITION.tier_ids}
    for level in DEFINITION.tiers.levels:
        text = per_tier[f"tier={level.id}"]["en"]
        assert f"tier {level.name.en}: {counts[level.id]} final tiers" in text and "at least 10 per tier" in text
    assert start(client, keys, cycles="2024-2022").status_code == 422
    assert start(client, keys, cycles="2022", reference_cycles="2018").status_code == 422
    assert len(client.get("/v1/calibration-runs", headers=keys.auth("evaluator")).json()) == runs
    assert client.get("/v1/calibrations", headers=keys.auth("evaluator")).json() == []
    assert client.get("/v1/calibration-runs/nope", headers=keys.auth("evaluator")).status_code == 404


def test_a_file_named_sintetis_labels_its_run_and_the_calibration_on_it_synthetic(client, keys):
    rows = [{k: v for k, v in r.items() if k != "synthetic"} for r in known_rows()]
    started = client.post("/v1/score-runs", json={"records": rows, "source": "evaluations_SINTETIS.xlsx"},
                          headers=keys.auth("evaluator"))
    assert started.status_code == 202, started.text
    assert wait(client, keys, f"/v1/score-runs/{started.json()['id']}")["synthetic"] is True
    run = finished(client, keys, start(client, keys, cycles="2022-2023"))
    assert run["report"]["synthetic"] is True
    artifact = client.get(f"/v1/calibrations/{run['calibration_ids'][0]}", headers=keys.auth("evaluator")).json()
    assert artifact["synthetic"] is True
