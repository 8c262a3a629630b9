"""The policy workbench in the pages: versions and the cycles they govern, a draft in one click, edits
checked at once (refusals next to their field), the diff, a what-if job with its progress page, publish."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from fastapi.testclient import TestClient

from service.permissions import Role
from tests.service.web.helpers import build_app, csrf_of, make_key, sign_in

REF = "Keputusan rapat evaluasi tahunan 2026 (uji) / annual review 2026 (test)"


@pytest.fixture
def policy(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'berdaya.sqlite3'}", kb_store=str(tmp_path / "store"))
    with TestClient(app) as client:
        sign_in(client, make_key(app, Role.POLICY))
        yield client


def new_draft(client) -> tuple[str, str]:
    page = client.get("/kebijakan/versi")
    response = client.post("/kebijakan/draf", data={"csrf_token": csrf_of(page.text), "version": "2026.1"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return response.headers["location"], csrf_of(page.text)


def women_35(csrf: str, **extra) -> dict:
    return {"csrf_token": csrf, "kind": "add_value", "parameter": "min_women_attendance_share", "cycle": "2027",
            "value": "35%", "reference": REF, "status": "assumed", "modelled_on": "Rapat evaluasi (uji)"} | extra


def test_the_versions_page_shows_the_cycles_each_version_governs_and_an_upcoming_one(policy):
    html = policy.get("/kebijakan/versi").text
    assert "2025.2" in html and "2026.1" in html
    rows = dict(re.findall(r"<tr><td>(\d{4})</td><td>([^<]+)", html))
    assert rows["2019"].strip() == "2025.2" and rows["2026"].strip() == "2026.1"
    assert "2018–2025" in html and "2026 dan seterusnya" in html


def test_a_draft_in_one_click_then_35_percent_from_2027_shows_in_its_unit_and_in_the_diff(policy):
    location, csrf = new_draft(policy)
    edited = policy.post(f"{location}/ubah", data=women_35(csrf), follow_redirects=False)
    assert edited.status_code == 303, edited.text[:500]
    page = policy.get(edited.headers["location"]).text
    assert 'id="pv-min_women_attendance_share-2027-01-01"' in page
    row = page.split('id="pv-min_women_attendance_share-2027-01-01"', 1)[1].split("</tr>", 1)[0]
    assert "35%" in row and "1 Januari 2027" in row
    assert "dibuat dari versi 2026.1" in page and "nilai baru" in page
    diff = policy.get(f"{edited.headers['location'].split('?')[0]}/beda").text
    change = diff.split('id="df-param-min_women_attendance_share"', 1)[1].split("</article>", 1)[0]
    # In words: the parameter's description, the period in Indonesian dates, the values in their unit.
    assert "Bagian minimum perempuan di antara peserta musyawarah RW" in change
    assert "Berlaku 1 Januari 2027 – seterusnya" in change and ">30%</span> → <span class=\"after\">35%<" in change
    assert "kb.yaml" not in diff and "min_women_attendance_share (" not in diff


def test_a_refused_edit_names_the_field_by_its_label_in_the_pages_language(policy):
    location, csrf = new_draft(policy)
    refused = policy.post(f"{location}/ubah", data=women_35(csrf, modelled_on=""))
    assert refused.status_code == 422
    form = refused.text.split('id="edit-value"', 1)[1].split("</section>", 1)[0]
    assert "<strong>Dimodelkan pada (wajib bila asumsi)</strong>:" in form
    assert "modelled_on</" not in form and "values.2027-01-01" not in form and "must say what" not in form
    missing = policy.post(f"{location}/ubah", data=women_35(csrf, reference=""))
    assert missing.status_code == 422 and "wajib diisi" in missing.text.split('id="edit-value"', 1)[1]


def test_publish_refusals_show_next_to_their_fields(policy):
    location, csrf = new_draft(policy)
    refused = policy.post(f"{location}/terbit", data={"csrf_token": csrf, "effective_cycle": "2017", "reason": ""})
    assert refused.status_code == 422
    form = refused.text.split('id="publish"', 1)[1].split("</section>", 1)[0]
    assert "pilih siklus" in form
    refused = policy.post(f"{location}/terbit", data={"csrf_token": csrf, "effective_cycle": "2027", "reason": "",
                                                      "version": "2027.1"})
    form = refused.text.split('id="publish"', 1)[1].split("</section>", 1)[0]
    assert "alasan penerbitan wajib diisi" in form and "<strong>reason</strong>" not in form
    # The missing what-if report is named in words with a link to the simulation, without file names or hashes.
    assert '<strong><a href="#whatif">Laporan what-if</a></strong>: belum ada laporan what-if' in form
    assert "whatif/" not in form and "sha256" not in form and "(no what-if" not in form
    for name, says in (("", "tulis nama versi"), ("2026.1", "sudah diterbitkan")):
        refused = policy.post(f"{location}/terbit", data={"csrf_token": csrf, "effective_cycle": "2027",
                                                          "reason": "uji", "version": name})
        assert refused.status_code == 422
        assert says in refused.text.split('id="pb-version"', 1)[1].split("</form>", 1)[0], name


def test_the_versions_page_names_publishers_and_a_drafts_origin_in_words(policy):
    """"Diterbitkan oleh" names the key's holder and role, not "policy:key_…"; a refused publish that set the
    draft's version name still lists the draft as made from the version it was copied from."""
    location, csrf = new_draft(policy)
    refused = policy.post(f"{location}/terbit", data={"csrf_token": csrf, "effective_cycle": "2027", "reason": "",
                                                      "version": "2027.1"})
    assert refused.status_code == 422
    listed = policy.get("/kebijakan/versi").text.split('id="open-drafts"', 1)[1].split("</ul>", 1)[0]
    assert "Draf dari versi 2026.1" in listed and "Draf dari versi 2027.1" not in listed
    page = policy.get("/kebijakan/versi").text
    rolled = policy.post("/kebijakan/versi/2025.2/kembalikan", data={
        "csrf_token": csrf_of(page), "effective_cycle": "2030", "reason": "uji pengembalian"}, follow_redirects=False)
    assert rolled.status_code == 303, rolled.text[:500]
    html = policy.get(rolled.headers["location"]).text
    newest = html.split('class="panel version"', 1)[1].split("</dl>", 1)[0]
    assert "web test policy (staf kebijakan)" in newest and "policy:" not in newest and "key_" not in newest


