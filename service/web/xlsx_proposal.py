"""The proposal as an XLSX workbook: the downloadable template and the parser of its uploads.

Sheets: `proposal` and `musyawarah` (one field per row: its label, value, description),
`kegiatan` (one activity per row) and `rincian` (one budget line per row, tied to its
activity by its activity code), headed by the form's labels; `daftar` lists the codes of
categories, sources, kinds and documents with the names the drop-down lists offer
(service.web.xlsx_words). Dates are spreadsheet dates (dd/mm/yyyy also read), amounts numbers
shown as Rupiah ("Rp 285.000" also read). The parser turns a workbook into the same flat
{field path: text} mapping the web form posts, so both go through one conversion
(forms.form_to_proposal) and one validation (knowledge.documents.parse_proposal).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from knowledge import intake
from knowledge.errors import InvalidInput, Problem
from knowledge.intake import ReadLimits
from knowledge.labels import field_label, generic_path
from knowledge.tables import restored, sheet_row
from service.web import forms
from service.web.xlsx_words import CHOICE_FIELDS, Choices, header_key, header_of, reader_of

PROPOSAL_ROWS = [*forms.TOP_FIELDS, *(f"region.{f}" for f in forms.REGION_FIELDS),
                 *(f"team.{f}" for f in forms.TEAM_FIELDS), "documents",
                 "amends.proposal_ref", "amends.berita_acara_perubahan"]
MUSYAWARAH_ROWS = [*forms.MUSYAWARAH_FIELDS, *(f"attendance.{f}" for f in forms.ATTENDANCE_FIELDS),
                   *(f"speakers.{f}" for f in forms.SPEAKER_FIELDS)]
ACTIVITY_COLUMNS = [*forms.ACTIVITY_FIELDS, *(f"beneficiaries.{f}" for f in forms.BENEFICIARY_FIELDS)]
LINE_COLUMNS = ["activity_code", *forms.LINE_FIELDS]
BOOL_FIELDS = {"repairs_flood_damage", "cash_to_individuals", "minutes_attached", "attendance_list_attached",
               "amends.berita_acara_perubahan"}
SHEETS = ("proposal", "kegiatan", "rincian", "musyawarah")
TRUE_WORDS = {"ya", "yes", "true", "benar", "1", "x", "y"}
FALSE_WORDS = {"tidak", "no", "false", "salah", "0", "n", ""}

Describe = Callable[[str], str]
LIST_TITLES = {"category": "activities.category", "source": "activities.budget_lines.source",
               "kind": "activities.budget_lines.kind", "documents": "documents"}
BOOL_ROWS = ("musyawarah.minutes_attached", "musyawarah.attendance_list_attached", "amends.berita_acara_perubahan")


AMOUNT_FIELDS = {"requested_total", "stated_total", "unit_price", "amount"}
DATE_FIELDS = {"submitted_on", "start", "end", "date"}
RUPIAH_FORMAT = '"Rp" #,##0'
DATE_FORMAT = "DD/MM/YYYY"
LIST_SHEET = "daftar"
HEADER_NOTE = ["Kolom / field", "Isi / value", "Keterangan / description"]


def _leaf(field: str) -> str:
    return field.split(".")[-1]


def _cell_out(field: str, value: Any, choices: Choices) -> Any:
    """A value as the template shows it: words for yes/no and list values, real dates and numbers."""
    leaf = _leaf(field)
    if leaf in BOOL_FIELDS or field in BOOL_FIELDS:
        return "ya" if value else "tidak"
    if leaf in CHOICE_FIELDS and isinstance(value, str):
        return choices.name(leaf, value)
    if leaf in DATE_FIELDS and isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _formatted(cell: Any, field: str) -> None:
    if _leaf(field) in AMOUNT_FIELDS:
        cell.number_format = RUPIAH_FORMAT
    elif _leaf(field) in DATE_FIELDS:
        cell.number_format = DATE_FORMAT


def _list_sheet(wb: Any, choices: Choices) -> dict[str, str]:
    """The `daftar` sheet: each list's codes with their names; -> list name -> range of its names."""
    from openpyxl.styles import Font

    ws = wb.create_sheet(LIST_SHEET)
    ranges = {}
    for n, which in enumerate(("category", "source", "kind", "documents")):
        col = 1 + 4 * n  # code, Indonesian name (what the lists offer), English name, a blank column
        for offset, title in enumerate((f"{header_of(LIST_TITLES[which])}: kode / code", "nama", "name")):
            ws.cell(row=1, column=col + offset, value=title).font = Font(bold=True)
            ws.column_dimensions[ws.cell(row=1, column=col + offset).column_letter].width = 34
        entries = choices.lists.get(which, [])
        for i, entry in enumerate(entries, start=2):
            for offset, text in enumerate(entry):
                ws.cell(row=i, column=col + offset, value=text)
        letter = ws.cell(row=1, column=col + 1).column_letter
        if entries:
            ranges[which] = f"={LIST_SHEET}!${letter}$2:${letter}${len(entries) + 1}"
    return ranges


