"""The proposal as an XLSX workbook: the downloadable template and the parser of its uploads.

Sheets: `proposal` and `musyawarah` (one field per row: field, value, description),
`kegiatan` (one activity per row) and `rincian` (one budget line per row, tied to its
activity by `activity_code`). The parser turns a workbook into the same flat
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
from knowledge.labels import generic_path
from knowledge.proposal import KINDS
from knowledge.tables import restored, sheet_row
from service.web import forms

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


def _bool_text(value: bool | None) -> str:
    return "ya" if value else "tidak"


def _cell_out(field: str, value: Any) -> Any:
    if field.split(".")[-1] in BOOL_FIELDS or field in BOOL_FIELDS:
        return _bool_text(bool(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def write_template(describe: Describe, proposal: dict[str, Any] | None = None,
                   categories: list[str] | None = None) -> bytes:
    """The XLSX template, empty or filled with `proposal` (a proposal dict, dates as ISO text).

    `describe(generic_path)` gives each field's bilingual description for the third column
    and the header comments.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    p = proposal or {}
    flat = forms.flatten(p)
    wb = Workbook()
    bold = Font(bold=True)

    def key_value(ws, rows: list[str], prefix: str) -> None:
        ws.append(["field", "nilai / value", "keterangan / description"])
        for cell in ws[1]:
            cell.font = bold
        for field in rows:
            path = f"{prefix}{field}"
            ws.append(sheet_row([field, _cell_out(field, flat.get(path) if path != "documents" else p.get("documents")),
                                 describe(generic_path(path))]))
        ws.column_dimensions["A"].width = 32
        ws.column_dimensions["B"].width = 40
        ws.column_dimensions["C"].width = 70

    def table(ws, columns: list[str], prefix_of: Callable[[str], str]) -> None:
        ws.append(columns)
        for cell, column in zip(ws[1], columns):
            cell.font = bold
            cell.comment = Comment(describe(prefix_of(column)), "Berdaya")
            ws.column_dimensions[cell.column_letter].width = max(14, len(column) + 2)

    ws = wb.worksheets[0]
    ws.title = "proposal"
    key_value(ws, PROPOSAL_ROWS, "")

    ws_act = wb.create_sheet("kegiatan")
    table(ws_act, ACTIVITY_COLUMNS, lambda c: f"activities.{c}")
    ws_line = wb.create_sheet("rincian")
    table(ws_line, LINE_COLUMNS, lambda c: f"activities.budget_lines.{c}")
    for i, activity in enumerate(p.get("activities") or []):
        row = []
        for column in ACTIVITY_COLUMNS:
            value = activity.get("beneficiaries", {}).get(column.split(".")[1]) if "." in column \
                else activity.get(column)
            row.append(_cell_out(column, value))
        ws_act.append(sheet_row(row))
        for line in activity.get("budget_lines") or []:
            ws_line.append(sheet_row([activity.get("code", f"A{i + 1}"),
                                      *(_cell_out(c, line.get(c)) for c in LINE_COLUMNS[1:])]))

    ws_mus = wb.create_sheet("musyawarah")
    key_value(ws_mus, MUSYAWARAH_ROWS, "musyawarah.")

    yes_no = DataValidation(type="list", formula1='"ya,tidak"', allow_blank=True)
    sources = DataValidation(type="list", formula1='"' + ",".join(forms.SOURCES) + '"', allow_blank=True)
    kinds = DataValidation(type="list", formula1='"' + ",".join(KINDS) + '"', allow_blank=True)
    for dv in (yes_no, sources, kinds):
        ws_line.add_data_validation(dv)
    yes_no_act = DataValidation(type="list", formula1='"ya,tidak"', allow_blank=True)
    ws_act.add_data_validation(yes_no_act)
    col = {c: i for i, c in enumerate(ACTIVITY_COLUMNS)}
    letter = lambda n: ws_act.cell(row=1, column=n + 1).column_letter  # noqa: E731
    yes_no_act.add(f"{letter(col['repairs_flood_damage'])}2:{letter(col['repairs_flood_damage'])}200")
    lcol = {c: ws_line.cell(row=1, column=i + 1).column_letter for i, c in enumerate(LINE_COLUMNS)}
    sources.add(f"{lcol['source']}2:{lcol['source']}1000")
    kinds.add(f"{lcol['kind']}2:{lcol['kind']}1000")
    yes_no.add(f"{lcol['cash_to_individuals']}2:{lcol['cash_to_individuals']}1000")
    if categories:
        # A hidden list sheet, because a list validation written inline is capped at 255 characters.
        ws_cat = wb.create_sheet("kategori")
        for category in categories:
            ws_cat.append([category])
        ws_cat.sheet_state = "hidden"
        cats = DataValidation(type="list", formula1=f"=kategori!$A$1:$A${len(categories)}", allow_blank=True)
        ws_act.add_data_validation(cats)
        cats.add(f"{letter(col['category'])}2:{letter(col['category'])}200")

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = restored(str(value).strip())
    return text or None


