"""Spreadsheets through the guarded reader: XLSX workbooks and CSV files, and tables read from them.

XLSX: the archive is checked first (knowledge.intake.archive), then openpyxl streams it in
read-only mode with defusedxml installed (openpyxl then parses every part with it, so
entities are refused there too). The dimension a sheet declares is ignored
(`reset_dimensions`), so rows are not padded to it; rows, columns and cells are counted as
they come. Tables are one row per unit: header in row 1, cells as Python values.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from knowledge.errors import InvalidInput, Problem
from knowledge.intake.archive import check_workbook_archive
from knowledge.intake.limits import Deadline, LimitExceeded, ReadLimits, check_size, exceeded
from knowledge.intake.text import decode_text, read_json

Rows = list[tuple[Any, ...]]
TABLE_FORMATS = ("csv", "xlsx", "json")


class _Budget:
    """Rows, columns and cells counted against the limits as a document is streamed."""

    def __init__(self, limits: ReadLimits, source: str):
        self.limits, self.source = limits, source
        self.deadline = Deadline(limits, source)
        self.cells = 0

    def row(self, where: str, number: int, width: int) -> None:
        self.deadline.check()
        if number > self.limits.max_rows:
            raise exceeded("max_rows", self.limits, self.source, where)
        if width > self.limits.max_columns:
            raise exceeded("max_columns", self.limits, self.source, f"{where}!{number}")
        self.cells += width
        if self.cells > self.limits.max_cells:
            raise exceeded("max_cells", self.limits, self.source, where)


def _unreadable(source: str, exc: Exception) -> InvalidInput:
    name = type(exc).__name__
    if "Forbidden" in name:  # defusedxml's DTDForbidden / EntitiesForbidden
        return exceeded("xml_entities", None, source)
    return InvalidInput([Problem(source, f"bukan berkas XLSX yang dapat dibaca ({name})",
                                 f"not a readable XLSX file ({name})")], source=source)


def read_workbook(data: bytes, limits: ReadLimits, source: str = "") -> dict[str, Rows]:
    """Every sheet's rows (tuples of cell values, formulas' cached values), in sheet order."""
    from openpyxl import load_workbook

    check_workbook_archive(data, limits, source)
    budget = _Budget(limits, source)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML or InvalidFileException errors
        raise _unreadable(source, exc) from None
    try:
        sheets: dict[str, Rows] = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows: Rows = []
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                budget.row(ws.title, number, len(row))
                rows.append(tuple(row))
            sheets[ws.title] = rows
        return sheets
    except LimitExceeded:
        raise
    except InvalidInput:
        raise
    except Exception as exc:
        raise _unreadable(source, exc) from None
    finally:
        wb.close()


def read_csv(data: bytes, limits: ReadLimits, source: str = "") -> Rows:
    """A CSV file's rows (comma, semicolon or tab separated, sniffed), header included."""
    check_size(data, limits, source)
    text = decode_text(data, source)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    budget = _Budget(limits, source)
    rows: Rows = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect=dialect), start=1):
            budget.row("csv", number, len(row))
            rows.append(tuple(row))
    except csv.Error as exc:
        raise InvalidInput([Problem(source, f"berkas CSV tidak dapat dibaca: {exc}",
                                    f"cannot read CSV file: {exc}")], source=source) from None
    return rows


def cell_value(value: Any) -> Any:
    """A cell as a Python value: numbers as int/float, empty as None, text stripped."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    # "nan" and "inf" are words in a spreadsheet, not numbers: keep them as text so that
    # the reader's validation names the cell instead of scoring it.
    return number if math.isfinite(number) else text


def _records(rows: Rows) -> list[dict[str, Any]]:
    if not rows:
        return []
    names = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for values in rows[1:]:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append({n: cell_value(v) for n, v in zip(names, values) if n})
    return out


def read_table(data: bytes, fmt: str, limits: ReadLimits, source: str = "") -> list[dict[str, Any]]:
    """A table of units from CSV, XLSX (its first sheet) or JSON (a list of objects, or {"records": [...]})."""
    if fmt == "csv":
        return _records(read_csv(data, limits, source))
    if fmt == "xlsx":
        sheets = read_workbook(data, limits, source)
        return _records(next(iter(sheets.values()), []))
    parsed = read_json(data, limits, source)
    if isinstance(parsed, dict) and isinstance(parsed.get("records"), list):
        parsed = parsed["records"]
    if not isinstance(parsed, list) or not all(isinstance(r, dict) for r in parsed):
        raise InvalidInput([Problem(source, "JSON harus berupa daftar objek (satu per baris)",
                                    "JSON must be a list of objects (one per row)")], source=source)
    if len(parsed) > limits.max_rows:
        raise exceeded("max_rows", limits, source)
    return parsed
