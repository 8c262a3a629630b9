"""The pre-check form starts at the cycle being prepared and accepts the 2026 and 2027 cycles."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from knowledge.documents import to_jsonable
from knowledge.kb import load_knowledge_base
from service.web.kb_view import cycle_in_preparation
from tests.policy.engine_fixtures import proposal
from tests.service.web.helpers import as_form, csrf_of


def post_check(client, data: dict) -> str:
    token = csrf_of(client.get("/pra-periksa").text)
    fields = {**as_form(data), "csrf_token": token, "action": "check", "documents": data.get("documents", [])}
    response = client.post("/pra-periksa", data=fields)
    assert response.status_code == 200, response.text[:500]
    return response.text


@pytest.mark.parametrize("today, cycle", [
    (dt.date(2026, 12, 2), 2027),    # after the 2026 deadline: staff prepare 2027
    (dt.date(2026, 3, 1), 2026),     # before the deadline (31 March): this year's cycle
    (dt.date(2027, 12, 1), 2027),    # 2028 is not open yet
])
def test_the_cycle_being_prepared_follows_the_deadline_and_the_open_cycles(today, cycle):
    assert cycle_in_preparation(load_knowledge_base(), today) == cycle


def test_a_new_form_starts_at_the_cycle_being_prepared_today(client):
    html = client.get("/pra-periksa").text
    shown = re.search(r'name="cycle"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="cycle"', html)
    expected = cycle_in_preparation(load_knowledge_base(), dt.date.today())
    assert shown is not None and int(shown.group(1) or shown.group(2)) == expected


@pytest.mark.parametrize("cycle", [2026, 2027])
def test_a_2026_or_2027_proposal_passes_the_pre_check_page_under_the_new_programme(client, cycle):
    page = post_check(client, to_jsonable(proposal(27, cycle)))
    assert "Tidak layak" not in page
    assert f"Program siklus {cycle}: Program Pembangunan Sarana dan Prasarana Kelurahan serta Pemberdayaan" in page
    assert "musyawarah dan perencanaan" in page
