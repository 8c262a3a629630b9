"""The knowledge-base loader: schemas, values in force, effective dates, content hash, errors."""

import datetime as dt
import shutil

import pytest

from knowledge.dates import cycle_date
from knowledge.errors import InvalidInput
from knowledge.kb import load_knowledge_base
from tests.rules.fixture_facts import SMALL_KB


@pytest.fixture()
def copy(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(SMALL_KB, root)
    return root


def test_loads_every_part():
    kb = load_knowledge_base(SMALL_KB)
    assert (kb.name, kb.version) == ("kb-small", "0.1")
    assert "pagu_per_rw" in kb.parameters and "sarana_prasarana.drainase" in kb.categories
    assert kb.facts["kecamatan"].kind == "text" and len(kb.rules) == 11 and "tests/budget.yaml" in kb.tests
    assert kb.rule_files["PPM-INK-000"] == "rules/inclusion.yaml"


def test_values_in_force_on_the_cycle_date():
    kb = load_knowledge_base(SMALL_KB)
    assert cycle_date(2022) == dt.date(2022, 1, 1)
    assert kb.parameter_value("pagu_per_rw", cycle_date(2020)) == 72500000
    assert kb.parameter_value("pagu_per_rw", cycle_date(2021)) == 75000000
    assert kb.parameter_value("pagu_per_rw", cycle_date(2017)) is None
    assert "pagu_per_rw" not in kb.params_on(cycle_date(2017))


def test_rules_in_force_follow_their_effective_dates():
    kb = load_knowledge_base(SMALL_KB)
    assert "PPM-ELG-002" not in {r.id for r in kb.rules_on(cycle_date(2020))}
    assert "PPM-ELG-002" in {r.id for r in kb.rules_on(cycle_date(2021))}


def test_content_hash_is_stable_and_follows_the_content(copy):
    first = load_knowledge_base(copy).content_hash()
    assert first.startswith("sha256:") and load_knowledge_base(copy).content_hash() == first
    path = copy / "parameters" / "max_mamin_share.yaml"
    path.write_text(path.read_text().replace("value: 0.1", "value: 0.12"))
    assert load_knowledge_base(copy).content_hash() != first


def test_schema_errors_name_the_file_and_field_in_both_languages(copy):
    rules = copy / "rules" / "budget.yaml"
    rules.write_text(rules.read_text().replace("severity: major", "severity: serious", 1))
    with pytest.raises(InvalidInput) as info:
        load_knowledge_base(copy)
    [problem] = info.value.problems
    assert problem.path == "rules/budget.yaml: [1].severity"
    assert problem.id and problem.en


def test_a_value_without_reference_is_an_error(copy):
    path = copy / "parameters" / "pagu_per_rw.yaml"
    path.write_text(path.read_text().replace('reference: "Uji: pagu 2018"', 'reference: ""'))
    with pytest.raises(InvalidInput) as info:
        load_knowledge_base(copy)
    assert [p.path for p in info.value.problems] == ["parameters/pagu_per_rw.yaml: values.2018-01-01.reference"]


def test_an_assumed_value_without_modelled_on_is_an_error(copy):
    path = copy / "parameters" / "max_mamin_share.yaml"
    path.write_text(path.read_text().replace('modelled_on: "Uji: PNPM"', "modelled_on: null"))
    with pytest.raises(InvalidInput) as info:
        load_knowledge_base(copy)
    assert "modelled_on" in info.value.problems[0].path
    assert "modelled on" in info.value.problems[0].en


def test_a_rule_needs_a_severity_or_a_derived_conclusion(copy):
    path = copy / "rules" / "sustainability.yaml"
    path.write_text(path.read_text().replace("  severity: minor\n", ""))
    with pytest.raises(InvalidInput, match="1 problem"):
        load_knowledge_base(copy)


def test_a_fact_named_id_is_refused(copy):
    path = copy / "facts.yaml"
    path.write_text(path.read_text() + '- {name: id, unit: count, kind: number, description: {id: x, en: x}}\n')
    with pytest.raises(InvalidInput) as info:
        load_knowledge_base(copy)
    assert "reserved" in info.value.problems[0].en


def test_lenient_loading_keeps_content_gaps_as_issues(copy):
    path = copy / "parameters" / "pagu_per_rw.yaml"
    path.write_text(path.read_text().replace('reference: "Uji: pagu 2018"', 'reference: ""'))
    kb = load_knowledge_base(copy, strict=False)
    assert [i.kind for i in kb.issues] == ["missing_reference"]


def test_a_directory_without_kb_yaml_is_invalid(tmp_path):
    with pytest.raises(InvalidInput, match="1 problem"):
        load_knowledge_base(tmp_path)