def test_the_publish_form_suggests_the_next_cycle_and_its_next_version_name(policy):
    location, _ = new_draft(policy)
    form = policy.get(location).text.split('id="publish"', 1)[1].split("</section>", 1)[0]
    next_cycle = dt.date.today().year + 1
    assert f'<option value="{next_cycle}" selected>' in form
    assert f'id="pb-version" name="version" value="{next_cycle}.1"' in form


def test_a_drafts_form_starts_at_the_next_open_cycle_and_its_history_speaks_in_words(policy):
    location, csrf = new_draft(policy)
    page = policy.get(location).text
    form = page.split('id="edit-value"', 1)[1].split("</section>", 1)[0]
    chosen = re.search(r'<select id="ev-cycle" name="cycle">.*?</select>', form, re.S).group(0)
    assert re.findall(r'<option value="(\d+)" selected>', chosen) == ["2027"]  # December 2026: 2027 is open
    women = re.search(r'<option value="min_women_attendance_share">([^<]+)</option>', form).group(1)
    assert women.endswith("— kini 30%")  # the value in force now, in its unit
    edited = policy.get(policy.post(f"{location}/ubah", data=women_35(csrf), follow_redirects=False)
                        .headers["location"]).text
    history = edited.split('id="history"', 1)[1].split("</section>", 1)[0]
    assert " WIB · " in history and "UTC" not in history and "key_" not in history
    assert "min_women_attendance_share" not in history and "nilai baru: Bagian minimum perempuan" in history
    assert "(staf kebijakan)" in history


