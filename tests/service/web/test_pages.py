"""The pages' behaviour through the real app (TestClient): pre-check, submit, scores, policy."""

from __future__ import annotations

import html
import io
import json
import re

import yaml
from openpyxl import load_workbook

from knowledge.documents import parse_proposal
from knowledge.labels import path_words
from service.web import kb_view
from service.web.xlsx_proposal import write_template
from tests.service.web.helpers import (
    as_form,
    count_stored,
    csrf_of,
    finished_run,
    post_form,
    records_csv,
    sign_in,
    synthetic_records,
    text_of,
    valid_proposal,
    whatif_report,
)


def upload(client, name: str, content: bytes):
    token = csrf_of(client.get("/pra-periksa").text)
    return client.post("/pra-periksa/unggah", data={"csrf_token": token},
                       files={"file": (name, content, "application/octet-stream")})


def test_the_result_lists_every_finding_of_the_check_grouped_by_severity(client, app):
    data = valid_proposal()
    data["activities"][0]["maintenance_plan"] = None
    expected = app.state.services.engines.check_json(parse_proposal(data))
    response = post_form(client, data)
    assert response.status_code == 200
    shown = re.findall(r'data-rule="([^"]+)"', response.text)
    assert sorted(shown) == sorted(f["rule_id"] for f in expected["findings"])
    page = text_of(response.text)
    for f in expected["findings"]:
        assert f["message"]["id"] in page and f["suggestion"]["id"] in page
    order = ["blocking", "major", "minor", "advice"]
    groups = re.findall(r'<section class="severity sev-(\w+)"', response.text)
    assert groups == sorted(set(groups), key=order.index)
    assert count_stored(app) == 0                       # a check stores nothing


