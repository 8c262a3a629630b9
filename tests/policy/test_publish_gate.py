"""The publish gate refuses each bad draft with the exact file, field and reason, and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.errors import Problem
from policy.store import PublishRefused
from tests.policy.helpers import add_param_value, edit_rule, edit_yaml, record_whatif, set_version, snapshot

D = dt.date


def refused(store, draft, *, effective=D(2026, 1, 1), whatif=(2025,), checks=(), reason="Evaluasi 2025"):
    """Publish expecting a refusal; return {path: problem} and check the store did not change."""
    store.versions()
    if whatif is not None:
        record_whatif(store, draft, list(whatif))
    before = snapshot(store.root)
    with pytest.raises(PublishRefused) as info:
        store.publish(draft, effective_from=effective, reason=reason, by="Bu Rina",
                      latest_completed_cycle=2025, checks=checks)
    assert snapshot(store.root) == before, "a refused publish changed the store"
    assert [v.version for v in store.versions()] == ["2025.1"]
    problems = info.value.problems
    assert all(p.id and p.en and p.id != p.en for p in problems), problems
    return {p.path: p for p in problems}


def test_a_clean_draft_with_a_changed_condition_is_published(mini_store, make_draft):
    draft = make_draft()
    edit_rule(draft, "PPM-INK-001", when="women_attendance_share < param.min_women_attendance_share - 0.05")
    record_whatif(mini_store, draft, [2024, 2025])
    pv = mini_store.publish(draft, effective_from=D(2026, 1, 1), reason="r", by="b", latest_completed_cycle=2025)
    assert pv.manifest.seq == 2


@pytest.mark.parametrize("effective", [D(2017, 12, 31), D(2010, 1, 1)])
def test_an_effective_date_before_the_first_published_one_is_refused(mini_store, make_draft, effective):
    got = refused(mini_store, make_draft(), effective=effective)
    assert list(got) == ["effective_from"]
    assert "2025.1 (2018-01-01)" in got["effective_from"].id


def test_a_publish_without_a_whatif_report_is_refused(mini_store, make_draft):
    got = refused(mini_store, make_draft(), whatif=None)
    [path] = got
    assert path.startswith("whatif/") and "simulasi" in got[path].id and "siklus 2025" in got[path].id


def test_a_whatif_report_that_misses_the_latest_completed_cycle_is_refused(mini_store, make_draft):
    got = refused(mini_store, make_draft(), whatif=(2021, 2022))
    [path] = got
    assert path.endswith(": cycles") and "2025" in got[path].id


def test_a_whatif_report_for_other_content_does_not_count(mini_store, make_draft):
    draft = make_draft()
    record_whatif(mini_store, draft, [2025])
    add_param_value(draft, "pagu_per_rw", "2026-01-01", 80000000, status="verified", modelled_on=None)
    got = refused(mini_store, draft, whatif=None)
    assert [p for p in got if p.startswith("whatif/")]


def test_schema_errors_are_refused_with_file_and_field(mini_store, make_draft):
    draft = make_draft()
    edit_rule(draft, "PPM-INK-001", severity="fatal")
    got = refused(mini_store, draft)
    assert "rules/inclusion.yaml: [0].severity" in got


def test_an_unknown_fact_in_a_condition_is_refused(mini_store, make_draft):
    draft = make_draft()
    edit_rule(draft, "PPM-INK-001", when="women_share_typo < param.min_women_attendance_share")
    got = refused(mini_store, draft)
    assert "women_share_typo" in got["rules/inclusion.yaml: PPM-INK-001.when"].id


def test_an_unknown_parameter_is_refused(mini_store, make_draft):
    draft = make_draft()
    edit_rule(draft, "PPM-INK-001", when="women_attendance_share < param.min_women_share")
    got = refused(mini_store, draft)
    assert "min_women_share" in got["rules/inclusion.yaml: PPM-INK-001"].id


@pytest.mark.parametrize("field, value", [
    ("title", {"id": "Aturan lain sama sekali", "en": "A different rule altogether"}),
    ("group", "eligibility"),
])
def test_a_rule_id_reused_for_a_different_rule_is_refused(mini_store, make_draft, field, value):
    draft = make_draft()
    edit_rule(draft, "PPM-INK-001", **{field: value})
    got = refused(mini_store, draft)
    problem = got[f"rules/inclusion.yaml: PPM-INK-001.{field}"]
    assert "sudah diterbitkan" in problem.id and "2025.1" in problem.id


def test_a_parameter_value_without_a_reference_is_refused(mini_store, make_draft):
    draft = make_draft()
    add_param_value(draft, "min_women_attendance_share", "2026-01-01", 0.40, reference="")
    got = refused(mini_store, draft)
    assert "parameters/min_women_attendance_share.yaml: values.2026-01-01.reference" in got


def test_reusing_a_published_version_label_is_refused(mini_store, make_draft):
    got = refused(mini_store, make_draft(version="2025.1"))
    assert "versi '2025.1' sudah diterbitkan" in got["kb.yaml: version"].id


def test_a_failing_engine_check_is_refused_and_named(mini_store, make_draft):
    def failing(draft):
        return [Problem("tests/inklusi.yaml: cases[0]", "uji aturan gagal", "rule test failed")]

    got = refused(mini_store, make_draft(), checks=[failing])
    assert list(got) == ["tests/inklusi.yaml: cases[0]"]


def test_every_problem_is_reported_at_once(mini_store, make_draft):
    draft = make_draft()
    edit_rule(draft, "PPM-INK-001", when="nope < param.nada")
    edit_yaml(draft / "kb.yaml", lambda d: d.update(name="ppm-lain"))
    got = refused(mini_store, draft, effective=D(2017, 1, 1), whatif=None, reason="")
    assert {"kb.yaml: name", "effective_from", "reason", "rules/inclusion.yaml: PPM-INK-001.when",
            "rules/inclusion.yaml: PPM-INK-001"} <= set(got)


def test_a_new_version_label_keeps_the_what_if_report_made_for_the_same_rules_and_values(mini_store, make_draft):
    draft = make_draft(version="2026.1-rancangan")
    edit_rule(draft, "PPM-INK-001", when="women_attendance_share < param.min_women_attendance_share - 0.05")
    record_whatif(mini_store, draft, [2025])
    set_version(draft, "2026.1")  # only the label: metadata, not content
    pv = mini_store.publish(draft, effective_from=D(2026, 1, 1), reason="r", by="b", latest_completed_cycle=2025)
    assert pv.version == "2026.1"


def test_a_changed_value_after_the_what_if_still_needs_a_new_report(mini_store, make_draft):
    draft = make_draft()
    record_whatif(mini_store, draft, [2025])
    add_param_value(draft, "min_women_attendance_share", "2026-01-01", 0.40)
    got = refused(mini_store, draft, whatif=None)
    assert any(path.startswith("whatif/") for path in got)
