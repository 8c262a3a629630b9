"""The calibration run pages: the form on /kalibrasi starts the job, its page refreshes until the report is
there, in words and tables (synthetic records whose evaluator tiers are cut at known points of their scores)."""

import re
import time

from knowledge.indices import load_index_definition
from tests.service.helpers import known_tier_rows
from tests.service.web.helpers import csrf_of, finished_run, records_csv, sign_in
from tests.words import codes_in, visible_text

DEFINITION = load_index_definition("ppm")


def stored_scores(client, rows):
    token = csrf_of(client.get("/skor").text)
    finished_run(client, client.post("/skor", data={"csrf_token": token}, files={
        "file": ("evaluasi_SINTETIS.csv", records_csv(rows), "text/csv")}))


def run_form(client, **fields):
    token = csrf_of(client.get("/kalibrasi").text)
    return client.post("/kalibrasi/jalankan", data={"csrf_token": token, **fields}, follow_redirects=False)


def finished_page(client, location, timeout=120.0):
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(location)
        assert page.status_code == 200, page.text[:2000]
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        assert time.monotonic() < deadline, page.text[:2000]
        time.sleep(0.2)


def test_an_evaluator_runs_a_calibration_from_the_page_and_reads_its_report_in_words(client, keys):
    sign_in(client, keys["evaluator"])
    stored_scores(client, known_tier_rows() + known_tier_rows(cycles=(2024,), seed=4))
    form = client.get("/kalibrasi").text
    assert all(f'id="run-cycle-{c}"' in form for c in (2022, 2023, 2024))
    started = run_form(client, cycles=["2022", "2023"], method="all")
    assert started.status_code == 303, started.text[:2000]
    location = started.headers["location"]
    assert location.startswith("/kalibrasi/jalankan/")
    report = finished_page(client, location)
    assert 'data-state="done"' in report and "Siklus 2022–2023" in report
    for section in ("run-summary", "proposed", "run-quantiles", "run-histogram", "run-validation", "drift-2024"):
        assert f'id="{section}"' in report
    assert all(level.name.id in report for level in DEFINITION.tiers.levels)
    assert "Logit berurut" in report and "Penjangkaran kuantil" in report
    assert re.search(r"\b0,\d{3}\b", report) and not re.search(r">0\.\d{3}<", report)  # 0,436, not 0.436
    assert "120 tingkat akhir: 0 dari keputusan" in report
    assert 'class="enact-link"' not in report  # putting in force is for policy staff
    for shown in (report, client.get(f"{location}?lang=en").text):
        assert [(text, found) for text in visible_text(shown) if (found := codes_in(text))] == []
    assert location.rsplit("/", 1)[1] in client.get("/kalibrasi").text  # listed among the runs
    client.cookies.clear()
    sign_in(client, keys["policy"])
    as_policy = client.get(location).text
    link = re.search(r'href="(/kalibrasi\?usul=([^"#]+)#enact)"', as_policy)
    assert link is not None
    assert f'value="{link.group(2)}" selected' in client.get(link.group(1)).text


def test_a_refused_run_names_its_reasons_on_the_page_and_stores_nothing(client, keys):
    sign_in(client, keys["evaluator"])
    stored_scores(client, known_tier_rows(per_cycle=12))
    too_few = run_form(client, cycles=["2022", "2023"], method="ordinal")
    assert too_few.status_code == 422
    assert "perlu sedikitnya 10 per tingkat" in too_few.text and 'id="run-cycle-2022" checked' in too_few.text
    none = run_form(client, method="ordinal")
    assert none.status_code == 422 and 'id="cal-problems"' in none.text
    assert 'id="recent-calibration-runs"' not in client.get("/kalibrasi").text
    client.cookies.clear()
    sign_in(client, keys["facilitator"])
    assert client.get("/kalibrasi").status_code == 403


def test_policy_staff_choose_a_calibration_to_put_in_force_by_its_method_and_cycles_in_words(client, keys):
    """The enact form's choices read "Logit berurut · siklus 2022–2023 · <date>", not the artifact's id, and it
    starts at the ordered logit (the default method), not at the fixed cuts kept only for comparison."""
    sign_in(client, keys["policy"])
    assert 'id="no-stored"' in client.get("/kalibrasi").text  # an empty list says so
    client.cookies.clear()
    sign_in(client, keys["evaluator"])
    stored_scores(client, known_tier_rows())
    finished_page(client, run_form(client, cycles=["2022", "2023"], method="all").headers["location"])
    client.cookies.clear()
    sign_in(client, keys["policy"])
    page = client.get("/kalibrasi").text
    options = re.findall(r'<option value="(cal-[^"]+)"( selected)?>([^<]+)</option>', page)
    assert len(options) == 4
    words = {text.split(" · ")[0] for _, _, text in options}
    assert words == {"Logit berurut", "Isotonik per batas", "Penjangkaran kuantil", "Batas tetap definisi"}
    assert all(" · siklus 2022–2023 · " in text and "cal-" not in text for _, _, text in options)
    assert [text.split(" · ")[0] for _, selected, text in options if selected] == ["Logit berurut"]
