"""Read JSON and YAML documents (proposals, knowledge-base files) with bilingual errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import InvalidInput, Problem
from knowledge.proposal import Proposal
from knowledge.validation import validate_model


def parse_text(text: str, source: str = "") -> Any:
    """Parse JSON or YAML text (YAML is a superset, but JSON errors read better)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                [Problem(f"baris/line {exc.lineno}, kolom/column {exc.colno}",
                         f"JSON tidak sah: {exc.msg}", f"invalid JSON: {exc.msg}")],
                source=source,
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"baris/line {mark.line + 1}" if mark else ""
        raise InvalidInput(
            [Problem(where, "bukan JSON atau YAML yang sah", "not valid JSON or YAML")], source=source
        ) from None


def read_document(path: str | Path) -> Any:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            [Problem(str(p), f"berkas tidak dapat dibaca ({exc.strerror})", f"cannot read file ({exc.strerror})")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            [Problem(str(p), "berkas bukan teks UTF-8 (JSON atau YAML)", "file is not UTF-8 text (JSON or YAML)")],
            source=str(p),
        ) from None
    return parse_text(text, source=str(p))


def parse_proposal(data: Any, source: str = "") -> Proposal:
    return validate_model(Proposal, data, source=source)


def load_proposal(path: str | Path) -> Proposal:
    return parse_proposal(read_document(path), source=str(path))


def to_jsonable(value: Any) -> Any:
    """Dates to ISO strings, recursively, for writing proposals as JSON or YAML."""
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
