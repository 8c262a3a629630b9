"""A draft's parameters as a spreadsheet: one row per parameter and date, downloaded, edited, uploaded back.

The sheet `parameter` has the columns of `COLUMNS`: the name in words, the code, the unit, the
date the value takes effect, the value (a ratio as a fraction, 0.35; Rupiah as a whole
number; a list one item per line), its reference, status (verified or assumed) and what an
assumed value was modelled on. An uploaded workbook (read by the caller through the guarded
reader, `knowledge.intake.read_workbook`) becomes typed edits (`policy.edits.AddParameterValue`)
for exactly the rows that differ from the draft; rows not changed, and rows left out, stay as
they were. Every problem names the sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from knowledge.errors import InvalidInput, Problem
from knowledge.tables import sheet_row
from policy.edits import STATUSES, AddParameterValue
from policy.files import KBFiles

SHEET = "parameter"
COLUMNS = ("nama / name", "kode / code", "satuan / unit", "berlaku sejak / from", "nilai / value",
           "rujukan / reference", "status", "modelled_on")
NOTE = ("Satu baris per parameter dan tanggal berlaku. Ubah nilai, rujukan, status atau modelled_on, atau tambah "
        "baris dengan tanggal baru; baris yang tidak diubah tetap. Rasio ditulis sebagai pecahan (0,35 = 35%). / "
        "One row per parameter and effective date. Change a value, reference, status or modelled_on, or add a row "
        "with a new date; rows not changed stay. Ratios are fractions (0.35 = 35%).")


def _cell(value: Any) -> Any:
    return "\n".join(str(v) for v in value) if isinstance(value, list) else value


def parameters_workbook(files: KBFiles) -> bytes:
    """The draft's parameters, one row per parameter and date, with a sheet that explains the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for name, (_, data) in sorted(files.parameters.items()):
        words = (data.get("description") or {}).get("id", "") if isinstance(data.get("description"), dict) else ""
        for date, entry in sorted(files.parameter_values(name).items()):
            ws.append(sheet_row([words, name, data.get("unit"), date, _cell(entry.get("value")),
                                 entry.get("reference"), entry.get("status"), entry.get("modelled_on")]))
    notes = wb.create_sheet("keterangan")
    notes.append([NOTE])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _where(row: int, column: int) -> str:
    return f"{SHEET}: baris/row {row}, kolom/column {COLUMNS[column]}"


def _value(raw: Any, unit: str, where: str) -> Any:
    if unit == "list":
        return [line.strip() for line in str(raw or "").splitlines() if line.strip()]
    if unit in ("ratio", "IDR", "count"):
        try:
            number = float(str(raw).replace(",", ".")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            raise InvalidInput([Problem(where, "harus angka", "must be a number")]) from None
        return number if unit == "ratio" or number != int(number) else int(number)
    if unit == "boolean":
        return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "ya", "yes", "1")
    return "" if raw is None else str(raw)


def _date(raw: Any, where: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise InvalidInput([Problem(where, "harus tanggal ISO (YYYY-MM-DD)", "must be an ISO date (YYYY-MM-DD)")]) from None


def _row_edit(files: KBFiles, row: tuple[Any, ...], number: int) -> AddParameterValue | None:
    cells = list(row) + [None] * (len(COLUMNS) - len(row))
    code = str(cells[1] or "").strip()
    if code not in files.parameters:
        raise InvalidInput([Problem(_where(number, 1), f"parameter '{code}' tidak ada di draf",
                                    f"parameter '{code}' is not in the draft")])
    unit = str(files.parameters[code][1].get("unit") or "")
    date = _date(cells[3], _where(number, 3))
    value = _value(cells[4], unit, _where(number, 4))
    status = str(cells[6] or "").strip()
    if status not in STATUSES:
        raise InvalidInput([Problem(_where(number, 6), "status harus verified atau assumed",
                                    "status must be verified or assumed")])
    entry = {"value": value, "reference": str(cells[5] or "").strip(), "status": status,
             "modelled_on": str(cells[7] or "").strip() or None}
    current = files.parameter_values(code).get(date.isoformat())
    if current is not None and _same(current, entry):
        return None
    if not entry["reference"]:
        raise InvalidInput([Problem(_where(number, 5), "wajib diisi", "is required")])
    return AddParameterValue(parameter=code, date=date, value=value, reference=entry["reference"],
                             status=STATUSES[STATUSES.index(status)], modelled_on=entry["modelled_on"])


def _same(current: dict[str, Any], entry: dict[str, Any]) -> bool:
    value = current.get("value")
    same_value = value == entry["value"] or (isinstance(value, (int, float)) and isinstance(entry["value"], (int, float))
                                             and abs(float(value) - float(entry["value"])) < 1e-9)
    return (same_value and str(current.get("reference") or "").strip() == entry["reference"]
            and current.get("status") == entry["status"]
            and (str(current.get("modelled_on") or "").strip() or None) == entry["modelled_on"])


def edits_from_workbook(files: KBFiles, sheets: dict[str, list[tuple[Any, ...]]]) -> list[AddParameterValue]:
    """The edits an uploaded workbook makes: one per row that differs from the draft (InvalidInput otherwise)."""
    rows = sheets.get(SHEET)
    if rows is None:
        raise InvalidInput([Problem(SHEET, f"lembar '{SHEET}' tidak ada", f"the sheet '{SHEET}' is missing")])
    header = tuple(str(c or "").strip() for c in (rows[0] if rows else ()))[:len(COLUMNS)]
    if header != COLUMNS:
        raise InvalidInput([Problem(f"{SHEET}: baris/row 1", f"judul kolom harus: {', '.join(COLUMNS)}",
                                    f"the column headings must be: {', '.join(COLUMNS)}")])
    edits, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c not in (None, "") for c in row):
            continue
        try:
            edit = _row_edit(files, row, number)
        except InvalidInput as exc:
            problems += exc.problems
            continue
        if edit is not None:
            edits.append(edit)
    if problems:
        raise InvalidInput(problems, source=SHEET)
    return edits
