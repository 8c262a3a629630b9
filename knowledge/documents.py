"""Proposals and other JSON or YAML documents, read through the guarded reader (knowledge.intake)."""

from __future__ import annotations

import datetime as dt
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
    """Dates to ISO strings, recursively, for writing proposals as JSON or YAML."""
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
