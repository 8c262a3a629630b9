"""Every JSON body the API reads: an unparseable one gets a bilingual 422 problem naming the problem, never
FastAPI's English 400 or a 500; a key of the wrong role gets 403 before its body is read."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.permissions import Role, allows
from tests import attack_files as attack
from tests.service.helpers import api_routes, permission_of
from tests.service.web.helpers import build_app, make_key

BODIES = {"unparseable": b"{not json", "deep": attack.deep_json(), "not utf-8": b"\xff\xfe{}",
          "non-standard": b'{"cycle": NaN}'}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    app = build_app(f"sqlite:///{tmp_path_factory.mktemp('bodies') / 'berdaya.sqlite3'}")
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = {role: {"Authorization": f"Bearer {make_key(app, role, 'Cibabat' if role == Role.FACILITATOR else None)}"}
                for role in Role}
        yield app, client, keys


def json_routes(app) -> list[tuple[str, object]]:
    """POST routes of the API that read a body (a replay and a draft made from a version read none),
    with the permission each names."""
    bodiless = ("/replay", "/versions/{version}/drafts")
    return [(route.path, permission_of(route.dependant)) for route in api_routes(app.routes)
            if "POST" in route.methods and route.path.startswith("/v1/") and not route.path.endswith(bodiless)]


def test_every_json_route_refuses_a_bad_body_in_both_languages_and_a_wrong_role_first(api):
    app, client, keys = api
    found = json_routes(app)
    assert {"/v1/proposals", "/v1/scores", "/v1/calibrations", "/v1/checks"} <= {p for p, _ in found}
    for path, permission in found:
        url = path.replace("{name}", "ppm-cimahi").replace("{draft_id}", "0123456789abcdef")
        allowed = [r for r in Role if permission is None or allows(r, permission)]
        refused = [r for r in Role if permission is not None and not allows(r, permission)]
        for label, body in BODIES.items():
            headers = {"Content-Type": "application/json", **keys[allowed[0]]}
            response = client.post(url, content=body, headers=headers)
            assert response.status_code == 422, (path, label, response.status_code, response.text[:200])
            problem = response.json()
            assert response.headers["content-type"].startswith("application/problem+json")
            assert problem["message"]["id"] != problem["message"]["en"] and problem["errors"], (path, label)
            for role in refused:
                wrong = client.post(url, content=body, headers={"Content-Type": "application/json", **keys[role]})
                assert wrong.status_code == 403, (path, label, role, wrong.status_code)
