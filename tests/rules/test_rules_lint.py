"""`kb lint` finds each kind of problem in a deliberately broken knowledge base, and none in a sound one."""

import shutil
from pathlib import Path

import pytest

from knowledge.kb import DEFAULT_KB
from rules.lint import lint_path, stated_thresholds

BROKEN = Path(__file__).parent / "fixtures" / "kb_broken"
SMALL = Path(__file__).parent / "fixtures" / "kb_small"


@pytest.fixture(scope="module")
def problems():
    return lint_path(BROKEN)


def _paths(problems, kind):
    return [p.problem.path for p in problems if p.kind == kind]


def test_unknown_facts_in_conditions_and_templates(problems):
    assert _paths(problems, "unknown_fact") == [
        "rules/budget.yaml: PPM-ANG-001.suggestion.en", "rules/budget.yaml: PPM-ANG-001.suggestion.id",
        "rules/budget.yaml: PPM-ANG-002.when"]


def test_unknown_parameters(problems):
    assert _paths(problems, "unknown_parameter") == ["rules/budget.yaml: PPM-ANG-002.when"]


def test_duplicate_ids(problems):
    assert _paths(problems, "duplicate_id") == ["rules/budget.yaml: [1].id"]


def test_missing_translations(problems):
    assert _paths(problems, "missing_translation") == ["parameters/pagu_per_rw.yaml: description.en",
                                                       "rules/budget.yaml: PPM-ANG-003.suggestion.en"]


def test_parameter_values_without_reference_or_modelled_on(problems):
    assert _paths(problems, "missing_reference") == ["parameters/pagu_per_rw.yaml: values.2018-01-01.reference",
                                                     "parameters/pagu_per_rw.yaml: values.2021-01-01.modelled_on"]


def test_rules_no_test_exercises(problems):
    assert _paths(problems, "untested_rule") == [
        "rules/budget.yaml: PPM-ANG-002", "rules/budget.yaml: PPM-ANG-003", "rules/budget.yaml: PPM-ANG-004",
        "rules/inclusion.yaml: PPM-INK-000"]


def test_unused_conclusions_parse_errors_and_compile_errors(problems):
    assert _paths(problems, "unused_conclusion") == ["rules/inclusion.yaml: PPM-INK-000.derive"]
    assert _paths(problems, "parse_error") == ["rules/budget.yaml: PPM-ANG-003.when"]
    compile_errors = [p.problem.en for p in problems if p.kind == "compile_error"]
    assert "rules.PPM-ANG-001: no value of pagu_per_rw in force on 2016-01-01 (first 2018-01-01)" in compile_errors


def test_messages_are_bilingual(problems):
    assert all(p.problem.id and p.problem.en and p.problem.id != p.problem.en for p in problems)


def test_a_sound_knowledge_base_has_no_problems():
    assert lint_path(SMALL) == []


def test_the_shipped_knowledge_base_lints_clean():
    assert lint_path() == []


@pytest.mark.parametrize("text, found", [
    ("ambang 30% diasumsikan", ["30%"]),
    ("pemberitaan 2018 (Rp 72,5 juta) dan 2021 (Rp 75 juta)", ["Rp 72,5 juta", "Rp 75 juta"]),
    ("paling banyak Rp 75.000.000", ["Rp 75.000.000"]),
    ("ambang {param.min_women_attendance_share:pct}, batas: Rp 0, Perwal 12/2018", []),
])
def test_a_number_with_its_unit_written_into_a_text_is_a_stated_threshold(text, found):
    assert stated_thresholds(text) == found


def test_lint_flags_a_rule_reference_that_writes_its_own_threshold(tmp_path):
    kb = tmp_path / "kb"
    shutil.copytree(DEFAULT_KB, kb)
    path = kb / "rules" / "inclusion.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "ambang {param.min_women_attendance_share:pct}", "ambang 30%"), encoding="utf-8")
    flagged = [p for p in lint_path(kb) if p.kind == "stated_threshold"]
    assert [p.problem.path for p in flagged] == ["rules/inclusion.yaml: PPM-INK-001.reference"]
    assert "'30%'" in flagged[0].problem.en and "{param.name:pct}" in flagged[0].problem.en
