"""The guarded reader's limits, the refusal that names one, and the reading deadline.

`ReadLimits` has safe defaults; the service builds its own from its settings
(`Settings.read_limits()`) and passes it in, because nothing below the service reads the
environment. Every refusal is a `LimitExceeded`: an `InvalidInput` that names the limit in
both languages and carries the HTTP status it deserves (413 for sizes, 422 for the rest).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from knowledge.errors import BerdayaError, InvalidInput, Problem

MIB = 1024 * 1024


class ReadLimits(BaseModel):
    """How much of a document the reader accepts before refusing it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(default=5_000_000, ge=1, description="size of the document as received")
    max_inflated_bytes: int = Field(default=32 * MIB, ge=1, description="size of a zip or XLSX after inflating")
    max_entries: int = Field(default=500, ge=1, description="files inside a zip or XLSX")
    max_rows: int = Field(default=10_000, ge=1, description="rows of a sheet or CSV file (empty ones count)")
    max_columns: int = Field(default=256, ge=1, description="columns of one row")
    max_cells: int = Field(default=300_000, ge=1, description="cells of a whole workbook or CSV file")
    max_depth: int = Field(default=32, ge=2, description="nesting of JSON or YAML")
    max_nodes: int = Field(default=200_000, ge=1, description="values of JSON or YAML, aliases expanded")
    max_yaml_aliases: int = Field(default=100, ge=0, description="YAML aliases (*name)")
    max_seconds: float = Field(default=10.0, gt=0, description="time to read one document")


# limit -> (Bahasa Indonesia, English, HTTP status)
LABELS: dict[str, tuple[str, str, int]] = {
    "max_bytes": ("ukuran berkas (bita)", "file size (bytes)", 413),
    "max_inflated_bytes": ("ukuran setelah diekstrak (bita)", "size after decompression (bytes)", 413),
    "max_entries": ("jumlah berkas di dalam arsip", "number of files in the archive", 422),
    "max_rows": ("jumlah baris", "number of rows", 422),
    "max_columns": ("jumlah kolom", "number of columns", 422),
    "max_cells": ("jumlah sel", "number of cells", 422),
    "max_depth": ("kedalaman susunan", "nesting depth", 422),
    "max_nodes": ("jumlah nilai (alias YAML dijabarkan)", "number of values (YAML aliases expanded)", 422),
    "max_yaml_aliases": ("jumlah alias YAML", "number of YAML aliases", 422),
    "max_seconds": ("waktu baca (detik)", "reading time (seconds)", 422),
    "yaml_self_reference": ("alias YAML yang merujuk dirinya sendiri", "a YAML alias that refers to itself", 422),
    "xml_entities": ("entitas XML (DTD)", "XML entities (DTD)", 422),
}


@dataclass
class LimitExceeded(InvalidInput):
    """A document refused by one of the reader's limits (`limit` names it)."""

    limit: str = "max_bytes"

    def __post_init__(self) -> None:
        label_id, label_en, _ = LABELS[self.limit]
        where = f" ({self.source})" if self.source else ""
        BerdayaError.__init__(self, f"Berkas ditolak{where}: melewati batas {label_id}",
                              f"Document refused{where}: it exceeds the limit on {label_en}")

    @property
    def status(self) -> int:
        return LABELS[self.limit][2]


def _number(value: float, lang: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    # Indonesian groups thousands with a dot and writes the decimal comma.
    return text.translate(str.maketrans(",.", ".,")) if lang == "id" else text


def exceeded(limit: str, limits: ReadLimits | None, source: str = "", path: str = "") -> LimitExceeded:
    """The refusal for `limit`, saying the limit's value when it has one (the limit's name goes to the API)."""
    label_id, label_en, _ = LABELS[limit]
    value = getattr(limits, limit, None) if limits is not None else None
    if value is None:
        text_id, text_en = f"{label_id} tidak diterima", f"{label_en} not accepted"
    else:
        text_id = f"melewati batas {label_id}: {_number(value, 'id')}"
        text_en = f"exceeds the limit on {label_en}: {_number(value, 'en')}"
    return LimitExceeded([Problem(path or source, text_id, text_en)], source=source, limit=limit)


class Deadline:
    """The time one document may take; `check()` refuses it once that time has passed.

    Checked cooperatively from the reading loops (per YAML node, per row, per inflated
    chunk), so a slow document ends itself instead of holding a worker thread.
    """

    def __init__(self, limits: ReadLimits, source: str = ""):
        self.limits = limits
        self.source = source
        self.end = time.monotonic() + limits.max_seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise exceeded("max_seconds", self.limits, self.source)


def check_size(data: bytes, limits: ReadLimits, source: str = "") -> None:
    if len(data) > limits.max_bytes:
        raise exceeded("max_bytes", limits, source)
