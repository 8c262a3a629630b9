"""Checker: the CheckResult JSON contract, verdicts, findings, evidence, fields, determinism."""

from __future__ import annotations

import json
import threading

import pytest

from rules.check import Checker, CheckResult, default_checker, expand_path, verdict_of
from rules.compiler import NotInForce
from tests.rules.fixture_facts import SMALL_KB, small_facts

OVER = {"activities": {0: {"budget_lines": {0: {"quantity": 1200}}}}}
WAGES = {"activities": {0: {"budget_lines": {1: {"source": "ppm"}}}}}
NO_WOMEN = {"musyawarah": {"attendance": {"women": 0}}}


def test_the_json_matches_the_issue_contract(small_checker, make_proposal):
    data = json.loads(json.dumps(small_checker.check(make_proposal(OVER)).model_dump(mode="json")))
    assert set(data) == {"verdict", "knowledge_base", "cycle", "findings", "passed"}
    assert data["knowledge_base"] == {"name": "kb-small", "version": "0.1"} and data["cycle"] == 2022
    finding = data["findings"][0]
    assert set(finding) == {"rule_id", "severity", "group", "fields", "message", "suggestion", "reference",
                            "evidence"}
    assert finding == {
        "rule_id": "PPM-ANG-001", "severity": "blocking", "group": "budget",
        "fields": ["activities[0].budget_lines"],
        "message": {"id": "Total dana PPM Rp 78.000.000 melebihi pagu Rp 75.000.000.",
                    "en": "PPM total Rp 78,000,000 exceeds the ceiling Rp 75,000,000."},
        "suggestion": {"id": "Kurangi belanja PPM sebesar Rp 3.000.000.", "en": "Cut PPM spending by Rp 3,000,000."},
        "reference": "Uji: Perwal pagu",
        "evidence": {"fact": "ppm_total", "observed": 78000000, "threshold": 75000000},
    }
    assert "PPM-ANG-001" not in data["passed"] and "PPM-ANG-002" in data["passed"]


@pytest.mark.parametrize("severities, verdict", [
    ([], "eligible"), (["advice", "minor"], "eligible"), (["minor", "major"], "needs_revision"),
    (["major", "blocking"], "ineligible"),
])
def test_verdict_blocking_then_major_then_eligible(severities, verdict):
    assert verdict_of(severities) == verdict


def test_verdicts_from_checks(small_checker, make_proposal):
    assert small_checker.check(make_proposal()).verdict == "eligible"
    assert small_checker.check(make_proposal(NO_WOMEN)).verdict == "needs_revision"
    assert small_checker.check(make_proposal(WAGES)).verdict == "ineligible"


def test_findings_are_sorted_by_severity_then_rule_id(small_checker, make_proposal):
    patch = {"activities": {0: {"budget_lines": {0: {"quantity": 1200}, 1: {"source": "ppm"}},
                                "maintenance_plan": None}}, **NO_WOMEN}
    result = small_checker.check(make_proposal(patch))
    assert [(f.severity, f.rule_id) for f in result.findings] == [
        ("blocking", "PPM-ANG-001"), ("blocking", "PPM-ANG-003"), ("major", "PPM-INK-001"),
        ("minor", "PPM-ANG-004"), ("minor", "PPM-KEB-001"), ("advice", "PPM-ELG-002")]
    assert result.passed == sorted(result.passed)
    assert set(result.passed) | set(result.fired) == {r.id for r in small_checker.version(2022).finding_rules}


def test_same_input_same_output_also_in_a_fresh_checker(small_checker, make_proposal):
    proposal = make_proposal({**WAGES, **NO_WOMEN})
    first = small_checker.check(proposal).model_dump(mode="json")
    assert small_checker.check(proposal).model_dump(mode="json") == first
    assert Checker.load(SMALL_KB, extract=small_facts).check(proposal).model_dump(mode="json") == first


def test_fields_come_from_locators_and_expanded_static_paths(small_checker, make_proposal):
    result = small_checker.check(make_proposal(WAGES))
    wage = next(f for f in result.findings if f.rule_id == "PPM-ANG-003")
    assert wage.fields == ["activities[0].budget_lines[1].source"]


def test_static_paths_with_a_wildcard_expand_over_the_proposal(make_proposal):
    two = make_proposal({"activities": {1: {"code": "A2", "name": "Pelatihan", "category": "pemberdayaan.pelatihan",
                                            "start": "2022-05-01", "end": "2022-05-02", "budget_lines": [
                                                {"item": "ATK", "unit": "paket", "quantity": 1, "unit_price": 1000,
                                                 "source": "ppm", "kind": "material"}]}}})
    assert expand_path(two, "activities[*].budget_lines") == ["activities[0].budget_lines", "activities[1].budget_lines"]
    assert expand_path(two, "activities[*].budget_lines[*].source")[-1] == "activities[1].budget_lines[0].source"
    assert expand_path(two, "musyawarah.date") == ["musyawarah.date"]


