"""Changing a stored proposal without a file: the pre-check form filled with its latest revision makes the
revision (or the amendment with its berita acara) of that proposal; a revision downloads as JSON or XLSX;
a second proposal for an RW is refused in words that fit a form, with a link to the active one.
"""

from __future__ import annotations

import json
import re

from knowledge.documents import parse_proposal
from service.web import forms
from service.web.xlsx_proposal import read_workbook
from tests.service.web.helpers import as_form, csrf_of, make_key, valid_proposal
from tests.service.web.journey_helpers import browser_of, flawed, post, submitted


def between(text: str, start: str, end: str) -> str:
    part = text[text.index(start):]
    return part[:part.index(end)]


def change(browser, pid: str, data: dict, action: str = "change", **extra: str):
    """Post the change form of proposal `pid` as a browser does, with the row version it was opened with."""
    page = browser.get(f"/pra-periksa/revisi/{pid}").text
    version = re.search(r'name="row_version" value="(\d+)"', page).group(1)
    fields = {**as_form(data), "csrf_token": csrf_of(page), "action": action, "row_version": version,
              "documents": data["documents"], **extra}
    return browser.post(f"/pra-periksa/revisi/{pid}", data=fields, follow_redirects=False)


def revisions_of(browser, pid: str) -> int:
    return browser.get(f"/proposal/{pid}").text.count("data-revision=")


def test_a_returned_proposal_is_revised_in_the_form_filled_with_its_latest_revision(app, people):
    proposal = flawed()
    pid = submitted(app, people, proposal)
    assert post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "return", "note": "Perempuan"}).status_code == 303
    fac = people["facilitator"]
    assert f'href="/pra-periksa/revisi/{pid}"' in fac.get(f"/proposal/{pid}").text
    form = fac.get(f"/pra-periksa/revisi/{pid}").text
    assert f'action="/pra-periksa/revisi/{pid}"' in form and 'value="change"' in form
    assert f'value="{proposal["title"]}"' in form and 'name="musyawarah.attendance.women"' in form
    assert re.search(r'name="musyawarah.attendance.women"[^>]*value="5"', form)

    note = between(form, 'id="return-note"', "</section>")  # what the reviewer asked for, above the form
    assert "Catatan peninjau tahap Kelurahan" in note and "<strong>Perempuan</strong>" in note
    proposal["musyawarah"]["attendance"]["women"] = 14
    checked = change(fac, pid, proposal, action="check")  # "Periksa" checks and keeps the form on this proposal
    assert checked.status_code == 200 and f'action="/pra-periksa/revisi/{pid}"' in checked.text
    assert revisions_of(fac, pid) == 1
    done = change(fac, pid, proposal)
    assert done.status_code == 303 and done.headers["location"] == f"/proposal/{pid}"
    page = fac.get(f"/proposal/{pid}").text
    assert "Revisi 2" in page and "Menunggu di tahap: Kelurahan" in page and revisions_of(fac, pid) == 2
    assert "Perempuan hadir" in between(page, 'id="revisions"', 'id="timeline"')


def test_a_stale_or_wrong_change_is_shown_on_the_form_and_stores_nothing(app, people):
    proposal = valid_proposal()
    pid = submitted(app, people, proposal)
    fac = people["facilitator"]
    stale = fac.get(f"/pra-periksa/revisi/{pid}").text
    assert post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "return", "note": "Judul"}).status_code == 303
    fields = {**as_form(proposal), "csrf_token": csrf_of(stale), "action": "change", "documents": proposal["documents"],
              "row_version": re.search(r'name="row_version" value="(\d+)"', stale).group(1)}
    late = fac.post(f"/pra-periksa/revisi/{pid}", data=fields, follow_redirects=False)
    assert late.status_code == 409 and "sudah berubah sejak dibaca" in late.text and 'id="proposal-form"' in late.text
    other = dict(proposal, region={**proposal["region"], "rw": 9})
    moved = change(fac, pid, other)
    assert moved.status_code == 422 and "revisi harus untuk RW 5 Kelurahan Cibabat" in moved.text
    assert revisions_of(fac, pid) == 1
    melong = browser_of(app, make_key(app, "facilitator", "Melong"))
    assert melong.get(f"/pra-periksa/revisi/{pid}").status_code == 403
    assert people["kelurahan"].get(f"/pra-periksa/revisi/{pid}", follow_redirects=False).status_code == 403
    assert post(fac, f"/proposal/{pid}/tarik", {"note": "Diganti"}).status_code == 303
    assert fac.get(f"/pra-periksa/revisi/{pid}").status_code == 409


