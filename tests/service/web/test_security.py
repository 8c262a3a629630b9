"""Sessions, CSRF, sign-in and roles of the web pages (TestClient against the real app)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from service import repository
from service.apikeys import hash_key
from service.models import ApiKey
from service.web.security import SESSION_COOKIE, safe_next, signing_secret
from tests.service.web.helpers import csrf_of, sign_in

SAMPLE_FORM = {"cycle": "2022", "title": "Uji"}


def _set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]


def test_session_cookie_is_httponly_samesite_lax_and_signed(client):
    response = client.get("/")
    [cookie] = _set_cookie_headers(response, SESSION_COOKIE)
    flags = [f.strip().lower() for f in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags                      # plain http on loopback
    value = cookie.split(";")[0].split("=", 1)[1]
    valid, payload = URLSafeTimedSerializer(signing_secret(), salt="berdaya-web-session").loads_unsafe(value)
    assert valid and set(payload) == {"csrf"}          # signed; an anonymous session holds only its CSRF token


def test_session_cookie_is_secure_over_https(app):
    with TestClient(app, base_url="https://testserver") as c:
        [cookie] = _set_cookie_headers(c.get("/"), SESSION_COOKIE)
    assert "secure" in [f.strip().lower() for f in cookie.split(";")]


def test_a_form_without_the_csrf_token_is_refused(client):
    client.get("/pra-periksa")
    response = client.post("/pra-periksa", data=SAMPLE_FORM)
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.text and "Form expired" in response.text


def test_a_form_with_another_sessions_token_is_refused(app):
    with TestClient(app) as alice, TestClient(app) as mallory:
        token = csrf_of(mallory.get("/pra-periksa").text)
        alice.get("/pra-periksa")
        response = alice.post("/pra-periksa", data={**SAMPLE_FORM, "csrf_token": token})
    assert response.status_code == 403


def test_a_tampered_session_cookie_is_not_trusted(client, keys):
    sign_in(client, keys["evaluator"])
    assert client.get("/skor").status_code == 200
    raw = client.cookies.get(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, raw[:-4] + ("AAAA" if raw[-4:] != "AAAA" else "BBBB"))
    response = client.get("/skor", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/masuk")


def test_uploads_need_the_csrf_token_too(client, keys):
    client.get("/pra-periksa")
    files = {"file": ("p.json", b"{}", "application/json")}
    assert client.post("/pra-periksa/unggah", files=files).status_code == 403
    sign_in(client, keys["evaluator"])
    assert client.post("/skor", files={"file": ("r.csv", b"cycle\n2022\n", "text/csv")}).status_code == 403


def test_sign_in_with_an_unknown_key_is_refused_and_the_key_never_reaches_the_cookie(client, keys):
    page = client.get("/masuk")
    bad = client.post("/masuk", data={"csrf_token": csrf_of(page.text), "api_key": "bdy_not-a-key", "next": "/"})
    assert bad.status_code == 401 and "Kunci tidak dikenal" in bad.text
    sign_in(client, keys["evaluator"])
    raw = client.cookies.get(SESSION_COOKIE)
    valid, payload = URLSafeTimedSerializer("unused", salt="berdaya-web-session").loads_unsafe(raw)
    assert not valid                                   # signed with the server's secret, not this one
    # Only a random session id: not the key, not its hash (the database knows whose session it is).
    assert set(payload) == {"csrf", "sid"} and keys["evaluator"] not in str(payload)
    assert hash_key(keys["evaluator"]) not in str(payload)


def test_pages_need_their_role(client, keys):
    response = client.get("/kebijakan", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/masuk?next=/kebijakan"
    sign_in(client, keys["evaluator"])
    refused = client.get("/kebijakan")
    assert refused.status_code == 403
    assert "Akses ditolak" in refused.text and "Access refused" in refused.text
    assert "peran staf kebijakan" in refused.text and "the policy staff role" in refused.text
    assert client.get("/skor").status_code == 200


def test_a_facilitator_key_opens_neither_scores_nor_policy(client, keys):
    sign_in(client, keys["facilitator"])
    assert client.get("/skor").status_code == 403
    assert client.get("/kebijakan").status_code == 403
    assert client.get("/pra-periksa").status_code == 200


def test_a_revoked_key_signs_its_session_out(client, app, keys):
    sign_in(client, keys["evaluator"])
    assert client.get("/skor").status_code == 200
    with app.state.services.db.session() as session:
        key_id = session.scalars(select(ApiKey.id).where(ApiKey.key_hash == hash_key(keys["evaluator"]))).one()
    with app.state.services.db.session() as session:
        repository.revoke_key(session, key_id)
    assert client.get("/skor", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(client, keys):
    sign_in(client, keys["policy"])
    page = client.get("/kebijakan/what-if")
    assert page.status_code == 200
    client.post("/keluar", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/kebijakan/what-if", follow_redirects=False).status_code == 303


def test_sign_in_goes_only_to_a_page_of_this_site():
    assert safe_next("/skor") == "/skor"
    for target in ("//evil.example/x", "https://evil.example", "/\\evil", "", None):
        assert safe_next(target) == "/"


def test_language_switch_by_query_then_by_cookie(client):
    assert '<html lang="id">' in client.get("/").text
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.text and "Pre-check a proposal" in english.text
    [cookie] = _set_cookie_headers(english, "berdaya_lang")
    assert "samesite=lax" in cookie.lower()
    assert '<html lang="en">' in client.get("/pra-periksa").text   # remembered
    assert "Pra-periksa proposal" in client.get("/?lang=id").text


def test_refusal_pages_carry_both_languages(client, keys):
    sign_in(client, keys["policy"])
    refused = client.get("/skor?lang=en")
    assert refused.status_code == 403
    text = re.sub(r"\s+", " ", refused.text)
    assert "This page is for the evaluator role only" in text
    assert "Halaman ini hanya untuk peran" in text


def test_pages_forbid_inline_scripts_framing_and_caching(client):
    response = client.get("/pra-periksa")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text              # the only script is /static/rows.js
    assert client.get("/static/rows.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/..%2Fsecurity.py").status_code == 404
