"""The registry checks each cycle with the version in force; the full gate publishes and refuses; rollback."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from knowledge.documents import parse_proposal
from knowledge.versions import SHIPPED_KB
from policy.drafts import publish_draft
from policy.store import KBStore, PublishRefused
from policy.whatif import simulate
from rules.registry import Registry, loaded_versions
from tests.policy.engine_fixtures import proposal, women_items, women_rule_ids
from tests.policy.helpers import add_param_value, edit_yaml, set_version, snapshot

D = dt.date


def shipped_draft(tmp_path, label):
    draft = tmp_path / f"draft-{label}"
    shutil.copytree(SHIPPED_KB, draft)
    set_version(draft, label)
    return draft


def simulate_and_save(store, draft, cycles):
    latest = store.latest()
    report = simulate(draft, women_items(cycles), baseline_dir=latest.content_dir, baseline_version=latest.version,
                      cycles=cycles)
    store.save_whatif(report)
    return report


def women_fired(result) -> bool:
    return bool({f.rule_id for f in result.result.findings} & women_rule_ids())


def test_publish_then_rollback_restores_the_earlier_behaviour(tmp_path):
    store = KBStore(tmp_path / "store")
    first = store.latest()   # the 2026 programme's version, in force from 2026
    draft = shipped_draft(tmp_path, f"2027.{tmp_path.name[-6:]}")
    add_param_value(draft, "min_women_attendance_share", "2027-01-01", 0.40)
    simulate_and_save(store, draft, (2025,))
    v2 = publish_draft(store, draft, effective_from=D(2027, 1, 1), reason="Ambang perempuan 40%", by="Bu Rina",
                       latest_completed_cycle=2025)
    registry = Registry(store)
    share_375 = {c: parse_proposal(proposal(24, c)) for c in (2026, 2027, 2028)}

    before = registry.check_in_force(share_375[2026])
    assert before.version.version == first.version and not women_fired(before)
    raised = registry.check_in_force(share_375[2027])
    assert raised.version.version == v2.version and women_fired(raised)
    assert raised.audit.version == v2.version and raised.audit.store_hash == v2.content_hash

    v3 = store.rollback(first.version, effective_from=D(2028, 1, 1), reason="Kembali ke 30%", by="Bu Rina")
    rolled = registry.check_in_force(share_375[2028])
    assert rolled.version.version == v3.version and not women_fired(rolled)
    as_first = registry.checker(first).check(share_375[2028]).model_dump(mode="json", exclude={"knowledge_base"})
    as_raised = registry.checker(v2).check(share_375[2028])
    assert rolled.result.model_dump(mode="json", exclude={"knowledge_base"}) == as_first
    assert {f.rule_id for f in as_raised.findings} & women_rule_ids()
    assert women_fired(registry.check_in_force(share_375[2027]))
    assert v3.content_hash in loaded_versions() and v2.content_hash in loaded_versions()


def test_the_registry_refuses_a_tampered_version(tmp_path):
    store = KBStore(tmp_path / "store")
    first = store.version_for_cycle(2022)   # the history version judges the 2022 proposal below
    target = first.content_dir / "kb.yaml"
    target.chmod(0o644)
    target.write_text(target.read_text() + "\n# diubah\n")
    with pytest.raises(Exception) as info:
        Registry(store).check_in_force(parse_proposal(proposal(24, 2022)))
    assert "kb.yaml" in info.value.problems[0].path


def test_a_draft_whose_own_rule_test_fails_is_refused_by_the_engine_gate(tmp_path):
    store = KBStore(tmp_path / "store")
    draft = shipped_draft(tmp_path, f"2027.{tmp_path.name[-6:]}")
    tests = sorted((draft / "tests").glob("*.yaml"))
    target = next(t for t in tests if "cases" in (t.read_text()))

    def break_first_case(data):
        case = data["cases"][0]
        case["expect"]["verdict"] = "ineligible" if case["expect"].get("verdict") != "ineligible" else "eligible"
        return data

    edit_yaml(target, break_first_case)
    simulate_and_save(store, draft, (2025,))
    before = snapshot(store.root)
    with pytest.raises(PublishRefused) as info:
        publish_draft(store, draft, effective_from=D(2027, 1, 1), reason="r", by="b", latest_completed_cycle=2025)
    paths = [p.path for p in info.value.problems]
    assert paths and all(p.startswith(f"tests/{target.name}: ") for p in paths), paths
    assert "expect.verdict" in paths[0]
    assert snapshot(store.root) == before


def test_one_checker_per_published_version_per_process(tmp_path):
    from rules.engine import get_engine

    store = KBStore(tmp_path / "store")
    first = store.version_for_cycle(2022)
    one, two = Registry(store), Registry(KBStore(tmp_path / "store"))
    p = parse_proposal(proposal(24, 2022))
    one.check_in_force(p)
    registered = set(get_engine().registered)
    assert two.checker(first) is one.checker(first)
    two.check_in_force(p)
    one.check_in_force(parse_proposal(proposal(30, 2022)))
    assert set(get_engine().registered) == registered
    assert first.content_hash in loaded_versions()


def test_a_draft_that_does_not_lint_clean_is_refused(tmp_path):
    store = KBStore(tmp_path / "store")
    draft = shipped_draft(tmp_path, f"2027.lint-{tmp_path.name[-6:]}")
    rules_file = draft / "rules" / "inclusion.yaml"
    existing = {r["id"] for f in (draft / "rules").glob("*.yaml") for r in (yaml.safe_load(f.read_text()) or [])}
    new_id = next(f"PPM-INK-{n:03d}" for n in range(900, 1000) if f"PPM-INK-{n:03d}" not in existing)

    def add_rule(rules):
        template = next(r for r in rules if r.get("severity"))
        rules.append({**template, "id": new_id, "title": {"id": "Aturan baru tanpa uji", "en": "A new untested rule"}})

    edit_yaml(rules_file, add_rule)
    simulate_and_save(store, draft, (2025,))
    before = snapshot(store.root)
    with pytest.raises(PublishRefused) as info:
        publish_draft(store, draft, effective_from=D(2027, 1, 1), reason="r", by="b", latest_completed_cycle=2025)
    problem = next(p for p in info.value.problems if new_id in p.path)
    assert problem.path == f"rules/inclusion.yaml: {new_id}" and "[untested_rule]" in problem.id
    assert snapshot(store.root) == before
