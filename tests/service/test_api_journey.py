"""A proposal's journey through the API: every transition of the lifecycle and every refusal, on both databases.

The review chain is the shipped one (kelurahan, kecamatan, dinas). Refusals change nothing: the
proposal's row version and timeline are the same after them.
"""

from __future__ import annotations

import copy

import pytest

from service import journey_store, repository
from service.errors import Conflict
from tests.service.helpers import read, refused, reviewer, with_region


@pytest.fixture
def chain(app, keys):
    """Reviewer keys for each stage of Cibabat's chain, and some of other regions."""
    return {
        "kelurahan": reviewer(app, "kelurahan", kelurahan="Cibabat"),
        "kecamatan": reviewer(app, "kecamatan", kecamatan="Cimahi Utara"),
        "kecamatan_2": reviewer(app, "kecamatan", kecamatan="Cimahi Utara"),
        "dinas": reviewer(app, "city"),
        "other_kecamatan": reviewer(app, "kecamatan", kecamatan="Cimahi Selatan"),
        "other_kelurahan": reviewer(app, "kelurahan", kelurahan="Melong"),
    }


@pytest.fixture
def flawed(proposal) -> dict:
    """A proposal with findings to accept as exceptions (too few women at the musyawarah)."""
    proposal["musyawarah"]["attendance"]["women"] = 5
    return proposal


def submitted(client, keys, proposal) -> dict:
    response = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator"))
    assert response.status_code == 201, response.text
    return response.json()


def decide(client, headers, pid, outcome="approve", note="", **extra):
    return client.post(f"/v1/proposals/{pid}/decisions", json={"outcome": outcome, "note": note, **extra},
                       headers=headers)


def unchanged(client, keys, before: dict) -> None:
    after = read(client, keys, before["id"])
    assert (after["row_version"], after["events"], after["state"]) == (
        before["row_version"], before["events"], before["state"])


def test_submission_waits_at_the_first_stage_with_its_first_revision(client, keys, proposal):
    body = submitted(client, keys, proposal)
    assert body["state"] == "in_review" and body["stage"]["id"] == "kelurahan" and body["revision"] == 1
    journey = read(client, keys, body["id"])
    assert [r["kind"] for r in journey["revisions"]] == ["submission"] and journey["revisions"][0]["diff"] == []
    assert [e["kind"] for e in journey["events"]] == ["submitted"]
    assert journey["stage"]["name"]["id"].startswith("Kelurahan")


def test_the_whole_journey_return_exception_revision_approval_amendment(client, keys, chain, flawed):
    pid = submitted(client, keys, flawed)["id"]
    step = decide(client, chain["kelurahan"], pid, note="Lengkap")
    assert step.status_code == 200 and step.json()["stage"]["id"] == "kecamatan"

    rule = step.json()["check"]["findings"][0]["rule_id"]
    excepted = client.post(f"/v1/proposals/{pid}/exceptions", headers=chain["kecamatan"],
                           json={"rule_id": rule, "reason": "Musyawarah susulan khusus perempuan sudah dijadwalkan"})
    assert excepted.status_code == 200, excepted.text
    assert [(e["rule_id"], e["stage"]) for e in excepted.json()["exceptions"]] == [(rule, "kecamatan")]

    returned = decide(client, chain["kecamatan"], pid, "return", "Tambahkan rincian swadaya")
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert returned.json()["stage"]["id"] == "kecamatan"

    fixed = copy.deepcopy(flawed)
    fixed["title"] = "Perbaikan drainase RT 02 (revisi)"
    revised = client.post(f"/v1/proposals/{pid}/revisions", json={"proposal": fixed},
                          headers=keys.auth("facilitator"))
    assert revised.status_code == 200, revised.text
    body = revised.json()
    assert (body["state"], body["stage"]["id"], body["revision"], body["title"]) == (
        "in_review", "kelurahan", 2, fixed["title"])
    assert {"op": "replace", "path": "/title", "value": fixed["title"]} in body["revisions"][1]["diff"]
    assert body["revisions"][1]["decision_id"] != body["revisions"][0]["decision_id"]
    assert body["exceptions"][0]["revision"] == 1  # shown at the later stages too

    for stage in ("kelurahan", "kecamatan", "dinas"):
        assert decide(client, chain[stage], pid).status_code == 200, stage
    approved = read(client, keys, pid)
    assert approved["state"] == "approved" and approved["stage"] is None
    kinds = [(e["kind"], e["stage"]) for e in approved["events"]]
    assert kinds == [("submitted", None), ("approved", "kelurahan"), ("exception", "kecamatan"),
                     ("returned", "kecamatan"), ("revised", None), ("approved", "kelurahan"),
                     ("approved", "kecamatan"), ("approved", "dinas")]
    assert approved["events"][3]["note"] == "Tambahkan rincian swadaya"

    changed = copy.deepcopy(fixed)
    changed["activities"][0]["budget_lines"][0]["quantity"] = 35
    ba = {"nomor": "BA-07/RW05/2022", "tanggal": "2022-08-01"}
    amended = client.post(f"/v1/proposals/{pid}/amendments", json={"proposal": changed, "berita_acara": ba},
                          headers=keys.auth("facilitator"))
    assert amended.status_code == 200, amended.text
    last = amended.json()["revisions"][-1]
    assert (last["kind"], last["number"], last["amends"], last["berita_acara"]["nomor"]) == (
        "amendment", 3, 2, ba["nomor"])
    assert amended.json()["proposal"]["amends"] == {"proposal_ref": pid, "berita_acara_perubahan": True}
    assert amended.json()["state"] == "in_review" and amended.json()["stage"]["id"] == "kelurahan"


