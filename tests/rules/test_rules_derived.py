"""Derived facts: facts a knowledge base writes in data, computed before the engine sees the fact."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.documents import parse_proposal, read_document
from knowledge.kb import DEFAULT_KB
from rules.check import Checker
from rules.condition import ConditionError
from rules.kbtest import deep_merge
from rules.lint import lint_path

BASE = read_document(DEFAULT_KB / "tests" / "base_proposal.yaml")   # Cibabat RW 5 (8 RTs), 2022


def proposal(cycle: int = 2022, **patch):
    data = copy.deepcopy(BASE)
    if cycle != 2022:
        data = yaml.safe_load(yaml.safe_dump(data).replace("2022-", f"{cycle}-"))
        data["cycle"] = cycle
    return parse_proposal(deep_merge(data, patch))


def kb_with_facts(tmp_path: Path, *extra: dict, when: dict[str, str] | None = None) -> Path:
    """A copy of the shipped knowledge base with more facts and, optionally, changed rule conditions."""
    target = tmp_path / "kb"
    shutil.copytree(DEFAULT_KB, target)
    facts = yaml.safe_load((target / "facts.yaml").read_text(encoding="utf-8"))
    for fact in extra:
        facts = [f for f in facts if f["name"] != fact["name"]] + [fact]
    (target / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for rule_id, condition in (when or {}).items():
        path = target / "rules" / "budget.yaml"
        rules = yaml.safe_load(path.read_text(encoding="utf-8"))
        next(r for r in rules if r["id"] == rule_id)["when"] = condition
        path.write_text(yaml.safe_dump(rules, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def fact(name: str, expr, kind: str = "number", unit: str = "count") -> dict:
    return {"name": name, "unit": unit, "kind": kind, "expr": expr,
            "description": {"id": f"Uji {name}", "en": f"Test {name}"}}


def lint_kinds(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in lint_path(path):
        out.setdefault(p.kind, []).append(f"{p.problem.path}: {p.problem.en}")
    return out


def test_derived_facts_come_from_facts_parameters_and_the_rws_reference_data():
    checker = Checker.load()
    _, facts = checker.facts(proposal())
    v = facts.values
    assert (v["rw_rt_count"], v["pagu_for_rw"]) == (8, 75_000_000)
    assert v["ppm_excess_over_pagu"] == v["ppm_total"] - 75_000_000 == -13_800_000


def test_a_dated_expression_applies_from_its_own_cycle(tmp_path):
    per_rt = fact("pagu_for_rw", {"2018-01-01": "param.pagu_per_rw", "2027-01-01": "param.pagu_per_rt * ref.rt_count"},
                  unit="IDR")
    checker = Checker.load(kb_with_facts(tmp_path, per_rt))
    assert checker.facts(proposal(2026))[1].values["pagu_for_rw"] == 150_000_000
    assert checker.facts(proposal(2027))[1].values["pagu_for_rw"] == 8 * 30_000_000


def test_a_zero_divisor_gives_zero_and_lint_names_the_divisor_that_can_be_zero(tmp_path):
    kb = kb_with_facts(tmp_path, fact("women_per_speaker", "women_attendance_count / women_speakers"),
                       fact("women_per_household", "women_attendance_count / households_in_rw"),
                       fact("ppm_per_rt", "ppm_total / ref.rt_count", unit="IDR"))
    silent = proposal(musyawarah={"speakers": {"women": 0}})
    values = Checker.load(kb).facts(silent)[1].values
    assert values["women_per_speaker"] == 0 and values["ppm_per_rt"] == 61_200_000 / 8
    flagged = lint_kinds(kb)["zero_division"]
    assert len(flagged) == 1 and "women_per_speaker" in flagged[0] and "women_speakers" in flagged[0]


def test_lint_names_unknown_facts_parameters_and_reference_data_of_a_derived_fact(tmp_path):
    kb = kb_with_facts(tmp_path, fact("broken", "no_such_fact + param.no_such_param + ref.rw_count"))
    kinds = lint_kinds(kb)
    assert any("unknown fact 'no_such_fact'" in p for p in kinds["unknown_fact"])
    assert any("unknown reference data 'ref.rw_count'" in p for p in kinds["unknown_fact"])
    assert any("unknown parameter 'no_such_param'" in p for p in kinds["unknown_parameter"])


def test_lint_reports_derived_facts_that_depend_on_each_other_in_a_circle(tmp_path):
    kb = kb_with_facts(tmp_path, fact("a_count", "b_count + 1"), fact("b_count", "a_count - 1"))
    assert [p.split(": ", 1)[1] for p in lint_kinds(kb)["derived_cycle"]] == [
        "derived facts depend on each other in a cycle: a_count -> b_count -> a_count"]


def test_an_expression_is_parsed_never_evaluated(tmp_path):
    kb = kb_with_facts(tmp_path, fact("sneaky", "__import__('os').system('touch x')"))
    assert lint_kinds(kb)["parse_error"][0].startswith("facts.yaml: sneaky.expr")
    with pytest.raises(ConditionError, match="sneaky"):
        Checker.load(kb).check(proposal())
    assert not (Path.cwd() / "x").exists()


def test_an_expression_of_the_wrong_kind_is_refused_naming_the_fact(tmp_path):
    kb = kb_with_facts(tmp_path, fact("wrong_kind", "ppm_total * 2", kind="boolean", unit="boolean"))
    with pytest.raises(ConditionError, match=r"wrong_kind\.expr: the expression is number, the fact is boolean"):
        Checker.load(kb).check(proposal())


def test_a_rule_reads_reference_data_only_through_a_derived_fact(tmp_path):
    kb = kb_with_facts(tmp_path, when={"PPM-ANG-001": "ppm_total > param.pagu_per_rt * ref.rt_count"})
    with pytest.raises(ConditionError, match=r"'ref\.rt_count' is for derived facts only"):
        Checker.load(kb).check(proposal(2026))


def test_a_rule_using_a_derived_fact_without_an_expression_in_force_names_the_fact_and_the_date(tmp_path):
    later = fact("pagu_for_rw", {"2027-01-01": "param.pagu_per_rt * ref.rt_count"}, unit="IDR")
    checker = Checker.load(kb_with_facts(tmp_path, later))
    assert checker.facts(proposal(2027))[1].values["pagu_for_rw"] == 240_000_000
    with pytest.raises(ConditionError, match=r"rules\.PPM-ANG-001: derived fact 'pagu_for_rw' has no expression "
                                             r"in force on 2026-01-01"):
        checker.check(proposal(2026))
