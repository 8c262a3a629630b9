"""Phones: no page is wider than a 390 px screen, for any role, result pages with wide tables
included (Debian Chromium through Playwright measures `document.documentElement.scrollWidth`).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.service.web.helpers import (
    browser_sign_in,
    make_key,
    records_csv,
    screenshot,
    synthetic_records,
    valid_proposal,
)
from tests.service.web.helpers import whatif_report as make_report

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
SKIPPED = ("/static/", "/v1/", "/docs", "/openapi", "/redoc")
LINKS = """() => Array.from(document.querySelectorAll('a[href^="/"]')).map(a => a.getAttribute('href'))"""
WIDTH = "document.documentElement.scrollWidth"


def _wide(tab) -> int:
    return int(tab.evaluate(WIDTH))


def _crawl(tab, url: str) -> dict[str, int]:
    """Every page reachable by links from the home page: path -> its width on the phone."""
    widths: dict[str, int] = {}
    todo = ["/"]
    while todo:
        path = todo.pop()
        if path in widths or path.startswith(SKIPPED) or "." in path.split("?")[0].rsplit("/", 1)[-1]:
            continue
        response = tab.goto(url + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        widths[path] = _wide(tab)
        todo += [h.split("#")[0] for h in tab.evaluate(LINKS) if h.split("#")[0]]
    return widths


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def test_no_page_any_role_reaches_is_wider_than_a_phone(phone, live_server):
    url, keys = live_server["url"], live_server["keys"]
    engines = live_server["app"].state.services.engines
    engines.store.save_whatif(make_report(engines.default_kb().name))
    keys = {**keys, "admin": make_key(live_server["app"], "admin")}
    reached = {"anonymous": _crawl(phone, url)}
    for role, key in keys.items():
        phone.context.clear_cookies()
        browser_sign_in(phone, url, key)
        reached[role] = _crawl(phone, url)
    assert any(p.startswith("/kebijakan/what-if/") for p in reached["policy"])
    too_wide = {(role, path, w) for role, pages in reached.items() for path, w in pages.items() if w > PHONE["width"]}
    assert sorted(too_wide) == []


def _problem_proposal() -> dict:
    """The valid proposal with problems on many fields, so the result lists many findings."""
    data = valid_proposal()
    first = data["activities"][0]
    first["repairs_flood_damage"] = True
    first["maintenance_plan"] = ""
    first["budget_lines"][0]["amount"] = 1
    data["musyawarah"]["attendance"]["women"] = 0
    data["documents"] = ["surat_keterangan_lahan_yang_sangat_panjang_tanpa_spasi_sama_sekali"]
    return data


def test_result_pages_with_findings_and_wide_tables_fit_a_phone(phone, live_server, tmp_path):
    url, keys = live_server["url"], live_server["keys"]
    upload = tmp_path / "usulan.json"
    upload.write_text(json.dumps(_problem_proposal()), encoding="utf-8")
    browser_sign_in(phone, url, keys["facilitator"])
    phone.goto(f"{url}/pra-periksa")
    phone.locator("#proposal-file").set_input_files(str(upload))
    phone.get_by_role("button", name=re.compile("Unggah dan periksa|Upload and check")).click()
    phone.wait_for_selector("#verdict")
    assert phone.locator("li.finding").count() >= 4
    screenshot(phone, "12-hasil-ponsel")
    assert _wide(phone) <= PHONE["width"]

    records = tmp_path / "evaluasi-SINTETIS.csv"
    records.write_bytes(records_csv(synthetic_records(12)))
    phone.context.clear_cookies()
    browser_sign_in(phone, url, keys["evaluator"])
    phone.locator("#records-file").set_input_files(str(records))
    phone.get_by_role("button", name=re.compile("Unggah dan hitung skor|Upload and score")).click()
    phone.wait_for_selector("#units")
    screenshot(phone, "13-skor-ponsel")
    assert _wide(phone) <= PHONE["width"]


def test_the_form_keeps_a_running_budget_total_and_narrows_kelurahan_to_the_kecamatan(phone, live_server):
    phone.goto(f"{live_server['url']}/pra-periksa")
    expect(phone.locator("[data-grand-total]")).to_have_text("Rp 0")
    line = phone.locator("fieldset.line").first
    line.locator('[name$="].quantity"]').fill("3")
    line.locator('[name$="].unit_price"]').fill("95000")
    line.locator('[name$="].source"]').select_option("ppm")
    expect(phone.locator("[data-activity-total]").first).to_have_text("Rp 285.000")
    phone.get_by_role("button", name="Tambah baris anggaran").click()
    second = phone.locator("fieldset.line").nth(1)
    second.locator('[name$="].quantity"]').fill("2")
    second.locator('[name$="].unit_price"]').fill("1500000")
    second.locator('[name$="].source"]').select_option("swadaya")
    expect(phone.locator('[data-source-total="ppm"]')).to_have_text("Rp 285.000")
    expect(phone.locator('[data-source-total="swadaya"]')).to_have_text("Rp 3.000.000")
    expect(phone.locator("[data-grand-total]")).to_have_text("Rp 3.285.000")
    second.get_by_role("button", name="Hapus baris").click()
    expect(phone.locator("[data-grand-total]")).to_have_text("Rp 285.000")

    kelurahan = phone.locator('[name="region.kelurahan"]')
    phone.locator('[name="region.kecamatan"]').select_option("Cimahi Selatan")
    offered = kelurahan.evaluate("s => Array.from(s.querySelectorAll('optgroup:not([disabled]) option')).map(o => o.value)")
    assert "Melong" in offered and "Cibabat" not in offered
    kelurahan.select_option("Melong")
    phone.locator('[name="region.kecamatan"]').select_option("Cimahi Utara")
    assert kelurahan.input_value() == ""                          # Melong is not in Cimahi Utara
    screenshot(phone, "14-jumlah-anggaran-ponsel")
