"""Attack documents built by the tests themselves: alias bombs, workbook and zip bombs, deep JSON.

Each builder returns bytes; none of them is written to the repository. The hardening tests
send them through every door (the guarded reader, the API, the pages, a real server) and
expect a 4xx refusal naming the limit.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from functools import lru_cache

MIB = 1024 * 1024


def alias_bomb(levels: int, fanout: int = 9) -> bytes:
    """The 'billion laughs' in YAML: each level a list of `fanout` aliases of the level below."""
    lines = ['a0: &a0 ["lol"]']
    for n in range(1, levels + 1):
        refs = ", ".join([f"*a{n - 1}"] * fanout)
        lines.append(f"a{n}: &a{n} [{refs}]")
    lines.append(f"title: *a{levels}")
    return ("\n".join(lines) + "\n").encode()


def self_reference() -> bytes:
    """A YAML node that contains an alias of itself (a recursive structure)."""
    return b"title: &t [*t]\n"


def deep_json(depth: int = 10_000) -> bytes:
    return b'{"files": ' + b"[" * depth + b"]" * depth + b"}"


def _workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["cycle", "kecamatan"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def with_parts(xlsx: bytes, parts: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of a workbook with some parts replaced and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, parts.get(info.filename, src.read(info.filename)))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def million_rows_workbook() -> bytes:
    """A workbook declaring 1,048,576 rows and 16,384 columns and holding a million rows (about 10 KB)."""
    rows = b"<row><c><v>1</v></c></row>" * 1_000_000
    sheet = SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>' + rows + b"</sheetData></worksheet>"
    return with_parts(_workbook(), {SHEET: sheet})


def far_cell_workbook() -> bytes:
    """A workbook whose only cells are in row 1 and row 1,000,000: a reader that pads rows makes a million."""
    sheet = (SHEET_HEAD + b'<dimension ref="A1:Z1000000"/><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>cycle</t></is></c></row>'
             b'<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData></worksheet>')
    return with_parts(_workbook(), {SHEET: sheet})


def decompression_bomb_workbook(inflated: int = 100 * MIB) -> bytes:
    """A small workbook carrying a part that inflates to `inflated` bytes of zeros."""
    return with_parts(_workbook(), {}, extra={"xl/media/image1.bin": bytes(inflated)})


def entity_expansion_workbook() -> bytes:
    """A workbook whose sheet XML declares nested entities (XML's 'billion laughs')."""
    entities = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(8))
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [' + entities + b']>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>')
    return with_parts(_workbook(), {SHEET: sheet})


def _deflated_zeros(size: int) -> tuple[bytes, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk, parts, crc = bytes(MIB), [], 0
    for _ in range(size // MIB):
        parts.append(compressor.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(compressor.flush())
    return b"".join(parts), crc


@lru_cache(maxsize=2)
def zip_bomb(inflated: int = 900 * MIB, name: str = "kb.yaml") -> bytes:
    """A zip of one entry that inflates to `inflated` bytes (under 1 MB compressed for 900 MiB)."""
    raw, crc = _deflated_zeros(inflated)
    return _single_entry_zip(name, raw, crc, inflated)


def understated_zip(inflated: int = 100 * MIB, declared: int = 1_000) -> bytes:
    """A zip whose directory declares `declared` bytes for an entry that inflates to far more."""
    raw, crc = _deflated_zeros(inflated)
    return _single_entry_zip("kb.yaml", raw, crc, declared)


def _single_entry_zip(name: str, raw: bytes, crc: int, size: int) -> bytes:
    import struct

    fname = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(fname), 0) + fname
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                          len(fname), 0, 0, 0, 0, 0, 0) + fname
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(raw), 0)
    return local + raw + central + end