def _drop_down(ws: Any, formula: str, cells: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(cells)


def _key_value(ws: Any, rows: list[str], prefix: str, flat: dict[str, Any], describe: Describe,
               choices: Choices, documents: list[str]) -> None:
    from openpyxl.styles import Font

    ws.append(HEADER_NOTE)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for field in rows:
        path = f"{prefix}{field}"
        values = [choices.name("documents", d) for d in documents] if path == "documents" else [flat.get(path)]
        # One row per document, so that each row can offer the list of documents by name.
        for value in (values + [None] * max(0, len(choices.lists.get("documents", [])) - len(values))
                      if path == "documents" else values):
            ws.append(sheet_row([header_of(generic_path(path)), _cell_out(field, value, choices),
                                 describe(generic_path(path))]))
            _formatted(ws.cell(row=ws.max_row, column=2), field)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 70


def _table(ws: Any, columns: list[str], prefix: str, describe: Describe) -> dict[str, str]:
    """Header row in words; -> column name -> its letter."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    ws.append([header_of(f"{prefix}{c}") for c in columns])
    letters = {}
    for cell, column in zip(ws[1], columns):
        cell.font = Font(bold=True)
        cell.comment = Comment(describe(f"{prefix}{column}"), "Berdaya")
        ws.column_dimensions[cell.column_letter].width = max(14, min(40, len(str(cell.value)) + 2))
        letters[column] = cell.column_letter
    return letters


def write_template(describe: Describe, proposal: dict[str, Any] | None = None,
                   choices: Choices | None = None) -> bytes:
    """The XLSX template, empty or filled with `proposal` (a proposal dict, dates as ISO text).

    Rows and columns are labelled in words; categories, sources, kinds and documents are offered
    by name in drop-down lists from `choices` (listed with their codes on the `daftar` sheet);
    `describe(generic_path)` gives each field's bilingual description.
    """
    from openpyxl import Workbook

    p, choices = proposal or {}, choices or Choices.build([], [])
    flat = forms.flatten(p)
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "proposal"
    _key_value(ws, PROPOSAL_ROWS, "", flat, describe, choices, list(p.get("documents") or []))
    ws_act, ws_line = wb.create_sheet("kegiatan"), wb.create_sheet("rincian")
    act_cols = _table(ws_act, ACTIVITY_COLUMNS, "activities.", describe)
    line_cols = _table(ws_line, LINE_COLUMNS, "activities.budget_lines.", describe)
    for i, activity in enumerate(p.get("activities") or []):
        row = [_cell_out(c, activity.get("beneficiaries", {}).get(c.split(".")[1]) if "." in c else activity.get(c),
                         choices) for c in ACTIVITY_COLUMNS]
        ws_act.append(sheet_row(row))
        for line in activity.get("budget_lines") or []:
            ws_line.append(sheet_row([activity.get("code", f"A{i + 1}"),
                                      *(_cell_out(c, line.get(c), choices) for c in LINE_COLUMNS[1:])]))
    for ws_, cols in ((ws_act, act_cols), (ws_line, line_cols)):
        for column, letter in cols.items():
            for cell in ws_[letter][1:]:
                _formatted(cell, column)
    _key_value(wb.create_sheet("musyawarah"), MUSYAWARAH_ROWS, "musyawarah.", flat, describe, choices, [])
    _validations(wb, choices, act_cols, line_cols)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _validations(wb: Any, choices: Choices, act_cols: dict[str, str], line_cols: dict[str, str]) -> None:
    """Drop-down lists: yes/no, and the names of the `daftar` sheet (a list written inline is capped
    at 255 characters, the categories are longer)."""
    ranges = _list_sheet(wb, choices)
    ws_act, ws_line, ws_prop, ws_mus = wb["kegiatan"], wb["rincian"], wb["proposal"], wb["musyawarah"]
    yes_no = '"ya,tidak"'
    _drop_down(ws_act, yes_no, f"{act_cols['repairs_flood_damage']}2:{act_cols['repairs_flood_damage']}200")
    _drop_down(ws_line, yes_no, f"{line_cols['cash_to_individuals']}2:{line_cols['cash_to_individuals']}1000")
    for which, sheet, letter in (("category", ws_act, act_cols["category"]), ("source", ws_line, line_cols["source"]),
                                 ("kind", ws_line, line_cols["kind"])):
        if which in ranges:
            _drop_down(sheet, ranges[which], f"{letter}2:{letter}1000")
    for ws in (ws_prop, ws_mus):
        for row in range(2, ws.max_row + 1):
            label = str(ws.cell(row=row, column=1).value or "")
            if label == header_of("documents") and "documents" in ranges:
                _drop_down(ws, ranges["documents"], f"B{row}")
            elif any(label == header_of(generic_path(b)) for b in BOOL_ROWS):
                _drop_down(ws, yes_no, f"B{row}")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(forms.written(value))  # a number cell, written as the form's one number rule reads it
    text = restored(str(value).strip())
    return text or None


def _not_listed(where: str, which: str, text: str, close: list[str]) -> Problem:
    label_id = field_label(LIST_TITLES[which], "id") or which
    label_en = field_label(LIST_TITLES[which], "en") or which
    if close:
        return Problem(where, f"'{text}' tidak ada dalam daftar {label_id}; maksud Anda: {' atau '.join(close)}?",
                       f"'{text}' is not on the list of {label_en}; did you mean: {' or '.join(close)}?")
    return Problem(where, f"'{text}' tidak ada dalam daftar {label_id}; pilih salah satu dari lembar {LIST_SHEET}",
                   f"'{text}' is not on the list of {label_en}; choose one from the {LIST_SHEET} sheet")


def _put(flat: dict[str, str], problems: list[Problem], where: str, path: str, value: Any,
         choices: Choices) -> None:
    text = _text(value)
    leaf = _leaf(generic_path(path))
    if leaf in BOOL_FIELDS or path in BOOL_FIELDS:
        word = (text or "").lower()
        if word in TRUE_WORDS:
            flat[path] = "on"
        elif word not in FALSE_WORDS:
            problems.append(Problem(where, f"isi 'ya' atau 'tidak', bukan '{text}'",
                                    f"write 'ya' (yes) or 'tidak' (no), not '{text}'"))
        return
    if text is not None and leaf in CHOICE_FIELDS:
        code, close = choices.code(leaf, text)
        if code is None:
            problems.append(_not_listed(where, leaf, text, close))
            return
        text = code
    if text is not None:
        flat[path] = text


def _documents(problems: list[Problem], where: str, value: Any, choices: Choices) -> list[str]:
    """Documents written by name (or id), one per row or separated by commas; a name close to a
    listed one is answered with 'did you mean', anything else is kept as an other document."""
    out = []
    for text in [t.strip() for t in (_text(value) or "").replace(";", ",").split(",") if t.strip()]:
        code, close = choices.code("documents", text)
        if code is None and close:
            problems.append(_not_listed(where, "documents", text, close))
        else:
            out.append(code or text)
    return out


def _key_values(sheets: dict[str, list[tuple[Any, ...]]], flat: dict[str, str], problems: list[Problem],
                choices: Choices) -> None:
    documents: list[str] = []
    for sheet, allowed, prefix in (("proposal", PROPOSAL_ROWS, ""), ("musyawarah", MUSYAWARAH_ROWS, "musyawarah.")):
        fields = reader_of(allowed, prefix)
        for n, row in enumerate(sheets[sheet][1:], start=2):
            written = _text(row[0] if row else None)
            if written is None:
                continue
            field = fields.get(header_key(written))
            if field is None:
                problems.append(Problem(f"{sheet}!A{n}", f"kolom '{written}' tidak dikenal",
                                        f"unknown field '{written}'"))
                continue
            value = row[1] if len(row) > 1 else None
            if field == "documents":
                documents += _documents(problems, f"{sheet}!B{n}", value, choices)
            else:
                _put(flat, problems, f"{sheet}!B{n}", f"{prefix}{field}", value, choices)
    if documents:
        flat["documents_other"] = ", ".join(dict.fromkeys(documents))


def read_workbook(data: bytes, source: str = "", limits: ReadLimits = ReadLimits(),
                  choices: Choices | None = None) -> dict[str, str]:
    """The flat {field path: text} mapping of an uploaded template (see forms.form_to_proposal).

    The workbook is read by the guarded reader (knowledge.intake), under `limits`. Labels and list
    values are read in either language or as codes; `choices` turns names into codes.
    """
    choices = choices or Choices.build([], [])
    sheets = intake.read_workbook(data, limits, source)
    missing = [s for s in SHEETS if s not in sheets]
    if missing:
        raise InvalidInput([Problem(s, "lembar ini tidak ada dalam berkas; gunakan templat Berdaya",
                                    "this sheet is missing; use the Berdaya template") for s in missing],
                           source=source)
    flat: dict[str, str] = {}
    problems: list[Problem] = []
    _key_values(sheets, flat, problems, choices)
    _tables(sheets, flat, problems, choices)
    if problems:
        raise InvalidInput(problems, source=source)
    return flat


def _tables(sheets: dict[str, list[tuple[Any, ...]]], flat: dict[str, str], problems: list[Problem],
            choices: Choices) -> None:
    codes: dict[str, int] = {}
    line_count: dict[int, int] = {}
    for sheet, columns, prefix_of in (("kegiatan", ACTIVITY_COLUMNS, "activities."),
                                      ("rincian", LINE_COLUMNS, "activities.budget_lines.")):
        rows = iter(sheets[sheet])
        names = reader_of(columns, prefix_of)
        written = [_text(h) for h in next(rows, ())]
        header = [names.get(header_key(h)) if h is not None else None for h in written]
        problems += [Problem(f"{sheet}!1", f"kolom '{w}' tidak dikenal", f"unknown column '{w}'")
                     for w, h in zip(written, header) if w is not None and h is None]
        for n, row in enumerate(rows, start=2):
            cells = {h: v for h, v in zip(header, row) if h is not None}
            if all(_text(v) is None for v in cells.values()):
                continue
            if sheet == "kegiatan":
                index = len(codes)
                code = _text(cells.get("code")) or f"#{n}"
                if code in codes:
                    problems.append(Problem(f"kegiatan!A{n}", f"kode kegiatan '{code}' dipakai dua kali",
                                            f"activity code '{code}' is used twice"))
                codes[code] = index
                prefix = f"activities[{index}]."
            else:
                line_code = _text(cells.pop("activity_code", None))
                if line_code is None or line_code not in codes:
                    problems.append(Problem(f"rincian!A{n}", f"kode kegiatan '{line_code}' tidak ada di lembar kegiatan",
                                            f"activity code '{line_code}' is not on the kegiatan sheet"))
                    continue
                index = codes[line_code]
                j = line_count.get(index, 0)
                line_count[index] = j + 1
                prefix = f"activities[{index}].budget_lines[{j}]."
            for column, value in cells.items():
                letter = _column_letter(header.index(column))
                _put(flat, problems, f"{sheet}!{letter}{n}", f"{prefix}{column}", value, choices)
            flat.setdefault(f"{prefix}{columns[0] if sheet == 'kegiatan' else 'item'}", "")


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
