"""Check an evaluation table against an index definition and turn it into a numpy matrix.

Rows are dicts (from CSV, XLSX or JSON). Problems name the 1-based spreadsheet row (the
header is row 1, the first unit row 2) and the column, in Bahasa Indonesia and English.
Empty cells become NaN and are left to the missing-data policy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.errors import InvalidInput, Problem
from knowledge.indices import IndexDefinition
from scoring.compiled import CompiledIndex, compile_index
from scoring.tiers import tier_ordinal

EVALUATOR_TIER = "evaluator_tier"
# A label column, not data: generated rows carry `synthetic: true` so that results stay labelled.
SYNTHETIC = "synthetic"
MAX_PROBLEMS = 200
HEADER_ROW = 1


@dataclass
class InputTable:
    """Validated input: identifier columns, the indicator matrix, evaluator tiers."""

    id_columns: list[str]
    ids: dict[str, list[Any]]
    X: np.ndarray                     # (n, m), NaN = missing
    evaluator_tier: np.ndarray | None  # (n,) ordinal, -1 = not given; None when the column is absent
    synthetic: bool = False           # some row is labelled synthetic

    def __len__(self) -> int:
        return int(self.X.shape[0])


def spreadsheet_row(index: int) -> int:
    return index + HEADER_ROW + 1


def at(row: int, column: str) -> str:
    return f"baris/row {row}, kolom/column {column}"


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.dropped = 0

    def add(self, path: str, id_text: str, en_text: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(path, id_text, en_text))
        else:
            self.dropped += 1

    def raise_if_any(self, source: str) -> None:
        if self.dropped:
            self.items.append(Problem("", f"... dan {self.dropped} masalah lain", f"... and {self.dropped} more problems"))
        if self.items:
            raise InvalidInput(self.items, source=source)


def _to_number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text == "":
        return math.nan
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")   # Indonesian decimal comma: "0,25"
    return float(text)


def _column(rows: Sequence[dict[str, Any]], name: str, problems: _Problems) -> np.ndarray:
    values = [r.get(name) for r in rows]
    try:
        if not any(isinstance(v, (str, bool)) for v in values):
            return np.array(values, dtype=float)
    except (TypeError, ValueError):
        pass
    out = np.empty(len(values))
    for i, v in enumerate(values):
        try:
            out[i] = _to_number(v)
        except (TypeError, ValueError):
            out[i] = math.nan
            problems.add(at(spreadsheet_row(i), name), f"harus angka, bukan '{v}'", f"must be a number, not '{v}'")
    return out


def check_ranges(ci: CompiledIndex, X: np.ndarray, problems: _Problems, row_offset: int = 0) -> None:
    """Every non-missing value inside its indicator's valid range (and finite)."""
    # Fast path: column minima and maxima (NaN ignored) settle the usual all-valid case in two passes.
    if X.size == 0:
        return
    lo, hi = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)
    if not ((lo < ci.valid_min) | (hi > ci.valid_max) | np.isinf(lo) | np.isinf(hi)).any():
        return
    with np.errstate(invalid="ignore"):
        bad = (ci.valid_min > X) | (ci.valid_max < X) | np.isinf(X)
    cells = np.argwhere(bad)
    problems.dropped += max(0, len(cells) - MAX_PROBLEMS)
    for i, j in cells[:MAX_PROBLEMS]:
        ind = ci.definition.indicators[j]
        lo, hi = ind.valid_range.min, ind.valid_range.max
        span = f"[{'-∞' if lo is None else lo}, {'∞' if hi is None else hi}]"
        problems.add(at(spreadsheet_row(row_offset + int(i)), ind.id),
                     f"nilai {X[i, j]} di luar rentang sah {span} ({ind.unit})",
                     f"value {X[i, j]} is outside the valid range {span} ({ind.unit})")


