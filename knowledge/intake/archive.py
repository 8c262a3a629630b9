"""Zip archives (draft bundles, and XLSX workbooks, which are zips of XML) through the guarded reader.

An archive is judged from its directory first (number of entries, declared sizes) and then
while it is inflated, chunk by chunk, counting the bytes that really come out; nothing is
written anywhere. XML parts are refused when they declare a DTD or entities (entity
expansion), and a workbook's sheets are refused when they hold more cells or rows than
allowed, counted from the XML itself rather than from the dimension the sheet declares.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from knowledge.errors import InvalidInput, Problem
from knowledge.intake.limits import Deadline, ReadLimits, check_size, exceeded

CHUNK = 256 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
DTD_MARKERS = (b"<!doctype", b"<!entity")
# Tags counted in a workbook's XML: cells in sheets, rows in sheets, strings in the shared table.
CELL_TAGS = (b"<c ", b"<c>", b"<c/")
ROW_TAGS = (b"<row ", b"<row>", b"<row/")
STRING_TAGS = (b"<si>", b"<si ", b"<si/")


@dataclass
class _Counter:
    """Occurrences of short byte patterns in a stream read in chunks (patterns may straddle two)."""

    patterns: tuple[bytes, ...]
    count: int = 0
    tail: bytes = field(default=b"")

    def feed(self, chunk: bytes) -> int:
        window = self.tail + chunk
        self.count += sum(window.count(p) for p in self.patterns)
        # Keep fewer bytes than the shortest pattern: an occurrence inside the tail alone was counted.
        keep = min(len(p) for p in self.patterns) - 1
        self.tail = window[-keep:] if keep else b""
        return self.count


def _open(data: bytes, source: str, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput([Problem(source, f"bukan berkas {what} yang sah", f"not a valid {what} file")],
                           source=source) from None


def _entries(zf: zipfile.ZipFile, limits: ReadLimits, source: str) -> list[zipfile.ZipInfo]:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(zf.infolist()) > limits.max_entries:
        raise exceeded("max_entries", limits, source)
    if sum(i.file_size for i in infos) > limits.max_inflated_bytes:
        raise exceeded("max_inflated_bytes", limits, source)
    return infos


class _Inflater:
    """Inflates entries one chunk at a time against the archive's total inflated-size budget."""

    def __init__(self, zf: zipfile.ZipFile, limits: ReadLimits, source: str):
        self.zf, self.limits, self.source = zf, limits, source
        self.deadline = Deadline(limits, source)
        self.total = 0

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    self.total += len(chunk)
                    if self.total > self.limits.max_inflated_bytes:
                        raise exceeded("max_inflated_bytes", self.limits, self.source, info.filename)
                    self.deadline.check()
                    yield chunk
        # zipfile raises NotImplementedError for a compression method it cannot read and RuntimeError
        # for an encrypted entry: both are a client's archive, refused like a damaged one.
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise InvalidInput([Problem(info.filename, f"isi arsip rusak ({type(exc).__name__})",
                                        f"the archive's content is damaged ({type(exc).__name__})")],
                               source=self.source) from None


def read_zip(data: bytes, limits: ReadLimits, source: str = "") -> dict[str, bytes]:
    """Every file of a zip archive by its name, inflated within the limits."""
    check_size(data, limits, source)
    with _open(data, source, "zip") as zf:
        inflater = _Inflater(zf, limits, source)
        return {info.filename: b"".join(inflater.chunks(info)) for info in _entries(zf, limits, source)}


def _refuse_dtd(window: bytes, limits: ReadLimits, source: str, name: str) -> None:
    lowered = window.lower()
    if any(marker in lowered for marker in DTD_MARKERS):
        raise exceeded("xml_entities", None, source, name)


def _check_xml_part(inflater: _Inflater, info: zipfile.ZipInfo, limits: ReadLimits, source: str) -> None:
    name = info.filename
    sheet = name.startswith("xl/worksheets/")
    counters = {"max_cells": _Counter(CELL_TAGS if sheet else STRING_TAGS), "max_rows": _Counter(ROW_TAGS)}
    counted = sheet or name == "xl/sharedStrings.xml"
    tail = b""
    for chunk in inflater.chunks(info):
        _refuse_dtd(tail + chunk, limits, source, name)
        tail = chunk[-16:]
        if counted and counters["max_cells"].feed(chunk) > limits.max_cells:
            raise exceeded("max_cells", limits, source, name)
        if sheet and counters["max_rows"].feed(chunk) > limits.max_rows:
            raise exceeded("max_rows", limits, source, name)


def check_workbook_archive(data: bytes, limits: ReadLimits, source: str = "") -> None:
    """Refuse a workbook whose zip or XML would blow up when a spreadsheet library reads it."""
    check_size(data, limits, source)
    with _open(data, source, "XLSX") as zf:
        inflater = _Inflater(zf, limits, source)
        for info in _entries(zf, limits, source):
            if info.filename.lower().endswith(XML_SUFFIXES):
                _check_xml_part(inflater, info, limits, source)
            else:
                for _ in inflater.chunks(info):
                    pass
