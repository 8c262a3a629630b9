"""Repair patches: proposed by the knowledge base's repairs, kept only when the rules, run again, agree.

The proposals are the knowledge base's hand-written base proposal (RW 05 Cibabat 2022, eligible;
not real data) with one problem written into it.
"""

from __future__ import annotations

import json
import shutil

import jsonpatch
import pytest

from knowledge.documents import parse_proposal, read_document, to_jsonable
from knowledge.errors import InvalidInput
from knowledge.kb import DEFAULT_KB, load_knowledge_base
from knowledge.kb_schema import Text
from rules import repair
from rules.check import Checker, default_checker
from rules.kbtest import deep_merge
from rules.lint import lint_kb
from rules.repair import RepairError, search_repairs
from rules.repair_ops import CompiledRepair, CompiledStep
from tests.policy.helpers import edit_rule

BASE = to_jsonable(read_document(DEFAULT_KB / "tests" / "base_proposal.yaml"))
WAGES = {"activities": {0: {"budget_lines": {3: {"source": "ppm"}}}}}   # Rp 4.000.000 of wages from PPM money


def proposal(patch: dict | None = None) -> dict:
    return deep_merge(BASE, patch or {})


def search(data: dict, checker: Checker | None = None):
    return search_repairs(checker or default_checker(), parse_proposal(data))


def applied(data: dict, patch: list[dict]) -> dict:
    return jsonpatch.apply_patch(data, patch)


def test_wages_paid_from_ppm_money_are_moved_to_swadaya_by_one_verified_change():
    found = search(proposal(WAGES))
    assert found.verdict == "ineligible" and found.verdict_after == "eligible"
    (patch,) = found.patches
    assert patch.rules == ["PPM-ANG-002"] and [c.rule_id for c in patch.clears] == ["PPM-ANG-002"]
    assert [(c.path, c.before, c.after, c.item) for c in patch.changes] == [
        ("activities[0].budget_lines[3].source", "ppm", "swadaya", "Tenaga kerja gotong royong")]
    assert patch.patch == [
        {"op": "test", "path": "/activities/0/budget_lines/3/source", "value": "ppm"},
        {"op": "replace", "path": "/activities/0/budget_lines/3/source", "value": "swadaya"}]
    assert patch.rupiah_moved == 4_000_000 and patch.result.verdict == "eligible"
    assert found.combined == patch and found.actions == []


def test_a_written_requested_total_is_corrected_in_the_same_patch():
    found = search(proposal({**WAGES, "requested_total": 65_200_000}))
    combined = found.combined
    assert combined is not None and combined.rules == ["PPM-ANG-002", "PPM-KON-003"]
    assert {c.path: c.after for c in combined.changes}["requested_total"] == 61_200_000
    assert combined.result.verdict == "eligible"


def test_food_and_drink_over_the_cap_are_lowered_evenly_and_their_written_amounts_follow():
    data = proposal({"activities": {0: {"budget_lines": {5: {"quantity": 400, "amount": 10_000_000}}},
                                    2: {"budget_lines": {2: {"amount": 1_200_000}}}}})
    found = search(data)
    assert found.verdict == "needs_revision" and found.verdict_after == "eligible"
    assert found.combined is not None and found.combined.rules == ["PPM-ANG-004", "PPM-KON-001"]
    after = parse_proposal(applied(data, found.combined.patch))
    for activity, line in ((0, 5), (2, 2)):
        mamin = after.activities[activity].budget_lines[line]
        assert mamin.quantity.is_integer() and mamin.amount == mamin.computed_amount
    assert after.activities[0].budget_lines[5].quantity < 400 and after.activities[2].budget_lines[2].quantity < 40


def test_over_the_ceiling_the_fewest_lines_are_moved_and_then_the_least_money():
    # Rp 20.000.000 more material in A2 puts PPM Rp 81.200.000 over the Rp 75.000.000 ceiling by 6.200.000:
    # one line covers it; of the lines that do, the cement line (Rp 6.500.000) moves the least money.
    found = search(proposal({"activities": {1: {"budget_lines": {0: {"unit_price": 50_000_000}}}}}))
    (patch,) = found.patches
    assert patch.rules[0] == "PPM-ANG-001" and patch.result.verdict == "eligible"
    assert [(c.path, c.after) for c in patch.changes] == [("activities[0].budget_lines[0].source", "swadaya")]
    assert patch.rupiah_moved == 6_500_000


def test_activity_dates_after_the_cycle_are_moved_inside_it_keeping_their_length():
    found = search(proposal({"activities": {2: {"start": "2022-11-15", "end": "2023-02-12"}}}))
    changes = {c.path: c.after for c in found.combined.changes}
    assert changes == {"activities[2].start": "2022-10-03", "activities[2].end": "2022-12-31"}
    assert found.verdict_after == "eligible"


def test_a_line_total_written_wrong_is_corrected_to_quantity_times_price():
    found = search(proposal({"activities": {0: {"budget_lines": {0: {"amount": 6_000_000}}}}}))
    assert [(c.path, c.before, c.after) for c in found.combined.changes] == [
        ("activities[0].budget_lines[0].amount", 6_000_000, 6_500_000)]


