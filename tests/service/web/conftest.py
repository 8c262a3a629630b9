"""Fixtures for the web-page tests: the real app (with the web router), keys per role, and
for the browser tests a uvicorn server on a free loopback port and headless Chromium.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright's Python package with its
`executable_path`; no browser is ever downloaded. Without either, browser tests are skipped
with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from service.models import SignInFailure, SignInLink, WebSessionRow
from service.web import security
from tests.service.web.helpers import build_app, make_key
from tests.service.web.journey_helpers import people  # noqa: F401 (the journey pages' signed-in browsers, a fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, tmp_path, monkeypatch):
    """Session secret (one per test run) and knowledge-base store (one per test) in temporary
    directories, never in var/."""
    monkeypatch.setenv(security.SECRET_FILE_ENV, str(tmp_path_factory.getbasetemp() / "web_secret"))
    monkeypatch.delenv(security.SECRET_ENV, raising=False)
    monkeypatch.setenv("BERDAYA_KB_STORE", str(tmp_path / "kb-store"))
    security.signing_secret.cache_clear()
    yield
    security.signing_secret.cache_clear()


@pytest.fixture
def app(tmp_path):
    return build_app(f"sqlite:///{tmp_path / 'berdaya.sqlite3'}")


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def db_app(database_url):
    """The app on SQLite and on PostgreSQL; the sign-in records it wrote are removed afterwards."""
    app = build_app(database_url)
    yield app
    with app.state.services.db.session() as session, session.begin():
        for model in (SignInFailure, WebSessionRow, SignInLink):
            session.execute(delete(model))


@pytest.fixture
def web(db_app):
    with TestClient(db_app) as client:
        yield client


@pytest.fixture
def keys(client, app):
    return {"facilitator": make_key(app, "facilitator", "Cibabat"), "evaluator": make_key(app, "evaluator"),
            "policy": make_key(app, "policy")}


# ---- browser ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"browser tests skipped: Debian's chromium is not installed at {CHROMIUM} "
                    "(apt-get install chromium; .ci/run does this)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: the playwright Python package is missing (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                      args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app under uvicorn in a background thread on a free loopback port."""
    import uvicorn

    base = tmp_path_factory.mktemp("live")
    # Its own store: a module-scoped server starts before any test's BERDAYA_KB_STORE is set.
    app = build_app(f"sqlite:///{base / 'berdaya.sqlite3'}", kb_store=str(base / "kb-store"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    keys = {"facilitator": make_key(app, "facilitator", "Cibabat"), "evaluator": make_key(app, "evaluator"),
            "policy": make_key(app, "policy")}
    yield {"url": f"http://127.0.0.1:{port}", "keys": keys, "app": app, "base": base}
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