def test_an_approved_proposal_is_amended_in_the_form_and_its_berita_acara_is_listed(app, people):
    proposal = valid_proposal()
    pid = submitted(app, people, proposal)
    for stage in ("kelurahan", "kecamatan", "dinas"):
        assert post(people[stage], f"/proposal/{pid}/putusan", {"outcome": "approve"}).status_code == 303, stage
    fac = people["facilitator"]
    assert "Ubah di formulir" in fac.get(f"/proposal/{pid}").text
    form = fac.get(f"/pra-periksa/revisi/{pid}").text
    assert 'id="ba-nomor"' in form and 'id="ba-tanggal"' in form
    proposal["activities"][0]["budget_lines"][0]["quantity"] = 35
    missing = change(fac, pid, proposal)
    assert missing.status_code == 422 and 'id="proposal-form"' in missing.text and revisions_of(fac, pid) == 1
    done = change(fac, pid, proposal, ba_nomor="BA-07/RW05/2022", ba_tanggal="2022-08-01")
    assert done.status_code == 303, done.text[:2000]
    page = fac.get(f"/proposal/{pid}").text
    assert "BA-07/RW05/2022" in page and "1 Agustus 2022" in page and "Amendemen" in page
    assert "tidak dicentang" not in page  # the berita acara given is listed among the documents
    amended = json.loads(fac.get(f"/proposal/{pid}/revisi/2.json").content)
    assert "berita_acara_perubahan" in amended["documents"] and amended["amends"]["proposal_ref"] == pid


def test_an_amendment_without_its_berita_acara_names_the_berita_acara_fields_in_words(app, people):
    """Not "Proposal: tidak boleh kosong" and "Proposal: harus tanggal ISO (YYYY-MM-DD)": the number and the date
    of the berita acara are named by their labels, marked on the form, and what was typed stays."""
    proposal = valid_proposal()
    pid = submitted(app, people, proposal)
    for stage in ("kelurahan", "kecamatan", "dinas"):
        assert post(people[stage], f"/proposal/{pid}/putusan", {"outcome": "approve"}).status_code == 303, stage
    fac = people["facilitator"]
    proposal["activities"][0]["budget_lines"][0]["quantity"] = 35
    missing = change(fac, pid, proposal, ba_dokumen="Lemari arsip kelurahan")
    assert missing.status_code == 422
    problems = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", between(missing.text, 'id="schema-problems"', "</section>")))
    assert "Nomor berita acara perubahan : wajib diisi" in problems and "Tanggal berita acara : wajib diisi" in problems
    assert "Proposal" not in problems and "ISO" not in problems
    assert '<a href="#ba-nomor">' in missing.text
    assert re.search(r'id="ba-tanggal"[^>]*aria-invalid="true"', missing.text)
    assert 'value="Lemari arsip kelurahan"' in missing.text and re.search(r'value="35"', missing.text)
    wrong = change(fac, pid, proposal, ba_nomor="BA-07", ba_tanggal="31/02/2022")
    problems = between(wrong.text, 'id="schema-problems"', "</section>")
    assert wrong.status_code == 422 and "Tanggal berita acara" in problems and "Proposal" not in problems
    assert revisions_of(fac, pid) == 1


def test_a_revision_downloads_as_json_and_as_the_xlsx_template(app, people):
    proposal = valid_proposal()
    pid = submitted(app, people, proposal)
    fac = people["facilitator"]
    assert f'href="/proposal/{pid}/revisi/1.xlsx"' in fac.get(f"/proposal/{pid}").text
    as_json = fac.get(f"/proposal/{pid}/revisi/1.json")
    assert as_json.status_code == 200 and "attachment" in as_json.headers["content-disposition"]
    assert json.loads(as_json.content)["title"] == proposal["title"]
    as_xlsx = fac.get(f"/proposal/{pid}/revisi/1.xlsx")
    assert as_xlsx.status_code == 200 and as_xlsx.headers["content-disposition"].endswith('-revisi1.xlsx"')
    read = parse_proposal(forms.form_to_proposal(read_workbook(as_xlsx.content, source="revisi.xlsx")))
    assert read.title == proposal["title"] and len(read.activities) == len(proposal["activities"])
    assert fac.get(f"/proposal/{pid}/revisi/9.json").status_code == 404
    melong = browser_of(app, make_key(app, "facilitator", "Melong"))
    assert melong.get(f"/proposal/{pid}/revisi/1.json").status_code == 403


def test_a_second_proposal_for_the_rw_is_refused_in_words_with_a_link_to_the_active_one(app, people):
    first = submitted(app, people, valid_proposal())
    fac = people["facilitator"]
    data = valid_proposal()
    fields = {**as_form(data), "csrf_token": csrf_of(fac.get("/pra-periksa").text), "action": "submit",
              "documents": data["documents"]}
    refused = fac.post("/pra-periksa", data=fields)
    assert refused.status_code == 409
    section = between(refused.text, 'id="submit-refused"', "</section>")
    assert "Proposal tidak diajukan" in section
    assert "RW 5 Kelurahan Cibabat sudah punya proposal aktif untuk siklus 2022." in section
    assert f'href="/proposal/{first}"' in section and "Lihat proposal yang aktif" in section
    assert first not in re.sub(r"<[^>]+>", "", section)  # the id is in the link only, not in the text
    assert "Berkas tidak dapat dipakai" not in refused.text
