"""Attack documents against a real `berdaya serve`: each refused with a 4xx while /healthz keeps answering.

On SQLite and PostgreSQL alike, one worker process (so /healthz is answered by the very
process that reads the attack), and nothing is stored. No test asserts a duration: every
attack request has a generous timeout (a hang fails the test) and /healthz is asked while
it runs.
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from service.models import Decision, StoredProposal
from tests import attack_files as attack
from tests.service.helpers import cli_key, running_server
from tests.service.web.helpers import as_form

ATTACK_TIMEOUT = 180.0
PROBLEM = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stored_rows(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {m.__tablename__: conn.scalar(select(func.count()).select_from(m)) for m in (Decision, StoredProposal)}
    engine.dispose()
    return counts


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path, base_proposal):
    url = (f"sqlite:///{tmp_path / 'attacks.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("postgresql_url"))
    with running_server(url, 1, tmp_path) as (base, env, _log):
        before = stored_rows(url)
        yield base, env, url
        assert stored_rows(url) == before, "an attack stored something"


def while_healthy(base: str, send) -> httpx.Response:
    """Send one attack in a thread and ask /healthz meanwhile; every health answer must be 200."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(send)
        answers = []
        while True:
            answers.append(httpx.get(f"{base}/healthz", timeout=10).status_code)
            if future.done():
                break
            time.sleep(0.05)
        response = future.result()
    assert set(answers) == {200}
    return response


def upload(base: str, path: str, name: str, content: bytes, mime: str, cookies_from: str,
           headers: dict | None = None) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=ATTACK_TIMEOUT, headers=headers or {}) as web:
        page = web.get(cookies_from)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return web.post(path, data={"csrf_token": token}, files={"file": (name, content, mime)})


UPLOADS = {
    "alias-bomb-6.yaml": attack.alias_bomb(6), "alias-bomb-9.yaml": attack.alias_bomb(9),
    "alias-bomb-12.yaml": attack.alias_bomb(12), "self-reference.yaml": attack.self_reference(),
    "million-rows.xlsx": attack.million_rows_workbook(), "far-cell.xlsx": attack.far_cell_workbook(),
    "bomb.xlsx": attack.decompression_bomb_workbook(), "entities.xlsx": attack.entity_expansion_workbook(),
    "deep.json": attack.deep_json(),
}


def test_attack_uploads_to_the_pre_check_page_are_refused_on_the_page(server):
    base, _env, _url = server
    for name, content in UPLOADS.items():
        mime = XLSX if name.endswith(".xlsx") else "application/octet-stream"
        response = while_healthy(base, lambda n=name, c=content, m=mime: upload(
            base, "/pra-periksa/unggah", n, c, m, "/pra-periksa"))
        assert response.status_code in (413, 422), (name, response.status_code)
        assert re.search("batas|tidak diterima", response.text) and re.search("limit|not accepted", response.text), name


