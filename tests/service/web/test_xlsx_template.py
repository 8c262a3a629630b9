"""The XLSX proposal template: written, filled, uploaded and read back to the same proposal."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from knowledge.documents import parse_proposal
from knowledge.errors import InvalidInput
from service.web import forms
from service.web.xlsx_proposal import SHEETS, read_workbook, write_template
from tests.service.web.helpers import valid_proposal


def describe(path: str) -> str:
    return f"keterangan {path}"


def to_proposal(data: bytes):
    return parse_proposal(forms.form_to_proposal(read_workbook(data, source="t.xlsx")))


def test_a_filled_template_reads_back_as_the_same_proposal():
    data = valid_proposal()
    workbook = write_template(describe, data, categories=["sarana_prasarana.drainase"])
    assert to_proposal(workbook) == parse_proposal(data)


def test_several_activities_keep_their_own_budget_lines():
    data = valid_proposal()
    second = {**data["activities"][0], "code": "B7", "name": "Pelatihan UMKM",
              "budget_lines": [{"item": "Modul", "unit": "paket", "quantity": 20, "unit_price": 15000,
                                "source": "ppm", "kind": "material"}]}
    data["activities"].append(second)
    proposal = to_proposal(write_template(describe, data))
    assert [a.code for a in proposal.activities] == ["A1", "B7"]
    assert [len(a.budget_lines) for a in proposal.activities] == [2, 1]
    assert proposal.activities[1].budget_lines[0].item == "Modul"


def test_the_empty_template_has_the_four_sheets_with_every_field():
    wb = load_workbook(io.BytesIO(write_template(describe)))
    assert set(SHEETS) <= set(wb.sheetnames)
    proposal_fields = [row[0].value for row in wb["proposal"].iter_rows(min_row=2)]
    assert {"cycle", "title", "region.kecamatan", "region.kelurahan", "region.rw", "documents"} <= set(proposal_fields)
    kegiatan = [c.value for c in wb["kegiatan"][1]]
    assert {"code", "maintenance_plan", "repairs_flood_damage", "beneficiaries.poor_households"} <= set(kegiatan)
    rincian = [c.value for c in wb["rincian"][1]]
    assert rincian[0] == "activity_code" and {"source", "kind", "cash_to_individuals"} <= set(rincian)
    musyawarah = [row[0].value for row in wb["musyawarah"].iter_rows(min_row=2)]
    assert {"date", "attendance.total", "attendance.women", "speakers.poor"} <= set(musyawarah)
    # The third column explains each field (both languages come from the catalogue in the app).
    assert wb["proposal"]["C2"].value == "keterangan cycle"


def test_dates_typed_as_spreadsheet_dates_and_yes_no_words_are_understood():
    data = valid_proposal()
    wb = load_workbook(io.BytesIO(write_template(describe, data)))
    import datetime as dt

    ws = wb["kegiatan"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("start") + 1, value=dt.datetime(2022, 5, 2))
    ws.cell(row=2, column=header.index("repairs_flood_damage") + 1, value="Ya")
    buffer = io.BytesIO()
    wb.save(buffer)
    proposal = to_proposal(buffer.getvalue())
    assert proposal.activities[0].start == dt.date(2022, 5, 2)
    assert proposal.activities[0].repairs_flood_damage is True


def _edited(edit) -> bytes:
    wb = load_workbook(io.BytesIO(write_template(describe, valid_proposal())))
    edit(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_budget_line_for_an_unknown_activity_is_named_by_its_cell():
    data = _edited(lambda wb: wb["rincian"].cell(row=3, column=1, value="ZZ"))
    with pytest.raises(InvalidInput) as err:
        read_workbook(data)
    assert [(p.path, "ZZ" in p.en) for p in err.value.problems] == [("rincian!A3", True)]


def test_a_yes_no_cell_with_another_word_is_refused_by_its_cell():
    def edit(wb):
        ws = wb["rincian"]
        col = [c.value for c in ws[1]].index("cash_to_individuals") + 1
        ws.cell(row=2, column=col, value="mungkin")
    with pytest.raises(InvalidInput) as err:
        read_workbook(_edited(edit))
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
    # Descriptions in both languages, Indonesian first.
    assert wb["proposal"]["C2"].value == "Siklus (tahun program) / Cycle (programme year)"
