"""Turn pydantic's validation errors into bilingual problems with Berdaya field paths.

Field paths use the form the rest of Berdaya uses: `activities[0].budget_lines[2].source`.
Validators written in this package raise `bilingual(...)` so that their own messages carry
both languages; pydantic's built-in errors are translated here.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from knowledge.errors import InvalidInput, Problem

M = TypeVar("M", bound=BaseModel)

_ID_TEXT: dict[str, str] = {
    "missing": "wajib diisi",
    "extra_forbidden": "kolom ini tidak dikenal",
    "int_parsing": "harus bilangan bulat",
    "int_type": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat (tanpa pecahan)",
    "float_parsing": "harus angka",
    "float_type": "harus angka",
    "finite_number": "harus angka terhingga",
    "bool_parsing": "harus true atau false",
    "bool_type": "harus true atau false",
    "string_type": "harus teks",
    "string_too_short": "tidak boleh kosong",
    "date_parsing": "harus tanggal ISO (YYYY-MM-DD)",
    "date_from_datetime_parsing": "harus tanggal ISO (YYYY-MM-DD)",
    "date_type": "harus tanggal ISO (YYYY-MM-DD)",
    "list_type": "harus berupa daftar",
    "dict_type": "harus berupa objek",
    "model_type": "harus berupa objek",
    "model_attributes_type": "harus berupa objek",
    "too_short": "terlalu sedikit butir",
    "too_long": "terlalu banyak butir",
}


# C0 and C1 control characters except tab, line feed and carriage return, and lone surrogates
# (which no database can store as text).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def plain_text(value: str) -> str:
    """`value` when it holds no control character; line breaks and tabs are ordinary text."""
    found = CONTROL.search(value)
    if found is None:
        return value
    code, at = f"U+{ord(found.group()):04X}", found.start() + 1
    raise bilingual(f"teks berisi karakter kendali {code} pada posisi {at}; hapus karakter itu",
                    f"the text contains the control character {code} at position {at}; remove it")


def plain_texts(value: Any) -> Any:
    """Every text in `value` (a text, or a list or dict of texts and other values) checked by plain_text."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, list):
        for item in value:
            plain_texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            plain_texts(key)
            plain_texts(item)
    return value


def finite_json(value: Any) -> Any:
    """An open JSON value (e.g. a calibration's validation figures): finite numbers and plain texts only."""
    if isinstance(value, float) and not math.isfinite(value):
        raise bilingual("harus angka terhingga", "must be a finite number")
    if isinstance(value, list):
        for item in value:
            finite_json(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            plain_texts(key)
            finite_json(item)
    elif isinstance(value, str):
        plain_text(value)
    return value


def bilingual(id: str, en: str) -> PydanticCustomError:
    """An error for a validator to raise, carrying both languages."""
    return PydanticCustomError("berdaya", "{en}", {"id": id, "en": en})


def format_path(loc: tuple[Any, ...], prefix: str = "") -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _translate(err: ErrorDetails) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "berdaya":
        return ctx["id"], ctx["en"]
    en = err["msg"]
    if kind in _ID_TEXT:
        return _ID_TEXT[kind], en
    if kind == "greater_than_equal":
        return f"harus lebih besar atau sama dengan {ctx.get('ge')}", en
    if kind == "greater_than":
        return f"harus lebih besar dari {ctx.get('gt')}", en
    if kind == "less_than_equal":
        return f"harus lebih kecil atau sama dengan {ctx.get('le')}", en
    if kind == "less_than":
        return f"harus lebih kecil dari {ctx.get('lt')}", en
    if kind in ("literal_error", "enum"):
        # pydantic joins the choices with an English "or"; say it in Indonesian.
        expected = str(ctx.get("expected", "")).replace(" or ", " atau ")
        return f"harus salah satu dari {expected}", en
    return f"nilai tidak sah ({en})", en


def problems_from(error: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        id_text, en_text = _translate(err)
        problems.append(Problem(format_path(loc, prefix), id_text, en_text))
    return problems


def validate_model(model: type[M], data: Any, *, source: str = "", prefix: str = "") -> M:
    """Validate `data` as `model`, raising InvalidInput with every problem on failure."""
    if not isinstance(data, dict):
        raise InvalidInput(
            [Problem(prefix, "dokumen harus berupa objek (pemetaan kunci-nilai)",
                     "the document must be an object (a key-value mapping)")],
            source=source,
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc, prefix), source=source) from None
