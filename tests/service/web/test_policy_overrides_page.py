"""The policy page of the rules overridden most often per cycle: linked from the policy page, the rules
named in words (the use case of GET /v1/policy/overrides), for policy staff only."""

from __future__ import annotations

import re

from tests.service.web.helpers import make_key, sign_in
from tests.service.web.journey_helpers import flawed, post, submitted
from tests.words import codes_in, visible_text


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def excepted(app, people, rw: int, how_many: int) -> list[str]:
    proposal = flawed()
    proposal["region"]["rw"] = rw
    pid = submitted(app, people, proposal)
    rules = re.findall(r'name="rule_id" value="([^"]+)"', people["kelurahan"].get(f"/proposal/{pid}").text)
    for rule in rules[:how_many]:
        assert post(people["kelurahan"], f"/proposal/{pid}/pengecualian",
                    {"rule_id": rule, "reason": "Dibenarkan oleh peninjau"}).status_code == 303
    return rules[:how_many]


def test_the_most_overridden_rules_per_cycle_are_listed_in_words(app, client, people):
    first, second = excepted(app, people, 1, 2)
    excepted(app, people, 2, 1)
    sign_in(client, make_key(app, "policy"))
    assert 'href="/kebijakan/pengecualian"' in client.get("/kebijakan").text
    page = client.get("/kebijakan/pengecualian")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-rule="([^"]+)">', page.text)
    assert rows == [first, second]                         # the most overridden first
    text = text_of(page.text)
    cycle = re.search(r"Siklus (\d{4})", text).group(1)
    report = client.get(f"/v1/policy/overrides?cycle={cycle}",
                        headers={"Authorization": f"Bearer {make_key(app, 'policy')}"}).json()["items"]
    for item in report:
        assert f"{item['title']['id']} {item['rule_id']}" in text  # its title in words beside its id
    assert "2 kali" in text and "1 kali" in text
    assert [(t, c) for t in visible_text(page.text) if (c := codes_in(t))] == []


def test_only_policy_staff_read_it_and_an_empty_list_says_so(app, client):
    sign_in(client, make_key(app, "evaluator"))
    assert client.get("/kebijakan/pengecualian").status_code == 403
    client.cookies.clear()
    sign_in(client, make_key(app, "policy"))
    page = client.get("/kebijakan/pengecualian")
    assert page.status_code == 200 and "Belum ada pengecualian yang diterima peninjau." in page.text
