"""Evaluation records: one RW in one cycle, its indicator values and the evaluator's tier.

Evaluators keep these in spreadsheets (one row per RW-cycle, indicator ids as column
names); `read_evaluations` reads CSV, XLSX and JSON into records.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.errors import InvalidInput
from knowledge.tables import read_table
from knowledge.validation import bilingual, plain_text, plain_texts, problems_from

ID_COLUMNS = ("cycle", "kecamatan", "kelurahan", "rw")
# Beyond 2**53 floating-point numbers no longer tell whole numbers apart: no indicator, identifier
# or count in an evaluation table comes anywhere near it, so larger ones are refused as input errors.
MAX_CELL = 2**53

FiniteFloat = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_CELL, le=MAX_CELL)]


def plain_cell(value: Any) -> Any:
    """A cell of an evaluation row as it comes in: empty, yes/no, a finite number or plain text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > MAX_CELL:
            raise bilingual("harus angka terhingga dalam batas wajar", "must be a finite number of reasonable size")
        return value
    if isinstance(value, str):
        return plain_text(value)
    raise bilingual("harus angka, teks atau kosong", "must be a number, text or empty")


Cell = Annotated[Any, AfterValidator(plain_cell)]
# One row of an evaluation table as sent to the service (column name -> cell).
EvaluationRow = dict[Annotated[str, AfterValidator(plain_text)], Cell]


class EvaluationRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle: int = Field(ge=2000, le=2100)
    kecamatan: str = Field(min_length=1)
    kelurahan: str = Field(min_length=1)
    rw: int = Field(ge=1, le=99)
    indicators: dict[str, FiniteFloat | None] = Field(default_factory=dict)
    evaluator_tier: str | int | None = None

    @field_validator("*")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_texts(value)

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
