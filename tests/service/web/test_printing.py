"""Printing a proposal: the print view and the server-made PDF hold the verdict, the RAB totals by source,
the exceptions with their reasons and the decisions (the PDF read back with pdftotext); a pre-check that
was never submitted prints from the same template, its form read and checked again."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from service.models import StoredProposal
from service.web import kb_view
from tests.service.web.helpers import ROOT, as_form, csrf_of
from tests.service.web.journey_helpers import flawed, post, submitted

ARTIFACTS = ROOT / "test-artifacts" / "print"


def title(app, rule_id: str) -> str:
    return kb_view.rule_titles(app.state.services)[rule_id]["id"]


def approved_with_exception(app, people) -> tuple[str, str]:
    pid = submitted(app, people, flawed())
    page = people["kelurahan"].get(f"/proposal/{pid}").text
    rule = page.split('name="rule_id" value="', 1)[1].split('"', 1)[0]
    assert post(people["kelurahan"], f"/proposal/{pid}/pengecualian",
                {"rule_id": rule, "reason": "Musyawarah susulan khusus perempuan"}).status_code == 303
    for stage in ("kelurahan", "kecamatan", "dinas"):
        assert post(people[stage], f"/proposal/{pid}/putusan", {"outcome": "approve", "note": f"Oke {stage}"}
                    ).status_code == 303
    return pid, rule


def test_the_print_view_is_the_summary_without_menu_or_forms(app, people):
    pid, rule = approved_with_exception(app, people)
    view = people["facilitator"].get(f"/proposal/{pid}/cetak")
    assert view.status_code == 200
    text = view.text
    assert "PEMERINTAH KOTA CIMAHI" in text and "@media print" in text and "size: A4" in text
    assert "<nav" not in text and "<form" not in text
    assert "Jumlah seluruhnya" in text and "Rp 5.600.000" in text and "Rp 2.600.000" in text and "Rp 3.000.000" in text
    assert "Musyawarah susulan khusus perempuan" in text and "Oke dinas" in text
    # The exception names the finding by its rule's title, the rule id beside it as a reference.
    assert f"Temuan &#34;{title(app, rule)}&#34; ({rule}) diterima sebagai pengecualian" in text
    assert people["facilitator"].get("/proposal/nope/cetak").status_code == 404


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_holds_verdict_rab_totals_exception_and_reason(app, people):
    pid, rule = approved_with_exception(app, people)
    response = people["facilitator"].get(f"/proposal/{pid}/cetak.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attachment" in response.headers["content-disposition"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "proposal-summary.pdf"  # kept for a person to look at (not committed)
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "PEMERINTAH KOTA CIMAHI" in text and "Perlu perbaikan" in text
    assert "Jumlah seluruhnya" in text and "Rp 5.600.000" in text and "Rp 2.600.000" in text
    words = " ".join(text.split())  # lines wrap where the layout wraps them
    assert rule in text and "Musyawarah susulan khusus perempuan" in words and "Ketua RW" in text
    assert title(app, rule) in words


def amended(app, people) -> str:
    """The fixture proposal approved at every stage, then amended with its berita acara."""
    import json

    from tests.service.web.helpers import valid_proposal

    proposal = valid_proposal()
    pid = submitted(app, people, proposal)
    for stage in ("kelurahan", "kecamatan", "dinas"):
        assert post(people[stage], f"/proposal/{pid}/putusan", {"outcome": "approve"}).status_code == 303
    files = {"file": ("amandemen.json", json.dumps(proposal).encode(), "application/json")}
    done = post(people["facilitator"], f"/proposal/{pid}/revisi",
                {"kind": "amendment", "ba_nomor": "BA-3/2022", "ba_tanggal": "2022-08-01"}, files=files)
    assert done.status_code == 303
    assert post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "approve"}).status_code == 303
    return pid


def test_the_print_of_an_amendment_names_it_its_berita_acara_and_the_revision_of_each_decision(app, people):
    pid = amended(app, people)
    text = people["facilitator"].get(f"/proposal/{pid}/cetak").text
    amendment = text[text.index('id="amendment"'):].split("</p>", 1)[0]
    assert "Amendemen" in amendment and "BA-3/2022" in amendment and "1 Agustus 2022" in amendment
    decisions = re.findall(r'<li data-revision="(\d)">[^<]*', text)
    assert sorted(decisions) == ["1", "1", "1", "2"]
    assert all(f"Revisi {n}" in line for n, line in zip(decisions, re.findall(r'<li data-revision="\d">([^<]*)', text)))
    assert '<p>Ketua RW</p><p class="line">Nama</p>' in text  # an RW chair has no NIP
    assert text.count("Nama dan NIP") == 3  # the reviewers of the three stages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_signatures_stay_in_one_row_on_one_page_wherever_the_page_breaks(app, people, tmp_path):
    from service.web.printing import pdf_of

    pid, _rule = approved_with_exception(app, people)
    html = people["facilitator"].get(f"/proposal/{pid}/cetak").text
    signers = ["Ketua RW", "Kelurahan", "Kecamatan", "Dinas"]
    for lines in range(0, 48, 4):  # moves the block down a page, a few lines at a time, across the break
        filler = "".join(f"<p>Baris pengisi {n} (SINTETIS)</p>" for n in range(lines))
        pdf = tmp_path / f"isi-{lines}.pdf"
        pdf.write_bytes(pdf_of(html.replace('<section class="signatures">', filler + '<section class="signatures">')))
        pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        block = [n for n, page in enumerate(pages) if "Nama dan NIP" in page or "Ketua RW" in page]
        assert len(block) == 1, (lines, block)
        first_row = next(line for line in pages[block[0]].splitlines() if "Ketua RW" in line)
        assert all(name in first_row for name in signers), (lines, first_row)  # one row: nobody alone below


def unstored_print(client, url: str, data: dict):
    """Post the pre-check form, as its result page's Cetak / Unduh PDF buttons do (nothing is submitted)."""
    token = csrf_of(client.get("/pra-periksa").text)
    return client.post(url, data={**as_form(data), "csrf_token": token, "documents": data.get("documents", [])})


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_pre_check_result_page_offers_print_and_pdf_of_the_unstored_result(client):
    token = csrf_of(client.get("/pra-periksa").text)
    page = client.post("/pra-periksa", data={**as_form(flawed()), "csrf_token": token})
    assert page.status_code == 200 and 'id="verdict"' in page.text
    assert 'formaction="/pra-periksa/cetak"' in page.text and 'formaction="/pra-periksa/cetak.pdf"' in page.text


