"""Every page each role can reach, and every pre-check result of the shipped rule tests, speaks in
words: no internal field path, field name or code in the text a browser shows (tests/words.py)."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from knowledge.documents import read_document
from knowledge.kb import load_knowledge_base
from rules.kbtest import deep_merge
from tests.service.web.helpers import (
    as_form,
    csrf_of,
    finished_run,
    make_key,
    records_csv,
    sign_in,
    synthetic_records,
    whatif_report,
)
from tests.words import SCHEMA_ENGLISH, codes_in, strings_in, visible_text

KB = Path(__file__).resolve().parents[3] / "knowledge" / "data" / "kb"
SKIPPED = ("/static/", "/v1/", "/docs", "/openapi", "/redoc")
LINK = re.compile(r'href="(/[^"#]*)"')


def _codes_on(html: str, quoted: Collection[str] = ()) -> list[tuple[str, list[str]]]:
    return [(text, found) for text in visible_text(html) if (found := codes_in(text, quoted=quoted))]


def _crawl(client) -> dict[str, list]:
    """Every HTML page reachable by following links from the home page: path -> codes found."""
    found: dict[str, list] = {}
    todo = ["/", "/?lang=en"]
    while todo:
        url = todo.pop()
        if url in found or url.startswith(SKIPPED):
            continue
        response = client.get(url)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        found[url] = _codes_on(response.text)
        todo += [u.replace("&amp;", "&") for u in LINK.findall(response.text) if "." not in u.rsplit("/", 1)[-1]]
    return found


def test_every_page_each_role_reaches_speaks_in_words(client, app, keys):
    app.state.services.engines.store.save_whatif(whatif_report(app.state.services.engines.default_kb().name))
    keys = {**keys, "admin": make_key(app, "admin")}
    reached = {"anonymous": _crawl(client)}
    for role, key in keys.items():
        sign_in(client, key)
        reached[role] = _crawl(client)
        client.cookies.clear()
    assert {"/pra-periksa", "/masuk"} <= {u.split("?")[0] for u in reached["anonymous"]}
    assert "/skor" in {u.split("?")[0] for u in reached["evaluator"]}
    assert any(u.startswith("/kebijakan/what-if/") for u in reached["policy"])
    offending = {(role, url, text, tuple(codes)) for role, pages in reached.items()
                 for url, found in pages.items() for text, codes in found}
    assert sorted(offending) == []


def _cases(kb_dir: Path):
    kb = load_knowledge_base(kb_dir)
    for _, suite in sorted(kb.tests.items()):
        base = read_document(kb_dir / "tests" / suite.base) if suite.base else {}
        for case in suite.cases:
            if case.proposal is None and case.cycle is None:
                data = deep_merge(base, case.patch or {})
                # A category the knowledge base does not know is the person's own text, shown back as typed.
                typed = {a.get("category") for a in data.get("activities", [])} - set(kb.categories) - {None}
                yield case.name, data, strings_in(data) | typed


def test_the_result_of_every_rule_test_proposal_speaks_in_words(client, keys):
    """Each shipped rule test's proposal, pre-checked in the form: findings, suggestions, the fields
    they name and the notes under the inputs (text the person typed themselves excepted)."""
    sign_in(client, keys["facilitator"])
    token = csrf_of(client.get("/pra-periksa").text)
    offending, findings = [], 0
    for kb_dir in (KB / "ppm-cimahi", KB / "releases" / "ppm-cimahi-2025.2"):
        for name, data, typed in _cases(kb_dir):
            response = client.post("/pra-periksa", data={**as_form(data), "csrf_token": token,
                                                         "documents": data.get("documents", [])})
            assert response.status_code in (200, 422), name
            findings += response.text.count('class="finding"')
            offending += [(name, text, codes) for text, codes in _codes_on(response.text, typed)]
    assert findings > 100  # the cases fired their rules
    assert offending == []


def test_a_scores_result_speaks_in_words(client, keys):
    sign_in(client, keys["evaluator"])
    token = csrf_of(client.get("/skor").text)
    response = finished_run(client, client.post("/skor", data={"csrf_token": token}, files={
        "file": ("evaluasi.csv", records_csv(synthetic_records()), "text/csv")}))
    assert response.status_code == 200 and '<table id="units">' in response.text
    assert _codes_on(response.text) == []


def test_the_forms_error_states_speak_in_words_in_the_pages_language(client):
    """An empty form, and one with numbers typed every wrong way, pre-checked: the problems name the
    fields by their labels, in Indonesian only on the Indonesian page (the JSON keeps the paths)."""
    token = csrf_of(client.get("/pra-periksa").text)
    wrong = {"cycle": "2.027,5", "region.rw": "lima", "activities[0].budget_lines[0].quantity": "6.5",
             "activities[0].budget_lines[0].unit_price": "1,500.50", "musyawarah.attendance.women": "12.34"}
    pages = [client.post("/pra-periksa", data={"csrf_token": token, **posted}) for posted in ({}, wrong)]
    assert [p.status_code for p in pages] == [422, 422]
    assert all(p.text.count("<li>") > 5 for p in pages)  # the problems are there to be read
    offending = [(text, codes) for page in pages for text, codes in _codes_on(page.text, wrong.values())]
    english = [text for page in pages for text in visible_text(page.text) if SCHEMA_ENGLISH.search(text)]
    assert (offending, english) == ([], [])