def test_a_reviewer_of_another_stage_or_region_is_refused_and_nothing_changes(client, keys, chain, proposal):
    pid = submitted(client, keys, proposal)["id"]
    before = read(client, keys, pid)
    for who in ("kecamatan", "dinas", "other_kelurahan"):
        body = refused(decide(client, chain[who], pid), 403)
        unchanged(client, keys, before)
    assert "Melong" in body["message"]["id"]
    assert decide(client, chain["kelurahan"], pid).status_code == 200
    at_kecamatan = read(client, keys, pid)
    body = refused(decide(client, chain["other_kecamatan"], pid), 403)
    assert "Cimahi Selatan" in body["message"]["en"]
    refused(client.post(f"/v1/proposals/{pid}/exceptions", json={"rule_id": "PPM-X", "reason": "r"},
                        headers=chain["other_kecamatan"]), 403)
    refused(decide(client, keys.auth("facilitator"), pid), 403)
    unchanged(client, keys, at_kecamatan)


def test_two_reviewers_deciding_the_same_stage_on_the_same_reading_one_wins(client, keys, chain, proposal):
    pid = submitted(client, keys, proposal)["id"]
    assert decide(client, chain["kelurahan"], pid).status_code == 200
    version = read(client, keys, pid)["row_version"]
    first = decide(client, chain["kecamatan"], pid, row_version=version)
    second = decide(client, chain["kecamatan_2"], pid, "return", "Kurang", row_version=version)
    assert first.status_code == 200
    body = refused(second, 409)
    assert body["row_version"] == version + 1
    after = read(client, keys, pid)
    assert after["stage"]["id"] == "dinas" and [e["kind"] for e in after["events"]].count("returned") == 0


def test_the_conditional_update_refuses_a_stale_reading(client, app, keys, proposal):
    pid = submitted(client, keys, proposal)["id"]
    with app.state.services.db.session() as session, session.begin():
        row = repository.get_proposal(session, pid)
        journey_store.advance(session, row, row.row_version, stage_index=1)
    with app.state.services.db.session() as session, pytest.raises(Conflict), session.begin():
        row = repository.get_proposal(session, pid)
        journey_store.advance(session, row, row.row_version - 1, stage_index=2)
    assert read(client, keys, pid)["stage"]["id"] == "kecamatan"


def test_returning_needs_a_note_and_an_exception_a_finding_of_the_check(client, keys, chain, flawed):
    pid = submitted(client, keys, flawed)["id"]
    before = read(client, keys, pid)
    body = refused(decide(client, chain["kelurahan"], pid, "return", "  "), 422)
    assert [e["path"] for e in body["errors"]] == ["note"]
    body = refused(client.post(f"/v1/proposals/{pid}/exceptions", json={"rule_id": "PPM-NOPE-1", "reason": "x"},
                               headers=chain["kelurahan"]), 422)
    assert [e["path"] for e in body["errors"]] == ["rule_id"] and "PPM-NOPE-1" in body["errors"][0]["en"]
    unchanged(client, keys, before)
    rule = before["check"]["findings"][0]["rule_id"]
    accept = {"rule_id": rule, "reason": "Alasan"}
    assert client.post(f"/v1/proposals/{pid}/exceptions", json=accept, headers=chain["kelurahan"]).status_code == 200
    refused(client.post(f"/v1/proposals/{pid}/exceptions", json=accept, headers=chain["kelurahan"]), 409)