def test_attack_tables_to_the_scores_page_are_refused_on_the_page(server):
    base, env, _url = server
    key = cli_key(env, "evaluator")
    with httpx.Client(base_url=base, timeout=ATTACK_TIMEOUT) as web:
        page = web.get("/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        web.post("/masuk", data={"csrf_token": token, "api_key": key, "next": "/skor"})
        for name, content in {"million-rows.xlsx": attack.million_rows_workbook(),
                              "bomb.xlsx": attack.decompression_bomb_workbook(),
                              "wide.csv": b",".join([b"c"] * 5000) + b"\n"}.items():
            token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/skor").text).group(1)
            response = while_healthy(base, lambda n=name, c=content, t=token: web.post(
                "/skor", data={"csrf_token": t}, files={"file": (n, c, XLSX)}))
            assert response.status_code in (413, 422), (name, response.status_code)
            assert "batas" in response.text and "limit" in response.text, name


def _with_line_value(proposal: dict, field: str, literal: str) -> bytes:
    text = json.dumps(proposal)
    line = proposal["activities"][0]["budget_lines"][0]
    return text.replace(f'"{field}": {json.dumps(line[field])}', f'"{field}": {literal}', 1).encode()


def test_attack_bodies_to_the_api_are_refused_with_a_bilingual_problem(server, base_proposal):
    base, env, _url = server
    facilitator = {"Authorization": f"Bearer {cli_key(env, 'facilitator', 'Cibabat')}",
                   "Content-Type": "application/json"}
    evaluator = {"Authorization": f"Bearer {cli_key(env, 'evaluator')}", "Content-Type": "application/json"}
    nul_title = json.dumps({**base_proposal, "title": "Drainase\u0000"}).encode()
    record = {"cycle": 2024, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5}
    attacks = [("/v1/checks", {}, attack.deep_json())]
    attacks += [(path, facilitator if path == "/v1/proposals" else {}, _with_line_value(base_proposal, field, literal))
                for path in ("/v1/checks", "/v1/proposals") for field in ("quantity", "unit_price")
                for literal in ("1e308", "1e309", "Infinity", "NaN", "-1e309", "99999999999999999999999")]
    attacks += [("/v1/proposals", facilitator, nul_title), ("/v1/proposals", facilitator, attack.deep_json())]
    attacks += [("/v1/scores", evaluator, json.dumps({"records": [record]}).replace("2024", literal).encode())
                for literal in ("NaN", "Infinity", "1e309")]
    attacks += [("/v1/scores", evaluator, b"{not json"), ("/v1/calibrations", evaluator, b"[" * 10_000)]
    for path, headers, body in attacks:
        response = while_healthy(base, lambda p=path, h=headers, b=body: httpx.post(
            f"{base}{p}", content=b, headers={"Content-Type": "application/json", **h}, timeout=ATTACK_TIMEOUT))
        assert 400 <= response.status_code < 500, (path, body[:60], response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith(PROBLEM)
        message = response.json()["message"]
        assert message["id"] and message["en"] and message["id"] != message["en"]


def test_attack_drafts_to_the_api_are_refused_and_nothing_stays_in_the_store(server):
    base, env, _url = server
    policy = {"Authorization": f"Bearer {cli_key(env, 'policy')}"}
    drafts = f"{base}/v1/knowledge-bases/ppm-cimahi/drafts"
    attacks = [(attack.zip_bomb(), "application/zip", 413), (attack.understated_zip(), "application/zip", 422),
               (attack.deep_json(), "application/json", 422)]
    for body, kind, status in attacks:
        response = while_healthy(base, lambda b=body, k=kind: httpx.post(
            drafts, content=b, headers={**policy, "Content-Type": k}, timeout=ATTACK_TIMEOUT))
        assert response.status_code == status, (kind, response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith(PROBLEM)
    assert not list((Path(env["BERDAYA_KB_STORE"]) / "drafts").glob("*")), "a refused draft stayed on disk"


def test_non_finite_and_huge_numbers_and_nul_in_the_pre_check_form_are_refused_on_the_page(server, base_proposal):
    base, _env, _url = server
    form = as_form(base_proposal)
    quantity, price = "activities[0].budget_lines[0].quantity", "activities[0].budget_lines[0].unit_price"
    attacks = [{quantity: literal} for literal in ("1e308", "1e309", "Infinity", "NaN", "-Infinity")]
    attacks += [{price: literal} for literal in ("1e308", "1e309", "Infinity", "NaN", "99999999999999999999999")]
    attacks += [{"title": "Drainase\u0000"}]
    with httpx.Client(base_url=base, timeout=ATTACK_TIMEOUT) as web:
        token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/pra-periksa").text).group(1)
        for change in attacks:
            response = while_healthy(base, lambda c=change: web.post(
                "/pra-periksa", data={**form, **c, "csrf_token": token}))
            assert 400 <= response.status_code < 500, (change, response.status_code)
            assert re.search("tidak sah|harus|karakter kendali|tidak terbaca sebagai angka", response.text), change
