"""Many parallel pre-checks of different proposals each get exactly their own result."""

import copy
import json
from concurrent.futures import ThreadPoolExecutor

from tests.service.helpers import checked_in_force, with_region


def variants(base: dict, n: int) -> list[dict]:
    out = []
    for i in range(n):
        p = with_region(base, "Cibabat", "Cimahi Utara", i % 27 + 1)
        att = p["musyawarah"]["attendance"]
        att["women"] = (i * 3) % 30
        att["poor"] = i % 10
        line = p["activities"][0]["budget_lines"][0]
        line["quantity"] = 10 + i * 37
        if i % 3 == 0:
            line["kind"] = "upah"
        if i % 4 == 1:
            p["documents"] = p["documents"][: i % 5]
        p["cycle"] = 2021 + i % 2
        for act in p["activities"]:
            act["start"] = act["start"].replace("2022", str(p["cycle"]))
            act["end"] = act["end"].replace("2022", str(p["cycle"]))
        p["title"] = f"Proposal {i}"
        out.append(copy.deepcopy(p))
    return out


def test_parallel_checks_each_get_their_own_result(client, app, base_proposal):
    proposals = variants(base_proposal, 48)
    expected = [checked_in_force(app, p)[0] for p in proposals]
    assert len({json.dumps(e, sort_keys=True) for e in expected}) > 10, "the variants must differ in their results"

    def post(i):
        return i, client.post("/v1/checks", json=proposals[i]).json()

    with ThreadPoolExecutor(16) as pool:
        results = dict(pool.map(post, range(48)))
    assert len(results) == 48
    for i, body in results.items():
        assert body == expected[i], f"proposal {i} got another result"
