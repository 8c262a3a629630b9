"""Phones and desktops: no page is wider than a 390 px screen or a 1280 px window, for any role, result
pages with wide tables (the scores of a run, an RW's history) included, and on a phone a list of cards
(the proposals, a run's units) never scrolls inside its box (Debian Chromium through Playwright measures
`document.documentElement.scrollWidth` and each box's own).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from service.web.forms import input_id
from tests.service.web.helpers import (
    SCREENSHOTS,
    TYPED_NUMBERS,
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
DESKTOP = {"width": 1280, "height": 800}
SKIPPED = ("/static/", "/v1/", "/docs", "/openapi", "/redoc")
LINKS = """() => Array.from(document.querySelectorAll('a[href^="/"]')).map(a => a.getAttribute('href'))"""
WIDTH = "document.documentElement.scrollWidth"
SORTED = "sort="  # a table sorted another way is the same page with its rows in another order
# The boxes of cards that scroll sideways inside themselves (on a phone, none may).
SCROLLING_CARDS = """() => Array.from(document.querySelectorAll('.cards-on-phone'))
    .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.id || box.className)"""


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _wide(tab) -> int:
    return int(tab.evaluate(WIDTH))


def _crawl(tab, url: str) -> dict[str, tuple[int, list[str]]]:
    """Every page reachable by links from the home page: path -> its width, and its boxes of cards that
    scroll inside themselves."""
    measured: dict[str, tuple[int, list[str]]] = {}
    todo = ["/"]
    while todo:
        path = todo.pop()
        if path in measured or path.startswith(SKIPPED) or "." in path.split("?")[0].rsplit("/", 1)[-1] or SORTED in path:
            continue
        response = tab.goto(url + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        measured[path] = (_wide(tab), tab.evaluate(SCROLLING_CARDS))
        todo += [h.split("#")[0] for h in tab.evaluate(LINKS) if h.split("#")[0]]
    return measured


def _screen(browser, viewport: dict):
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    return tab


@pytest.fixture
def phone(browser, live_server):
    tab = _screen(browser, PHONE)
    yield tab
    tab.context.close()


def _score(tab, url: str, key: str, tmp_path, rows: int = 12) -> None:
    """Upload `rows` synthetic evaluation records as the evaluator and wait for the run's units."""
    records = tmp_path / "evaluasi-SINTETIS.csv"
    records.write_bytes(records_csv(synthetic_records(rows)))
    tab.context.clear_cookies()
    browser_sign_in(tab, url, key)
    tab.locator("#records-file").set_input_files(str(records))
    tab.get_by_role("button", name=re.compile("Unggah dan hitung skor|Upload and score")).click()
    tab.wait_for_selector("#units")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_page_any_role_reaches_is_wider_than_the_screen(browser, live_server, tmp_path, viewport):
    """Phone (390 px) and desktop (1280 px window): a stored score run is reached too (its units table)."""
    url, keys = live_server["url"], live_server["keys"]
    engines = live_server["app"].state.services.engines
    engines.store.save_whatif(make_report(engines.default_kb().name))
    keys = {**keys, "admin": make_key(live_server["app"], "admin")}
    tab = _screen(browser, viewport)
    try:
        _score(tab, url, keys["evaluator"], tmp_path, rows=4)
        tab.context.clear_cookies()
        reached = {"anonymous": _crawl(tab, url)}
        for role, key in keys.items():
            tab.context.clear_cookies()
            browser_sign_in(tab, url, key)
            reached[role] = _crawl(tab, url)
    finally:
        tab.context.close()
    assert any(p.startswith("/kebijakan/what-if/") for p in reached["policy"])
    assert any(p.startswith("/skor?run=") for p in reached["evaluator"])
    too_wide = {(role, path, w) for role, pages in reached.items() for path, (w, _) in pages.items()
                if w > viewport["width"]}
    scrolling = {(role, path, tuple(boxes)) for role, pages in reached.items() for path, (_, boxes) in pages.items()
                 if boxes and viewport == PHONE}
    assert (sorted(too_wide), sorted(scrolling)) == ([], [])


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

    _score(phone, url, keys["evaluator"], tmp_path)
    screenshot(phone, "13-skor-ponsel")
    assert _wide(phone) <= PHONE["width"]
    # The units are cards: each row a box, each cell on its own line under its column's name; none scrolls.
    row = phone.locator("#units tbody tr").first
    expect(row).to_have_css("display", "block")
    expect(row.locator("td").first).to_have_css("display", "block")
    score = row.locator('td[data-label="Skor"]')
    assert score.evaluate("td => getComputedStyle(td, '::before').content") == '"Skor: "'
    assert phone.locator("#units-wrap").evaluate("box => box.scrollWidth <= box.clientWidth")
    expect(phone.locator("#units thead")).to_have_css("position", "absolute")  # read by screen readers only
    row.screenshot(path=str(SCREENSHOTS / "13-skor-kartu-ponsel.png"))

    phone.locator("#units a.rw-history").first.click()           # the RW's history, from the units table
    phone.wait_for_selector("#history-summary")
    phone.locator("details.indicators").first.evaluate("d => d.open = true")
    screenshot(phone, "15-riwayat-rw-ponsel")
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
    # The form recomputes its totals just after the click's own handlers (a zero timeout): wait for it.
    expect(phone.locator("[data-grand-total]")).to_have_text("Rp 285.000")

    kelurahan = phone.locator('[name="region.kelurahan"]')
    phone.locator('[name="region.kecamatan"]').select_option("Cimahi Selatan")
    offered = kelurahan.evaluate("s => Array.from(s.querySelectorAll('optgroup:not([disabled]) option')).map(o => o.value)")
    assert "Melong" in offered and "Cibabat" not in offered
    kelurahan.select_option("Melong")
    phone.locator('[name="region.kecamatan"]').select_option("Cimahi Utara")
    assert kelurahan.input_value() == ""                          # Melong is not in Cimahi Utara
    screenshot(phone, "14-jumlah-anggaran-ponsel")