def test_a_patch_that_brings_up_a_problem_no_repair_can_clear_is_not_proposed():
    # The only PPM line is a wage line: moving it to swadaya leaves no PPM money at all (PPM-ELG-005).
    lines = {a: {"budget_lines": {n: {"source": "swadaya"} for n in range(len(act["budget_lines"]))}}
             for a, act in enumerate(BASE["activities"])}
    lines[0]["budget_lines"][3] = {"source": "ppm"}
    found = search(proposal({"activities": lines}))
    assert found.verdict == "ineligible" and found.patches == [] and found.combined is None
    wages = next(a for a in found.actions if a.rule_id == "PPM-ANG-002")
    assert wages.kind == "not_verified" and wages.text.id.startswith("Ubah")


def test_what_only_the_rw_can_do_is_an_action_and_no_data_is_invented():
    data = proposal({"musyawarah": {"attendance": {"women": 0}, "speakers": {"women": 0}}})
    found = search(data)
    assert found.combined is None and found.patches == [] and found.verdict_after == "needs_revision"
    women = next(a for a in found.actions if a.rule_id == "PPM-INK-001")
    assert women.kind == "action" and "30%" in women.text.id and "30%" in women.text.en
    assert "Berdaya tidak mengubah catatan kehadiran" in women.text.id


def test_the_same_proposal_and_version_give_the_same_patches():
    data = proposal({**WAGES, "requested_total": 90_000_000,
                     "activities": {1: {"budget_lines": {0: {"unit_price": 50_000_000}}}}})
    first, second = search(data), search(json.loads(json.dumps(data)))
    assert first.model_dump(mode="json") == second.model_dump(mode="json")
    assert first.combined is not None and first.verdict_after == "eligible"


def test_a_patch_refuses_to_apply_to_a_proposal_changed_since():
    data = proposal(WAGES)
    patch = search(data).combined.patch
    data["activities"][0]["budget_lines"][3]["source"] = "lainnya"
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        applied(data, patch)


def test_an_eligible_proposal_costs_no_check_beyond_its_own():
    checker = default_checker()
    p = parse_proposal(proposal())
    found = search_repairs(checker, p, checker.check(p))
    assert (found.patches, found.combined, found.actions, found.checks) == ([], None, [], 0)


def test_the_search_refuses_a_change_outside_the_patchable_fields_even_if_a_repair_makes_one(monkeypatch):
    # A repair compiled by hand, past the schema's allow-list: the search itself still refuses it.
    bad = CompiledStep("lines", "set", sets=(("kind", lambda values, ref: "material"),))
    rogue = {"PPM-ANG-002": (CompiledRepair("PPM-ANG-002", 0, Text(id="x", en="x"), (bad,)),)}
    monkeypatch.setattr(repair, "_compiled_repairs", lambda checker, cycle: rogue)
    with pytest.raises(RepairError, match="budget_lines"):
        search(proposal(WAGES))


# ---- the schema and the linter ---------------------------------------------------------------------

@pytest.fixture
def draft(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(DEFAULT_KB, root)
    return root


@pytest.mark.parametrize(("target", "field"), [
    ("lines", "unit_price"), ("lines", "kind"), ("lines", "cash_to_individuals"),
    ("activities", "beneficiaries"), ("activities", "maintenance_plan"), ("activities", "category"),
    ("proposal", "documents"), ("proposal", "musyawarah"), ("proposal", "team"),
])
def test_a_repair_of_a_field_that_records_facts_is_refused_when_the_knowledge_base_loads(draft, target, field):
    edit_rule(draft, "PPM-INK-001", action=None,
              repair=[{"description": {"id": "x", "en": "x"}, "steps": [{"target": target, "set": {field: "1"}}]}])
    with pytest.raises(InvalidInput) as caught:
        load_knowledge_base(draft)
    problem = next(p for p in caught.value.problems if "repair" in p.path)
    assert problem.path.endswith("PPM-INK-001") or ".repair[0].steps[0].set" in problem.path
    assert f"'{field}'" in problem.id and f"'{field}'" in problem.en and "action" in problem.en


def test_a_rule_with_both_a_repair_and_an_action_is_refused(draft):
    edit_rule(draft, "PPM-ANG-002", action={"id": "RW ...", "en": "The RW ..."})
    with pytest.raises(InvalidInput, match="not both"):
        load_knowledge_base(draft)


def test_lint_names_unknown_names_and_type_errors_in_repairs(draft):
    edit_rule(draft, "PPM-ANG-002", repair=[{"description": {"id": "x", "en": "x"}, "steps": [
        {"target": "lines", "where": "sumber == 'ppm'", "set": {"source": "'swadaya'"}}]}])
    edit_rule(draft, "PPM-KON-003", repair=[{"description": {"id": "x", "en": "x"}, "steps": [
        {"target": "proposal", "set": {"requested_total": "'semua'"}}]}])
    problems = lint_kb(load_knowledge_base(draft, strict=False))
    unknown = [p for p in problems if p.kind == "unknown_fact"]
    assert any("PPM-ANG-002.repair[0].steps[0].where" in p.problem.path and "sumber" in p.problem.en for p in unknown)
    compile_errors = [p.problem.en for p in problems if p.kind == "compile_error"]
    assert any("PPM-KON-003.repair[0].steps[0].set.requested_total" in e and "text" in e for e in compile_errors)
