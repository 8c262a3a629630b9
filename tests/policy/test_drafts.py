"""Drafts as policy staff handle them: made from a published version, edited, diffed, relabelled."""

from __future__ import annotations

import yaml

from policy import drafts


def test_a_draft_made_from_the_published_version_holds_its_content_and_diffs_empty(mini_store):
    info = drafts.draft_from_version(mini_store)
    assert info.version == mini_store.latest().version and info.problems == []
    diff = drafts.diff_draft(mini_store, info.draft_id)
    assert diff["rules"] == {"added": [], "removed": [], "changed": []}
    assert diff["parameters"] == {"added": [], "removed": [], "changed": []}


def test_an_edit_makes_a_new_draft_whose_diff_shows_exactly_that_change(mini_store):
    first = drafts.draft_from_version(mini_store)
    path = mini_store.draft_path(first.draft_id) / "parameters" / "min_women_attendance_share.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["description"] = {"id": "Pangsa perempuan (diubah)", "en": "Women's share (edited)"}
    edited = drafts.edit_draft(mini_store, first.draft_id, {
        "parameters/min_women_attendance_share.yaml": yaml.safe_dump(data, allow_unicode=True)})
    assert edited.draft_id != first.draft_id and mini_store.draft_path(first.draft_id).is_dir()
    changed = drafts.diff_draft(mini_store, edited.draft_id)["parameters"]["changed"]
    assert [c["name"] for c in changed] == ["min_women_attendance_share"]


def test_relabelling_a_draft_changes_its_content_hash_but_not_its_policy_hash(mini_store):
    first = drafts.draft_from_version(mini_store)
    text = (mini_store.draft_path(first.draft_id) / "kb.yaml").read_text(encoding="utf-8")
    relabelled = drafts.edit_draft(mini_store, first.draft_id, {
        "kb.yaml": text.replace(f'"{first.version}"', '"2026.9"').replace(f"version: {first.version}", 'version: "2026.9"')})
    assert relabelled.version == "2026.9"
    assert relabelled.content_hash != first.content_hash
    assert relabelled.policy_hash == first.policy_hash
