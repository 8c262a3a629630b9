"""Property: for random proposals, applying any patch the repair search returns and checking again
gives exactly the check result the patch claims (and clears exactly the findings it says).

Proposals are the knowledge base's base proposal (hand-written, not real data) with random
problems drawn in: wages and other lines moved to PPM money, prices and food raised past the
ceiling and the cap, written amounts and totals wrong, dates outside the cycle, no women.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

import jsonpatch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.documents import parse_proposal, read_document, to_jsonable
from knowledge.kb import DEFAULT_KB
from knowledge.kb_schema import PATCHABLE_PATHS
from rules.check import default_checker
from rules.repair import search_repairs

BASE = to_jsonable(read_document(DEFAULT_KB / "tests" / "base_proposal.yaml"))
LINES = [(a, n) for a, act in enumerate(BASE["activities"]) for n in range(len(act["budget_lines"]))]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The allow-list as JSON pointers: /activities/0/budget_lines/3/source, ...
PATCHABLE = re.compile("^(" + "|".join(
    "/" + re.escape(p).replace(r"\[\*\]", "/[0-9]+").replace(r"\.", "/") for p in PATCHABLE_PATHS) + ")$")


@st.composite
def proposals(draw: st.DrawFn) -> dict:
    data = copy.deepcopy(BASE)
    lines = [data["activities"][a]["budget_lines"][n] for a, n in LINES]
    for i in draw(st.lists(st.sampled_from(range(len(LINES))), max_size=3, unique=True)):
        lines[i]["source"] = "ppm"   # swadaya labour and tools paid from PPM money
    for i in draw(st.lists(st.sampled_from(range(len(LINES))), max_size=2, unique=True)):
        lines[i]["unit_price"] = int(lines[i]["unit_price"] * draw(st.sampled_from([1.5, 2, 3, 4])))
    if draw(st.booleans()):
        lines[5]["quantity"] = draw(st.integers(100, 600))   # food and drink of A1
    if draw(st.booleans()):
        for line in lines:
            line["amount"] = round(line["quantity"] * line["unit_price"])
    for i in draw(st.lists(st.sampled_from(range(len(LINES))), max_size=2, unique=True)):
        lines[i]["amount"] = draw(st.integers(0, 40_000_000))
    total = sum(round(bl["quantity"] * bl["unit_price"]) for bl in lines if bl["source"] == "ppm")
    requested = draw(st.sampled_from(["none", "right", "wrong"]))
    if requested != "none":
        data["requested_total"] = total if requested == "right" else total + draw(st.integers(1, 5_000_000))
    if draw(st.booleans()):
        act = data["activities"][draw(st.integers(0, 2))]
        start = dt.date(2022, 1, 1) + dt.timedelta(days=draw(st.integers(-30, 360)))
        act["start"], act["end"] = start.isoformat(), (start + dt.timedelta(days=draw(st.integers(0, 200)))).isoformat()
    if draw(st.booleans()):
        data["activities"][1]["stated_total"] = draw(st.integers(0, 50_000_000))
    if draw(st.booleans()):
        data["musyawarah"]["attendance"]["women"] = 0
    return data


@SETTINGS
@given(data=proposals())
def test_every_returned_patch_gives_exactly_the_check_result_it_claims(data):
    checker = default_checker()
    base = checker.check(parse_proposal(data))
    found = search_repairs(checker, parse_proposal(data), base)
    for patch in [*found.patches, *([found.combined] if found.combined else [])]:
        assert all(PATCHABLE.match(op["path"]) for op in patch.patch), patch.patch
        after = checker.check(parse_proposal(jsonpatch.apply_patch(data, patch.patch)))
        assert after.model_dump(mode="json") == patch.result.model_dump(mode="json")
        assert [c.rule_id for c in patch.clears] == [f.rule_id for f in base.findings if f.rule_id not in after.fired]
        assert patch.fields_changed == len(patch.changes) == sum(op["op"] != "test" for op in patch.patch)
    end = found.combined.result if found.combined else base
    assert [a.rule_id for a in found.actions] == end.fired and found.verdict_after == end.verdict
