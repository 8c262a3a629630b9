"""Signing in on a phone (390x844) without typing the key: a one-time link opened in Chromium,
confirmed with its button, lands on the facilitator's page signed in; and a signed-in desktop
makes such a link on "Masuk di ponsel" as a QR code. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.service.web.helpers import browser_sign_in, key_id_of, make_key, screenshot, sign_in_link

pytestmark = pytest.mark.browser
WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def test_a_facilitator_opens_the_link_on_a_phone_and_lands_signed_in(phone, live_server):
    url, app = live_server["url"], live_server["app"]
    path = sign_in_link(app, key_id_of(app, make_key(app, "facilitator", "Cibabat")))
    phone.goto(url + path)
    assert "fasilitator untuk Kelurahan Cibabat" in phone.inner_text("main")
    assert int(phone.evaluate(WIDTH)) <= 390
    screenshot(phone, "signin-link-phone")
    phone.get_by_role("button", name="Masuk sekarang").click()
    phone.wait_for_url(re.compile(r"/pra-periksa$"))
    assert "Masuk sebagai fasilitator · Cibabat" in phone.inner_text("header")
    screenshot(phone, "signin-link-landed-phone")
    phone.goto(url + path)  # the same link a second time: used
    assert "Tautan sudah dipakai" in phone.inner_text("main")


def test_a_signed_in_desktop_shows_a_qr_code_that_signs_the_phone_in(page, phone, live_server):
    url, app = live_server["url"], live_server["app"]
    browser_sign_in(page, url, make_key(app, "facilitator", "Cibabat"))
    page.get_by_role("link", name="Masuk di ponsel").click()
    page.get_by_role("button", name="Buat tautan").click()
    page.wait_for_selector("#phone-qr svg")
    screenshot(page, "signin-phone-qr-desktop")
    shown = page.get_attribute("#phone-link", "href")
    assert shown and "/masuk/tautan/" in shown
    phone.goto(url + "/" + shown.split("/", 3)[3])
    phone.get_by_role("button", name="Masuk sekarang").click()
    phone.wait_for_url(re.compile(r"/pra-periksa$"))
    assert "Masuk sebagai fasilitator" in phone.inner_text("header")
    phone.goto(url + "/masuk/ponsel")
    phone.get_by_role("button", name="Buat tautan").click()
    phone.wait_for_selector("#phone-qr svg")
    assert int(phone.evaluate(WIDTH)) <= 390
    screenshot(phone, "signin-phone-qr-phone")
