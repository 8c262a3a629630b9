"""Compilation to the engine's normal form: parameters per cycle, fact-on-the-left comparisons,
exclusive branches, conclusions, and the errors policy staff see."""

import pytest

from knowledge.kb import load_knowledge_base
from rules.compiler import _isolate, compile_version
from rules.condition import Arith, ConditionError, Name, Num, parse_condition
from rules.engine import to_durable
from rules.ir import Cmp, Conclusion, Const, IAnd, IOr, exclusive, negate
from tests.rules.fixture_facts import SMALL_KB


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(SMALL_KB)


def _unit(compiled, key):
    return next(u for u in compiled.units if u.key == key)


def test_parameters_are_resolved_to_the_value_in_force_for_the_cycle(kb):
    assert _unit(compile_version(kb, 2020), "PPM-ANG-001").cond == Cmp(">", "ppm_total", Num(72500000))
    assert _unit(compile_version(kb, 2021), "PPM-ANG-001").cond == Cmp(">", "ppm_total", Num(75000000))


def test_the_parameters_used_are_recorded_with_their_reference(kb):
    used = compile_version(kb, 2022).params_used["PPM-ANG-001"]["pagu_per_rw"]
    assert (used.value, used.since.isoformat(), used.reference) == (75000000, "2021-01-01", "Uji: pagu 2021")


def test_a_cycle_before_the_first_value_is_a_clear_bilingual_error(kb):
    with pytest.raises(ConditionError) as info:
        compile_version(kb, 2017)
    assert info.value.message_en == ("rules.PPM-ANG-001: no value of pagu_per_rw in force on 2017-01-01 "
                                     "(first 2018-01-01)")
    assert "tidak ada nilai pagu_per_rw yang berlaku pada 2017-01-01" in info.value.message_id


def test_rules_outside_their_effective_dates_are_left_out(kb):
    assert "PPM-ELG-002" not in {r.id for r in compile_version(kb, 2020).rules}
    assert "PPM-ELG-002" in {r.id for r in compile_version(kb, 2021).rules}


def test_the_ruleset_name_is_versioned_and_stable(kb):
    a, b = compile_version(kb, 2022), compile_version(kb, 2022)
    assert a.name == b.name and a.name.startswith("kb_small__0_1__c2022__") and len(a.name.split("__")[-1]) == 8
    assert compile_version(kb, 2020).name != a.name


def test_only_the_facts_the_rules_use_go_to_the_engine(kb):
    used = set(compile_version(kb, 2022).facts_used)
    assert "ppm_excess" not in used  # used only in a message template
    assert {"ppm_total", "women_attendance_share", "kecamatan"} <= used


@pytest.mark.parametrize("text, expected", [
    ("a > 3", Cmp(">", "a", Num(3))),
    ("3 > a", Cmp("<", "a", Num(3))),
    ("a + 2 > b", Cmp("<", "b", Arith("+", Name("a"), Num(2)))),
    ("a + 2 > b + c", Cmp(">", "a", Arith("-", Arith("+", Name("b"), Name("c")), Num(2)))),
    ("2 * a < b", Cmp(">", "b", Arith("*", Num(2), Name("a")))),
    ("a - b >= 0", Cmp(">=", "a", Name("b"))),
    ("1 < 2", Const(True)),
])
def test_comparisons_are_rewritten_with_a_fact_alone_on_the_left(text, expected):
    node = parse_condition(text)
    assert _isolate(node.op, node.left, node.right) == expected


def test_a_comparison_without_a_fact_standing_alone_is_refused():
    node = parse_condition("a * b > c * d")
    with pytest.raises(ConditionError, match="standing alone"):
        _isolate(node.op, node.left, node.right)


def test_negation_flips_comparisons_and_applies_de_morgan():
    a, b = Cmp("<", "x", Num(1)), Cmp("==", "y", Num(2))
    assert negate(IAnd((a, b))) == IOr((Cmp(">=", "x", Num(1)), Cmp("!=", "y", Num(2))))


def test_or_branches_are_made_exclusive():
    a, b = Cmp("<", "x", Num(1)), Cmp(">", "y", Num(2))
    assert exclusive(IOr((a, b))) == IOr((a, IAnd((Cmp(">=", "x", Num(1)), b))))


