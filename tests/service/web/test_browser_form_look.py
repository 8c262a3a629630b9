"""What a new user sees in a real browser (headless Debian Chromium), read live with `expect()`: every text
field of the policy and calibration forms is drawn like the pre-check's (full width, 44 px tall, a 2 px
border), not as a bare browser box run into its label; the tier-share charts on /skor name the tier of each
colour in a legend; an RW's history leads back to the filtered scores view it was opened from.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.service.web.helpers import browser_sign_in, records_csv, screenshot, synthetic_records

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
TEXT_FIELDS = "main form input:not([type]), main form input[type=text]"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def styled_like_the_form(tab, where: str) -> int:
    """Every text field on the page is 44 px tall with the form's 2 px border; returns how many there are."""
    fields = tab.locator(TEXT_FIELDS)
    assert fields.count() > 0, where
    for i in range(fields.count()):
        field = fields.nth(i)
        expect(field, f"{where}: #{field.get_attribute('id')}").to_have_css("min-height", "44px")
        expect(field, f"{where}: #{field.get_attribute('id')}").to_have_css("border-top-width", "2px")
    return fields.count()


def test_the_policy_forms_text_fields_are_drawn_like_the_rest_of_the_site_on_a_phone(phone, live_server):
    url = live_server["url"]
    browser_sign_in(phone, url, live_server["keys"]["policy"])
    phone.goto(f"{url}/kebijakan/versi")
    styled_like_the_form(phone, "/kebijakan/versi")
    phone.locator("#new-draft-2026\\.1").click()
    phone.wait_for_selector("#edit-value")
    assert styled_like_the_form(phone, "draft") >= 6  # value, reference, modelled on (twice), rule, publish
    value = phone.locator("#ev-value")
    expect(value).to_have_js_property("offsetWidth", phone.locator("#ev-parameter").evaluate("e => e.offsetWidth"))
    screenshot(phone, "look-01-draf-ponsel")


def uploaded(page, live_server, tmp_path, rows: int = 12) -> None:
    """The evaluator signs in and uploads `rows` synthetic records; the run's table is shown."""
    url = live_server["url"]
    data = tmp_path / "evaluasi.csv"
    data.write_bytes(records_csv(synthetic_records(rows)))
    browser_sign_in(page, url, live_server["keys"]["evaluator"])
    page.goto(f"{url}/skor")
    page.get_by_label("Berkas data evaluasi").set_input_files(str(data))
    page.get_by_role("button", name="Unggah dan hitung skor").click()
    page.wait_for_selector("#units", timeout=120_000)


def test_the_tier_share_charts_on_skor_have_a_legend_of_the_tiers(page, live_server, tmp_path):
    uploaded(page, live_server, tmp_path)
    for chart in ("chart-kel", "chart-cyc"):
        legend = page.locator(f"#{chart}-legend li")
        expect(legend).to_have_text(["Tidak berdaya", "Berdaya", "Mandiri", "Madani"])
        expect(legend.first.locator(".sw")).to_have_css("background-color", re.compile(r"rgb\(244, 165, 130\)"))
    screenshot(page, "look-02-skor-legenda")


def test_an_rws_history_leads_back_to_the_filtered_scores_view_it_was_opened_from(page, live_server, tmp_path):
    uploaded(page, live_server, tmp_path, rows=60)
    page.locator("#f-tier").select_option("1")
    with page.expect_navigation(url=re.compile("tier=1")):
        page.get_by_role("button", name="Terapkan").click()
    view = page.url
    page.locator("#units a.rw-history").first.click()
    expect(page.locator("h1")).to_contain_text("Riwayat RW")
    page.get_by_role("link", name="Kembali ke Skor pemberdayaan").click()
    expect(page).to_have_url(view)
    expect(page.locator("#f-tier")).to_have_value("1")
