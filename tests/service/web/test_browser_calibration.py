"""Issue 16's loop in a real browser (headless Debian Chromium): the evaluator uploads the demo generator's full
evaluations_SINTETIS.xlsx and sees every cycle, filters to one kelurahan, overrides two tiers with reasons,
runs a calibration over 2018-2024 from the stored final tiers; policy staff put it in force for 2025; /skor
shows the transitions, then scores 2025 with it and names it. Screenshots at desktop and 390 px go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import re

import httpx
import pytest

from knowledge.synthetic import generate_cycles, write_demo_data
from tests.service.web.helpers import browser_sign_in, on_phone, screenshot

pytestmark = pytest.mark.browser
KELURAHAN = "Melong"
CALIBRATION_CYCLES = (2018, 2019, 2021, 2022, 2023, 2024)


def upload(page, url: str, path) -> str:
    """Upload an evaluation file on /skor and wait for its run's table; returns the run id."""
    page.goto(f"{url}/skor")
    page.get_by_label("Berkas data evaluasi").set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan hitung skor").click()
    page.wait_for_selector("#units", timeout=180_000)
    return re.search(r"run=([0-9a-f]+)", page.url).group(1)


def override(page, row, reason: str) -> str:
    """Set the row's final tier one below the computed one (one above for the lowest) with a reason."""
    computed = int(re.search(r"tier-(\d+)", row.locator("td").nth(4).get_attribute("class")).group(1))
    chosen = str(computed - 1 if computed > 0 else 1)
    row.locator("select[name=d_tier]").select_option(chosen)
    row.locator("input[name=d_reason]").fill(reason)
    with page.expect_navigation(url=re.compile("done=override")):
        row.get_by_role("button", name="Simpan").click()
    return chosen


def test_the_calibration_loop_from_the_stored_final_tiers_in_the_pages(page, browser, live_server, tmp_path):
    url, keys = live_server["url"], live_server["keys"]
    demo = write_demo_data(generate_cycles(), tmp_path / "demo")
    browser_sign_in(page, url, keys["evaluator"])
    run_id = upload(page, url, demo / "evaluations_SINTETIS.xlsx")
    cycles = page.locator("#f-cyc option").all_inner_texts()[1:]
    assert cycles == ["2018", "2019", "2021", "2022", "2023", "2024", "2025", "2026"]
    screenshot(page, "cal-01-skor")

    page.locator("#f-kel").select_option(KELURAHAN)
    page.locator("#f-cyc").select_option("2024")
    with page.expect_navigation(url=re.compile(f"kelurahan={KELURAHAN}")):
        page.get_by_role("button", name="Terapkan").click()
    assert set(page.locator("#units tbody tr td:nth-child(2)").all_inner_texts()) == {KELURAHAN}
    rows = page.locator("#units tbody tr")
    first_rw, second_rw = rows.nth(0).get_attribute("data-rw"), rows.nth(1).get_attribute("data-rw")
    override(page, rows.nth(0), "Kunjungan lapangan: kelompok tidak aktif")
    override(page, page.locator(f'#units tbody tr[data-rw="{second_rw}"]'), "Rapat warga tidak terlaksana")
    for rw in (first_rw, second_rw):
        assert "diputuskan" in page.locator(f'#units tbody tr[data-rw="{rw}"] .own-tier').inner_text()

    page.goto(f"{url}/kalibrasi")
    for box in page.locator("#run-form input[name=cycles]").all():
        box.set_checked(int(box.get_attribute("value")) in CALIBRATION_CYCLES)
    page.locator("#r-method").select_option("ordinal")
    page.get_by_role("button", name="Jalankan kalibrasi").click()
    page.wait_for_selector('#run-state[data-state="done"]', timeout=180_000)
    run_page = page.url
    summary = page.locator("#run-labels").inner_text()
    assert "2 dari keputusan tingkat penilai (2 di antaranya dikoreksi)" in summary, summary
    assert "Siklus 2018–2019, 2021–2024" in page.locator("#run-summary").inner_text()
    assert page.locator(".badge").first.inner_text().startswith("DATA SINTETIS")
    calibration_id = page.locator("#fit-ordinal code").inner_text()
    screenshot(page, "cal-02-laporan")
    on_phone(browser, run_page, page.context.cookies(), "cal-02-laporan-ponsel")

    page.context.clear_cookies()
    browser_sign_in(page, url, keys["policy"])
    page.goto(run_page)
    page.locator("#fit-ordinal .enact-link").click()
    assert page.locator("#e-cal").input_value() == calibration_id
    page.locator("#e-from").fill("2025")
    page.locator("#e-why").fill("Kalibrasi dari tingkat akhir 2018-2024, ditinjau rapat evaluasi")
    page.get_by_role("button", name="Berlakukan").click()
    assert calibration_id in page.locator("#in-force-history").inner_text()
    on_phone(browser, f"{url}/kalibrasi", page.context.cookies(), "cal-03-berlaku-ponsel")

    page.context.clear_cookies()
    browser_sign_in(page, url, keys["evaluator"])
    page.goto(f"{url}/skor?run={run_id}")
    transitions = page.locator("#transitions-1")
    assert calibration_id in transitions.inner_text() and "2025" in transitions.inner_text()
    screenshot(page, "cal-04-transisi")

    with (demo / "evaluations_SINTETIS.csv").open(encoding="utf-8") as fh:
        rows_2025 = [r for r in csv.DictReader(fh) if r["cycle"] == "2025"]
    later = tmp_path / "evaluasi_2025_SINTETIS.csv"
    with later.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows_2025[0]))
        writer.writeheader()
        writer.writerows(rows_2025)
    new_run = upload(page, url, later)
    assert calibration_id in page.locator("#in-force").inner_text()
    units = httpx.get(f"{url}/v1/score-runs/{new_run}/units", params={"limit": 500}, timeout=60,
                      headers={"Authorization": f"Bearer {keys['evaluator']}"}).json()
    assert units["total"] == len(rows_2025) and {u["calibration_id"] for u in units["items"]} == {calibration_id}
    screenshot(page, "cal-05-skor-2025")
