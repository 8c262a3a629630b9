"""Draft proposals through the API, on SQLite and PostgreSQL: save, edit, submit, delete, and the refusals.

A draft is checked and stored, in no reviewer's queue and seen by its kelurahan only; submitting
checks it again and puts it at the chain's first stage. Refusals change nothing.
"""

from __future__ import annotations

import copy

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


def test_another_kelurahans_draft_is_refused_and_unchanged(app, client, keys, proposal):
    draft = drafted(client, keys, proposal)
    other = keys.auth("facilitator_other")
    before = counts(app)
    refused(client.post(f"/v1/proposals/{draft['id']}/submission", json={}, headers=other), 403)
    refused(client.put(f"/v1/proposals/{draft['id']}/draft", json={"proposal": proposal}, headers=other), 403)
    refused(client.delete(f"/v1/proposals/{draft['id']}", headers=other), 403)
    refused(client.post(f"/v1/proposals/{draft['id']}/submission", json={}, headers=keys.auth("evaluator")), 403)
    assert counts(app) == before
    shown = read(client, keys, draft["id"])
    assert shown["state"] == "draft" and shown["row_version"] == 1


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