def test_a_whatif_from_the_page_runs_as_a_job_and_says_when_past_cycles_cannot_show_the_change(policy):
    location, csrf = new_draft(policy)
    edited = policy.post(f"{location}/ubah", data=women_35(csrf), follow_redirects=False).headers["location"]
    draft = edited.split("?")[0]
    none = policy.post(f"{draft}/what-if", data={"csrf_token": csrf})
    assert none.status_code == 422 and "pilih sedikitnya satu siklus" in none.text
    started = policy.post(f"{draft}/what-if", data={"csrf_token": csrf, "cycles": ["2025"]}, follow_redirects=False)
    assert started.status_code == 303
    deadline = time.monotonic() + 120
    while True:
        page = policy.get(started.headers["location"]).text
        if 'id="job-summary"' in page or "gagal" in page or time.monotonic() > deadline:
            break
        assert 'http-equiv="refresh"' in page
        time.sleep(0.5)
    assert 'id="job-summary"' in page and 'id="future-note"' in page and 'id="report-link"' in page
    report = policy.get(re.search(r'href="([^"]+)" id="report-link"', page).group(1))
    assert report.status_code == 200 and "Perpindahan putusan" in report.text
    # The report leads back to the draft, where it is published (not only to the list of reports).
    assert f'href="{draft}#publish" id="back-to-draft"' in report.text
    listed = policy.get(re.search(r'href="([^"?]+)[^"]*" id="report-link"', page).group(1) + "?draf=0123456789abcdef")
    assert listed.status_code == 200 and 'id="back-to-draft"' not in listed.text  # a draft no longer there: no link


def test_the_parameters_spreadsheet_round_trips_through_the_page(policy):
    import io

    from openpyxl import load_workbook

    location, csrf = new_draft(policy)
    download = policy.get(f"{location}/parameter.xlsx")
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(download.content))
    ws = wb["parameter"]
    row = next(r for r in range(2, ws.max_row + 1)
               if ws.cell(r, 2).value == "min_women_attendance_share" and ws.cell(r, 4).value == "2018-01-01")
    ws.cell(row, 5).value = 0.35
    out = io.BytesIO()
    wb.save(out)
    uploaded = policy.post(f"{location}/parameter", data={"csrf_token": csrf},
                           files={"file": ("parameter.xlsx", out.getvalue(), "application/octet-stream")},
                           follow_redirects=False)
    assert uploaded.status_code == 303, uploaded.text[:500]
    page = policy.get(uploaded.headers["location"]).text
    assert "dari lembar kerja" in page
    diff = policy.get(f"{uploaded.headers['location'].split('?')[0]}/beda").text
    assert 'id="df-param-min_women_attendance_share"' in diff and "Nilai mulai 1 Januari 2018: 30% → 35%" in diff
    wrong = policy.post(f"{location}/parameter", data={"csrf_token": csrf},
                        files={"file": ("parameter.xlsx", b"not a workbook", "application/octet-stream")})
    assert wrong.status_code in (413, 422) and 'id="spreadsheet"' in wrong.text


def test_the_versions_page_lists_the_drafts_being_worked_on_the_latest_of_each_chain(policy):
    assert "Belum ada draf" in policy.get("/kebijakan/versi").text
    location, csrf = new_draft(policy)
    first = location.rsplit("/", 1)[1]
    edited = policy.post(f"{location}/ubah", data=women_35(csrf), follow_redirects=False)
    latest = edited.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert latest != first                       # an edit makes a new draft; the page must lead to the new one
    html = policy.get("/kebijakan/versi").text
    listed = html.split('id="open-drafts"', 1)[1].split("</ul>", 1)[0]
    assert f'href="/kebijakan/draf/{latest}"' in listed and first not in listed
    assert "Draf dari versi 2026.1" in listed and "1 perubahan" in listed and "diubah terakhir" in listed
    bearer = {"Authorization": f"Bearer {make_key(policy.app, Role.POLICY)}"}
    api = policy.get("/v1/knowledge-bases/ppm-cimahi/drafts", headers=bearer)
    assert api.status_code == 200, api.text[:300]
    assert [d["draft_id"] for d in api.json()] == [latest] and api.json()[0]["edits"] == 1
