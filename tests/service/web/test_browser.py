"""The pages in a real browser: headless Debian Chromium driven by Playwright, against the app
served by uvicorn on a loopback port. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from knowledge.documents import parse_proposal
from service.web import forms
from service.web.xlsx_proposal import write_template
from tests.service.web.helpers import browser_sign_in, fill_proposal, screenshot, valid_proposal, whatif_report

pytestmark = pytest.mark.browser


UNLABELLED = """() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
    .filter(el => !el.closest('template') && el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map(el => el.name || el.id)"""


def unlabelled_inputs(tab) -> list[str]:
    return tab.evaluate(UNLABELLED)


def expected_check(live_server, data: dict) -> dict:
    return live_server["app"].state.services.engines.check_json(parse_proposal(data))


def test_facilitator_fills_a_proposal_without_maintenance_plan_and_sees_the_finding(page, live_server):
    data = valid_proposal()
    data["activities"][0]["maintenance_plan"] = None
    expected = expected_check(live_server, data)
    finding = next(f for f in expected["findings"] if f["group"] == "sustainability"
                   and any("maintenance_plan" in p for p in f["fields"]))

    page.goto(f"{live_server['url']}/pra-periksa")
    screenshot(page, "01-pra-periksa-kosong")
    assert unlabelled_inputs(page) == []
    fill_proposal(page, data)
    page.get_by_role("button", name=re.compile("^Periksa$")).click()
    page.wait_for_selector("#verdict")

    item = page.locator(f'#finding-{finding["rule_id"]}')
    assert item.locator(".message").inner_text() == finding["message"]["id"]
    assert finding["suggestion"]["id"] in item.locator(".suggestion").inner_text()
    assert page.locator("#verdict").inner_text().startswith("Perlu perbaikan")
    plan = page.locator('[name="activities[0].maintenance_plan"]')
    assert plan.get_attribute("aria-invalid") == "true"
    assert finding["message"]["id"] in page.locator(f'#note-{forms.input_id("activities[0].maintenance_plan")}').inner_text()
    # The link in the finding leads to the field concerned.
    item.locator(".fields a").first.click()
    assert page.evaluate("location.hash") == f'#{forms.input_id("activities[0].maintenance_plan")}'
    screenshot(page, "02-pra-periksa-hasil-tanpa-rencana-pemeliharaan")


def test_rows_can_be_added_and_removed_before_checking(page, live_server):
    page.goto(f"{live_server['url']}/pra-periksa")
    page.get_by_role("button", name="Tambah kegiatan").click()
    page.get_by_role("button", name="Tambah kegiatan").click()
    assert page.locator("fieldset.activity").count() == 3
    page.locator("fieldset.activity").nth(1).get_by_role("button", name="Hapus kegiatan ini").click()
    assert page.locator("fieldset.activity").count() == 2
    # Added rows have their own inputs, each with its own label; focus moved to the add button.
    assert unlabelled_inputs(page) == []
    assert page.evaluate("document.activeElement.textContent.trim()") == "Tambah kegiatan"
    page.get_by_role("button", name=re.compile("^Periksa$")).click()
    # Both remaining activities come back, renumbered 0 and 1, each with its schema problems.
    assert page.locator('[name="activities[1].code"]').count() == 1
    assert page.locator('[name="activities[2].code"]').count() == 0
    assert page.locator("#schema-problems").is_visible()
    assert page.locator('[name="activities[1].code"]').get_attribute("aria-invalid") == "true"
    screenshot(page, "03-pra-periksa-kesalahan-isian")


def test_facilitator_uploads_the_xlsx_template_with_a_flood_repair_and_sees_it_blocked(page, live_server, tmp_path):
    page.goto(f"{live_server['url']}/pra-periksa")
    with page.expect_download() as info:
        page.get_by_role("link", name="unduh templat XLSX").click()
    template = tmp_path / "templat.xlsx"
    info.value.save_as(template)
    assert load_workbook(template).sheetnames[:4] == ["proposal", "kegiatan", "rincian", "musyawarah"]

    data = valid_proposal()
    data["activities"][0]["repairs_flood_damage"] = True
    data["activities"][0]["name"] = "Perbaikan tanggul saluran yang jebol karena banjir"
    filled = tmp_path / "proposal-banjir.xlsx"
    filled.write_bytes(write_template(lambda p: p, data))
    expected = expected_check(live_server, data)
    blocking = [f for f in expected["findings"] if f["severity"] == "blocking"]
    assert expected["verdict"] == "ineligible" and blocking

    page.get_by_label("Berkas proposal").set_input_files(str(filled))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().startswith("Tidak layak")
    section = page.locator("section.sev-blocking")
    for f in blocking:
        assert section.locator(f'#finding-{f["rule_id"]}').is_visible()
    flood = page.locator('[name="activities[0].repairs_flood_damage"]')
    assert flood.is_checked() and flood.get_attribute("aria-invalid") == "true"
    screenshot(page, "04-pra-periksa-xlsx-banjir-tidak-layak")


def evaluation_csv(n_per_kelurahan: int = 4) -> bytes:
    from knowledge.synthetic import generate_cycles

    # Generated rows, labelled synthetic in their own column (the scoring carries the label through).
    rows = [{**r, "synthetic": True} for r in generate_cycles(seed=2018, cycles=range(2023, 2025)).evaluations
            if r["kelurahan"] in ("Cibabat", "Melong", "Baros") and int(r["rw"]) <= n_per_kelurahan]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_evaluator_uploads_records_and_downloads_the_results(page, live_server, tmp_path):
    records = tmp_path / "evaluasi-SINTETIS.csv"
    records.write_bytes(evaluation_csv())
    n_rows = len(records.read_text(encoding="utf-8").strip().splitlines()) - 1

    browser_sign_in(page, live_server["url"], live_server["keys"]["evaluator"])
    assert page.url.endswith("/skor")
    page.get_by_label("Berkas data evaluasi").set_input_files(str(records))
    page.get_by_role("button", name="Unggah dan hitung skor").click()
    page.wait_for_selector("#units", timeout=120_000)
    assert page.locator("#units tbody tr").count() == n_rows
    assert page.locator("figure.chart svg rect").count() > 0
    assert page.get_by_text("DATA SINTETIS").first.is_visible()
    screenshot(page, "05-skor-hasil")
    assert unlabelled_inputs(page) == []

    with page.expect_download() as info:
        page.locator("#download-xlsx").click()
    path = tmp_path / "hasil.xlsx"
    info.value.save_as(path)
    workbook = load_workbook(path)
    words, codes = workbook["skor"], workbook["kode"]
    header = [c.value for c in codes[1]]
    assert {"kelurahan", "rw", "score", "tier_id", "borderline", "imputed_indicators"} <= set(header)
    assert codes.max_row - 1 == n_rows == words.max_row - 1
    shown = page.locator("#units tbody tr").first.locator("td").nth(3).inner_text()
    first_score = codes.cell(row=2, column=header.index("score") + 1).value
    assert shown == f"{first_score:.3f}".replace(".", ",") and words.cell(row=2, column=5).value == first_score
    assert words.cell(row=2, column=5).number_format == "0.000"


def test_the_english_switch(page, live_server):
    page.goto(f"{live_server['url']}/pra-periksa")
    assert page.locator("h1").inner_text() == "Pra-periksa proposal"
    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Pre-check a proposal"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Proposal title").is_visible()
    screenshot(page, "06-pre-check-english")
    page.get_by_role("link", name="Empowerment scores").click()   # the choice is remembered
    assert page.locator("h1").inner_text() == "Sign in with an API key"
    screenshot(page, "06b-sign-in-english")
    page.get_by_role("link", name="Bahasa Indonesia").click()
    assert page.locator("h1").inner_text() == "Masuk dengan kunci API"


def test_a_page_without_the_keys_role_is_refused(page, live_server):
    page.goto(live_server["url"])
    assert page.get_by_role("heading", level=1).inner_text() == "Berdaya untuk pemberdayaan masyarakat Kota Cimahi"
    screenshot(page, "00-beranda")
    browser_sign_in(page, live_server["url"], live_server["keys"]["facilitator"])
    response = page.goto(f"{live_server['url']}/kebijakan")
    assert response.status == 403
    assert page.locator("h1").inner_text().startswith("403")
    assert "Access refused" in page.locator(".refusal").inner_text()
    screenshot(page, "07-ditolak-403")


def test_policy_pages_show_the_knowledge_base_and_the_what_if_reports(page, live_server):
    browser_sign_in(page, live_server["url"], live_server["keys"]["policy"])
    assert page.url.endswith("/kebijakan")
    assert page.locator("details[id^=rule-]").count() > 30
    page.locator("#param-pagu_per_rw").scroll_into_view_if_needed()
    assert "Rp 75.000.000" in page.locator("#param-pagu_per_rw").inner_text()
    screenshot(page, "08-kebijakan")
    page.goto(f"{live_server['url']}/kebijakan/what-if")
    assert page.locator("#no-reports").is_visible()
    screenshot(page, "09-what-if-kosong")
    engines = live_server["app"].state.services.engines
    engines.store.save_whatif(whatif_report(engines.default_kb().name))
    page.reload()
    page.locator("table a").first.click()
    assert page.locator("h1").inner_text().startswith("Laporan what-if draf")
    assert page.locator("figure.chart svg rect").count() == 2       # one rule: before and after bars
    screenshot(page, "10-what-if-laporan")


def test_phone_sized_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    tab.goto(f"{live_server['url']}/pra-periksa")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    # Keyboard: the skip link comes first and takes the focus to the main content.
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip"
    outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"                            # focus is visible
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
    screenshot(tab, "11-pra-periksa-ponsel")
    context.close()
