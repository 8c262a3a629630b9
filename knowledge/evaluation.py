"""Evaluation records: one RW in one cycle, its indicator values and the evaluator's tier.

Evaluators keep these in spreadsheets (one row per RW-cycle, indicator ids as column
names); `read_evaluations` reads CSV, XLSX and JSON into records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.errors import InvalidInput
from knowledge.tables import read_table
from knowledge.validation import problems_from

ID_COLUMNS = ("cycle", "kecamatan", "kelurahan", "rw")


class EvaluationRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle: int = Field(ge=2000, le=2100)
    kecamatan: str = Field(min_length=1)
    kelurahan: str = Field(min_length=1)
    rw: int = Field(ge=1)
    indicators: dict[str, float | None] = Field(default_factory=dict)
    evaluator_tier: str | int | None = None

    def as_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {k: getattr(self, k) for k in ID_COLUMNS}
        row.update(self.indicators)
        if self.evaluator_tier is not None:
            row["evaluator_tier"] = self.evaluator_tier
        return row


def record_from_row(row: dict[str, Any]) -> EvaluationRecord:
    """A record from a flat row: identifier columns, `evaluator_tier`, the rest indicators."""
    known = {k: row.get(k) for k in ID_COLUMNS}
    tier = row.get("evaluator_tier")
    indicators = {k: v for k, v in row.items() if k not in ID_COLUMNS and k != "evaluator_tier"}
    if "indicators" in row and isinstance(row["indicators"], dict):
        indicators = dict(row["indicators"])
    return EvaluationRecord.model_validate({**known, "indicators": indicators, "evaluator_tier": tier})


def records_from_rows(rows: list[dict[str, Any]], source: str = "", first_row: int = 2) -> list[EvaluationRecord]:
    """Records from rows; `first_row` numbers them in errors (2 under a spreadsheet header, 1 for JSON)."""
    records, problems = [], []
    for n, row in enumerate(rows, start=first_row):
        try:
            records.append(record_from_row(row))
        except ValidationError as exc:
            problems.extend(problems_from(exc, prefix=f"baris/row {n}"))
    if problems:
        raise InvalidInput(problems, source=source)
    return records


def read_evaluations(path: str | Path) -> list[EvaluationRecord]:
    first_row = 1 if Path(path).suffix.lower() == ".json" else 2
    return records_from_rows(read_table(path), source=str(path), first_row=first_row)
