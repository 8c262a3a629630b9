"""The diff lists exactly the changes made to a draft, for people (text) and machines (JSON)."""

from __future__ import annotations

import json

from policy.diff import diff_kb, is_empty, render_text
from tests.policy.helpers import MINI_KB, add_param_value, edit_rule, edit_yaml, load_yaml


def made_changes(make_draft):
    draft = make_draft(version="2026.1")
    add_param_value(draft, "min_women_attendance_share", "2026-01-01", 0.40)
    edit_rule(draft, "PPM-ANG-001", severity="major")
    new_rule = dict(load_yaml(draft / "rules" / "inclusion.yaml")[0], id="PPM-INK-002",
                    title={"id": "Perempuan berbicara", "en": "Women speak"})
    edit_yaml(draft / "rules" / "inclusion.yaml", lambda rules: rules.append(new_rule))
    edit_yaml(draft / "categories.yaml", lambda cats: [c for c in cats if c["id"] != "pemberdayaan.pelatihan"])
    return draft


def test_the_diff_lists_exactly_the_changes_made(make_draft):
    diff = diff_kb(MINI_KB, made_changes(make_draft))
    assert diff["kb"] == [{"field": "version", "before": "2025.1", "after": "2026.1"}]
    assert [r["id"] for r in diff["rules"]["added"]] == ["PPM-INK-002"]
    assert diff["rules"]["removed"] == []
    assert diff["rules"]["changed"] == [{"id": "PPM-ANG-001", "file": "rules/budget.yaml",
                                         "title": load_yaml(MINI_KB / "rules/budget.yaml")[0]["title"],
                                         "changes": [{"field": "severity", "before": "blocking", "after": "major"}]}]
    [param] = diff["parameters"]["changed"]
    assert param["name"] == "min_women_attendance_share" and param["changes"] == []
    assert [(v["date"], v["change"], v["before"], v["after"]) for v in param["values"]] == \
        [("2026-01-01", "added", None, 0.40)]
    assert param["in_force"] == [{"from": "2026-01-01", "until": None, "before": 0.30, "after": 0.40}]
    assert diff["parameters"]["added"] == diff["parameters"]["removed"] == []
    assert [c["id"] for c in diff["categories"]["removed"]] == ["pemberdayaan.pelatihan"]
    assert diff["categories"]["added"] == diff["categories"]["changed"] == []
    assert not any(diff["facts"].values()) and not any(diff["tests"].values())
    json.dumps(diff)


def test_a_changed_value_shows_the_periods_whose_value_in_force_differs(make_draft):
    draft = make_draft()
    edit_yaml(draft / "parameters" / "pagu_per_rw.yaml",
              lambda d: d["values"][next(k for k in d["values"] if str(k) == "2021-01-01")].update(value=80000000))
    [param] = diff_kb(MINI_KB, draft)["parameters"]["changed"]
    assert [(v["date"], v["change"], v["before"], v["after"]) for v in param["values"]] == \
        [("2021-01-01", "changed", 75000000, 80000000)]
    assert param["in_force"] == [{"from": "2021-01-01", "until": None, "before": 75000000, "after": 80000000}]


def test_the_text_is_bahasa_indonesia_first_and_names_every_change(make_draft):
    text = render_text(diff_kb(MINI_KB, made_changes(make_draft)))
    first = text.splitlines()[0]
    assert first.startswith("Perbedaan basis pengetahuan 2025.1 → 2026.1 / Knowledge-base differences")
    assert "+ PPM-INK-002" in text
    assert "~ PPM-ANG-001" in text and "tingkat: 'blocking' → 'major'" in text
    assert "1 Januari 2026: nilai baru / new value: — → 0.4" in text
    assert "- pemberdayaan.pelatihan" in text
    english = render_text(diff_kb(MINI_KB, made_changes(make_draft)), "en")
    assert "severity: 'blocking' → 'major'" in english and "2026-01-01: new value / nilai baru" in english


def test_identical_content_has_an_empty_diff(make_draft):
    draft = make_draft(version="2025.1")
    diff = diff_kb(MINI_KB, draft)
    assert is_empty(diff)
    assert "tidak ada perubahan / no changes" in render_text(diff)
