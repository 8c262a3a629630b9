"""The words of the XLSX template: headers and list values written as a person reads them.

The template labels its rows and columns with the form's labels (knowledge.labels) and offers
categories, sources, kinds and documents by name in drop-down lists; its `daftar` sheet lists
each code with its names. Reading it back accepts a label in either language or the code, and
a value by name or by code; a name that is not on the list is answered with the closest names
("maksud Anda ...?", difflib) instead of being guessed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.labels import field_label, labels
from knowledge.proposal import KINDS

CHOICE_FIELDS = ("category", "source", "kind")


def _key(text: str) -> str:
    return " ".join(text.replace("*", " ").split()).casefold()


@dataclass
class Choices:
    """The lists the template offers: list -> [(code, Indonesian name, English name)]."""

    lists: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    @classmethod
    def build(cls, categories: Iterable[tuple[str, str, str]], documents: Iterable[str]) -> Choices:
        """From the knowledge base's categories (code, id name, en name) and document ids in force."""
        words = labels()
        named: dict[str, list[tuple[str, str, str]]] = {"source": [(c, *_names(words["sources"], c)) for c in words["sources"]],
                 "kind": [(k, *_names(words["kinds"], k)) for k in KINDS],
                 "category": list(categories),
                 "documents": [(d, *_names(words["documents"], d)) for d in documents]}
        return cls(named)

    def name(self, which: str, code: str) -> str:
        """The Indonesian name of a code, or the code itself when the list does not hold it."""
        return next((n for c, n, _ in self.lists.get(which, []) if c == code), code)

    def code(self, which: str, text: str) -> tuple[str | None, list[str]]:
        """(code, []) for a name or code on the list; (None, closest names) otherwise."""
        entries = self.lists.get(which, [])
        if not entries:
            return text, []  # nothing to choose from (the knowledge base could not load): as typed
        wanted = _key(text)
        for code, name_id, name_en in entries:
            if wanted in (_key(code), _key(name_id), _key(name_en)):
                return code, []
        names = [n for _, n, _ in entries]
        by_key = {_key(n): n for n in names}
        close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.6)
        return None, [by_key[c] for c in close]


def _names(section: dict[str, dict[str, str]], code: str) -> tuple[str, str]:
    texts = section.get(code) or {"id": code, "en": code}
    return texts["id"], texts["en"]


def header_of(path: str) -> str:
    """The template's header for a field path without indices: its Indonesian label."""
    return field_label(path, "id") or path


def reader_of(paths: Iterable[str], prefix: str = "") -> dict[str, str]:
    """Header text (a label in either language, or the field name) -> field name, for reading back."""
    out: dict[str, str] = {}
    for name in paths:
        out[_key(name)] = name
        for lang in ("id", "en"):
            label = field_label(f"{prefix}{name}", lang)
            if label:
                out[_key(label)] = name
    return out


def header_key(text: str) -> str:
    return _key(text)
