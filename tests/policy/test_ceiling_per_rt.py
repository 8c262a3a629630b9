"""A ceiling that follows the RW's RT count is a draft of data, not a code change.

The draft changes one derived fact of the shipped knowledge base: from 2027 the ceiling
`pagu_for_rw` is `param.pagu_per_rt * ref.rt_count` (Rp 30 juta per RT, the option weighed
for 2026), publishes it through the whole gate effective 2027-01-01, and checks Rp 140 juta
proposals of RWs with 5 and 4 RTs in the reference data (Cibabat RW 14 and RW 10).
"""

from __future__ import annotations

import datetime as dt
import shutil

import yaml

from knowledge.documents import parse_proposal
from knowledge.reference import load_reference
from knowledge.versions import SHIPPED_KB
from policy.drafts import publish_draft
from policy.store import KBStore
from policy.whatif import simulate
from rules.registry import Registry
from tests.policy.engine_fixtures import shift_years, women_items
from tests.policy.helpers import edit_yaml, set_version

BASE = SHIPPED_KB / "tests" / "base_proposal.yaml"
PER_RT = {dt.date(2018, 1, 1): "param.pagu_per_rw", dt.date(2027, 1, 1): "param.pagu_per_rt * ref.rt_count"}


def rule_test(rw: int, verdict: str, name: str) -> dict:
    """A rule test of the draft: a Rp 140 juta proposal of Cibabat RW `rw` in 2027."""
    dates = {0: {"start": "2027-05-01", "end": "2027-07-31"}, 2: {"start": "2027-06-01", "end": "2027-08-31"},
             1: {"start": "2027-06-01", "end": "2027-09-30", "budget_lines": {0: {"unit_price": 108_800_000}}}}
    return {"name": name, "cycle": 2027,
            "patch": {"cycle": 2027, "region": {"rw": rw}, "submitted_on": "2027-02-14",
                      "musyawarah": {"date": "2027-01-20"}, "activities": dates},
            "expect": {"verdict": verdict, ("not_fires" if verdict == "eligible" else "fires"): ["PPM-ANG-001"]}}


def per_rt_draft(tmp_path):
    """The shipped knowledge base with the 2027 ceiling per RT: one derived fact and two rule tests, all YAML."""
    draft = tmp_path / "draft-per-rt"
    shutil.copytree(SHIPPED_KB, draft)
    set_version(draft, "2027.1")

    def per_rt(facts):
        next(f for f in facts if f["name"] == "pagu_for_rw")["expr"] = PER_RT

    edit_yaml(draft / "facts.yaml", per_rt)
    edit_yaml(draft / "tests" / "effective_dates.yaml", lambda suite: suite["cases"].extend([
        rule_test(14, "eligible", "Pada siklus 2027 RW 14 Cibabat (5 RT) dengan Rp 140.000.000 di bawah pagu 5 x Rp 30 juta"),
        rule_test(10, "ineligible", "Pada siklus 2027 RW 10 Cibabat (4 RT) dengan Rp 140.000.000 melebihi pagu 4 x Rp 30 juta"),
    ]))
    return draft


def proposal_140_juta(cycle: int, rw: int):
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    data = shift_years(data, cycle - data["cycle"])
    data["cycle"] = cycle
    data["region"]["rw"] = rw
    data["activities"][1]["budget_lines"][0]["unit_price"] = 108_800_000   # total Rp 61,2 + 78,8 juta
    return parse_proposal(data)


def ceiling_finding(result):
    return next((f for f in result.result.findings if f.rule_id == "PPM-ANG-001"), None)


def test_a_published_draft_makes_the_2027_ceiling_30_juta_per_rt(tmp_path):
    cibabat = load_reference().find_kelurahan("Cibabat")
    assert (cibabat.rt_count(14), cibabat.rt_count(10)) == (5, 4)
    store = KBStore(tmp_path / "store")
    draft = per_rt_draft(tmp_path)
    latest = store.latest()
    store.save_whatif(simulate(draft, women_items((2025,)), baseline_dir=latest.content_dir,
                               baseline_version=latest.version, cycles=[2025]))
    published = publish_draft(store, draft, effective_from=dt.date(2027, 1, 1), reason="Pagu Rp 30 juta per RT",
                              by="Bu Rina", latest_completed_cycle=2025)
    registry = Registry(store)

    five_rts = registry.check_in_force(proposal_140_juta(2027, rw=14))
    four_rts = registry.check_in_force(proposal_140_juta(2027, rw=10))
    assert five_rts.version.version == four_rts.version.version == published.version
    assert ceiling_finding(five_rts) is None                          # Rp 140 juta within 5 x Rp 30 juta
    over = ceiling_finding(four_rts)                                  # Rp 140 juta over 4 x Rp 30 juta
    assert over is not None and four_rts.result.verdict == "ineligible"
    assert "melebihi pagu Rp 120.000.000 sebesar Rp 20.000.000" in over.message.id
    # 2026 keeps the flat ceiling of Rp 150 juta per RW, with the version in force for 2026.
    assert ceiling_finding(registry.check_in_force(proposal_140_juta(2026, rw=10))) is None