def _columns_in_order(rows: Sequence[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


OUTPUT_COLUMNS = ("score", "tier", "tier_name", "borderline", "imputed", "imputed_indicators", "available_share",
                  "adequacy", "empowered", "advice")


def _check_columns(defn: IndexDefinition, present: list[str], id_columns: list[str], problems: _Problems) -> None:
    taken = set(OUTPUT_COLUMNS) | set(defn.dimension_ids)
    for col in id_columns:
        if col in taken:
            problems.add(at(HEADER_ROW, col), f"kolom identitas '{col}' sama dengan kolom keluaran; ganti namanya",
                         f"identifier column '{col}' has the name of an output column; rename it")
    known = set(id_columns) | set(defn.indicator_ids) | {EVALUATOR_TIER, SYNTHETIC}
    for col in present:
        if col not in known:
            problems.add(at(HEADER_ROW, col),
                         f"kolom '{col}' tidak dikenal: bukan identitas, bukan indikator '{defn.name}', bukan evaluator_tier",
                         f"unknown column '{col}': not an identifier, not a '{defn.name}' indicator, not evaluator_tier")
    for col in defn.id_columns:
        if col not in present:
            problems.add(at(HEADER_ROW, col), "kolom identitas wajib tidak ada", "required identifier column is missing")
    for ind in defn.indicators:
        if ind.required and ind.id not in present:
            problems.add(at(HEADER_ROW, ind.id), f"kolom indikator wajib tidak ada ({ind.name.id})",
                         f"required indicator column is missing ({ind.name.en})")


def _check_ids(defn: IndexDefinition, rows: Sequence[dict[str, Any]], problems: _Problems) -> None:
    first_row: dict[tuple[Any, ...], int] = {}
    for i, r in enumerate(rows):
        values = [r.get(c) for c in defn.id_columns]
        key = tuple(v if isinstance(v, (str, int, float, type(None))) else repr(v) for v in values)
        for c, v in zip(defn.id_columns, values):
            if v is None or (isinstance(v, str) and not v.strip()):
                problems.add(at(spreadsheet_row(i), c), "identitas unit wajib diisi", "the unit identifier is required")
        if key in first_row:
            problems.add(at(spreadsheet_row(i), ",".join(defn.id_columns)),
                         f"unit yang sama sudah ada di baris {first_row[key]}",
                         f"the same unit already appears in row {first_row[key]}")
        else:
            first_row[key] = spreadsheet_row(i)


def _evaluator_tiers(defn: IndexDefinition, rows: Sequence[dict[str, Any]], problems: _Problems) -> np.ndarray:
    out = np.full(len(rows), -1, dtype=np.int64)
    names = ", ".join(defn.tier_ids)
    for i, r in enumerate(rows):
        try:
            k = tier_ordinal(defn, r.get(EVALUATOR_TIER))
        except ValueError:
            problems.add(at(spreadsheet_row(i), EVALUATOR_TIER),
                         f"'{r.get(EVALUATOR_TIER)}' bukan tingkat yang dikenal ({names}, atau 0–{len(defn.tier_ids) - 1})",
                         f"'{r.get(EVALUATOR_TIER)}' is not a known tier ({names}, or 0–{len(defn.tier_ids) - 1})")
            continue
        out[i] = -1 if k is None else k
    return out


def read_rows(defn: IndexDefinition, rows: Sequence[dict[str, Any]], *, id_columns: Sequence[str] = (),
              source: str = "") -> InputTable:
    """Validate `rows` against `defn`; raise InvalidInput listing every problem (row and column)."""
    ci = compile_index(defn)
    problems = _Problems()
    if not rows:
        problems.add("", "tabel tidak berisi baris unit", "the table has no unit rows")
        problems.raise_if_any(source)
    bad_rows = [i for i, r in enumerate(rows) if not isinstance(r, dict)]
    for i in bad_rows:
        problems.add(f"baris/row {spreadsheet_row(i)}", "baris harus berupa objek", "a row must be an object")
    problems.raise_if_any(source)
    ids_all = list(dict.fromkeys([*defn.id_columns, *id_columns]))
    present = _columns_in_order(rows)
    _check_columns(defn, present, ids_all, problems)
    problems.raise_if_any(source)
    _check_ids(defn, rows, problems)
    X = np.column_stack([_column(rows, c, problems) for c in ci.ids])
    check_ranges(ci, X, problems)
    tiers = _evaluator_tiers(defn, rows, problems) if EVALUATOR_TIER in present else None
    problems.raise_if_any(source)
    id_cols = [c for c in ids_all if c in present]
    synthetic = any(str(r.get(SYNTHETIC)).strip().lower() in {"1", "true", "ya", "yes"} for r in rows)
    return InputTable(id_cols, {c: [r.get(c) for r in rows] for c in id_cols}, X, tiers, synthetic)


def check_matrix(defn: IndexDefinition, X: np.ndarray, source: str = "") -> np.ndarray:
    """Validate an (n, m) matrix in the definition's indicator order (the fast path, no row dicts)."""
    ci = compile_index(defn)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != ci.m:
        raise InvalidInput([Problem("matrix", f"matriks harus berukuran (n, {ci.m})",
                                    f"the matrix must have shape (n, {ci.m}), got {X.shape}")], source=source)
    problems = _Problems()
    check_ranges(ci, X, problems)
    problems.raise_if_any(source)
    return X
