"""Typed edits of a draft: each checked at once with the gate's own messages, each recorded (who, when, what)."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.errors import InvalidInput
from policy import drafts
from policy.edits import AddParameterValue, ChangeListItems, ChangeRule, SwitchRuleOff
from policy.store import KBStore
from tests.policy.helpers import load_yaml, snapshot

D = dt.date
REF = "Keputusan rapat evaluasi tahunan 2026 (uji) / annual review 2026 (test)"
AT = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path) -> KBStore:
    store = KBStore(tmp_path / "store")
    store.versions()
    return store


def women_35(**extra) -> AddParameterValue:
    fields = {"parameter": "min_women_attendance_share", "date": D(2027, 1, 1), "value": 0.35, "reference": REF,
              "status": "assumed", "modelled_on": "Rapat evaluasi (uji)"} | extra
    return AddParameterValue(**fields)


def test_a_draft_from_a_version_then_a_dated_value_diffs_as_exactly_that_value_and_is_recorded(store):
    start = drafts.start_draft(store, "2026.1", by="policy:bu-rina", now=AT)
    assert start.version == "2026.1-draf-20261202090000"
    edited = drafts.apply_draft_edit(store, start.draft_id, women_35(), by="policy:bu-rina", now=AT)
    diff = drafts.diff_draft(store, edited.draft_id)
    [param] = diff["parameters"]["changed"]
    assert param["name"] == "min_women_attendance_share"
    assert [(v["date"], v["change"], v["after"]) for v in param["values"]] == [("2027-01-01", "added", 0.35)]
    assert not diff["rules"]["changed"] and not diff["parameters"]["added"]
    history = store.edit_history(edited.draft_id)
    assert [(h.by, h.created_from, h.draft_before) for h in history] == [
        ("policy:bu-rina", "2026.1", None), ("policy:bu-rina", None, start.draft_id)]
    assert history[1].edits == [women_35()] and history[1].at == AT and history[1].via == "form"


def test_an_assumed_value_without_its_model_is_refused_with_the_gates_message_and_nothing_is_saved(store):
    start = drafts.start_draft(store, "2026.1", by="policy:bu-rina")
    before = snapshot(store.drafts_dir)
    with pytest.raises(InvalidInput) as info:
        drafts.apply_draft_edit(store, start.draft_id, women_35(modelled_on=None), by="policy:bu-rina")
    [problem] = info.value.problems
    assert problem.path == "parameters/min_women_attendance_share.yaml: values.2027-01-01.modelled_on"
    assert "modelled_on" in problem.id and problem.id != problem.en
    assert snapshot(store.drafts_dir) == before


def test_list_items_are_added_and_removed_from_a_date_and_an_unknown_item_is_named(store):
    start = drafts.start_draft(store, "2026.1", by="policy:bu-rina")
    edit = ChangeListItems(parameter="negative_list_words", date=D(2027, 1, 1), add=["judi online"],
                           remove=["petasan"], reference=REF, status="verified")
    edited = drafts.apply_draft_edit(store, start.draft_id, edit, by="policy:bu-rina")
    values = load_yaml(store.draft_path(edited.draft_id) / "parameters" / "negative_list_words.yaml")["values"]
    latest = values[max(values)]["value"]
    assert "judi online" in latest and "petasan" not in latest
    assert "petasan" in values[D(2018, 1, 1)]["value"]
    with pytest.raises(InvalidInput) as info:
        drafts.apply_draft_edit(store, edited.draft_id, edit.model_copy(update={"remove": ["tidak ada"]}),
                                by="policy:bu-rina")
    assert [p.path for p in info.value.problems] == ["parameters/negative_list_words.yaml.remove"]


def test_a_rule_is_changed_and_switched_off_from_a_cycle_keeping_the_files_comments(store):
    start = drafts.start_draft(store, "2026.1", by="policy:bu-rina")
    changed = drafts.apply_draft_edit(store, start.draft_id, ChangeRule(
        rule_id="PPM-INK-001", severity="minor", reference="Perwal Cimahi 44/2025 (uji)"), by="policy:bu-rina")
    off = drafts.apply_draft_edit(store, changed.draft_id, SwitchRuleOff(rule_id="PPM-INK-002", from_cycle=2027),
                                  by="policy:bu-rina")
    text = (store.draft_path(off.draft_id) / "rules" / "inclusion.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Inklusi / inclusion")
    rules = {r["id"]: r for r in load_yaml(store.draft_path(off.draft_id) / "rules" / "inclusion.yaml")}
    assert rules["PPM-INK-001"]["severity"] == "minor"
    assert rules["PPM-INK-001"]["reference"] == "Perwal Cimahi 44/2025 (uji)"
    assert rules["PPM-INK-002"]["effective"]["to"] == D(2026, 12, 31)
    changes = {c["id"]: [f["field"] for f in c["changes"]] for c in drafts.diff_draft(store, off.draft_id)["rules"]["changed"]}
    assert changes == {"PPM-INK-001": ["severity", "reference"], "PPM-INK-002": ["effective"]}


def test_an_edit_of_a_rule_or_parameter_not_in_the_draft_names_it(store):
    start = drafts.start_draft(store, "2026.1", by="policy:bu-rina")
    with pytest.raises(InvalidInput) as info:
        drafts.apply_draft_edit(store, start.draft_id, SwitchRuleOff(rule_id="PPM-INK-999", from_cycle=2027), by="x")
    assert [p.path for p in info.value.problems] == ["rule_id"]
    with pytest.raises(InvalidInput) as info:
        drafts.apply_draft_edit(store, start.draft_id, women_35(parameter="tidak_ada"), by="x")
    assert [p.path for p in info.value.problems] == ["parameter"]
