"""Draft proposals through the API, on SQLite and PostgreSQL: save, edit, submit, delete, and the refusals.

A draft is checked and stored, in no reviewer's queue and seen by its kelurahan only; submitting
checks it again and puts it at the chain's first stage. Refusals change nothing.
"""

from __future__ import annotations

import copy
import json

from sqlalchemy import func, select

from service.models import Decision, ProposalEvent, ProposalRevision, StoredProposal
from tests.service.helpers import read, refused, reviewer


def drafted(client, keys, proposal) -> dict:
    response = client.post("/v1/proposals/drafts", json=proposal, headers=keys.auth("facilitator"))
    assert response.status_code == 201, response.text
    return response.json()


def counts(app) -> tuple[int, int, int]:
    """(proposals, revisions, timeline events) stored."""
    with app.state.services.db.session() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                     for m in (StoredProposal, ProposalRevision, ProposalEvent))


def test_a_draft_is_checked_stored_and_in_no_reviewers_queue(app, client, keys, proposal):
    proposal["musyawarah"]["attendance"]["women"] = 5
    draft = drafted(client, keys, proposal)
    assert draft["state"] == "draft" and draft["stage"] is None and draft["verdict"] != "eligible"
    assert any(f["rule_id"] for f in draft["check"]["findings"])
    kelurahan = reviewer(app, "kelurahan", kelurahan="Cibabat")
    assert client.get("/v1/reviews/queue", headers=kelurahan).json()["total"] == 0
    assert client.get(f"/v1/proposals/{draft['id']}", headers=kelurahan).status_code == 404
    assert client.get("/v1/proposals", headers=keys.auth("evaluator")).json()["total"] == 0
    mine = client.get("/v1/proposals?stage=draft", headers=keys.auth("facilitator")).json()
    assert [p["id"] for p in mine["items"]] == [draft["id"]]
    assert [e["kind"] for e in read(client, keys, draft["id"])["events"]] == ["drafted"]


def test_draft_edit_then_submit_checks_again_and_enters_review(app, client, keys, proposal):
    proposal["musyawarah"]["attendance"]["women"] = 5
    draft = drafted(client, keys, proposal)
    fixed = copy.deepcopy(proposal)
    fixed["musyawarah"]["attendance"]["women"] = 20
    fixed["title"] = "Drainase RW 5, diperbaiki"
    edited = client.put(f"/v1/proposals/{draft['id']}/draft", json={"proposal": fixed, "row_version": 1},
                        headers=keys.auth("facilitator"))
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["state"] == "draft" and body["title"] == "Drainase RW 5, diperbaiki" and body["revision"] == 1
    assert body["decision_id"] != draft["decision_id"] and len(body["revisions"]) == 1
    assert body["revisions"][0]["decision_id"] == body["decision_id"]

    sent = client.post(f"/v1/proposals/{draft['id']}/submission", json={"row_version": body["row_version"]},
                       headers=keys.auth("facilitator"))
    assert sent.status_code == 200, sent.text
    submitted = sent.json()
    assert submitted["state"] == "in_review" and submitted["stage"]["index"] == 0
    assert submitted["decision_id"] not in (draft["decision_id"], body["decision_id"])  # checked again
    assert [e["kind"] for e in submitted["events"]] == ["drafted", "drafted", "submitted"]
    queue = client.get("/v1/reviews/queue", headers=reviewer(app, "kelurahan", kelurahan="Cibabat")).json()
    assert [p["id"] for p in queue["items"]] == [draft["id"]]


def test_one_proposal_per_rw_and_cycle_counts_drafts(client, keys, proposal):
    draft = drafted(client, keys, proposal)
    for path in ("/v1/proposals", "/v1/proposals/drafts"):
        body = refused(client.post(path, json=proposal, headers=keys.auth("facilitator")), 409)
        assert body["existing_proposal_id"] == draft["id"]


def test_deleting_a_draft_frees_the_rw(app, client, keys, proposal):
    before = counts(app)
    draft = drafted(client, keys, proposal)
    deleted = client.delete(f"/v1/proposals/{draft['id']}", headers=keys.auth("facilitator"))
    assert deleted.status_code == 204
    assert counts(app) == before
    with app.state.services.db.session() as session:  # its check stays audited
        assert session.get(Decision, draft["decision_id"]) is not None
    refused(client.get(f"/v1/proposals/{draft['id']}", headers=keys.auth("facilitator")), 404)
    assert client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator")).status_code == 201


def _as_unknown(body: dict, draft_id: str) -> dict:
    """A refusal with the draft's id put back as the id of a proposal that does not exist."""
    return json.loads(json.dumps(body).replace(draft_id, UNKNOWN_ID))


UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def test_a_draft_does_not_exist_for_anyone_but_its_kelurahans_facilitators(app, client, keys, proposal):
    """Reviewers of every stage and region, other kelurahan's facilitators and the other roles who guess a
    draft's id get what an id that names nothing gets: 404 (not 403 or 409, which would say it exists),
    or the refusal of their role, which comes before any proposal is looked up."""
    proposal["musyawarah"]["attendance"]["women"] = 5
    draft = drafted(client, keys, proposal)
    rule = draft["check"]["findings"][0]["rule_id"]
    others = {"kelurahan": reviewer(app, "kelurahan", kelurahan="Cibabat"),
              "kecamatan": reviewer(app, "kecamatan", kecamatan="Cimahi Utara"),
              "dinas": reviewer(app, "city"), "melong": reviewer(app, "kelurahan", kelurahan="Melong"),
              **{role: keys.auth(role) for role in ("facilitator_other", "evaluator", "policy", "admin")}}
    revision, ba = {"proposal": proposal}, {"nomor": "BA-1", "tanggal": "2022-08-01"}
    calls = {
        "read": ("GET", "", None, others),
        "decide": ("POST", "/decisions", {"outcome": "approve", "note": ""}, others),
        "return": ("POST", "/decisions", {"outcome": "return", "note": "Perbaiki", "row_version": 1}, others),
        "exception": ("POST", "/exceptions", {"rule_id": rule, "reason": "Musyawarah susulan"}, others),
        "edit": ("PUT", "/draft", revision, {"facilitator_other": others["facilitator_other"]}),
        "submit": ("POST", "/submission", {}, {"facilitator_other": others["facilitator_other"]}),
        "delete": ("DELETE", "", None, {"facilitator_other": others["facilitator_other"]}),
        "revise": ("POST", "/revisions", revision, {"facilitator_other": others["facilitator_other"]}),
        "amend": ("POST", "/amendments", {**revision, "berita_acara": ba},
                  {"facilitator_other": others["facilitator_other"]}),
        "withdraw": ("POST", "/withdrawal", {}, {"facilitator_other": others["facilitator_other"]}),
    }
    before, statuses = counts(app), {}
    for action, (method, tail, body, who) in calls.items():
        for name, headers in who.items():
            guessed = client.request(method, f"/v1/proposals/{draft['id']}{tail}", json=body, headers=headers)
            unknown = client.request(method, f"/v1/proposals/{UNKNOWN_ID}{tail}", json=body, headers=headers)
            assert guessed.status_code == unknown.status_code, (action, name, guessed.text)
            statuses[action, name] = guessed.status_code
            assert _as_unknown(refused(guessed, guessed.status_code), draft["id"]) == refused(
                unknown, unknown.status_code), (action, name)
    assert counts(app) == before
    reviewers = ("kelurahan", "kecamatan", "dinas", "melong")
    assert {statuses[action, name] for action in ("read", "decide", "return", "exception") for name in reviewers} == {404}
    assert {statuses[action, "facilitator_other"] for action in calls if action not in ("decide", "return",
                                                                                       "exception")} == {404}
    assert statuses["read", "evaluator"] == 404 and statuses["decide", "evaluator"] == 403  # not a reviewer
    shown = read(client, keys, draft["id"])
    assert shown["state"] == "draft" and shown["row_version"] == 1 and shown["exceptions"] == []
    # The role check still comes first: an evaluator may not submit anything (403, whatever the id).
    refused(client.post(f"/v1/proposals/{draft['id']}/submission", json={}, headers=keys.auth("evaluator")), 403)
    # Once submitted it exists for the reviewers; another kelurahan's facilitator is refused as for any proposal.
    client.post(f"/v1/proposals/{draft['id']}/submission", json={}, headers=keys.auth("facilitator"))
    assert client.get(f"/v1/proposals/{draft['id']}", headers=others["kelurahan"]).status_code == 200
    refused(client.get(f"/v1/proposals/{draft['id']}", headers=others["facilitator_other"]), 403)


def test_a_submitted_proposal_is_not_edited_deleted_or_submitted_as_a_draft(app, client, keys, proposal):
    sent = client.post("/v1/proposals", json=proposal, headers=keys.auth("facilitator")).json()
    before = counts(app)
    edit = client.put(f"/v1/proposals/{sent['id']}/draft", json={"proposal": proposal},
                      headers=keys.auth("facilitator"))
    assert "revisi" in refused(edit, 409)["message"]["id"]
    refused(client.delete(f"/v1/proposals/{sent['id']}", headers=keys.auth("facilitator")), 409)
    refused(client.post(f"/v1/proposals/{sent['id']}/submission", json={}, headers=keys.auth("facilitator")), 409)
    assert counts(app) == before and read(client, keys, sent["id"])["state"] == "in_review"


def test_a_stale_draft_edit_or_another_rw_is_refused(app, client, keys, proposal):
    draft = drafted(client, keys, proposal)
    client.put(f"/v1/proposals/{draft['id']}/draft", json={"proposal": proposal, "row_version": 1},
               headers=keys.auth("facilitator"))
    stale = client.post(f"/v1/proposals/{draft['id']}/submission", json={"row_version": 1},
                        headers=keys.auth("facilitator"))
    assert refused(stale, 409)["row_version"] == 2
    moved = copy.deepcopy(proposal)
    moved["region"]["rw"] = proposal["region"]["rw"] + 1
    refused(client.put(f"/v1/proposals/{draft['id']}/draft", json={"proposal": moved},
                       headers=keys.auth("facilitator")), 422)
    assert read(client, keys, draft["id"])["state"] == "draft"
