"""The programme as it is in December 2026: proposals of every cycle judged by the version of their cycle.

A fresh store holds the shipped history version (2025.2, effective 2018-01-01) and the 2026
programme's version (2026.1, effective 2026-01-01). POST /v1/checks accepts the 2026 cycle and
the 2027 cycle being prepared, judged by 2026.1, and answers, with 2025.2, a 2020 proposal with
the suspension and a 2018 proposal over its infrastructure part with the 2018 split.
"""

from __future__ import annotations

import pytest

from knowledge.documents import to_jsonable
from tests.policy.engine_fixtures import proposal


def check(client, cycle: int, **change) -> dict:
    data = to_jsonable(proposal(27, cycle))
    if "infrastructure" in change:   # the one drainage activity's cement line carries the amount
        data["activities"][0]["budget_lines"][0].update(quantity=40, unit_price=change["infrastructure"] // 40)
    response = client.post("/v1/checks", json=data)
    assert response.status_code == 200, response.text
    return response.json()


def fired(body: dict) -> set[str]:
    return {f["rule_id"] for f in body["findings"]}


@pytest.mark.parametrize("cycle", [2026, 2027])
def test_a_2026_or_2027_proposal_is_accepted_and_judged_by_the_2026_programme(client, app, cycle):
    body = check(client, cycle)
    in_force = app.state.services.engines.registry.version_for_cycle(cycle)
    assert (in_force.version, in_force.effective_from.isoformat()) == ("2026.1", "2026-01-01")
    assert body["cycle"] == cycle and body["knowledge_base"]["version"] == "2026.1"
    assert "PPM-ELG-001" in body["passed"] and body["verdict"] != "ineligible"


def test_a_2020_proposal_gets_the_suspension_as_its_reason(client):
    body = check(client, 2020)
    suspension = next(f for f in body["findings"] if f["rule_id"] == "PPM-ELG-006")
    assert body["knowledge_base"]["version"] == "2025.2"
    assert body["verdict"] == "ineligible" and suspension["severity"] == "blocking"
    assert "dihentikan sementara pada siklus 2020" in suspension["message"]["id"]
    assert "suspended in cycle 2020" in suspension["message"]["en"] and "Covid-19" in suspension["reference"]


def test_a_2018_proposal_with_55_juta_for_infrastructure_gets_the_split_finding(client):
    body = check(client, 2018, infrastructure=55_000_000)
    split = next(f for f in body["findings"] if f["rule_id"] == "PPM-ANG-006")
    assert body["knowledge_base"]["version"] == "2025.2"
    assert "PPM-ANG-001" not in fired(body) and body["verdict"] == "needs_revision"
    assert "Rp 55.000.000 melebihi bagiannya Rp 50.000.000 sebesar Rp 5.000.000" in split["message"]["id"]
    assert "PPM-ANG-006" not in fired(check(client, 2019, infrastructure=55_000_000))   # 2018 only
