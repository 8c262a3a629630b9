"""Helpers of the journey page tests: signed-in browsers per stage, a flawed proposal, a submission, form posts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.web.helpers import csrf_of, make_key, sign_in, valid_proposal


def browser_of(app, key: str) -> TestClient:
    browser = TestClient(app)
    sign_in(browser, key)
    return browser


@pytest.fixture
def people(app, client):
    """Signed-in browsers: the Cibabat facilitator and a reviewer per stage of Cibabat's chain."""
    made = {
        "facilitator": browser_of(app, make_key(app, "facilitator", "Cibabat")),
        "kelurahan": browser_of(app, make_key(app, "reviewer", "Cibabat", scope="kelurahan")),
        "kecamatan": browser_of(app, make_key(app, "reviewer", scope="kecamatan", kecamatan="Cimahi Utara")),
        "dinas": browser_of(app, make_key(app, "reviewer", scope="city")),
        "melong": browser_of(app, make_key(app, "reviewer", "Melong", scope="kelurahan")),
    }
    yield made
    for browser in made.values():
        browser.close()


def flawed() -> dict:
    proposal = valid_proposal()
    proposal["musyawarah"]["attendance"]["women"] = 5
    return proposal


def submitted(app, people, proposal: dict) -> str:
    browser = people["facilitator"]
    key_auth = {"Authorization": f"Bearer {make_key(app, 'facilitator', 'Cibabat')}"}
    response = browser.post("/v1/proposals", json=proposal, headers=key_auth)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def post(browser, url: str, data: dict, **kwargs):
    page = browser.get(url.rsplit("/", 1)[0])
    return browser.post(url, data={"csrf_token": csrf_of(page.text), **data}, follow_redirects=False, **kwargs)
