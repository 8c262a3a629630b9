"""Read and write tables (one row per unit) as CSV, XLSX or JSON, the way evaluators keep them.

Cells come back as Python values: numbers as int/float, empty cells as None, text stripped.
Row numbers in errors are 1-based spreadsheet rows (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from knowledge.errors import InvalidInput, Problem

FORMATS = ("csv", "xlsx", "json")


def table_format(path: str | Path, explicit: str | None = None) -> str:
    fmt = (explicit or Path(path).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise InvalidInput(
            [Problem(str(path), f"format '{fmt}' tidak didukung; gunakan csv, xlsx atau json",
                     f"format '{fmt}' is not supported; use csv, xlsx or json")]
        )
    return fmt


def _cell(value: Any) -> Any:
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


def _rows_from_csv(text: str) -> list[dict[str, Any]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    return [{(k or "").strip(): _cell(v) for k, v in row.items()} for row in reader]


def _rows_from_xlsx(data: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [str(h).strip() if h is not None else "" for h in header]
    out = []
    for values in rows:
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append({n: _cell(v) for n, v in zip(names, values) if n})
    return out


def read_table_bytes(data: bytes, fmt: str, source: str = "") -> list[dict[str, Any]]:
    try:
        if fmt == "csv":
            return _rows_from_csv(data.decode("utf-8-sig"))
        if fmt == "xlsx":
            return _rows_from_xlsx(data)
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            [Problem(source, f"berkas {fmt.upper()} tidak dapat dibaca: {exc}", f"cannot read {fmt.upper()} file: {exc}")],
            source=source,
        ) from None
    except Exception as exc:  # openpyxl raises zipfile/InvalidFileException for non-xlsx bytes
        raise InvalidInput(
            [Problem(source, f"berkas {fmt.upper()} tidak dapat dibaca: {exc}", f"cannot read {fmt.upper()} file: {exc}")],
            source=source,
        ) from None
    if isinstance(parsed, dict) and isinstance(parsed.get("records"), list):
        parsed = parsed["records"]
    if not isinstance(parsed, list) or not all(isinstance(r, dict) for r in parsed):
        raise InvalidInput(
            [Problem(source, "JSON harus berupa daftar objek (satu per baris)",
                     "JSON must be a list of objects (one per row)")],
            source=source,
        )
    return parsed


def read_table(path: str | Path, fmt: str | None = None) -> list[dict[str, Any]]:
    p = Path(path)
    chosen = table_format(p, fmt)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            [Problem(str(p), f"berkas tidak dapat dibaca ({exc.strerror})", f"cannot read file ({exc.strerror})")]
        ) from None
    return read_table_bytes(data, chosen, source=str(p))


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
            writer = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.worksheets[0]
        ws.title = sheet
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
        wb.save(p)