def test_evidence_is_inferred_from_a_simple_comparison_and_templates_use_it(small_checker, make_proposal):
    mamin = {"activities": {0: {"budget_lines": {2: {"item": "Konsumsi", "unit": "paket", "quantity": 100,
                                                     "unit_price": 20000, "source": "ppm", "kind": "mamin"}}}}}
    finding = next(f for f in small_checker.check(make_proposal(mamin)).findings if f.rule_id == "PPM-ANG-002")
    assert finding.evidence.model_dump() == {"fact": "mamin_share", "observed": 0.434783, "threshold": 0.1}
    assert finding.message.id == "Porsi mamin 43,5% melebihi 10%."
    assert finding.message.en == "Food and drink share 43.5% exceeds 10%."


def test_an_unknown_category_is_a_finding_not_a_crash(small_checker, make_proposal):
    result = small_checker.check(make_proposal({"activities": {0: {"category": "sarana_prasarana.kolam_renang"}}}))
    assert "PPM-ELG-001" in result.fired and result.verdict == "ineligible"


def test_a_cycle_without_values_in_force_is_a_clear_error(small_checker, make_proposal):
    with pytest.raises(NotInForce) as info:
        small_checker.check(make_proposal(), cycle=2017)
    assert str(info.value) == "rules.PPM-ANG-001: no value of pagu_per_rw in force on 2017-01-01 (first 2018-01-01)"


def test_the_cycle_selects_the_parameter_values(small_checker, make_proposal):
    # Rp 74 juta: over the 2018 ceiling (72.5 juta), within the 2021 one (75 juta).
    proposal = make_proposal({"activities": {0: {"budget_lines": {0: {"quantity": 40, "unit_price": 1850000}}}}})
    assert "PPM-ANG-001" in small_checker.check(proposal, cycle=2019).fired
    assert "PPM-ANG-001" not in small_checker.check(proposal, cycle=2022).fired


def test_missing_fact_from_extraction_is_a_clear_error(make_proposal):
    from rules.check import FactError

    def partial(proposal, params, categories):
        facts = small_facts(proposal, params, categories)
        del facts.values["ppm_total"]
        return facts

    with pytest.raises(FactError, match="ppm_total"):
        Checker.load(SMALL_KB, extract=partial).check(make_proposal())


def test_the_checker_is_safe_from_many_threads(small_checker, make_proposal):
    proposals = [make_proposal(p) for p in ({}, OVER, WAGES, NO_WOMEN)]
    expected = [small_checker.check(p).model_dump(mode="json") for p in proposals]
    errors: list = []

    def work():
        try:
            for _ in range(25):
                for p, e in zip(proposals, expected):
                    assert small_checker.check(p).model_dump(mode="json") == e
        except Exception as exc:  # collected, so the main thread can fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_version_is_compiled_and_registered_once(small_checker):
    assert small_checker.version(2022) is small_checker.version(2022)


def test_default_checker_is_cached_per_process():
    assert default_checker() is default_checker()


def test_result_model_round_trips(small_checker, make_proposal):
    result = small_checker.check(make_proposal(OVER))
    data = result.model_dump(mode="json")
    assert CheckResult.model_validate(data).model_dump(mode="json") == data


def test_a_findings_reference_quotes_the_threshold_in_force_from_its_parameter():
    from knowledge.documents import parse_proposal, read_document
    from knowledge.kb import DEFAULT_KB
    from rules.kbtest import deep_merge

    base = read_document(DEFAULT_KB / "tests" / "base_proposal.yaml")
    few_women = parse_proposal(deep_merge(base, {"musyawarah": {"attendance": {"total": 60, "women": 12}}}))
    finding = next(f for f in default_checker().check(few_women).findings if f.rule_id == "PPM-INK-001")
    assert "ambang 30% diasumsikan" in finding.reference and "{param." not in finding.reference


def test_results_built_for_speed_equal_what_pydantic_constructs(small_checker, make_proposal):
    """`built` skips model_construct's per-field work: the objects must be the same, field for field."""
    from rules.check import Evidence, Finding, LangText, built

    text = {"id": "teks", "en": "text"}
    assert built(LangText, dict(text)) == LangText.model_construct(**text)
    evidence = {"fact": "ppm_total", "observed": 80_000_000, "threshold": 75_000_000}
    assert built(Evidence, dict(evidence)) == Evidence.model_construct(**evidence)
    finding = {"rule_id": "R-1", "severity": "major", "group": "budget", "fields": ["activities"],
               "message": LangText(**text), "suggestion": LangText(**text), "reference": "Perwal",
               "evidence": Evidence(**evidence)}
    fast, slow = built(Finding, dict(finding)), Finding.model_construct(**finding)
    assert fast == slow and fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set
    result = small_checker.check(make_proposal())
    again = CheckResult.model_validate(result.model_dump())  # validated from scratch
    assert result.model_dump_json() == again.model_dump_json() and result.explanation.ruleset
