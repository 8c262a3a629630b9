"""A 2026 proposal's whole journey in a real browser, on a phone (390x844) and on a desktop.

The facilitator submits from the pre-check; the kelurahan reviewer approves; the kecamatan
reviewer accepts one finding as an exception and returns it with a note; the facilitator
revises in the form filled with the proposal and resubmits; it is approved at every stage up to
the dinas; an amendment with its berita acara follows (by upload). The facilitator's list shows each stage; no page is wider than
the viewport; the downloaded PDF's text holds the verdict, the RAB totals, the exception and its reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from service.web.kb_view import rule_titles
from tests.service.web.helpers import browser_sign_in, make_key, screenshot, valid_proposal

pytestmark = pytest.mark.browser
VIEWPORTS = {"telepon": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
REASON = "Musyawarah susulan khusus perempuan sudah dijadwalkan (SINTETIS)"


def proposal_2026(rw: int) -> dict:
    """The fixture proposal moved to 2026, with too few women at the musyawarah (findings to review)."""
    data = json.loads(json.dumps(valid_proposal()).replace("2022-", "2026-"))
    data.update(cycle=2026, title=f"Perbaikan drainase RW {rw} (SINTETIS)")
    data["region"]["rw"] = rw
    data["musyawarah"]["attendance"]["women"] = 5
    return data


def person(browser, live_server, viewport: dict, key: str):
    context = browser.new_context(accept_downloads=True, viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    browser_sign_in(tab, live_server["url"], key)
    return context, tab


def fits(tab) -> None:
    wide = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], (tab.url, wide)


def stage_in_list(tab, url: str, pid: str) -> str:
    """The proposal's stage as the list shows it, every column of its row on the screen (a card on a phone)."""
    tab.goto(f"{url}/proposal")
    fits(tab)
    row = tab.locator(f'tr[data-proposal="{pid}"]')
    for cell in row.locator("td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= tab.viewport_size["width"], (cell.inner_text(), box)
    return row.locator("td.stage").inner_text()


def decide(tab, url: str, pid: str, button: str, note: str = "") -> None:
    tab.goto(f"{url}/proposal/{pid}")
    fits(tab)
    if note:
        tab.locator("#note").fill(note)
    tab.get_by_role("button", name=button, exact=True).click()
    tab.wait_for_selector("#state")


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_a_proposal_goes_the_whole_way_through_review(browser, live_server, tmp_path, screen):
    url, app, viewport = live_server["url"], live_server["app"], VIEWPORTS[screen]
    rw = 11 if screen == "telepon" else 12
    data = proposal_2026(rw)
    keys = {"facilitator": make_key(app, "facilitator", "Cibabat"),
            "kelurahan": make_key(app, "reviewer", "Cibabat", scope="kelurahan"),
            "kecamatan": make_key(app, "reviewer", scope="kecamatan", kecamatan="Cimahi Utara"),
            "dinas": make_key(app, "reviewer", scope="city")}
    people = {who: person(browser, live_server, viewport, key) for who, key in keys.items()}
    tabs = {who: tab for who, (_, tab) in people.items()}
    try:
        fac = tabs["facilitator"]
        upload = tmp_path / "proposal-2026.json"
        upload.write_text(json.dumps(data), encoding="utf-8")
        fac.goto(f"{url}/pra-periksa")
        fac.get_by_label("Berkas proposal").set_input_files(str(upload))
        fac.get_by_role("button", name="Unggah dan periksa").click()
        fac.wait_for_selector("#verdict")
        fac.get_by_role("button", name="Ajukan (simpan)").click()
        fac.wait_for_selector("#stored-h")
        assert "Perlu perbaikan" in fac.locator("#verdict").inner_text()
        assert "peninjau dapat mengembalikannya" in fac.locator("#stored-explain").inner_text()
        href = fac.get_by_role("link", name=re.compile("Buka halaman proposal")).get_attribute("href")
        pid = href.rsplit("/", 1)[1]
        assert stage_in_list(fac, url, pid).startswith("Kelurahan")
        screenshot(fac, f"journey-{screen}-01-daftar-kelurahan")

        decide(tabs["kelurahan"], url, pid, "Setujui")
        assert stage_in_list(fac, url, pid).startswith("Kecamatan")

        kec = tabs["kecamatan"]
        kec.goto(f"{url}/tinjauan")
        kec.get_by_role("link", name=data["title"]).click()
        finding = kec.locator("li.finding").first
        rule = finding.get_attribute("data-rule")
        finding.get_by_label("Alasan pengecualian").fill(REASON)
        finding.get_by_role("button", name="Terima sebagai pengecualian").click()
        kec.wait_for_selector("#exceptions")
        assert REASON in kec.locator("#exceptions").inner_text()
        decide(kec, url, pid, "Kembalikan untuk perbaikan", "Tambahkan rincian swadaya")
        screenshot(kec, f"journey-{screen}-02-dikembalikan")
        assert stage_in_list(fac, url, pid) == "Dikembalikan untuk perbaikan"

        data["title"] += " - revisi"
        fac.goto(f"{url}/proposal/{pid}")
        assert "Tambahkan rincian swadaya" in fac.locator("#return-note").inner_text()  # the note at the top
        fac.get_by_role("link", name="Revisi di formulir").click()  # no file: the form, filled with revision 1
        fits(fac)
        title = fac.get_by_label(re.compile("^Judul proposal"))
        assert title.input_value() == data["title"].removesuffix(" - revisi")
        title.fill(data["title"])
        fac.get_by_role("button", name="Ajukan revisi").click()
        fac.wait_for_selector("#state")
        assert "Revisi 2" in fac.locator("main").inner_text() and REASON in fac.locator("#exceptions").inner_text()
        assert "Judul proposal" in fac.locator("#revisions").inner_text()
        assert stage_in_list(fac, url, pid).startswith("Kelurahan")

        for who in ("kelurahan", "kecamatan", "dinas"):
            decide(tabs[who], url, pid, "Setujui")
        assert stage_in_list(fac, url, pid) == "Disetujui"
        screenshot(fac, f"journey-{screen}-03-disetujui")

        fac.goto(f"{url}/proposal/{pid}/cetak")
        rab = fac.evaluate("() => { const t = document.querySelector('.wrap-table'); "
                           "return [t.scrollWidth, t.clientWidth]; }")
        assert rab[0] <= rab[1], rab  # the RAB needs no sideways scrolling, on a phone too
        fac.goto(f"{url}/proposal/{pid}")
        with fac.expect_download() as info:
            fac.get_by_role("link", name="Unduh PDF").click()
        pdf = tmp_path / "ringkasan.pdf"
        info.value.save_as(pdf)

        data["activities"][0]["budget_lines"][0]["quantity"] = 35
        upload.write_text(json.dumps(data), encoding="utf-8")
        fac.goto(f"{url}/proposal/{pid}")
        fac.locator("#revise-file").set_input_files(str(upload))
        fac.locator("#ba-nomor").fill("BA-07/RW11/2026")
        fac.locator("#ba-tanggal").fill("2026-08-01")
        fac.get_by_role("button", name="Ajukan amendemen").click()
        fac.wait_for_selector("#state")
        assert "BA-07/RW11/2026" in fac.locator("#revisions").inner_text()
        assert stage_in_list(fac, url, pid).startswith("Kelurahan")
        fac.goto(f"{url}/proposal/{pid}")
        fits(fac)
        screenshot(fac, f"journey-{screen}-04-amendemen")
    finally:
        for context, _ in people.values():
            context.close()

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text was not read")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Hasil pemeriksaan: Perlu perbaikan" in text and "Jumlah seluruhnya" in text
    assert "Rp 5.600.000" in text and "Rp 2.600.000" in text and "Rp 3.000.000" in text
    words = " ".join(text.split())                                            # lines wrap where the layout wants
    title = rule_titles(app.state.services)[rule]["id"]                      # a finding is printed by its title
    assert f'"{title}"' in words and "Musyawarah susulan khusus perempuan" in words


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_a_draft_is_saved_edited_in_the_form_and_submitted(browser, live_server, tmp_path, screen):
    url, app, viewport = live_server["url"], live_server["app"], VIEWPORTS[screen]
    data = proposal_2026(13 if screen == "telepon" else 14)
    people = [person(browser, live_server, viewport, make_key(app, "facilitator", "Cibabat")),
              person(browser, live_server, viewport, make_key(app, "reviewer", "Cibabat", scope="kelurahan"))]
    (_, fac), (_, reviewer) = people
    try:
        upload = tmp_path / "draf-2026.json"
        upload.write_text(json.dumps(data), encoding="utf-8")
        fac.goto(f"{url}/pra-periksa")
        fac.get_by_label("Berkas proposal").set_input_files(str(upload))
        fac.get_by_role("button", name="Unggah dan periksa").click()
        fac.wait_for_selector("#verdict")
        fac.get_by_role("button", name="Simpan sebagai draf").click()
        fac.wait_for_selector("#draft")
        pid = fac.url.rsplit("/", 1)[1]
        assert stage_in_list(fac, url, pid) == "Draf"
        reviewer.goto(f"{url}/tinjauan")
        assert reviewer.locator(f'tr[data-proposal="{pid}"]').count() == 0

        fac.goto(f"{url}/proposal/{pid}")
        fac.get_by_role("link", name="Ubah di formulir").click()
        fac.locator('[name="title"]').fill(data["title"] + " - draf diubah")
        fac.get_by_role("button", name="Simpan sebagai draf").click()
        fac.wait_for_selector("#draft")
        assert "draf diubah" in fac.locator("h1").inner_text()
        fits(fac)
        screenshot(fac, f"draft-{screen}-01-draf")
        fac.locator('#draft form[action$="/ajukan"] button').click()
        fac.wait_for_selector("#state")
        assert "Menunggu di tahap" in fac.locator("#state").inner_text()
        assert stage_in_list(fac, url, pid).startswith("Kelurahan")
        reviewer.goto(f"{url}/tinjauan")
        assert reviewer.locator(f'tr[data-proposal="{pid}"]').count() == 1
    finally:
        for context, _ in people:
            context.close()
