"""Numbers and message templates in Bahasa Indonesia and English.

Templates use `{name}` or `{name:format}` where name is a fact, `param.X`, `observed` or
`threshold`, and format is `rupiah` (Rp 75.000.000), `pct` (30%), `int`, `num` (two
decimals), `date` (14 Februari 2022, from an ISO date) or `docs` (document ids as their names).
`{field.X}` is the form's label of field X (knowledge.labels), so a message names what the
person sees in the form, never the field's path. Indonesian uses `.` for thousands and `,` for decimals; English the reverse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from knowledge.dates import date_words
from knowledge.labels import document_names, field_label

FORMATS = ("rupiah", "pct", "int", "num", "date", "docs")
FIELD_PREFIX = "field."
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?::([a-z]+))?\}")


def _group(number: str, lang: str) -> str:
    """'1234567.5' -> '1.234.567,5' (id) or '1,234,567.5' (en)."""
    sign = "-" if number.startswith("-") else ""
    whole, _, frac = number.lstrip("-").partition(".")
    parts: list[str] = []
    while len(whole) > 3:
        parts.insert(0, whole[-3:])
        whole = whole[:-3]
    parts.insert(0, whole)
    thousands, decimal = (".", ",") if lang == "id" else (",", ".")
    return sign + thousands.join(parts) + (decimal + frac if frac else "")


def fmt_int(value: float, lang: str = "id") -> str:
    return _group(str(round(value)), lang)


def fmt_num(value: float, lang: str = "id") -> str:
    return _group(f"{value:.2f}", lang)


def fmt_rupiah(value: float, lang: str = "id") -> str:
    return "Rp " + fmt_int(value, lang)


def fmt_pct(value: float, lang: str = "id") -> str:
    pct = round(value * 100, 1)
    text = str(int(pct)) if float(pct).is_integer() else f"{pct:.1f}"
    return _group(text, lang) + "%"


def fmt_date(day: dt.date, lang: str = "id") -> str:
    return date_words(day, lang)


def fmt_value(value: Any, fmt: str | None = None, lang: str = "id") -> str:
    """One value as text; numbers without a format keep their decimals (at most two)."""
    if fmt == "docs" and isinstance(value, str):
        return document_names(value, lang)
    if fmt == "date" and isinstance(value, str):
        try:
            return date_words(value, lang)
        except ValueError:
            return value
    if isinstance(value, bool):
        return ("ya" if value else "tidak") if lang == "id" else ("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_value(v, None, lang) for v in value)
    if isinstance(value, (int, float)):
        if fmt == "rupiah":
            return fmt_rupiah(value, lang)
        if fmt == "pct":
            return fmt_pct(value, lang)
        if fmt == "int":
            return fmt_int(value, lang)
        if fmt == "num":
            return fmt_num(value, lang)
        if float(value).is_integer():
            return fmt_int(value, lang)
        return _group(f"{value:.2f}".rstrip("0").rstrip("."), lang)
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    return "" if value is None else str(value)


def placeholders(template: str) -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(template)]


@lru_cache(maxsize=4096)
def _pieces(template: str) -> tuple[tuple[str, str, str | None, str], ...]:
    """A template split once into (text before, name, format, placeholder as written); the
    last piece's name is "" (only text follows)."""
    pieces, at = [], 0
    for m in PLACEHOLDER.finditer(template):
        pieces.append((template[at:m.start()], m.group(1), m.group(2), m.group(0)))
        at = m.end()
    pieces.append((template[at:], "", None, ""))
    return tuple(pieces)


def render(template: str, values: Mapping[str, Any], lang: str = "id") -> str:
    """Fill a template; a name without a value is left visible as `{name}` rather than guessed.

    Templates are split into pieces once (they come from the knowledge base and repeat on
    every check); filling is then a join.
    """
    out = []
    for text, name, fmt, written in _pieces(template):
        out.append(text)
        if not name:
            continue
        value = values.get(name)
        if value is not None:
            out.append(fmt_value(value, fmt, lang))
        elif name.startswith(FIELD_PREFIX) and name not in values:
            out.append(field_label(name[len(FIELD_PREFIX):], lang) or written)
        else:
            out.append(written)
    return "".join(out)
