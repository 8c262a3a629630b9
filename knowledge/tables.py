"""Read and write tables (one row per unit) as CSV, XLSX or JSON, the way evaluators keep them.

Reading goes through the guarded reader (knowledge.intake): cells come back as Python
values (numbers as int/float, empty cells as None, text stripped). Row numbers in errors
are 1-based spreadsheet rows (the header is row 1).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from knowledge import intake
from knowledge.errors import InvalidInput, Problem
from knowledge.intake import ReadLimits

FORMATS = intake.TABLE_FORMATS
DEFAULT_LIMITS = ReadLimits()


def table_format(path: str | Path, explicit: str | None = None) -> str:
    fmt = (explicit or Path(path).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise InvalidInput(
            [Problem(str(path), f"format '{fmt}' tidak didukung; gunakan csv, xlsx atau json",
                     f"format '{fmt}' is not supported; use csv, xlsx or json")]
        )
    return fmt


def read_table(path: str | Path, fmt: str | None = None, limits: ReadLimits = DEFAULT_LIMITS) -> list[dict[str, Any]]:
    """A table file read through the guarded reader (knowledge.intake.read_table)."""
    chosen = table_format(path, fmt)
    return intake.read_table(intake.read_file(path, limits), chosen, limits, source=str(path))


# What a spreadsheet takes for the start of a formula (OWASP, "CSV injection"): text starting
# with one of these is written with a leading apostrophe, so it stays text when opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """A cell value that no spreadsheet will run: formula-like text gets a leading apostrophe.

    Only text is changed; numbers (negative ones too), dates, booleans and empty cells are
    written as they are. Every XLSX and CSV the project writes passes its cells through here.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restored(text: str) -> str:
    """The text `neutralised` wrote, read back from a workbook this service made (the apostrophe removed)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def sheet_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells for a spreadsheet or CSV writer, each `neutralised`."""
    return [neutralised(v) for v in values]


def write_table(rows: Iterable[dict[str, Any]], path: str | Path, fmt: str | None = None,
                columns: list[str] | None = None, sheet: str = "data") -> None:
    rows = list(rows)
    chosen = table_format(path, fmt)
    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if chosen == "json":
        p.write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    elif chosen == "csv":
        with p.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(sheet_row(cols))
            writer.writerows(sheet_row(r.get(c) for c in cols) for r in rows)
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.worksheets[0]
        ws.title = sheet
        ws.append(sheet_row(cols))
        for r in rows:
            ws.append(sheet_row(r.get(c) for c in cols))
        wb.save(p)
