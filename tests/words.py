"""What a person must never read: internal field paths, field names and codes.

`codes_in(text)` lists snake_case identifiers (`repairs_flood_damage`, `foto_lokasi`), dotted
paths (`musyawarah.speakers.women`, `sarana_prasarana.drainase`), list indices (`[0]`), the
budget source code `ppm` written in lower case, file names of the knowledge base (`categories.yaml`)
and template slots left unfilled (`{field.cycle}`); `SCHEMA_ENGLISH` finds a schema's English
messages on a page in Indonesian, and `field_names_in(text, lang)` a field named by its code
("Ubah source baris upah", "(kind upah, source swadaya)"). `visible_text(html)` is the text a browser
shows: no tags, attributes, scripts or styles, and not what a page marks as code (`<code>`: rule
ids, parameter ids, conditions and message templates on the policy pages, the column headers an
upload must have), which is always shown beside its words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html.parser import HTMLParser

from knowledge.labels import labels

CODE = re.compile(
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"          # snake_case field names, document and category ids
    r"|\b[a-z_]+(?:\[\d+\])?\.[a-z_*]+[a-z_.\[\]0-9]*"  # dotted paths
    r"|\[\d+\]"                                     # list indices
    r"|\bppm\b(?!-)"                                # the budget source code (the programme is "PPM")
    r"|\b\w+\.ya?ml\b"                              # knowledge-base files
    r"|\{[^}]*\}"                                   # an unfilled template slot
)
# English a schema speaks (pydantic's messages, "Field required") that must not reach an Indonesian page.
SCHEMA_ENGLISH = re.compile(r"\b(?:Field required|Input should|Value error|Extra inputs|valid (?:number|integer|date))\b")
# A proposal field named by its bare name in an Indonesian text ("Ubah source baris upah"): every field
# of the form except those whose name is an Indonesian word too (total, unit, item, rw, ...).
_INDONESIAN_TOO = {"total", "unit", "item", "rw", "kecamatan", "kelurahan", "poor"}
FIELD_NAMES = sorted({k.rsplit(".", 1)[-1] for k in labels()["fields"]} - _INDONESIAN_TOO, key=len, reverse=True)
_BARE_FIELD = re.compile(rf"\b(?:{'|'.join(FIELD_NAMES)})\b")
# In English the names are words, but a name followed by a code is still a code: "(kind upah, source swadaya)".
_FIELD_AND_CODE = re.compile(
    rf"\b(?:{'|'.join(FIELD_NAMES)})\s+(?:{'|'.join(sorted({*labels()['sources'], *labels()['kinds']}))})\b")
# Abbreviations that look like dotted paths.
_ALLOWED = {"e.g", "i.e"}


def codes_in(text: str, *, quoted: Collection[str] = ()) -> list[str]:
    """The codes in `text`, after removing what the person wrote themselves (`quoted`)."""
    for value in sorted(quoted, key=len, reverse=True):
        text = text.replace(value, " ")
    return [m for m in CODE.findall(text) if m.rstrip(".") not in _ALLOWED]


def field_names_in(text: str, lang: str, *, quoted: Collection[str] = ()) -> list[str]:
    """Fields named by their code in a text in `lang` ("source", "kind upah"), what the person wrote aside."""
    for value in sorted(quoted, key=len, reverse=True):
        text = text.replace(value, " ")
    return (_BARE_FIELD if lang == "id" else _FIELD_AND_CODE).findall(text)


_HIDDEN = ("script", "style", "template", "code")
_CHOSEN = {"source", "kind", "category"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    """The page's text nodes as a browser shows them."""
    parser = _Visible()
    parser.feed(html)
    return parser.parts


def strings_in(data: object) -> set[str]:
    """The free text inside a proposal (what the person wrote), for `codes_in(quoted=...)`.

    Values chosen from a list (a budget line's source and kind, an activity's category, a known
    document) are not free text: Berdaya must show them by their names, so they are not excused.
    """
    out: set[str] = set()
    if isinstance(data, str):
        out.add(data)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in _CHOSEN:
                continue
            if key == "documents" and isinstance(value, list):
                value = [d for d in value if d not in labels()["documents"]]
            out |= strings_in(value)
    elif isinstance(data, list):
        for value in data:
            out |= strings_in(value)
    return {s for s in out if s.strip()}
