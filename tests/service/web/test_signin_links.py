"""One-time sign-in links, on SQLite and PostgreSQL: opened once, for one key, before they expire.

Opening a link writes nothing (link previewers open links); its button's POST uses it and
opens the same web session as typing the key. A used, expired or revoked-key link is refused
with 410, an unknown one with 404, and neither writes anything.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from service import repository
from service.apikeys import hash_key
from service.models import ApiKey, SignInLink, WebSessionRow, utcnow
from service.usecases import signin_links
from service.usecases.signin_links import LinkState
from service.web.security import SESSION_COOKIE
from tests.service.web.helpers import build_app, csrf_of, key_id_of, make_key, sign_in, sign_in_link


def new_link(app, role: str = "facilitator", kelurahan: str | None = "Cibabat", now: dt.datetime | None = None):
    """(key id, the link's path) of a new link of a new key."""
    key_id = key_id_of(app, make_key(app, role, kelurahan))
    return key_id, sign_in_link(app, key_id, now)


def written(app, sessions: tuple[str, ...] | None = None) -> tuple[int, int]:
    """(web sessions, used links): what an exchange writes; `sessions`: count only those (a database
    shared with other tests may hold theirs)."""
    counted = select(func.count()).select_from(WebSessionRow)
    if sessions is not None:
        counted = counted.where(WebSessionRow.id.in_(sessions))
    with app.state.services.db.session() as session:
        return (session.scalar(counted) or 0,
                session.scalar(select(func.count()).select_from(SignInLink).where(SignInLink.used_at.is_not(None))) or 0)


def confirm(client, path: str):
    """Press the confirmation page's button (the session's CSRF token from the sign-in page, which
    every visitor gets, so that a refused link's page without a form can be posted to as well)."""
    client.get(path)
    return client.post(path, data={"csrf_token": csrf_of(client.get("/masuk").text)}, follow_redirects=False)


def test_opening_a_link_asks_before_signing_in_and_writes_nothing(db_app, web):
    _, path = new_link(db_app)
    page = web.get(path)
    assert page.status_code == 200
    assert "fasilitator untuk Kelurahan Cibabat" in page.text and "Masuk sekarang" in page.text
    assert f'action="{path}"' in page.text and 'method="post"' in page.text
    assert written(db_app) == (0, 0)
    assert web.get("/proposal", follow_redirects=False).status_code == 303  # not signed in by a GET


def test_the_button_signs_in_once_and_a_second_use_is_refused(db_app, web):
    _, path = new_link(db_app)
    answer = confirm(web, path)
    assert answer.status_code == 303 and answer.headers["location"] == "/pra-periksa"
    assert web.get("/proposal", follow_redirects=False).status_code == 200
    assert "Masuk sebagai fasilitator" in web.get("/proposal").text
    with TestClient(db_app) as other:
        again = confirm(other, path)
        assert again.status_code == 410
        assert "Tautan sudah dipakai" in again.text and "Link already used" in again.text
        assert other.get("/proposal", follow_redirects=False).status_code == 303
        assert other.get(path).status_code == 410
    assert written(db_app) == (1, 1)


def test_a_post_without_the_csrf_token_does_not_use_the_link(db_app, web):
    _, path = new_link(db_app)
    web.get(path)
    assert web.post(path, data={}, follow_redirects=False).status_code == 403
    assert written(db_app) == (0, 0)
    assert confirm(web, path).status_code == 303


def test_a_link_past_its_hours_is_refused(db_app, web):
    hours = db_app.state.services.settings.signin_link_hours
    issued = utcnow() - dt.timedelta(hours=hours, minutes=1)
    _, path = new_link(db_app, now=issued)
    for answer in (web.get(path), confirm(web, path)):
        assert answer.status_code == 410
        assert "Tautan kedaluwarsa" in answer.text and "Link expired" in answer.text
    assert written(db_app) == (0, 0)


def test_expiry_follows_the_clock_given(db_app):
    services = db_app.state.services
    key_id = key_id_of(db_app, make_key(db_app, "evaluator"))
    issued = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    link = signin_links.issue_link(services.db, services.settings, key_id, issued)
    token = link.url.rsplit("/", 1)[1]
    assert link.expires_at == issued + dt.timedelta(hours=services.settings.signin_link_hours)
    assert signin_links.link_key(services.db, token, link.expires_at - dt.timedelta(seconds=1)).id == key_id
    late = signin_links.redeem(services.db, token, link.expires_at, session_hash="s" * 64,
                               session_expires=link.expires_at + dt.timedelta(hours=8))
    assert late == LinkState.EXPIRED
    in_time = signin_links.redeem(services.db, token, link.expires_at - dt.timedelta(seconds=1), session_hash="s" * 64,
                                  session_expires=link.expires_at + dt.timedelta(hours=8))
    assert isinstance(in_time, ApiKey) and in_time.id == key_id


def test_revoking_the_key_voids_its_links(db_app, web):
    key_id, path = new_link(db_app)
    with db_app.state.services.db.session() as session:
        repository.revoke_key(session, key_id)
    for answer in (web.get(path), confirm(web, path)):
        assert answer.status_code == 410 and "Kunci sudah dicabut" in answer.text
    assert written(db_app) == (0, 0)


def test_an_unknown_link_is_not_found(db_app, web):
    answer = confirm(web, "/masuk/tautan/not-a-token-anyone-was-given")
    assert answer.status_code == 404
    assert "Tautan tidak dikenal" in answer.text and "Unknown link" in answer.text
    assert written(db_app) == (0, 0)


def test_only_the_tokens_hash_is_stored(db_app):
    _, path = new_link(db_app)
    token = path.rsplit("/", 1)[1]
    with db_app.state.services.db.session() as session:
        stored = session.scalars(select(SignInLink.id)).all()
    assert stored == [hash_key(token)]


def test_two_exchanges_at_once_open_one_session(postgresql_url):
    app = build_app(postgresql_url)
    try:
        services = app.state.services
        _, path = new_link(app)
        token = path.rsplit("/", 1)[1]
        start = threading.Barrier(2)
        results: list[object] = []

        def exchange(n: int) -> None:
            start.wait()
            results.append(signin_links.redeem(services.db, token, utcnow(), session_hash=f"{n}" * 64,
                                               session_expires=utcnow() + dt.timedelta(hours=8)))

        threads = [threading.Thread(target=exchange, args=(n,)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(type(r).__name__ for r in results) == ["ApiKey", "LinkState"]
        assert LinkState.USED in results
        assert written(app, sessions=("1" * 64, "2" * 64)) == (1, 1)
    finally:
        with app.state.services.db.session() as session, session.begin():
            session.execute(delete(WebSessionRow).where(WebSessionRow.id.in_(("1" * 64, "2" * 64))))
            session.execute(delete(SignInLink))


def test_a_signed_in_user_makes_a_link_for_a_phone(db_app, web):
    sign_in(web, make_key(db_app, "evaluator"))
    page = web.get("/masuk/ponsel")
    assert page.status_code == 200 and "Buat tautan" in page.text
    made = web.post("/masuk/ponsel", data={"csrf_token": csrf_of(page.text)})
    assert made.status_code == 200 and "<svg" in made.text
    url = re.search(r'id="phone-link" href="([^"]+)"', made.text)
    assert url and url.group(1).startswith(db_app.state.services.settings.public_url + "/masuk/tautan/")
    with TestClient(db_app) as phone:
        answer = confirm(phone, "/" + url.group(1).split("/", 3)[3])
        assert answer.status_code == 303 and answer.headers["location"] == "/skor"
        assert phone.cookies[SESSION_COOKIE] != web.cookies[SESSION_COOKIE]
        assert phone.get("/skor", follow_redirects=False).status_code == 200
