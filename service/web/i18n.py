"""The pages' message catalogue: every visible text in Bahasa Indonesia and English.

All texts live in `messages.yaml` next to this module (one key, both languages), and the
proposal's words (field labels, sources, kinds, document names) in `knowledge/data/labels.yaml`,
which the rule messages use too. Indonesian is the default; `?lang=en` or the `berdaya_lang`
cookie switches to English.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.dates import date_words
from knowledge.labels import labels

LANGS = ("id", "en")
DEFAULT_LANG = "id"
LANG_COOKIE = "berdaya_lang"
CATALOGUE = Path(__file__).parent / "messages.yaml"
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")  # Cimahi's time zone



@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    words = labels()  # the proposal's words, shared with the rule messages
    for prefix, section in (("field", "fields"), ("source", "sources"), ("kind", "kinds"), ("doc", "documents")):
        data.update({f"{prefix}.{key}": texts for key, texts in words[section].items()})
    for key, texts in data.items():
        # A missing translation is a bug in the catalogue, found at first load, not by a user.
        if not isinstance(texts, dict) or set(texts) != set(LANGS):
            raise ValueError(f"messages.yaml: '{key}' must have exactly the texts {LANGS}")
    return data


def choose_lang(query_lang: str | None, cookie_lang: str | None) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGS:
            return candidate
    return DEFAULT_LANG


class Translator:
    """`t("key", name=value)` for templates; `t.pick({"id": .., "en": ..})` for bilingual data."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.other = "en" if self.lang == "id" else "id"

    def __call__(self, key: str, **values: Any) -> str:
        text = catalogue()[key][self.lang]
        return text.format(**values) if values else text

    def pick(self, texts: Any) -> str:
        """The chosen language's text of a bilingual mapping (or the value itself)."""
        if isinstance(texts, dict):
            return str(texts.get(self.lang) or texts.get(self.other) or "")
        return "" if texts is None else str(texts)

    def rupiah(self, amount: Any) -> str:
        try:
            value = round(float(amount))
        except (TypeError, ValueError):
            return str(amount)
        sep = "." if self.lang == "id" else ","
        return "Rp " + f"{value:,}".replace(",", sep)

    def number(self, value: Any, digits: int = 2) -> str:
        try:
            text = f"{float(value):,.{digits}f}"
        except (TypeError, ValueError):
            return "" if value is None else str(value)
        if self.lang == "id":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def moment(self, value: dt.datetime) -> str:
        """A stored time as people in Cimahi read it: '2 Desember 2026 22.05 WIB' (UTC+7, no DST)."""
        local = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(WIB)
        return f"{self.date(local.date())} {local.strftime('%H.%M' if self.lang == 'id' else '%H:%M')} WIB"

    def date(self, value: Any) -> str:
        """ISO date (or date object) as '14 Februari 2022' / '14 February 2022'."""
        text = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
        try:
            return date_words(text, self.lang)
        except ValueError:
            return text