def test_the_running_total_reads_numbers_by_the_servers_rule(phone, live_server):
    """form.js reads what is typed as forms.read_number does (the same table of examples); a number
    neither can read counts as 0 and is marked, and the check then refuses it at its field."""
    phone.goto(f"{live_server['url']}/pra-periksa")
    line = phone.locator("fieldset.line").first
    quantity, price = line.locator('[name$="].quantity"]'), line.locator('[name$="].unit_price"]')
    line.locator('[name$="].source"]').select_option("ppm")
    price.fill("100")
    for typed, read in TYPED_NUMBERS:
        quantity.fill(typed)
        shown = phone.locator("[data-grand-total]").inner_text()
        assert shown == rupiah(round((read or 0) * 100)), typed
        assert ("unreadable" in (quantity.get_attribute("class") or "")) == (read is None), typed
    quantity.fill("6,5")
    price.fill("250.000")
    assert phone.locator("[data-grand-total]").inner_text() == "Rp 1.625.000"
    phone.get_by_role("button", name=re.compile("^Periksa$")).click()
    phone.wait_for_selector("#schema-problems")  # the empty rest of the form
    assert quantity.input_value() == "6,5" and price.input_value() == "250000"
    assert phone.locator("[data-grand-total]").inner_text() == "Rp 1.625.000"  # the server's total
    quantity.fill("6.5")
    phone.get_by_role("button", name=re.compile("^Periksa$")).click()
    phone.wait_for_selector("#schema-problems")
    note = phone.locator(f"#note-{input_id('activities[0].budget_lines[0].quantity')}").inner_text()
    assert '"6.5" tidak terbaca sebagai angka' in note
    screenshot(phone, "15-angka-tak-terbaca-ponsel")
