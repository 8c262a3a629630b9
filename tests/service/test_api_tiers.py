"""Tier decisions, calibrations in force and score runs over the API (synthetic records)."""

import time

from tests.service.helpers import artifact, record, upload

REASON = "kunjungan lapangan / field visit"


def score(client, keys, *rows):
    response = client.post("/v1/scores", json={"records": list(rows), "explain": False}, headers=keys.auth("evaluator"))
    assert response.status_code == 200, response.text
    return response.json()


def decide(client, keys, role="evaluator", **body):
    payload = {"cycle": 2024, "kelurahan": "Cibabat", "rw": 1, **body}
    return client.post("/v1/tier-decisions", json=payload, headers=keys.auth(role))


def in_force(client, keys, art, from_cycle):
    response = client.post("/v1/calibrations/in-force", json={
        "calibration_id": art["id"], "from_cycle": from_cycle, "reason": "rapat evaluasi / review"},
        headers=keys.auth("policy"))
    assert response.status_code == 201, response.text
    return response.json()


def test_an_evaluator_confirms_or_overrides_with_a_reason_and_the_audit_names_everything(client, keys):
    unit = score(client, keys, record(1))["units"][0]
    computed = unit["tier"]
    confirmed = decide(client, keys, tier=unit["tier_id"])
    assert confirmed.status_code == 201 and confirmed.json()["overridden"] is False
    other = (computed + 1) % 4
    assert decide(client, keys, tier=str(other)).status_code == 422  # a different tier needs a reason
    overridden = decide(client, keys, tier=str(other), reason=REASON).json()
    assert (overridden["computed_tier"], overridden["final_tier"], overridden["reason"]) == (computed, other, REASON)
    assert overridden["calibration_id"] is None and overridden["decided_by"] and overridden["created_at"]
    latest = client.get("/v1/tier-decisions", params={"cycle": 2024}, headers=keys.auth("policy")).json()
    assert [d["final_tier"] for d in latest] == [other]
    history = client.get("/v1/tier-decisions", params={"history": "true"}, headers=keys.auth("policy")).json()
    assert [d["final_tier"] for d in history] == [other, computed]


def test_refusals_store_nothing(client, keys):
    unit = score(client, keys, record(1))["units"][0]
    assert decide(client, keys, rw=2, tier="0").status_code == 404  # never scored
    assert decide(client, keys, tier="sangat maju").status_code == 422
    for role in ("facilitator", "policy", "admin"):
        assert decide(client, keys, role=role, tier=unit["tier_id"]).status_code == 403
    assert client.post("/v1/cycles/2024/closure", json={"reason": "evaluasi selesai"},
                       headers=keys.auth("evaluator")).status_code == 403
    closed = client.post("/v1/cycles/2024/closure", json={"reason": "evaluasi selesai"}, headers=keys.auth("policy"))
    assert closed.status_code == 201
    refused = decide(client, keys, tier=unit["tier_id"])
    assert refused.status_code == 409 and "closed" in refused.json()["message"]["en"]
    assert client.get("/v1/tier-decisions", params={"history": "true"}, headers=keys.auth("policy")).json() == []


def test_override_rates_by_kelurahan_and_evaluator_with_their_direction(client, keys):
    units = score(client, keys, record(1), record(2), record(3, kelurahan="Melong", kecamatan="Cimahi Selatan"))["units"]
    up = min(units[0]["tier"] + 1, 3) if units[0]["tier"] < 3 else 2
    decide(client, keys, rw=1, tier=str(up), reason=REASON)
    decide(client, keys, rw=2, tier=units[1]["tier_id"])
    decide(client, keys, rw=3, kelurahan="Melong", tier=units[2]["tier_id"])
    rates = client.get("/v1/tier-decisions/override-rates", headers=keys.auth("evaluator")).json()
    by_kel = {r["group"]: r for r in rates["by_kelurahan"]}
    assert (by_kel["Cibabat"]["decisions"], by_kel["Cibabat"]["overrides"], by_kel["Cibabat"]["rate"]) == (2, 1, 0.5)
    assert (by_kel["Cibabat"]["raised"], by_kel["Cibabat"]["lowered"]) == ((1, 0) if up > units[0]["tier"] else (0, 1))
    assert by_kel["Melong"]["overrides"] == 0 and len(rates["by_evaluator"]) == 1
    assert rates["total"]["decisions"] == 3


