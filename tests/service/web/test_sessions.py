"""Server-side sessions and the limit on failed sign-ins, on SQLite and PostgreSQL.

Sign-out revokes the session in the database, so a copy of the cookie taken before it is
refused after it; failed sign-ins are counted in the database per client and per key, so the
limit holds across worker processes.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.web.security import SESSION_COOKIE
from tests.service.web.helpers import csrf_of, make_key, post_sign_in, sign_in


def test_a_cookie_saved_before_sign_out_is_refused_after_it(db_app, web):
    sign_in(web, make_key(db_app, "evaluator"))
    page = web.get("/skor")
    assert page.status_code == 200
    saved_cookie, saved_token = web.cookies[SESSION_COOKIE], csrf_of(page.text)
    web.post("/keluar", data={"csrf_token": saved_token})

    with TestClient(db_app, cookies={SESSION_COOKIE: saved_cookie}) as replay:
        assert replay.get("/skor", follow_redirects=False).status_code == 303
        upload = replay.post("/skor", data={"csrf_token": saved_token},
                             files={"file": ("e.csv", b"cycle,kecamatan,kelurahan,rw\n", "text/csv")},
                             follow_redirects=False)
        assert upload.status_code in (303, 403)


def test_signing_out_one_session_leaves_the_others_of_the_same_key(db_app, web):
    key = make_key(db_app, "evaluator")
    sign_in(web, key)
    with TestClient(db_app) as other:
        sign_in(other, key)
        web.post("/keluar", data={"csrf_token": csrf_of(web.get("/skor").text)})
        assert other.get("/skor", follow_redirects=False).status_code == 200


def test_ten_failed_sign_ins_in_a_row_are_refused_after_the_limit(db_app, web):
    limit = db_app.state.services.settings.signin_max_failures
    answers = [post_sign_in(web, f"bdy_wrong-{n}") for n in range(10)]
    assert [a.status_code for a in answers] == [401] * limit + [429] * (10 - limit)
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) > 0
    assert "Terlalu banyak percobaan masuk" in refused.text and "Too many failed sign-ins" in refused.text
    # The right key from the same client waits as well: the limit is a lockout, not a hint.
    assert post_sign_in(web, make_key(db_app, "evaluator")).status_code == 429


def test_failures_with_one_key_are_counted_across_clients(db_app):
    limit = db_app.state.services.settings.signin_max_failures
    statuses = []
    for n in range(limit + 1):
        with TestClient(db_app, client=(f"10.0.0.{n + 1}", 50000)) as client:
            statuses.append(post_sign_in(client, "bdy_the-same-guess").status_code)
    assert statuses == [401] * limit + [429]


def test_a_successful_sign_in_forgets_the_clients_earlier_mistakes(db_app, web):
    limit = db_app.state.services.settings.signin_max_failures
    for n in range(limit - 1):
        assert post_sign_in(web, f"bdy_typo-{n}").status_code == 401
    assert post_sign_in(web, make_key(db_app, "evaluator")).status_code == 303
    assert post_sign_in(web, "bdy_one-more-typo").status_code == 401