def test_withdrawal_closes_the_proposal_and_frees_the_rw(client, keys, proposal):
    pid = submitted(client, keys, proposal)["id"]
    refused(client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator")), 409)
    refused(client.post(f"/v1/proposals/{pid}/withdrawal", json={}, headers=keys.auth("facilitator_other")), 403)
    gone = client.post(f"/v1/proposals/{pid}/withdrawal", json={"note": "Diganti"}, headers=keys.auth("facilitator"))
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn" and gone.json()["status"] == "withdrawn"
    before = read(client, keys, pid)
    refused(client.post(f"/v1/proposals/{pid}/withdrawal", json={}, headers=keys.auth("facilitator")), 409)
    body = refused(client.post(f"/v1/proposals/{pid}/revisions", json={"proposal": proposal},
                               headers=keys.auth("facilitator")), 409)
    assert "ditarik" in body["message"]["id"] and "withdrawn" in body["message"]["en"]
    unchanged(client, keys, before)
    assert submitted(client, keys, proposal)["id"] != pid


def test_an_approved_proposal_changes_only_by_an_amendment_with_its_berita_acara(client, keys, chain, proposal):
    pid = submitted(client, keys, proposal)["id"]
    refused(client.post(f"/v1/proposals/{pid}/amendments", headers=keys.auth("facilitator"), json={
        "proposal": proposal, "berita_acara": {"nomor": "BA-1", "tanggal": "2022-08-01"}}), 409)
    for stage in ("kelurahan", "kecamatan", "dinas"):
        assert decide(client, chain[stage], pid).status_code == 200
    before = read(client, keys, pid)
    body = refused(client.post(f"/v1/proposals/{pid}/revisions", json={"proposal": proposal},
                               headers=keys.auth("facilitator")), 409)
    assert "amendemen" in body["message"]["id"] and "berita acara" in body["message"]["en"]
    body = refused(client.post(f"/v1/proposals/{pid}/amendments", json={"proposal": proposal},
                               headers=keys.auth("facilitator")), 422)
    assert [e["path"] for e in body["errors"]] == ["berita_acara"]
    refused(client.post(f"/v1/proposals/{pid}/withdrawal", json={}, headers=keys.auth("facilitator")), 409)
    refused(decide(client, chain["dinas"], pid), 409)
    unchanged(client, keys, before)
    assert len(before["revisions"]) == 1
    refused(client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator")), 409)


def test_a_revision_stays_the_same_rw_and_cycle(client, keys, proposal):
    pid = submitted(client, keys, proposal)["id"]
    elsewhere = dict(with_region(proposal, "Cibabat", "Cimahi Utara", 6), cycle=2023)
    body = refused(client.post(f"/v1/proposals/{pid}/revisions", json={"proposal": elsewhere},
                               headers=keys.auth("facilitator")), 422)
    assert {e["path"] for e in body["errors"]} == {"proposal.cycle", "proposal.region"}
    assert read(client, keys, pid)["revision"] == 1


def test_the_reviewers_queue_holds_what_waits_at_its_stage_in_its_region(client, keys, chain, proposal):
    first = submitted(client, keys, proposal)["id"]
    second = submitted(client, keys, with_region(proposal, "Cibabat", "Cimahi Utara", 6))["id"]
    assert decide(client, chain["kelurahan"], first).status_code == 200

    def queue(who):
        response = client.get("/v1/reviews/queue", headers=chain[who])
        assert response.status_code == 200
        return [item["id"] for item in response.json()["items"]]

    assert queue("kelurahan") == [second] and queue("kecamatan") == [first]
    assert queue("other_kecamatan") == [] and queue("dinas") == []
    refused(client.get("/v1/reviews/queue", headers=keys.auth("facilitator")), 403)


def test_overridden_rules_are_counted_per_cycle(client, keys, chain, flawed):
    pids = [submitted(client, keys, with_region(flawed, "Cibabat", "Cimahi Utara", rw))["id"] for rw in (1, 2)]
    rules = [f["rule_id"] for f in read(client, keys, pids[0])["check"]["findings"]][:2]
    for pid, chosen in ((pids[0], rules), (pids[1], rules[:1])):
        for rule in chosen:
            response = client.post(f"/v1/proposals/{pid}/exceptions", headers=chain["kelurahan"],
                                   json={"rule_id": rule, "reason": "Dibenarkan"})
            assert response.status_code == 200
    report = client.get("/v1/policy/overrides?cycle=2022", headers=keys.auth("policy"))
    assert report.status_code == 200
    items = report.json()["items"]
    assert [(i["cycle"], i["rule_id"], i["count"]) for i in items] == [(2022, rules[0], 2), (2022, rules[1], 1)]
    assert all(i["title"]["id"] and i["title"]["en"] and i["group"] for i in items)  # named in words
    assert client.get("/v1/policy/overrides?cycle=2021", headers=keys.auth("admin")).json()["items"] == []
    refused(client.get("/v1/policy/overrides", headers=keys.auth("facilitator")), 403)


def test_the_listing_filters_by_stage_and_refuses_an_unknown_one(client, keys, chain, proposal):
    first = submitted(client, keys, proposal)["id"]
    second = submitted(client, keys, with_region(proposal, "Cibabat", "Cimahi Utara", 6))["id"]
    assert decide(client, chain["kelurahan"], first).status_code == 200
    assert decide(client, chain["kelurahan"], second, "return", "Kurang").status_code == 200

    def listed(stage):
        response = client.get(f"/v1/proposals?stage={stage}", headers=keys.auth("facilitator"))
        assert response.status_code == 200
        return [(item["id"], item["state"]) for item in response.json()["items"]]

    assert listed("kecamatan") == [(first, "in_review")] and listed("returned") == [(second, "returned")]
    assert listed("kelurahan") == [] and listed("approved") == []
    body = refused(client.get("/v1/proposals?stage=rt", headers=keys.auth("facilitator")), 422)
    assert [e["path"] for e in body["errors"]] == ["query.stage"] and "rt" in body["errors"][0]["id"]