def test_the_print_view_of_an_unstored_pre_check_is_the_same_summary_and_stores_nothing(app, client):
    view = unstored_print(client, "/pra-periksa/cetak", flawed())
    assert view.status_code == 200
    text = _words(re.sub(r"<[^>]+>", " ", view.text))
    assert "PEMERINTAH KOTA CIMAHI" in text and "size: A4" in view.text and "<form" not in view.text
    assert "Hasil pra-periksa proposal" in text and "belum diajukan dan tidak tersimpan" in text
    assert "Jumlah seluruhnya Rp 5.600.000" in text and "Perlu perbaikan" in text
    assert "Keputusan peninjau" not in text  # no journey: no exceptions, no decisions
    with app.state.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoredProposal)) == 0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_of_an_unstored_pre_check_holds_verdict_rab_totals_and_findings_with_suggestions(client):
    proposal = flawed()
    findings = client.post("/v1/checks", json=proposal).json()["findings"]
    assert findings and all(f["suggestion"]["id"] for f in findings)
    response = unstored_print(client, "/pra-periksa/cetak.pdf", proposal)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"] and response.content.startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "pre-check-unstored.pdf"  # kept for a person to look at (not committed)
    pdf.write_bytes(response.content)
    text = _words(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "Hasil pra-periksa proposal" in text and "Hasil pemeriksaan: Perlu perbaikan" in text
    assert "Jumlah seluruhnya Rp 5.600.000" in text and "Rp 2.600.000" in text and "Rp 3.000.000" in text
    for finding in findings:
        assert _words(finding["message"]["id"]) in text and _words(finding["suggestion"]["id"]) in text


def test_a_tampered_form_sent_back_for_printing_is_refused_like_any_posted_proposal(client):
    proposal = flawed()
    proposal["activities"][0]["budget_lines"][0]["quantity"] = -3
    for url in ("/pra-periksa/cetak", "/pra-periksa/cetak.pdf"):
        response = unstored_print(client, url, proposal)
        assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
        assert "Kegiatan 1, rincian 1" in response.text
    no_token = client.post("/pra-periksa/cetak.pdf", data=as_form(flawed()))
    assert no_token.status_code == 403
