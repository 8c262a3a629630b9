"""The shipped knowledge base catches every problem seeded into the synthetic (SINTETIS) cycles.

For each seeded problem type, every proposal carrying it must get a finding of the rule group
that `knowledge/data/synthetic/problems.yaml` names, and every clean proposal must come out
`eligible`. The assertion messages report, per problem type, recall (how many carriers were
caught by the right group) and precision: of the proposals with a verdict-changing finding
(blocking or major) in that group, the share that really carry a problem of that group.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from knowledge import DATA_DIR
from knowledge.documents import parse_proposal

pytestmark = pytest.mark.slow   # checks every proposal of eight synthetic cycles (about 2,500)

PROBLEMS_FILE = DATA_DIR / "synthetic" / "problems.yaml"
VERDICT_CHANGING = {"blocking", "major"}


def _problem_groups() -> dict[str, str]:
    data = yaml.safe_load(Path(PROBLEMS_FILE).read_text(encoding="utf-8"))
    return {name: spec["group"] for name, spec in data["problems"].items()}


@lru_cache(maxsize=1)
def _checked():
    """(problems, verdict, {group: severities}) for every synthetic proposal, checked once."""
    from knowledge.synthetic import generate_cycles
    from rules.check import default_checker

    checker = default_checker()
    out = []
    for item in generate_cycles(seed=2018).proposals:
        result = checker.check(parse_proposal(item.proposal, source="synthetic"))
        groups: dict[str, set[str]] = defaultdict(set)
        for finding in result.findings:
            groups[finding.group].add(finding.severity)
        out.append((tuple(item.problems), result.verdict, dict(groups), sorted(f.rule_id for f in result.findings)))
    return out


def test_problem_catalogue_uses_the_knowledge_base_groups():
    from rules.check import default_checker

    groups = {r.group for r in default_checker().kb.rules}
    assert set(_problem_groups().values()) <= groups


def test_every_seeded_problem_is_caught_by_its_group():
    expected = _problem_groups()
    rows = _checked()
    carriers = Counter(p for problems, *_ in rows for p in problems)
    caught: Counter[str] = Counter()
    missed: dict[str, list[list[str]]] = defaultdict(list)
    for problems, _verdict, groups, rule_ids in rows:
        for problem in problems:
            if expected[problem] in groups:
                caught[problem] += 1
            else:
                missed[problem].append(rule_ids)
    # Precision per group: of the proposals with a blocking/major finding of the group, how
    # many carry a seeded problem that belongs to that group.
    flagged: Counter[str] = Counter()
    true_flagged: Counter[str] = Counter()
    for problems, _verdict, groups, _ids in rows:
        own = {expected[p] for p in problems}
        for group, severities in groups.items():
            if severities & VERDICT_CHANGING:
                flagged[group] += 1
                true_flagged[group] += group in own
    report = "\n".join(
        f"{p:32s} group={expected[p]:15s} recall={caught[p]}/{carriers[p]} "
        f"precision({expected[p]})={true_flagged[expected[p]]}/{flagged[expected[p]]}"
        for p in sorted(expected)
    )
    assert set(carriers) == set(expected), f"problem types never seeded: {sorted(set(expected) - set(carriers))}"
    assert not missed, f"seeded problems missed by their group:\n{report}\nexamples: " + str(
        {p: m[:2] for p, m in missed.items()})
    for group in flagged:
        assert true_flagged[group] == flagged[group], f"verdict-changing findings without a seeded cause:\n{report}"


def test_clean_synthetic_proposals_are_eligible():
    rows = _checked()
    clean = [(verdict, ids) for problems, verdict, _groups, ids in rows if not problems]
    assert len(clean) > 100
    not_eligible = [(v, ids) for v, ids in clean if v != "eligible"]
    assert not not_eligible, f"{len(not_eligible)} of {len(clean)} clean proposals not eligible, e.g. {not_eligible[:3]}"


def test_problem_proposals_are_not_eligible():
    # Every seeded problem is verdict-changing in the starter knowledge base (blocking or major).
    rows = _checked()
    eligible = [(problems, ids) for problems, verdict, _g, ids in rows if problems and verdict == "eligible"]
    assert not eligible, f"{len(eligible)} proposals with seeded problems came out eligible, e.g. {eligible[:3]}"


@pytest.mark.parametrize("problem", sorted(_problem_groups()))
def test_problem_type_has_a_verdict_changing_finding_in_its_group(problem):
    expected = _problem_groups()[problem]
    rows = [(groups, ids) for problems, _v, groups, ids in _checked() if problem in problems]
    weak = [ids for groups, ids in rows if not groups.get(expected, set()) & VERDICT_CHANGING]
    assert rows, f"{problem} never seeded"
    assert not weak, f"{problem}: {len(weak)}/{len(rows)} carriers lack a blocking/major {expected} finding, e.g. {weak[:2]}"
