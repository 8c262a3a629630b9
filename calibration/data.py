"""From evaluation rows to the arrays a calibrator fits: scores, evaluator tiers, cycles.

Rows are scored with the scoring engine (``scoring.engine.score_table``) so that the cut
points are learned on exactly the scale scoring will apply them to. Every check that can
fail on the input is made here, before anything is fitted or written: the definition's cycle
column, the requested cycles present, every row's evaluator tier one of the definition's
tiers (by id or ordinal).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.errors import InvalidInput, Problem
from knowledge.indices import IndexDefinition
from scoring.engine import score_table
from scoring.tiers import tier_ordinal as scoring_tier_ordinal

TIER_COLUMN = "evaluator_tier"


@dataclass(frozen=True)
class CalibrationData:
    """Scored records of the calibration cycles (unscored units left out and counted)."""

    scores: np.ndarray
    tiers: np.ndarray
    cycles: np.ndarray
    units: list[dict[str, Any]]  # identifier columns of each record, same order
    indicators: dict[str, np.ndarray]  # raw indicator values, for drift
    unscored: int
    synthetic: bool  # the definition or some row is labelled synthetic


def name_is_synthetic(name: str) -> bool:
    """A file name that marks its data synthetic (SINTETIS / synthetic), as the demo-data generator writes them."""
    return any(word in name.lower() for word in ("sintetis", "synthetic"))


def source_is_synthetic(path: str | Path) -> bool:
    """A table file marked synthetic by its name or by a `manifest.json` with `"synthetic": true` beside it."""
    p = Path(path)
    if name_is_synthetic(p.name):
        return True
    try:
        manifest = json.loads((p.parent / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(manifest, dict) and manifest.get("synthetic") is True


def parse_cycles(text: str) -> list[int]:
    """`2018-2023`, `2018,2020,2021` or a mix (`2018-2019,2021`) as a sorted list of cycles."""
    cycles: set[int] = set()
    try:
        for part in str(text).split(","):
            part = part.strip()
            if "-" in part:
                lo, hi = (int(v) for v in part.split("-", 1))
                if hi < lo:
                    raise ValueError(part)
                cycles.update(range(lo, hi + 1))
            elif part:
                cycles.add(int(part))
    except ValueError:
        raise InvalidInput([Problem("--cycles", f"siklus '{text}' tidak sah; contoh 2018-2023 atau 2018,2020",
                                    f"cycles '{text}' are not valid; e.g. 2018-2023 or 2018,2020")]) from None
    if not cycles:
        raise InvalidInput([Problem("--cycles", "tidak ada siklus yang dipilih", "no cycles selected")])
    return sorted(cycles)


def tier_ordinal(value: Any, definition: IndexDefinition) -> int | None:
    """A tier by id, name or ordinal as scoring reads it; None when empty or not a tier."""
    try:
        return scoring_tier_ordinal(definition, value)
    except ValueError:
        return None


def _cycle_of(row: dict[str, Any], column: str | None) -> int | None:
    value = row.get(column) if column else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def select_rows(definition: IndexDefinition, rows: list[dict[str, Any]], cycles: Sequence[int], *,
                require_tiers: bool = True) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, row) of the rows in ``cycles``; errors for absent cycles and bad tiers.

    With ``require_tiers=False`` (drift of a cycle not yet evaluated) a missing evaluator tier
    is allowed, a wrong one still is not.
    """
    column = definition.cycle_column
    if not column:
        raise InvalidInput([Problem("cycle_column", f"definisi '{definition.name}' tidak memiliki kolom siklus",
                                    f"definition '{definition.name}' has no cycle column")])
    if not rows:
        raise InvalidInput([Problem("", "masukan tidak berisi baris", "the input has no rows")])
    wanted = set(cycles)
    chosen, present, problems = [], set(), []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        cycle = _cycle_of(row, column)
        if cycle is None:
            problems.append(Problem(f"baris/row {n}, {column}", "siklus kosong atau bukan tahun",
                                    "cycle is empty or not a year"))
            continue
        present.add(cycle)
        if cycle in wanted:
            chosen.append((n, row))
    absent = sorted(wanted - present)
    if absent:
        shown = ", ".join(str(c) for c in absent)
        problems.append(Problem(column, f"siklus {shown} tidak ada di masukan", f"cycles {shown} are absent from the input"))
    tier_ids = definition.tier_ids
    for n, row in chosen:
        value = row.get(TIER_COLUMN)
        if value is None or (isinstance(value, str) and not value.strip()):
            if not require_tiers:
                continue
            problems.append(Problem(f"baris/row {n}, {TIER_COLUMN}", "tingkat penilai wajib diisi untuk kalibrasi",
                                    "the evaluator tier is required for calibration"))
        elif tier_ordinal(value, definition) is None:
            allowed = ", ".join(tier_ids)
            problems.append(Problem(f"baris/row {n}, {TIER_COLUMN}",
                                    f"tingkat '{value}' bukan tingkat definisi {definition.name} ({allowed})",
                                    f"tier '{value}' is not a tier of definition {definition.name} ({allowed})"))
    if problems:
        raise InvalidInput(problems)
    return chosen


def _tier_or_none(value: Any, definition: IndexDefinition) -> int:
    k = tier_ordinal(value, definition)
    return -1 if k is None else k


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else np.nan


def prepare(definition: IndexDefinition, rows: list[dict[str, Any]], cycles: Sequence[int], *,
            require_tiers: bool = True) -> CalibrationData:
    """Score the rows and pair each score of ``cycles`` with its evaluator tier (-1 if none).

    Every row is scored, not only those of ``cycles``, so that row numbers in scoring's
    errors are the file's and previous-cycle imputation sees earlier cycles.
    """
    chosen = select_rows(definition, rows, cycles, require_tiers=require_tiers)
    table = score_table(definition, rows)
    picked = [n - 2 for n, _ in chosen]  # back from spreadsheet row numbers to list positions
    keep = [i for i in picked if np.isfinite(table.score[i])]
    id_columns = list(definition.id_columns)
    return CalibrationData(
        scores=np.array([table.score[i] for i in keep], dtype=float),
        tiers=np.array([_tier_or_none(rows[i].get(TIER_COLUMN), definition) for i in keep], dtype=int),
        cycles=np.array([_cycle_of(rows[i], definition.cycle_column) for i in keep], dtype=int),
        units=[{c: rows[i].get(c) for c in id_columns} for i in keep],
        indicators={ind: np.array([_number(rows[i].get(ind)) for i in keep], dtype=float)
                    for ind in definition.indicator_ids},
        unscored=len(picked) - len(keep),
        synthetic=bool(table.synthetic),
    )
