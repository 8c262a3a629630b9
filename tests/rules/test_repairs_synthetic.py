"""Repairs on the synthetic (SINTETIS) cycles, each proposal checked by the version in force for its cycle.

Every seeded problem that is a matter of the proposal's own data (wages from PPM money, over the
ceiling, food and drink over the cap, arithmetic slips, dates outside the cycle) is repaired: the
combined patch, applied to the proposal as generated and checked again, makes it eligible. The
others (no women, no poor residents, missing documents, ...) need the RW: the answer is actions,
never a patch.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import jsonpatch
import pytest

from knowledge.documents import parse_proposal
from knowledge.synthetic import generate_cycles
from policy.store import KBStore
from rules.registry import Registry
from rules.repair import search_repairs

pytestmark = pytest.mark.slow   # a repair search on each of the ~770 problem proposals of eight cycles

REPAIRABLE_BY_DATA = {"wages_from_ppm", "over_ceiling", "mamin_over_cap", "arithmetic_slip", "dates_outside_cycle"}


@lru_cache(maxsize=1)
def _searched(store_root: str):
    """(problems, proposal as generated, repair result, registry) for every problem proposal."""
    registry = Registry(KBStore(store_root))
    out = []
    for item in generate_cycles(seed=2018).proposals:
        if not item.problems:
            continue
        proposal = parse_proposal(item.proposal, source="synthetic")
        done = registry.check_in_force(proposal)
        found = search_repairs(registry.checker(done.version), proposal, done.result)
        out.append((set(item.problems), item.proposal, found))
    return registry, out


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    return _searched(str(tmp_path_factory.mktemp("store")))


def test_every_proposal_with_only_data_problems_is_eligible_after_its_combined_patch(searched):
    registry, rows = searched
    seen: Counter[str] = Counter()
    not_eligible = []
    for problems, data, found in rows:
        if not problems <= REPAIRABLE_BY_DATA:
            continue
        seen.update(problems)
        assert found.combined is not None, (problems, [a.rule_id for a in found.actions])
        patched = parse_proposal(jsonpatch.apply_patch(data, found.combined.patch))
        verdict = registry.check_in_force(patched).result.verdict
        if verdict != "eligible":
            not_eligible.append((sorted(problems), data["cycle"], verdict))
    assert set(seen) == REPAIRABLE_BY_DATA and min(seen.values()) >= 20, seen
    assert not_eligible == []


def test_problems_only_the_rw_can_fix_get_actions_and_no_patch(searched):
    _, rows = searched
    only_rw = [(p, f) for p, _, f in rows if not p & REPAIRABLE_BY_DATA]
    assert {p for problems, _ in only_rw for p in problems} >= {
        "no_women_in_musyawarah", "no_poor_in_musyawarah", "missing_documents"}
    for problems, found in only_rw:
        assert found.patches == [] and found.combined is None, problems
        serious = [a for a in found.actions if a.severity in ("blocking", "major")]
        assert serious and all(a.kind == "action" for a in serious), (problems, [(a.rule_id, a.kind) for a in serious])


def test_with_both_kinds_the_data_problems_are_patched_and_actions_remain_for_the_rest(searched):
    _, rows = searched
    mixed = [(p, f) for p, _, f in rows if p & REPAIRABLE_BY_DATA and not p <= REPAIRABLE_BY_DATA]
    assert len(mixed) > 50
    for problems, found in mixed:
        assert found.combined is not None, problems
        left = [a for a in found.actions if a.severity in ("blocking", "major")]
        assert left and all(a.kind == "action" for a in left), (problems, [(a.rule_id, a.kind) for a in left])