def test_a_score_keeps_its_calibration_when_another_comes_into_force_for_a_later_cycle(client, keys):
    first, later = artifact((0.2, 0.3, 0.4)), artifact((0.7, 0.8, 0.9))
    upload(client, keys, first)
    upload(client, keys, later, "evaluator")  # proposed by an evaluator, put in force by policy
    in_force(client, keys, first, 2018)
    before = score(client, keys, record(1, cycle=2024), record(2, cycle=2025))
    assert before["calibrations"] == {"2024": first["id"], "2025": first["id"]}
    in_force(client, keys, later, 2025)
    after = score(client, keys, record(1, cycle=2024), record(2, cycle=2025))
    assert after["calibrations"] == {"2024": first["id"], "2025": later["id"]} and after["calibration_id"] is None
    stored = client.get(f"/v1/score-runs/{before['run_id']}/units", headers=keys.auth("evaluator")).json()
    assert [u["calibration_id"] for u in stored["items"]] == [first["id"], first["id"]]
    for decision_id in after["decision_ids"]:  # each group is a decision that replays exactly
        assert client.post(f"/v1/decisions/{decision_id}/replay", headers=keys.auth("policy")).json()["identical"]
    history = client.get("/v1/calibrations/in-force", headers=keys.auth("evaluator")).json()
    assert [(h["calibration_id"], h["from_cycle"]) for h in history] == [(later["id"], 2025), (first["id"], 2018)]
    assert client.post("/v1/calibrations/in-force", json={"calibration_id": later["id"], "from_cycle": 2026,
                       "reason": "coba"}, headers=keys.auth("evaluator")).status_code == 403


def test_transitions_name_what_a_calibration_would_change_in_the_cycles_it_would_score(client, keys):
    run = score(client, keys, record(1, cycle=2024), record(2, cycle=2025), record(3, cycle=2026))
    high = artifact((0.97, 0.98, 0.99))
    upload(client, keys, high)
    response = client.get(f"/v1/calibrations/{high['id']}/transitions",
                          params={"from_cycle": 2025, "run_id": run["run_id"]}, headers=keys.auth("evaluator"))
    body = response.json()
    assert body["cycles"] == [2025, 2026] and body["units"] == 2
    assert sum(body["matrix"][t]["tidak_berdaya"] for t in body["matrix"]) == 2  # every unit falls to the lowest
    assert body["current_calibrations"] == {"2025": None, "2026": None}


def test_a_large_table_is_scored_in_chunks_and_paged_filtered_and_sorted(client, keys):
    rows = [record(rw, kelurahan="Melong" if rw % 3 == 0 else "Cibabat", meetings_held=rw % 5) for rw in range(1, 13)]
    bad = [*rows[:3], record(4, meetings_held="banyak")]
    refused = client.post("/v1/score-runs", json={"records": bad}, headers=keys.auth("evaluator"))
    assert refused.status_code == 422 and "meetings_held" in refused.text
    started = client.post("/v1/score-runs", json={"records": rows}, headers=keys.auth("evaluator"))
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    deadline = time.monotonic() + 60
    while (run := client.get(f"/v1/score-runs/{run_id}", headers=keys.auth("evaluator")).json())["job"]["state"] != "done":
        assert run["job"]["state"] in ("queued", "running") and time.monotonic() < deadline
        time.sleep(0.1)
    assert run["stored_units"] == 12 and run["job"]["percent"] == 100
    page = client.get(f"/v1/score-runs/{run_id}/units", params={"kelurahan": "Melong", "sort": "rw", "order": "desc"},
                      headers=keys.auth("policy")).json()
    assert page["total"] == 4 and [u["rw"] for u in page["items"]] == [12, 9, 6, 3]
    by_score = client.get(f"/v1/score-runs/{run_id}/units", params={"sort": "score", "limit": 5, "offset": 5},
                          headers=keys.auth("policy")).json()
    scores = [u["score"] for u in by_score["items"]]
    assert by_score["total"] == 12 and len(scores) == 5 and scores == sorted(scores)
    searched = client.get(f"/v1/score-runs/{run_id}/units", params={"search": "melo"}, headers=keys.auth("admin"))
    assert searched.json()["total"] == 4


def test_numbers_out_of_range_in_queries_and_paths_are_the_clients_422(client, keys):
    huge = 9223372036854775808
    for path in (f"/v1/tier-decisions/override-rates?cycle={huge}", f"/v1/tier-decisions?cycle={huge}",
                 f"/v1/tier-decisions?rw={huge}", f"/v1/score-runs/x/units?offset={huge}",
                 f"/v1/score-runs/x/units?cycle={huge}", f"/v1/calibrations/x/transitions?from_cycle={huge}&run_id=x"):
        response = client.get(path, headers=keys.auth("evaluator"))
        assert response.status_code == 422, (path, response.status_code, response.text)
    closed = client.post(f"/v1/cycles/{huge}/closure", json={"reason": "x"}, headers=keys.auth("policy"))
    assert closed.status_code == 422, closed.text
