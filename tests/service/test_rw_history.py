"""An RW's history across cycles over the API and its use case: tiers and decisions per cycle, and whether
the next cycle followed the advice (a known synthetic fixture: followed, not followed, partly)."""

from service.usecases.rw_history import rw_history
from tests.service.helpers import advice_records

REASON = "kunjungan lapangan / field visit"


def scored(client, keys, rows):
    for start in range(0, len(rows), 5):  # the test app's batch cap
        response = client.post("/v1/scores", json={"records": rows[start:start + 5], "explain": True},
                               headers=keys.auth("evaluator"))
        assert response.status_code == 200, response.text


def test_the_advice_of_a_cycle_is_followed_or_not_by_the_indicators_of_the_next(app, client, keys):
    scored(client, keys, advice_records())
    outcomes = {}
    for rw in (1, 2, 3):
        history = rw_history(app.state.services, "Cibabat", rw)
        first, last = history.cycles
        assert [s.indicator for s in first.follow_up.steps] == ["other_funding_share", "lpj_days_late"]
        assert first.follow_up.next_cycle == 2024 and last.follow_up.outcome == "not_yet"
        outcomes[rw] = (first.follow_up.outcome, [s.moved for s in first.follow_up.steps], first.follow_up.summary["id"])
    assert outcomes[1] == ("followed", [True, True], "Pada siklus 2024, 2 dari 2 indikator yang disarankan "
                                                     "bergerak sesuai saran.")
    assert outcomes[2][:2] == ("not_followed", [False, False])  # more days late is not the advised way
    assert outcomes[3][:2] == ("partly", [True, False])


def test_each_cycle_names_its_computed_and_final_tier_and_who_decided_why(app, client, keys):
    scored(client, keys, advice_records())
    computed = rw_history(app.state.services, "cibabat", 1).cycles[0].computed_tier
    other = (computed + 1) % 4
    decided = client.post("/v1/tier-decisions", json={"cycle": 2023, "kelurahan": "Cibabat", "rw": 1,
                                                      "tier": str(other), "reason": REASON},
                          headers=keys.auth("evaluator"))
    assert decided.status_code == 201, decided.text
    body = client.get("/v1/rw-history/Cibabat/1", headers=keys.auth("policy")).json()
    first, last = body["cycles"]
    assert (body["kecamatan"], body["kelurahan"], body["rw"]) == ("Cimahi Utara", "Cibabat", 1)
    assert (first["cycle"], first["computed_tier"], first["final_tier"], first["decided"], first["overridden"],
            first["reason"]) == (2023, computed, other, True, True, REASON)
    assert first["decided_by_label"] and first["decided_at"] and first["advice"]["id"].startswith("Untuk naik")
    assert (last["cycle"], last["decided"], last["final_tier"]) == (2024, False, None)
    assert [d["id"] for d in first["dimensions"]][:2] == ["partisipasi", "inklusi"]
    lpj = next(i for i in last["indicators"] if i["id"] == "lpj_days_late")
    assert (lpj["value"], lpj["change"]) == (30, -60)


def test_an_unknown_rw_is_a_bilingual_404_and_only_roles_that_read_scores_may_ask(client, keys):
    scored(client, keys, advice_records())
    for path in ("/v1/rw-history/Cibabat/9", "/v1/rw-history/Kelurahan%20Antah/1"):
        missing = client.get(path, headers=keys.auth("evaluator"))
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
        assert "skor" in missing.json()["message"]["id"] and "scores" in missing.json()["message"]["en"]
    assert client.get("/v1/rw-history/Cibabat/1000", headers=keys.auth("evaluator")).status_code == 422
    assert client.get("/v1/rw-history/Cibabat/1").status_code == 401
    assert client.get("/v1/rw-history/Cibabat/1", headers=keys.auth("facilitator")).status_code == 403
    for role in ("evaluator", "policy", "admin"):
        assert client.get("/v1/rw-history/Cibabat/1", headers=keys.auth(role)).status_code == 200
