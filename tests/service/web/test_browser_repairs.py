"""Repairs in a real browser: a facilitator pre-checks a proposal with wages paid from PPM money and
PPM money over the ceiling, reads each patch as a before → after table in words, presses
"Terapkan perbaikan" and the form comes back refilled, its changed fields marked, and eligible.
Screenshots at 390 px and at desktop width go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from knowledge.documents import read_document, to_jsonable
from knowledge.kb import DEFAULT_KB
from tests.service.web.helpers import fill_proposal, screenshot

pytestmark = pytest.mark.browser


def wages_and_over_ceiling() -> dict:
    """The knowledge base's base proposal (RW 05 Cibabat 2022; not real data) with the two problems."""
    data = to_jsonable(read_document(DEFAULT_KB / "tests" / "base_proposal.yaml"))
    data["activities"][0]["budget_lines"][3]["source"] = "ppm"           # Rp 4.000.000 of wages from PPM money
    data["activities"][1]["budget_lines"][0]["unit_price"] = 50_000_000  # PPM money over the ceiling
    return data


@pytest.mark.parametrize("width", [390, 1280])
def test_facilitator_applies_the_repairs_and_the_recheck_is_eligible(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    tab = context.new_page()
    tab.goto(f"{live_server['url']}/pra-periksa")
    fill_proposal(tab, wages_and_over_ceiling())
    tab.get_by_role("button", name=re.compile("^Periksa$")).click()
    tab.wait_for_selector("#verdict")
    assert tab.locator("#verdict").inner_text().startswith("Tidak layak")

    repairs = tab.locator("#repairs")
    tables = repairs.locator("table.repair-table")
    assert tables.count() >= 2
    text = repairs.inner_text()
    # In words: the form's labels, the sources by name, amounts in Rupiah; no field path or code.
    assert "Kegiatan 1, rincian 4: Sumber dana" in text and "(Tenaga kerja gotong royong)" in text
    assert "Dana program (PPM / Sarpras Kelurahan)" in text and "Swadaya warga" in text
    assert re.search(r"Rp \d{1,3}(\.\d{3})+", text)
    assert "budget_lines" not in text and "PPM-ANG" not in text and "swadaya\n" not in text
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(tab, f"repairs-01-suggested-{width}")

    tab.get_by_role("button", name="Terapkan perbaikan").click()
    tab.wait_for_selector("#repair-applied")
    assert tab.locator("#verdict").inner_text().startswith("Layak")
    wage_source = tab.locator('[name="activities[0].budget_lines[3].source"]')
    assert wage_source.input_value() == "swadaya"
    marked = tab.locator(".field.changed [name]")
    names = {marked.nth(i).get_attribute("name") for i in range(marked.count())}
    assert "activities[0].budget_lines[3].source" in names
    assert "Kolom yang diubah oleh perbaikan ditandai" in tab.locator("#repair-applied").inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(tab, f"repairs-02-applied-{width}")
    context.close()
