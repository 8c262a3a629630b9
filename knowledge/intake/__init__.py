"""The one guarded way in for every document that comes in: JSON, YAML, CSV, XLSX and zip.

API bodies, page uploads, CLI files and knowledge-base files are all read here, under a
`ReadLimits` the caller passes in (the service builds it from its settings; the defaults
are safe). A document over a limit is refused with a `LimitExceeded` naming the limit, in
Bahasa Indonesia and English; a malformed one with an `InvalidInput`. Reading is
synchronous and bounded in time by a cooperative deadline: callers on an event loop run it
in a worker thread.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.errors import InvalidInput, Problem
from knowledge.intake.archive import check_workbook_archive, read_zip
from knowledge.intake.limits import Deadline, LimitExceeded, ReadLimits, check_size, exceeded
from knowledge.intake.sheets import TABLE_FORMATS, cell_value, read_csv, read_table, read_workbook
from knowledge.intake.text import check_tree, decode_text, read_json, read_text_document, read_yaml, validate_json

__all__ = [
    "TABLE_FORMATS",
    "Deadline",
    "LimitExceeded",
    "ReadLimits",
    "cell_value",
    "check_size",
    "check_tree",
    "check_workbook_archive",
    "decode_text",
    "exceeded",
    "read_csv",
    "read_file",
    "read_json",
    "read_table",
    "read_text_document",
    "read_workbook",
    "read_yaml",
    "read_zip",
    "validate_json",
]


def read_file(path: str | Path, limits: ReadLimits, source: str | None = None) -> bytes:
    """A local file's bytes, refused before reading when it is larger than `max_bytes`."""
    p = Path(path)
    where = str(p) if source is None else source
    try:
        if p.stat().st_size > limits.max_bytes:
            raise exceeded("max_bytes", limits, where)
        with p.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InvalidInput([Problem(where, f"berkas tidak dapat dibaca ({exc.strerror})",
                                    f"cannot read file ({exc.strerror})")], source=where) from None
    check_size(data, limits, where)
    return data
