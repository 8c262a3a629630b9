"""The one permission table, held route by route: every endpoint and page, every role.

Each route either names a permission in its signature or is on the short public list; then
every role is tried on every protected route: a role the table allows gets past the check
(whatever the missing data then gives, never 401/403 or the sign-in page), any other role is
refused: 403 problem+json from the API, the 403 page from the pages.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.permissions import PERMISSIONS, Permission, Role, allows, first_role
from tests.service.helpers import routes
from tests.service.web.helpers import build_app, csrf_of, make_key, sign_in

PUBLIC = {
    ("GET", "/healthz"), ("GET", "/readyz"), ("POST", "/v1/checks"),
    ("GET", "/"), ("GET", "/masuk"), ("POST", "/masuk"), ("POST", "/keluar"), ("GET", "/static/{name}"),
    ("GET", "/pra-periksa"), ("POST", "/pra-periksa"), ("POST", "/pra-periksa/unggah"),
    ("GET", "/pra-periksa/templat.xlsx"), ("POST", "/pra-periksa/cetak"), ("POST", "/pra-periksa/cetak.pdf"),
    # A one-time sign-in link is its own credential: the page asks, its button signs in.
    ("GET", "/masuk/tautan/{token}"), ("POST", "/masuk/tautan/{token}"),
}


def is_page(path: str) -> bool:
    return not path.startswith("/v1/")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = build_app(f"sqlite:///{tmp_path_factory.mktemp('permissions') / 'berdaya.sqlite3'}")
    with TestClient(app) as anonymous:
        keys = {role: make_key(app, role, "Cibabat" if role == Role.FACILITATOR else None) for role in Role}
        browsers = {}
        for role, key in keys.items():
            browser = TestClient(app)
            sign_in(browser, key)
            browsers[role] = (browser, csrf_of(browser.get("/pra-periksa").text))
        yield {"app": app, "anonymous": anonymous, "keys": keys, "browsers": browsers}
        for browser, _ in browsers.values():
            browser.close()


def test_every_permission_names_the_roles_that_may_and_a_role_that_is_named_in_refusals():
    assert set(PERMISSIONS) == set(Permission)
    for permission, roles in PERMISSIONS.items():
        assert roles and roles <= set(Role)
        assert first_role(permission) in roles
        assert not allows("no-such-role", permission)


def test_every_route_is_public_or_names_its_permission(world):
    found = routes(world["app"])
    unprotected = {(m, p) for m, p, perm in found if perm is None}
    assert unprotected == PUBLIC
    assert not {(m, p) for m, p, perm in found if perm is not None} & PUBLIC


def test_every_permission_guards_some_route(world):
    assert {perm for _, _, perm in routes(world["app"]) if perm is not None} == set(Permission)


def _request(world, role, method: str, path: str):
    url = path.replace("{name}", "ppm-cimahi").replace("{", "").replace("}", "")  # "x"-like ids: missing data
    if is_page(path):
        browser, csrf = world["browsers"][role] if role else (world["anonymous"], "")
        data = {"csrf_token": csrf} if method == "POST" else None
        return browser.request(method, url, data=data, follow_redirects=False)
    headers = {"Authorization": f"Bearer {world['keys'][role]}"} if role else {}
    body = {"json": {}} if method == "POST" else {}
    return world["anonymous"].request(method, url, headers=headers, **body)


def test_each_role_gets_past_exactly_the_routes_its_permissions_allow(world):
    checked = 0
    for method, path, permission in routes(world["app"]):
        if permission is None:
            continue
        anonymous = _request(world, None, method, path)
        if is_page(path):
            assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/masuk"), path
        else:
            assert anonymous.status_code == 401, (method, path)
        for role in Role:
            response = _request(world, role, method, path)
            if allows(role, permission):
                assert response.status_code not in (401, 403), (method, path, role, response.text[:300])
                assert not response.headers.get("location", "").startswith("/masuk"), (method, path, role)
            else:
                assert response.status_code == 403, (method, path, role, response.text[:300])
                if is_page(path):
                    assert "Akses ditolak" in response.text and "Access refused" in response.text
                else:
                    assert response.headers["content-type"].startswith("application/problem+json")
            checked += 1
    assert checked == len(Role) * sum(1 for *_, p in routes(world["app"]) if p is not None)
