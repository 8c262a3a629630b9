"""Helpers of the page tests: the app with its pages, keys, a valid proposal, sign-in (typed or by link), form posts,
synthetic evaluation records as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from pathlib import Path

import yaml

from knowledge.documents import to_jsonable
from policy.reports import WhatIfReport
from service import repository
from service.apikeys import hash_key, new_key, new_key_id
from service.app import create_app
from service.models import utcnow
from service.settings import Settings
from service.usecases import signin_links
from service.web import forms

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def build_app(database_url: str, kb_store: str | None = None):
    """The service's app, pages included (version store: `kb_store`, else the test's BERDAYA_KB_STORE)."""
    return create_app(Settings(database_url=database_url, **({"kb_store": kb_store} if kb_store else {})))


def make_key(app, role: str, kelurahan: str | None = None, **region: str) -> str:
    """A key of `role` (a reviewer's `scope` and `kecamatan` as keywords)."""
    key = new_key()
    with app.state.services.db.session() as session:
        repository.create_key(session, key_id=new_key_id(), key_hash=hash_key(key), role=role,
                              kelurahan=kelurahan, label=f"web test {role}", **region)
    return key


def valid_proposal() -> dict:
    with (FIXTURES / "proposal_valid.yaml").open(encoding="utf-8") as fh:
        return to_jsonable(yaml.safe_load(fh))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_sign_in(client, key: str):
    """Type `key` on the sign-in page and press its button: the answer, its redirect not followed."""
    page = client.get("/masuk")
    return client.post("/masuk", data={"csrf_token": csrf_of(page.text), "api_key": key, "next": "/"},
                       follow_redirects=False)


def sign_in(client, key: str) -> None:
    response = post_sign_in(client, key)
    assert response.status_code == 303, response.text[:500]


def key_id_of(app, key: str) -> str:
    with app.state.services.db.session() as session:
        found = repository.find_key(session, hash_key(key))
    assert found is not None
    return found.id


def sign_in_link(app, key_id: str, now: dt.datetime | None = None) -> str:
    """The path of a new one-time sign-in link for the key `key_id`, issued at `now` (default: now)."""
    services = app.state.services
    link = signin_links.issue_link(services.db, services.settings, key_id, now or utcnow())
    return "/" + link.url.split("/", 3)[3]


def screenshot(tab, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def on_phone(browser, url: str, cookies: list, name: str) -> None:
    """Open `url` signed in (`cookies`) on a 390 px phone, take a screenshot, and fail if the page scrolls sideways."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_cookies(cookies)
    tab = context.new_page()
    tab.goto(url)
    width = tab.evaluate("document.documentElement.scrollWidth")
    screenshot(tab, name)
    context.close()
    assert width <= 390, f"{url} scrolls sideways on a phone ({width}px)"


def browser_sign_in(tab, url: str, key: str) -> None:
    tab.goto(f"{url}/masuk")
    tab.get_by_label(re.compile("Kunci API|API key")).fill(key)
    tab.get_by_role("button", name=re.compile("^(Masuk|Sign in)$")).last.click()
    tab.wait_for_load_state()


def as_form(data: dict) -> dict:
    """What a browser posts for a proposal: text values, checked boxes as 'on', no unchecked boxes."""
    out = {}
    for name, value in forms.flatten(data).items():
        if name == "documents" or value is None or value is False:
            continue
        if value is True:
            out[name] = "on"
        elif isinstance(value, list):
            out[name] = ", ".join(value)
        else:
            out[name] = str(value)
    return out


def whatif_report(kb_name: str) -> WhatIfReport:
    """A what-if report summarised by the policy-tuning code from two replayed outcomes (test input)."""
    from policy.whatif import summarise

    outcomes = [
        {"ref": "SINTETIS-2022-Cibabat-RW05", "cycle": 2022, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat",
         "rw": 5, "before": "eligible", "after": "needs_revision", "fired_before": [],
         "fired_after": ["PPM-INK-001"], "gone": [],
         "new": [{"rule_id": "PPM-INK-001", "severity": "major"}]},
        {"ref": "SINTETIS-2022-Melong-RW01", "cycle": 2022, "kecamatan": "Cimahi Selatan", "kelurahan": "Melong",
         "rw": 1, "before": "eligible", "after": "eligible", "fired_before": [], "fired_after": []},
    ]
    summary = summarise(outcomes, {"PPM-INK-001": {"title": {"id": "Perempuan hadir", "en": "Women present"},
                                                   "group": "inclusion", "severity": "major"}})
    return WhatIfReport.model_validate({
        **summary.model_dump(), "kind": "whatif-rules", "synthetic": True, "created_at": "2026-11-20T03:00:00+00:00",
        "draft": {"version": "2026.1-draf", "content_hash": "sha256:" + "ab" * 32},
        "baseline": {"version": "2025.1"}, "cycles": [2022],
        "verdicts": ["eligible", "needs_revision", "ineligible"]})


def records_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def synthetic_records(n: int = 6) -> list[dict]:
    from knowledge.synthetic import generate_cycles

    return [{**r, "synthetic": True} for r in generate_cycles(seed=7, cycles=range(2024, 2025)).evaluations[:n]]


def finished_run(client, response, timeout: float = 120.0):
    """After an upload redirected to its score run, wait (refreshing) until its job has finished."""
    import time

    assert response.status_code == 200 and "run=" in str(response.url), response.text[:3000]
    url = str(response.url)
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url)
        if 'id="run-progress"' not in page.text:
            return page
        assert 'data-state="failed"' not in page.text and time.monotonic() < deadline, page.text[:2000]
        time.sleep(0.2)


def post_form(client, data: dict, action: str = "check"):
    token = csrf_of(client.get("/pra-periksa").text)
    fields = {**as_form(data), "csrf_token": token, "action": action, "documents": data.get("documents", [])}
    return client.post("/pra-periksa", data=fields)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def count_stored(app) -> int:
    with app.state.services.db.session() as session:
        return repository.count_proposals(session)


def fill_proposal(tab, data: dict) -> None:
    """Type a proposal into the form the way a facilitator would, adding rows with the buttons."""
    for i, activity in enumerate(data["activities"]):
        if i > 0:
            tab.get_by_role("button", name=re.compile("Tambah kegiatan|Add an activity")).click()
        block = tab.locator("fieldset.activity").nth(i)
        for _ in range(len(activity["budget_lines"]) - 1):
            block.get_by_role("button", name=re.compile("Tambah baris anggaran|Add a budget line")).click()
    for name, value in forms.flatten(data).items():
        if value is None or name == "documents":
            continue
        field = tab.locator(f'[name="{name}"]')
        if field.count() == 0:
            continue
        kind = field.evaluate("el => el.tagName.toLowerCase() + ':' + (el.type || '')")
        if kind == "input:checkbox":
            field.set_checked(bool(value))
        elif kind.startswith("select"):
            field.select_option(str(value))
        elif isinstance(value, list):
            field.fill(", ".join(value))
        else:
            field.fill(str(value))
    for doc in data.get("documents", []):
        tab.locator(f'#doc-{doc}').check()


# What a person may type for a number, and what it reads as (None: refused at its field).
TYPED_NUMBERS = [
    ("6,5", 6.5), ("250.000", 250000), ("Rp 285.000", 285000), ("1.500,50", 1500.5), ("250000", 250000),
    ("Rp. 1.000.000,-", 1000000), ("2,00", 2), ("0,25", 0.25),
    ("6.5", None), ("1,500.50", None), ("12.34", None), ("1.5000", None), ("1.000.00", None), ("tiga", None),
    ("6,5,1", None), ("٣", None),
]
