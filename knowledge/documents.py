"""Proposals and other JSON or YAML documents, read through the guarded reader (knowledge.intake)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from knowledge.intake import ReadLimits, read_file, read_text_document
from knowledge.proposal import Proposal
from knowledge.validation import validate_model

DEFAULT_LIMITS = ReadLimits()


def parse_text(text: str, source: str = "", limits: ReadLimits = DEFAULT_LIMITS) -> Any:
    """Parse JSON or YAML text (YAML is a superset, but JSON errors read better)."""
    return read_text_document(text.encode("utf-8"), limits, source)


def read_document(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> Any:
    return read_text_document(read_file(path, limits), limits, source=str(path))


def parse_proposal(data: Any, source: str = "") -> Proposal:
    return validate_model(Proposal, data, source=source)


def load_proposal(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> Proposal:
    return parse_proposal(read_document(path, limits), source=str(path))


def to_jsonable(value: Any) -> Any:
    """A JSON-ready copy, recursively: dates to ISO text, keys to text, tuples to lists, numpy
    scalars and arrays to Python numbers and lists, NaN and infinities to None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bytes)) or value is None:
        return value
    if hasattr(value, "item"):  # numpy without importing it: a scalar has .item(), an array .tolist()
        try:
            return to_jsonable(value.item())
        except (TypeError, ValueError):
            return [to_jsonable(v) for v in value.tolist()]
    return value