def test_the_field_a_finding_concerns_is_marked_in_the_form(client, app):
    data = valid_proposal()
    data["activities"][0]["maintenance_plan"] = None
    response = post_form(client, data)
    plan = re.search(r'<textarea[^>]*name="activities\[0\]\.maintenance_plan"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in plan and "note-f-activities-0-maintenance_plan" in plan
    title = re.search(r'<input[^>]*name="title"[^>]*>', response.text).group(0)
    assert "aria-invalid" not in title


def test_schema_errors_name_each_field_by_its_label_in_the_pages_language_only(client, app):
    data = valid_proposal()
    data["activities"][0]["budget_lines"][0]["quantity"] = "banyak"
    data["musyawarah"]["attendance"]["women"] = 500
    data["region"]["kelurahan"] = "Cibabad"
    response = post_form(client, data)
    assert response.status_code == 422
    block = text_of(re.search(r'<section class="problems".*?</section>', response.text, re.S).group(0)).replace(" :", ":")
    assert "(3 masalah)" in block
    assert '"banyak" tidak terbaca sebagai angka' in block
    for label in (path_words("activities[0].budget_lines[0].quantity", "id"),
                  path_words("musyawarah.attendance.women", "id"), path_words("region.kelurahan", "id")):
        assert f"{label}:" in block
    for code in ("activities[0]", "musyawarah.attendance", "Field required", "Input should"):
        assert code not in block
    assert "mungkin maksud Anda 'Cibabat'" in block and "did you mean" not in block
    quantity = re.search(r'<input[^>]*name="activities\[0\]\.budget_lines\[0\]\.quantity"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in quantity and 'value="banyak"' in quantity
    # The note under the field says the same, in the page's language.
    assert '"banyak" tidak terbaca sebagai angka' in text_of(
        re.search(r'id="note-f-activities-0-budget_lines-0-quantity".*?</div>', response.text, re.S).group(0))
    client.get("/?lang=en")
    english = text_of(re.search(r'<section class="problems".*?</section>', post_form(client, data).text, re.S).group(0))
    assert "did you mean 'Cibabat'" in english and "mungkin" not in english


def test_uploads_of_json_yaml_and_xlsx_give_the_same_result(client, app):
    data = valid_proposal()
    data["activities"][0]["repairs_flood_damage"] = True
    expected = app.state.services.engines.check_json(parse_proposal(data))["verdict"]
    for name, content in (("p.json", json.dumps(data).encode()), ("p.yaml", yaml.safe_dump(data).encode()),
                          ("p.xlsx", write_template(lambda p: p, data))):
        response = upload(client, name, content)
        assert response.status_code == 200, name
        assert f"verdict-{expected}" in response.text, name
        box = re.search(r'<input[^>]*name="activities\[0\]\.repairs_flood_damage"[^>]*>', response.text).group(0)
        assert " checked " in box + " ", name        # the uploaded answer is shown in the form


def test_an_upload_that_cannot_be_read_says_why(client):
    response = upload(client, "p.docx", b"PK")
    assert response.status_code == 422 and ".xlsx" in text_of(response.text)
    broken = upload(client, "p.json", b'{"cycle": 2022,')
    assert broken.status_code == 422 and "JSON tidak sah" in text_of(broken.text)


def test_only_a_signed_in_facilitator_can_submit_and_then_the_proposal_is_stored(client, app, keys):
    data = valid_proposal()
    assert "Ajukan (simpan)" not in client.get("/pra-periksa").text
    refused = post_form(client, data, action="submit")
    assert refused.status_code == 403 and count_stored(app) == 0
    sign_in(client, keys["facilitator"])
    response = post_form(client, data, action="submit")
    assert response.status_code == 200 and count_stored(app) == 1
    stored = text_of(response.text)
    assert f"Tersimpan sebagai proposal RW {data['region']['rw']} Kelurahan {data['region']['kelurahan']} siklus " \
           f"{data['cycle']}, dengan putusan" in stored  # the RW and cycle in words, not the stored id
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", stored)
    stored_id = re.search(r'<a href="/proposal/([0-9a-f-]{36})">', response.text).group(1)
    api = client.get(f"/v1/proposals/{stored_id}", headers={"Authorization": f"Bearer {keys['facilitator']}"})
    assert api.status_code == 200 and api.json()["proposal"]["title"] == data["title"]
    again = post_form(client, data, action="submit")        # one active proposal per RW per cycle
    assert again.status_code == 409 and f'href="/proposal/{stored_id}"' in again.text and count_stored(app) == 1


def test_submitting_an_ineligible_proposal_asks_first_and_the_stored_notice_explains_the_verdict(client, app, keys):
    data = valid_proposal()
    data["activities"][0]["repairs_flood_damage"] = True          # a blocking finding
    data["musyawarah"]["attendance"]["women"] = 1                  # and major ones
    data["activities"][0]["maintenance_plan"] = None
    severities = [f["severity"] for f in app.state.services.engines.check_json(parse_proposal(data))["findings"]]
    assert sorted(set(severities)) == ["blocking", "major", "minor"]
    assert severities.count("blocking") == 1 and severities.count("major") > 1
    sign_in(client, keys["facilitator"])
    asked = post_form(client, data, action="submit")
    assert asked.status_code == 200 and count_stored(app) == 0   # nothing stored before the answer
    text = text_of(asked.text)
    assert "Ajukan proposal yang tidak layak?" in text and "Belum diajukan" in text
    # Each severity counted and named as the findings below show it.
    assert (f"Pemeriksaan menemukan 1 temuan menghalangi, {severities.count('major')} temuan berat dan "
            f"{severities.count('minor')} temuan ringan.") in text
    assert "tidak dapat didanai" in text
    assert 'value="submit_anyway"' in asked.text and 'id="stored"' not in asked.text
    # The question comes right under the red verdict, before the findings.
    assert asked.text.index('id="verdict"') < asked.text.index('id="confirm"') < asked.text.index('class="finding"')

    stored = post_form(client, data, action="submit_anyway")
    assert stored.status_code == 200 and count_stored(app) == 1
    notice = re.search(r'<section class="stored stored-ineligible".*?</section>', stored.text, re.S).group(0)
    assert "dengan putusan tidak layak" in text_of(notice) and "diajukan ulang" in text_of(notice)
    assert stored.text.index('id="verdict"') < stored.text.index('id="stored"')   # never above the verdict


def test_an_eligible_proposal_is_submitted_without_a_question(client, app, keys):
    sign_in(client, keys["facilitator"])
    response = post_form(client, valid_proposal(), action="submit")
    assert count_stored(app) == 1 and 'id="confirm"' not in response.text
    assert "dengan putusan layak" in text_of(response.text)


def test_a_facilitator_cannot_submit_for_another_kelurahan(client, app, keys):
    sign_in(client, keys["facilitator"])
    data = valid_proposal()
    data["region"] = {"kecamatan": "Cimahi Selatan", "kelurahan": "Melong", "rw": 3}
    response = post_form(client, data, action="submit")
    assert response.status_code == 403 and "Melong" in text_of(response.text) and count_stored(app) == 0


def test_scores_upload_shows_each_rw_and_the_download_is_in_words_with_codes_in_a_second_sheet(client, app, keys):
    sign_in(client, keys["evaluator"])
    token = csrf_of(client.get("/skor").text)
    rows = synthetic_records()
    response = finished_run(client, client.post("/skor", data={"csrf_token": token},
                                                files={"file": ("evaluasi.csv", records_csv(rows), "text/csv")}))
    body = re.search(r'<table id="units">.*?</table>', response.text, re.S).group(0)
    assert body.count("<tr") == len(rows) + 1
    run_id = re.search(r'href="/skor/unduh/([0-9a-f]{16})\.xlsx"', response.text).group(1)
    download = client.get(f"/skor/unduh/{run_id}.xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(download.content))
    stored = client.get(f"/v1/score-runs/{run_id}/units", headers={"Authorization": f"Bearer {keys['evaluator']}"})
    units = stored.json()["items"]
    codes = list(wb["kode"].iter_rows(values_only=True))
    header = list(codes[0])
    got = [dict(zip(header, row)) for row in codes[1:]]
    assert [(g["rw"], g["tier_id"], g["score"]) for g in got] == [(u["rw"], u["tier_id"], u["score"]) for u in units]
    words = list(wb["skor"].iter_rows(values_only=True))
    assert words[0][:5] == ("Siklus", "Kecamatan", "Kelurahan", "RW", "Skor")
    first = dict(zip(words[0], words[1]))
    assert first["Skor"] == units[0]["score"] and first["Tingkat"] == units[0]["tier_name"]
    # Scores are numbers shown to the page's decimals (Excel writes its locale's comma), not text.
    score_cell, dimension_cell = wb["skor"].cell(row=2, column=5), wb["skor"].cell(row=2, column=6)
    assert (score_cell.data_type, score_cell.number_format) == ("n", "0.000")
    assert (dimension_cell.data_type, dimension_cell.number_format) == ("n", "0.00")
    assert first["Dekat batas"] in ("Ya", "Tidak")
    assert dict(wb["keterangan"].iter_rows(values_only=True))["data"] == "SINTETIS / synthetic"


def test_scores_upload_with_a_bad_column_names_row_and_column(client, keys):
    sign_in(client, keys["evaluator"])
    token = csrf_of(client.get("/skor").text)
    rows = synthetic_records(3)
    rows[1]["women_attendance_share"] = 4.5           # a share above 1
    response = client.post("/skor", data={"csrf_token": token},
                           files={"file": ("evaluasi.csv", records_csv(rows), "text/csv")})
    assert response.status_code == 422
    problems = text_of(re.search(r'id="score-problems".*?</section>', response.text, re.S).group(0))
    assert "women_attendance_share" in problems and "3" in problems


def test_downloads_need_the_evaluator_role_and_a_score_decision(client, keys):
    sign_in(client, keys["evaluator"])
    assert client.get("/skor/unduh/0000000000000000.xlsx").status_code == 404
    client.post("/keluar", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, keys["policy"])
    assert client.get("/skor/unduh/0000000000000000.xlsx").status_code == 403


def test_policy_page_lists_every_rule_parameter_and_its_dated_values(client, app, keys):
    sign_in(client, keys["policy"])
    response = client.get("/kebijakan")
    assert response.status_code == 200
    entry = app.state.services.engines.default_kb()
    kb = app.state.services.engines.load_kb(entry.name, entry.version)
    for rule in kb.rules:
        assert f'id="rule-{rule.id}"' in response.text
    for name, param in kb.parameters.items():
        assert f'id="param-{name}"' in response.text
        for value in param.values.values():
            assert html.escape(value.reference, quote=True) in response.text or value.reference in text_of(response.text)
    assert "Rp 72.500.000" in response.text and "Rp 75.000.000" in response.text


def test_policy_page_names_parameters_units_values_and_categories_in_words(client, app, keys):
    sign_in(client, keys["policy"])
    page = client.get("/kebijakan").text
    kb = kb_view.kb_in_force(app.state.services)
    mamin = re.search(r'<section id="param-max_mamin_share".*?</section>', page, re.S).group(0)
    heading = text_of(re.search(r"<h3.*?</h3>", mamin, re.S).group(0)).strip()
    assert heading == html.escape(kb.parameters["max_mamin_share"].description.id, quote=False).strip()
    assert "satuan: bagian, dalam persen" in text_of(mamin) and ">10%<" in mamin and "0.1" not in text_of(mamin)
    shown = text_of(page)
    for unit in ("(satuan: ratio)", "satuan: IDR", "satuan: list", "sarana_prasarana.", "`assumed`"):
        assert unit not in shown
    for category in kb.categories.values():
        assert f"<td>{html.escape(category.name.id)}</td>" in page


def test_what_if_pages_say_when_there_are_no_reports_and_show_those_that_exist(client, app, keys):
    sign_in(client, keys["policy"])
    empty = client.get("/kebijakan/what-if")
    assert 'id="no-reports"' in empty.text and "Belum ada laporan what-if" in empty.text
    kb_name = app.state.services.engines.default_kb().name
    app.state.services.engines.store.save_whatif(whatif_report(kb_name))
    listing = client.get("/kebijakan/what-if")
    assert 'id="no-reports"' not in listing.text
    report_id = re.search(r'href="/kebijakan/what-if/([0-9a-f]+)"', listing.text).group(1)
    page = client.get(f"/kebijakan/what-if/{report_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "SINTETIS-2022-Cibabat-RW05" in text
    changed = text_of(page.text.split('id="changed"', 1)[1])
    assert "+ Perempuan hadir" in changed and "PPM-INK-001" not in changed    # the rule by its title, not its code
    first_row = re.search(r'<th scope="row">layak</th>(.*?)</tr>', page.text, re.S).group(1)
    assert re.findall(r">(\d+)</td>", first_row) == ["1", "1", "0"]
    assert client.get("/kebijakan/what-if/ffff0000").status_code == 404


def test_a_what_if_report_links_the_stored_proposals_it_names(client, app, keys):
    stored = client.post("/v1/proposals", json=valid_proposal(), headers={"Authorization": f"Bearer {keys['facilitator']}"})
    assert stored.status_code == 201, stored.text[:300]
    proposal_id = stored.json()["id"]
    report = whatif_report(app.state.services.engines.default_kb().name)
    report.changed[0].ref = proposal_id
    app.state.services.engines.store.save_whatif(report)
    sign_in(client, keys["policy"])
    report_id = re.search(r'href="/kebijakan/what-if/([0-9a-f]+)"', client.get("/kebijakan/what-if").text).group(1)
    page = client.get(f"/kebijakan/what-if/{report_id}").text
    assert f'<a href="/proposal/{proposal_id}">Lihat proposal</a>' in page and proposal_id not in text_of(page)


def test_findings_and_verdict_follow_the_chosen_language(client, app):
    data = valid_proposal()
    data["activities"][0]["maintenance_plan"] = None
    expected = app.state.services.engines.check_json(parse_proposal(data))
    client.get("/?lang=en")
    page = text_of(post_form(client, data).text)
    assert "Needs revision." in page and "Perlu perbaikan." not in page
    for f in expected["findings"]:
        assert f["message"]["en"] in page and f["suggestion"]["en"] in page
        assert f["message"]["id"] not in page


def test_an_xlsx_upload_with_a_wrong_cell_names_the_sheet_and_cell(client):
    wb = load_workbook(io.BytesIO(write_template(lambda p: p, valid_proposal())))
    wb["rincian"].cell(row=3, column=1, value="A9")
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload(client, "proposal.xlsx", buffer.getvalue())
    assert response.status_code == 422
    problems = text_of(re.search(r'id="upload-problems".*?</section>', response.text, re.S).group(0))
    assert "rincian!A3" in problems and "'A9'" in problems


def test_a_signed_in_facilitator_starts_from_its_own_kelurahan(client, keys):
    sign_in(client, keys["facilitator"])
    form = client.get("/pra-periksa").text
    assert re.search(r'<option value="Cibabat" selected>', form)
    assert re.search(r'<option value="Cimahi Utara" selected>', form)
    assert "Ajukan (simpan)" in form


def test_the_budget_totals_are_shown_after_a_check_without_javascript(client):
    data = valid_proposal()
    token = csrf_of(client.get("/pra-periksa").text)
    response = client.post("/pra-periksa", data={**as_form(data), "csrf_token": token})
    expected = {"ppm": 0, "swadaya": 0, "lainnya": 0}
    for activity in data["activities"]:
        for line in activity["budget_lines"]:
            expected[line["source"]] += round(line["quantity"] * line["unit_price"])
    for source, amount in expected.items():
        shown = re.search(rf'data-source-total="{source}">([^<]+)<', response.text).group(1)
        assert shown == "Rp " + f"{amount:,}".replace(",", ".")
    grand = re.search(r"data-grand-total>([^<]+)<", response.text).group(1)
    assert grand == "Rp " + f"{sum(expected.values()):,}".replace(",", ".")
    assert len(re.findall(r"data-activity-total>Rp [1-9]", response.text)) == len(data["activities"])


def test_each_finding_is_named_by_its_rules_title_with_the_id_as_a_small_reference(client, app):
    data = valid_proposal()
    data["activities"][0]["repairs_flood_damage"] = True
    data["activities"][0]["maintenance_plan"] = None
    response = post_form(client, data)
    titles = {r.id: r.title.id for r in kb_view.kb_in_force(app.state.services).rules}
    metas = re.findall(r'<li class="finding" id="finding-([A-Z0-9-]+)".*?<p class="meta">(.*?)</p>', response.text, re.S)
    assert len(metas) >= 2
    for rule_id, meta in metas:
        assert f'Aturan: {titles[rule_id]} <small class="rule-ref">({rule_id})</small>' in " ".join(meta.split())