def _put(flat: dict[str, str], problems: list[Problem], where: str, path: str, value: Any) -> None:
    text = _text(value)
    if generic_path(path).split(".")[-1] in BOOL_FIELDS or path in BOOL_FIELDS:
        word = (text or "").lower()
        if word in TRUE_WORDS:
            flat[path] = "on"
        elif word not in FALSE_WORDS:
            problems.append(Problem(where, f"isi 'ya' atau 'tidak', bukan '{text}'",
                                    f"write 'ya' (yes) or 'tidak' (no), not '{text}'"))
        return
    if text is not None:
        flat[path] = text


def read_workbook(data: bytes, source: str = "", limits: ReadLimits = ReadLimits()) -> dict[str, str]:
    """The flat {field path: text} mapping of an uploaded template (see forms.form_to_proposal).

    The workbook is read by the guarded reader (knowledge.intake), under `limits`.
    """
    sheets = intake.read_workbook(data, limits, source)
    missing = [s for s in SHEETS if s not in sheets]
    if missing:
        raise InvalidInput([Problem(s, "lembar ini tidak ada dalam berkas; gunakan templat Berdaya",
                                    "this sheet is missing; use the Berdaya template") for s in missing],
                           source=source)
    flat: dict[str, str] = {}
    problems: list[Problem] = []
    for sheet, allowed, prefix in (("proposal", PROPOSAL_ROWS, ""), ("musyawarah", MUSYAWARAH_ROWS, "musyawarah.")):
        for n, row in enumerate(sheets[sheet][1:], start=2):
            field = _text(row[0] if row else None)
            if field is None:
                continue
            if field not in allowed:
                problems.append(Problem(f"{sheet}!A{n}", f"kolom '{field}' tidak dikenal",
                                        f"unknown field '{field}'"))
                continue
            value = row[1] if len(row) > 1 else None
            path = "documents_other" if field == "documents" else f"{prefix}{field}"
            _put(flat, problems, f"{sheet}!B{n}", path, value)

    codes: dict[str, int] = {}
    line_count: dict[int, int] = {}
    for sheet, columns in (("kegiatan", ACTIVITY_COLUMNS), ("rincian", LINE_COLUMNS)):
        rows = iter(sheets[sheet])
        header = [_text(h) for h in next(rows, ())]
        unknown = [h for h in header if h is not None and h not in columns]
        problems += [Problem(f"{sheet}!1", f"kolom '{h}' tidak dikenal", f"unknown column '{h}'") for h in unknown]
        for n, row in enumerate(rows, start=2):
            cells = {h: v for h, v in zip(header, row) if h in columns}
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
                _put(flat, problems, f"{sheet}!{letter}{n}", f"{prefix}{column}", value)
            flat.setdefault(f"{prefix}{columns[0] if sheet == 'kegiatan' else 'item'}", "")
    if problems:
        raise InvalidInput(problems, source=source)
    return flat


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
