"""The XLSX proposal template: written, filled, uploaded and read back to the same proposal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from knowledge.documents import parse_proposal
from knowledge.errors import InvalidInput
from knowledge.kb import load_knowledge_base
from service.web import forms, kb_view
from service.web.xlsx_proposal import SHEETS, read_workbook, write_template
from service.web.xlsx_words import Choices
from tests.service.web.helpers import valid_proposal


def describe(path: str) -> str:
    return f"keterangan {path}"


def shipped_choices() -> Choices:
    kb = load_knowledge_base()
    categories = [(c.id, c.name.id, c.name.en) for c in kb.categories.values()]
    return Choices.build(sorted(categories), kb_view.document_options(kb, 2022))


CHOICES = shipped_choices()


def to_proposal(data: bytes):
    return parse_proposal(forms.form_to_proposal(read_workbook(data, source="t.xlsx", choices=CHOICES)))


def column(ws, label: str) -> int:
    return [c.value for c in ws[1]].index(label) + 1


def row_of(ws, label: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == label)


def test_a_filled_template_reads_back_as_the_same_proposal():
    data = valid_proposal()
    assert to_proposal(write_template(describe, data, choices=CHOICES)) == parse_proposal(data)


def test_several_activities_keep_their_own_budget_lines():
    data = valid_proposal()
    second = {**data["activities"][0], "code": "B7", "name": "Pelatihan UMKM",
              "budget_lines": [{"item": "Modul", "unit": "paket", "quantity": 20, "unit_price": 15000,
                                "source": "ppm", "kind": "material"}]}
    data["activities"].append(second)
    proposal = to_proposal(write_template(describe, data, choices=CHOICES))
    assert [a.code for a in proposal.activities] == ["A1", "B7"]
    assert [len(a.budget_lines) for a in proposal.activities] == [2, 1]
    assert proposal.activities[1].budget_lines[0].item == "Modul"


def test_the_template_speaks_in_words_and_lists_codes_with_their_names():
    wb = load_workbook(io.BytesIO(write_template(describe, valid_proposal(), choices=CHOICES)))
    assert set(SHEETS) <= set(wb.sheetnames) and "daftar" in wb.sheetnames
    proposal_rows = [row[0].value for row in wb["proposal"].iter_rows(min_row=2)]
    assert {"Siklus (tahun program)", "Judul proposal", "Kecamatan", "Kelurahan", "Nomor RW",
            "Dokumen terlampir"} <= set(proposal_rows)
    kegiatan = [c.value for c in wb["kegiatan"][1]]
    assert {"Kode kegiatan", "Rencana pemeliharaan", "Memperbaiki kerusakan akibat banjir",
            "Rumah tangga miskin"} <= set(kegiatan)
    rincian = [c.value for c in wb["rincian"][1]]
    assert rincian[0] == "Kode kegiatan (dari lembar kegiatan)" and {"Sumber dana", "Jenis belanja"} <= set(rincian)
    musyawarah = [row[0].value for row in wb["musyawarah"].iter_rows(min_row=2)]
    assert {"Tanggal musyawarah", "Total hadir", "Perempuan hadir", "Warga miskin yang berbicara"} <= set(musyawarah)
    assert wb["proposal"]["C2"].value == "keterangan cycle"
    # Values in words: the category, source and kind by name, documents one per row by name.
    assert wb["kegiatan"].cell(row=2, column=column(wb["kegiatan"], "Kategori")).value == "Saluran drainase lingkungan"
    line = wb["rincian"]
    assert line.cell(row=2, column=column(line, "Sumber dana")).value == "Dana program (PPM / Sarpras Kelurahan)"
    assert line.cell(row=3, column=column(line, "Jenis belanja")).value == "Upah"
    docs = [r[1].value for r in wb["proposal"].iter_rows(min_row=2) if r[0].value == "Dokumen terlampir"]
    assert "Foto lokasi" in docs and "foto_lokasi" not in docs
    # The daftar sheet: every code with its names.
    listed = {(r[0].value, r[1].value) for r in wb["daftar"].iter_rows(min_row=2) if r[0].value}
    assert ("sarana_prasarana.drainase", "Saluran drainase lingkungan") in listed
    sources = {(r[4].value, r[5].value) for r in wb["daftar"].iter_rows(min_row=2) if r[4].value}
    assert ("swadaya", "Swadaya warga") in sources


def test_drop_down_lists_offer_the_names_for_categories_sources_kinds_and_documents():
    wb = load_workbook(io.BytesIO(write_template(describe, None, choices=CHOICES)))

    def lists(ws):
        return {str(c).split(":")[0].rstrip("0123456789"): dv.formula1
                for dv in ws.data_validations.dataValidation for c in dv.sqref.ranges}
    kegiatan, rincian = lists(wb["kegiatan"]), lists(wb["rincian"])
    letter = {ws.title: {c.value: c.column_letter for c in ws[1]} for ws in (wb["kegiatan"], wb["rincian"])}
    assert kegiatan[letter["kegiatan"]["Kategori"]].startswith("=daftar!$B$2:$B$")
    assert rincian[letter["rincian"]["Sumber dana"]] == "=daftar!$F$2:$F$4"
    assert rincian[letter["rincian"]["Jenis belanja"]].startswith("=daftar!$J$2:$J$")
    offered = [dv.formula1 for dv in wb["proposal"].data_validations.dataValidation]
    docs = sum(1 for r in wb["proposal"].iter_rows(min_row=2) if r[0].value == "Dokumen terlampir")
    assert docs > 1 and sum(f.startswith("=daftar!$N$2:$N$") for f in offered) == docs   # each document row
    assert '"ya,tidak"' in lists(wb["musyawarah"]).values()


def test_dates_as_spreadsheet_dates_or_dd_mm_yyyy_and_amounts_as_rupiah_text_or_numbers():
    wb = load_workbook(io.BytesIO(write_template(describe, valid_proposal(), choices=CHOICES)))
    act, line, prop = wb["kegiatan"], wb["rincian"], wb["proposal"]
    assert act.cell(row=2, column=column(act, "Tanggal mulai")).number_format == "DD/MM/YYYY"
    assert line.cell(row=2, column=column(line, "Harga satuan (Rp)")).number_format == '"Rp" #,##0'
    act.cell(row=2, column=column(act, "Tanggal mulai"), value=dt.datetime(2022, 5, 2))
    act.cell(row=2, column=column(act, "Tanggal selesai"), value="31/07/2022")
    act.cell(row=2, column=column(act, "Memperbaiki kerusakan akibat banjir"), value="Ya")
    line.cell(row=2, column=column(line, "Harga satuan (Rp)"), value="Rp 285.000")
    line.cell(row=3, column=column(line, "Harga satuan (Rp)"), value=285000)
    prop.cell(row=row_of(prop, "Tanggal pengajuan"), column=2, value="14/02/2022")
    buffer = io.BytesIO()
    wb.save(buffer)
    proposal = to_proposal(buffer.getvalue())
    assert proposal.activities[0].start == dt.date(2022, 5, 2) and proposal.activities[0].end == dt.date(2022, 7, 31)
    assert proposal.submitted_on == dt.date(2022, 2, 14)
    assert [b.unit_price for b in proposal.activities[0].budget_lines] == [285000, 285000]
    assert proposal.activities[0].repairs_flood_damage is True


def _edited(edit) -> bytes:
    wb = load_workbook(io.BytesIO(write_template(describe, valid_proposal(), choices=CHOICES)))
    edit(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_names_codes_and_english_names_are_all_understood():
    def edit(wb):
        act, line = wb["kegiatan"], wb["rincian"]
        act.cell(row=2, column=column(act, "Kategori"), value="sarana_prasarana.drainase")    # the code
        line.cell(row=2, column=column(line, "Sumber dana"), value="Residents' own contribution (swadaya)")
        line.cell(row=2, column=column(line, "Jenis belanja"), value="alat")
        line.cell(row=1, column=column(line, "Satuan"), value="Unit")                       # an English header
        prop = wb["proposal"]
        prop.cell(row=row_of(prop, "Dokumen terlampir"), column=2, value="rencana anggaran biaya (rab), Photos of the site")
    proposal = to_proposal(_edited(edit))
    assert proposal.activities[0].category == "sarana_prasarana.drainase"
    assert (proposal.activities[0].budget_lines[0].source, proposal.activities[0].budget_lines[0].kind) == (
        "swadaya", "alat")
    assert {"rab", "foto_lokasi"} <= set(proposal.documents)


def test_a_name_close_to_a_listed_one_is_answered_with_did_you_mean():
    def edit(wb):
        act, prop = wb["kegiatan"], wb["proposal"]
        act.cell(row=2, column=column(act, "Kategori"), value="Saluran drenase lingkungan")
        prop.cell(row=row_of(prop, "Dokumen terlampir"), column=2, value="Foto lokas")
    with pytest.raises(InvalidInput) as err:
        read_workbook(_edited(edit), choices=CHOICES)
    found = {p.path: (p.id, p.en) for p in err.value.problems}
    assert len(found) == 2
    category = next(v for k, v in found.items() if k.startswith("kegiatan!"))
    assert "maksud Anda: Saluran drainase lingkungan" in category[0] and "did you mean" in category[1]
    document = next(v for k, v in found.items() if k.startswith("proposal!B"))
    assert "Foto lokasi" in document[0] and "Foto lokasi" in document[1]


def test_a_budget_line_for_an_unknown_activity_is_named_by_its_cell():
    data = _edited(lambda wb: wb["rincian"].cell(row=3, column=1, value="ZZ"))
    with pytest.raises(InvalidInput) as err:
        read_workbook(data, choices=CHOICES)
    assert [(p.path, "ZZ" in p.en) for p in err.value.problems] == [("rincian!A3", True)]


def test_a_yes_no_cell_with_another_word_is_refused_by_its_cell():
    def edit(wb):
        ws = wb["rincian"]
        ws.cell(row=2, column=column(ws, "Dibayar tunai kepada perorangan"), value="mungkin")
    with pytest.raises(InvalidInput) as err:
        read_workbook(_edited(edit), choices=CHOICES)
    assert err.value.problems[0].path.startswith("rincian!") and err.value.problems[0].path.endswith("2")
    assert "ya" in err.value.problems[0].id


def test_a_missing_sheet_and_a_non_xlsx_file_are_refused():
    with pytest.raises(InvalidInput) as err:
        read_workbook(_edited(lambda wb: wb.remove(wb["musyawarah"])))
    assert [p.path for p in err.value.problems] == ["musyawarah"]
    with pytest.raises(InvalidInput):
        read_workbook(b"not a workbook")


def test_an_unknown_field_row_is_reported():
    with pytest.raises(InvalidInput) as err:
        read_workbook(_edited(lambda wb: wb["proposal"].append(["anggaran_rahasia", 5])))
    assert "anggaran_rahasia" in err.value.problems[0].en


def test_the_template_download(client):
    response = client.get("/pra-periksa/templat.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert set(SHEETS) <= set(wb.sheetnames)
    # Descriptions in both languages, Indonesian first; the lists from the knowledge base in force.
    assert wb["proposal"]["C2"].value == "Siklus (tahun program) / Cycle (programme year)"
    assert any(r[1].value == "Saluran drainase lingkungan" for r in wb["daftar"].iter_rows(min_row=2))
