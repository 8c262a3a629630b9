"""The web pre-check judges a proposal with the published version in force for its cycle."""

from __future__ import annotations

import datetime as dt
import shutil

from knowledge.documents import to_jsonable
from knowledge.versions import SHIPPED_KB
from tests.policy.engine_fixtures import proposal, women_rule_ids
from tests.policy.helpers import add_param_value, record_whatif, set_version
from tests.service.web.helpers import as_form, csrf_of


def post_check(client, data: dict):
    token = csrf_of(client.get("/pra-periksa").text)
    fields = {**as_form(data), "csrf_token": token, "action": "check", "documents": data.get("documents", [])}
    response = client.post("/pra-periksa", data=fields)
    assert response.status_code == 200, response.text[:500]
    return response.text


def test_the_pre_check_page_uses_the_version_in_force_for_the_cycle(client, app, tmp_path):
    store = app.state.services.engines.store
    draft = tmp_path / "draft-raised"
    shutil.copytree(SHIPPED_KB, draft)
    set_version(draft, "2027.1-uji-web")
    add_param_value(draft, "min_women_attendance_share", "2027-01-01", 0.40)
    record_whatif(store, draft, [2025])
    first = store.latest()
    raised = store.publish(draft, effective_from=dt.date(2027, 1, 1), reason="Ambang perempuan 40%", by="Bu Rina",
                           latest_completed_cycle=2025)

    women_rules = women_rule_ids()
    page_2027 = post_check(client, to_jsonable(proposal(24, 2027)))
    page_2026 = post_check(client, to_jsonable(proposal(24, 2026)))
    assert raised.version in page_2027 and any(rule in page_2027 for rule in women_rules)
    assert first.version in page_2026 and raised.version not in page_2026
    assert not any(rule in page_2026 for rule in women_rules)
