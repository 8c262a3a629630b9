"""Parameters as a spreadsheet: download, change one value, upload; the diff shows exactly that change;
unchanged rows stay; problems name sheet, row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from knowledge.errors import InvalidInput
from knowledge.intake import ReadLimits, read_workbook
from policy import drafts
from policy.files import read_kb_files
from policy.spreadsheet import COLUMNS, SHEET, edits_from_workbook, parameters_workbook
from policy.store import KBStore


@pytest.fixture
def store(tmp_path) -> KBStore:
    store = KBStore(tmp_path / "store")
    store.versions()
    return store


def changed(data: bytes, edit) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    edit(wb[SHEET])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, code: str, date: str) -> int:
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row[1] == code and row[3] == date:
            return number
    raise KeyError((code, date))


def test_download_change_one_value_upload_and_the_diff_shows_exactly_that_change(store):
    start = drafts.start_draft(store, "2026.1", by="policy:bu-rina")
    files = read_kb_files(store.draft_path(start.draft_id))
    data = parameters_workbook(files)
    ws = load_workbook(io.BytesIO(data))[SHEET]
    assert tuple(c.value for c in ws[1]) == COLUMNS
    assert sum(1 for _ in ws.iter_rows(min_row=2)) == sum(len(files.parameter_values(n)) for n in files.parameters)
    assert edits_from_workbook(files, read_workbook(data, ReadLimits())) == []  # nothing changed, nothing edited

    def to_35(sheet):
        sheet.cell(row_of(sheet, "min_women_attendance_share", "2018-01-01"), 5).value = 0.35

    edits = edits_from_workbook(files, read_workbook(changed(data, to_35), ReadLimits()))
    info = drafts.apply_draft_edits(store, start.draft_id, edits, by="policy:bu-rina", via="spreadsheet")
    diff = drafts.diff_draft(store, info.draft_id)
    [param] = diff["parameters"]["changed"]
    assert [(param["name"], v["date"], v["change"], v["before"], v["after"]) for v in param["values"]] == [
        ("min_women_attendance_share", "2018-01-01", "changed", 0.3, 0.35)]
    assert not any(diff["rules"].values()) and not diff["parameters"]["added"]
    assert store.edit_history(info.draft_id)[-1].via == "spreadsheet"


def test_problems_name_the_sheet_row_and_column(store):
    start = drafts.start_draft(store, "2026.1", by="policy:bu-rina")
    files = read_kb_files(store.draft_path(start.draft_id))
    data = parameters_workbook(files)

    def spoil(sheet):
        row = row_of(sheet, "min_women_attendance_share", "2018-01-01")
        sheet.cell(row, 5).value = "banyak"
        sheet.cell(row + 1, 7).value = "mungkin"

    with pytest.raises(InvalidInput) as info:
        edits_from_workbook(files, read_workbook(changed(data, spoil), ReadLimits()))
    wb = load_workbook(io.BytesIO(data))[SHEET]
    row = row_of(wb, "min_women_attendance_share", "2018-01-01")
    assert [p.path for p in info.value.problems] == [
        f"parameter: baris/row {row}, kolom/column nilai / value",
        f"parameter: baris/row {row + 1}, kolom/column status"]
