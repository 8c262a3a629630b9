"""The proposal's words: the form's labels, where a field is, sources, kinds and document names.

One catalogue (`knowledge/data/labels.yaml`) for everything a person reads about a proposal:
the pages label their inputs with it, rule messages name fields through it (`{field.X}`), and
findings' paths are shown as "Kegiatan 1, rincian 2: Jumlah". Paths and ids stay in the JSON.

    path_words("activities[0].budget_lines[1].quantity", "id")  # 'Kegiatan 1, rincian 2: Jumlah'
    document_name("foto_lokasi", "en")                          # 'Photos of the site'
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LABELS = Path(__file__).parent / "data" / "labels.yaml"
LANGS = ("id", "en")
_INDEX = re.compile(r"\[(\d+|\*)\]")
_BRACKETS = re.compile(r"\[[^\]]*\]")  # an index, `*`, or a template's row placeholder
_SECTIONS = ("fields", "sources", "kinds", "where", "documents")


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, dict[str, str]]]:
    """The catalogue by section; every entry has both languages (checked at first load)."""
    with LABELS.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    for section in _SECTIONS:
        for key, texts in data[section].items():
            if not isinstance(texts, dict) or set(texts) != set(LANGS):
                raise ValueError(f"labels.yaml: {section}.{key} must have exactly the texts {LANGS}")
    return data


def generic_path(path: str) -> str:
    """`activities[0].budget_lines[1].source` -> `activities.budget_lines.source` (a label key)."""
    return _BRACKETS.sub("", path)


def field_label(generic: str, lang: str = "id") -> str | None:
    """The form's label of a field path without indices, or None when the form has none."""
    texts = labels()["fields"].get(generic)
    return None if texts is None else texts[lang]


def path_words(path: str, lang: str = "id") -> str:
    """A field path as the form names it: 'Kegiatan 1, rincian 2: Jumlah'.

    A path the catalogue does not know is returned as it is, so a gap shows (and a test finds it).
    """
    label = field_label(generic_path(path), lang)
    if label is None:
        return path
    found = _INDEX.findall(path)
    where = labels()["where"]
    if not found:
        return label
    if not path.startswith("activities["):
        # Only the activities are counted as "Kegiatan N"; an entry of another list (a document) is its item.
        return label if found[0] == "*" else where["item"][lang].format(label=label, n=int(found[0]) + 1)
    if found[0] == "*":
        return where["every_activity"][lang].format(label=label)
    if len(found) == 1:
        return where["activity"][lang].format(label=label, a=int(found[0]) + 1)
    if found[1] == "*":
        return where["every_line"][lang].format(label=label, a=int(found[0]) + 1)
    return where["line"][lang].format(label=label, a=int(found[0]) + 1, l=int(found[1]) + 1)


def document_name(doc_id: str, lang: str = "id") -> str:
    """A document's name; an id not in the catalogue (a typo, a city's own document) as written."""
    texts = labels()["documents"].get(doc_id)
    return doc_id if texts is None else texts[lang]


def document_names(ids: str, lang: str = "id") -> str:
    """A comma-separated list of document ids as names ('rab, foto_lokasi' -> 'RAB ..., Foto lokasi')."""
    return ", ".join(document_name(d.strip(), lang) for d in ids.split(",") if d.strip())


def named(section: str, key: str, lang: str = "id") -> str | None:
    """An entry of `sources` or `kinds` (or any section) in one language, None when unknown."""
    texts = labels()[section].get(key)
    return None if texts is None else texts[lang]
