"""Rule tests in YAML: deep-merge patches, expectations, coverage; the shipped base passes them all."""

import pytest

from knowledge.kb import load_knowledge_base
from knowledge.kb_schema import RuleTestCase
from rules.check import default_checker
from rules.kbtest import PatchError, deep_merge, run_case, run_kb_tests


def test_patches_merge_into_dicts_and_address_list_items_by_index():
    base = {"a": {"b": 1, "c": 2}, "items": [{"x": 1, "y": 2}, {"x": 3}]}
    merged = deep_merge(base, {"a": {"c": 5}, "items": {1: {"y": 4}, 2: {"x": 9}}})
    assert merged == {"a": {"b": 1, "c": 5}, "items": [{"x": 1, "y": 2}, {"x": 3, "y": 4}, {"x": 9}]}
    assert base == {"a": {"b": 1, "c": 2}, "items": [{"x": 1, "y": 2}, {"x": 3}]}  # untouched


def test_a_patch_can_set_a_value_to_null_and_replace_a_whole_list():
    assert deep_merge({"p": "x", "l": [1, 2]}, {"p": None, "l": [3]}) == {"p": None, "l": [3]}


@pytest.mark.parametrize("patch, where", [({"items": {5: {"x": 1}}}, r"items\[5\]"),
                                          ({"items": {"first": {"x": 1}}}, "numeric index")])
def test_bad_list_addresses_are_errors(patch, where):
    with pytest.raises(PatchError, match=where):
        deep_merge({"items": [{"x": 0}]}, patch)


def test_the_small_base_passes_its_tests_and_exercises_every_rule(small_checker):
    report = run_kb_tests(small_checker)
    assert report.passed, report.text("en")
    assert report.unexercised == []
    assert len(report.cases) == 9 and report.cases[-1].verdict == "eligible"


def test_a_wrong_expectation_fails_with_the_reason(small_checker):
    case = RuleTestCase.model_validate({"name": "salah", "patch": {"musyawarah": {"attendance": {"women": 0}}},
                                        "expect": {"verdict": "eligible", "fires": ["PPM-ANG-001"],
                                                   "not_fires": ["PPM-INK-001"]}})
    from knowledge.documents import read_document
    base = read_document(small_checker.kb.path / "tests" / "base_proposal.yaml")
    result = run_case(small_checker, "tests/x.yaml", base, case)
    assert not result.passed
    assert [p.en for p in result.problems] == ["verdict needs_revision, expected eligible",
                                               "PPM-ANG-001 did not fire", "PPM-INK-001 fired but must not"]


def test_a_patch_that_makes_the_proposal_invalid_fails_the_case_with_the_field(small_checker):
    case = RuleTestCase.model_validate({"name": "rusak", "patch": {"team": {"members": -1}},
                                        "expect": {"verdict": "eligible"}})
    from knowledge.documents import read_document
    base = read_document(small_checker.kb.path / "tests" / "base_proposal.yaml")
    result = run_case(small_checker, "tests/x.yaml", base, case)
    assert not result.passed and result.problems[0].path == "team.members"


def test_the_shipped_knowledge_base_passes_its_own_tests_and_every_rule_is_exercised():
    kb = load_knowledge_base()
    assert len(kb.rules) >= 30
    assert {r.group for r in kb.rules} == {"eligibility", "budget", "inclusion", "documents", "sustainability",
                                           "consistency"}
    report = run_kb_tests(default_checker())
    assert report.passed, report.text("en")
    assert report.unexercised == []