def test_derived_conclusions_compile_only_the_polarities_used(kb):
    compiled = compile_version(kb, 2022)
    consumer = _unit(compiled, "PPM-INK-001#0")
    assert consumer.needs == frozenset({Conclusion("musyawarah_inklusif", False)}) and consumer.cond is None
    concludes = {u.concludes for u in compiled.units if u.concludes}
    assert concludes == {Conclusion("musyawarah_inklusif", True), Conclusion("musyawarah_inklusif", False)}  # both


def test_durable_json_joins_the_proposal_fact_with_conclusion_facts(kb):
    unit = _unit(compile_version(kb, 2022), "PPM-INK-002#0")
    assert to_durable(unit) == [
        {"m": {"$and": [{"t__": "p"}, {"maintenance_plan_missing": 1}]}},
        {"c0": {"$and": [{"t__": "c"}, {"n__": "musyawarah_inklusif+"}]}},
    ]


def _kb_with(tmp_path, rules_yaml: str, extra_params: dict | None = None):
    import shutil
    root = tmp_path / "kb"
    shutil.copytree(SMALL_KB, root)
    for f in (root / "rules").glob("*.yaml"):
        f.unlink()
    (root / "rules" / "x.yaml").write_text(rules_yaml, encoding="utf-8")
    for name, text in (extra_params or {}).items():
        (root / "parameters" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return load_knowledge_base(root, strict=False)


RULE = """
- id: PPM-ANG-0{n}
  title: {{id: t, en: t}}
  group: budget
  severity: minor
  when: "{when}"
  message: {{id: m, en: m}}
  suggestion: {{id: s, en: s}}
  reference: r
"""


@pytest.mark.parametrize("when, message", [
    ("ppm_total / swadaya_total > 2", "division only by a non-zero constant"),
    ("ppm_total / 0 > 2", "division only by a non-zero constant"),
    ("no_such_fact > 1", "unknown fact or conclusion 'no_such_fact'"),
    ("ppm_total > param.no_such_param", "unknown parameter 'no_such_param'"),
    ("kecamatan > 3", "comparing text with number"),
    ("ppm_total", "not a yes/no fact"),
    ("ppm_total > param.word_list", "is not a number"),
])
def test_compile_errors_name_the_rule_and_the_problem(tmp_path, when, message):
    word_list = ("description: {id: d, en: d}\nunit: list\nvalues:\n  2018-01-01: {value: [a, b], "
                 "reference: r, status: verified}\n")
    kb = _kb_with(tmp_path, RULE.format(n=11, when=when), {"word_list": word_list})
    with pytest.raises(ConditionError, match=message) as info:
        compile_version(kb, 2022)
    assert "rules.PPM-ANG-011" in info.value.message_en


def test_a_constant_divisor_is_sent_as_floating_point(tmp_path):
    kb = _kb_with(tmp_path, RULE.format(n=12, when="ppm_total > swadaya_total / 2"))
    unit = _unit(compile_version(kb, 2022), "PPM-ANG-012")
    assert unit.cond == Cmp(">", "ppm_total", Arith("/", Name("swadaya_total"), Num(2.0)))


def test_conclusions_that_depend_on_each_other_in_a_cycle_are_refused(tmp_path):
    rules = """
- {id: PPM-INK-001, derive: aa, title: {id: t, en: t}, group: inclusion, when: "bb and ppm_total > 1"}
- {id: PPM-INK-002, derive: bb, title: {id: t, en: t}, group: inclusion, when: "aa"}
"""
    kb = _kb_with(tmp_path, rules)
    with pytest.raises(ConditionError, match="cycle: aa -> bb -> aa"):
        compile_version(kb, 2022)


def test_the_shipped_rules_compile_for_every_cycle_without_risky_operators():
    # Negation across facts depends on assertion order, $nex alone loops, $iall on [] never
    # fires: the compiled rules use none of them (conclusions are positive tokens instead).
    import json

    from rules.engine import to_durable
    kb = load_knowledge_base()
    for cycle in range(2018, 2026):
        compiled = compile_version(kb, cycle)
        text = json.dumps([to_durable(u) for u in compiled.units])
        assert not any(op in text for op in ('"$not"', "$not", '"$nex"', '"$iall"', '"$iany"'))
        assert len({u.key for u in compiled.units}) == len(compiled.units)
