"""A repair in words: each changed field as the form labels it, its value before and after in unit
(sources by name, amounts in Rupiah, dates in words), and the text `berdaya check --repair` prints.

    change_words(change, "id")   # ChangeWords(field='Kegiatan 1, rincian 4: Sumber dana', item=...,
                                 #             before='Dana program (PPM / Sarpras Kelurahan)', after='Swadaya warga')
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from knowledge.dates import date_words
from knowledge.labels import named, path_words
from rules.render import fmt_rupiah, fmt_value
from rules.repair import FieldChange, RepairResult

RUPIAH_FIELDS = frozenset({"amount", "stated_total", "requested_total", "unit_price"})
DATE_FIELDS = frozenset({"start", "end"})
TEXT = {
    "id": {"combined": "Perbaikan gabungan", "after": "hasil setelahnya",
           "none": "Tidak ada perbaikan data: yang tersisa hanya tindakan RW.", "actions": "Yang tersisa",
           "action": "tindakan RW", "not_verified": "perbaikan tidak terbukti", "suggestion": "saran",
           "rupiah": "uang dipindah atau dipotong"},
    "en": {"combined": "Combined repair", "after": "result after it",
           "none": "No repair of the data: only the RW's actions remain.", "actions": "What remains",
           "action": "RW's action", "not_verified": "repair not verified", "suggestion": "suggestion",
           "rupiah": "money moved or cut"},
}
VERDICT = {"id": {"eligible": "layak", "needs_revision": "perlu perbaikan", "ineligible": "tidak layak"},
           "en": {"eligible": "eligible", "needs_revision": "needs revision", "ineligible": "ineligible"}}


class ChangeWords(BaseModel):
    """One changed field for a person: where it is, the budget line's item, the value before and after."""

    field: str
    item: str | None
    before: str
    after: str


def value_words(name: str, value: Any, lang: str = "id") -> str:
    """A patchable field's value in words: a source by its name, Rupiah, a date, a number."""
    if value is None:
        return "—"
    if name == "source":
        return named("sources", str(value), lang) or str(value)
    if name in RUPIAH_FIELDS and isinstance(value, (int, float)):
        return fmt_rupiah(value, lang)
    if name in DATE_FIELDS and isinstance(value, str):
        return date_words(value, lang)
    return fmt_value(value, None, lang)


def change_words(change: FieldChange, lang: str = "id") -> ChangeWords:
    name = change.path.rsplit(".", 1)[-1]
    return ChangeWords(field=path_words(change.path, lang), item=change.item,
                       before=value_words(name, change.before, lang), after=value_words(name, change.after, lang))


def render_repairs(found: RepairResult, lang: str = "id") -> str:
    """The repairs of one check as text: the combined patch field by field, then what remains."""
    lang = "en" if lang == "en" else "id"
    t = TEXT[lang]
    lines: list[str] = []
    if found.combined is None:
        lines.append(t["none"] if found.actions else "")
    else:
        c = found.combined
        lines.append(f"{t['combined']} ({t['after']}: {VERDICT[lang][c.result.verdict]}; "
                     f"{t['rupiah']}: {fmt_rupiah(c.rupiah_moved, lang)}):")
        lines += [f"  - {getattr(d, lang)}" for d in c.description]
        for change in c.changes:
            w = change_words(change, lang)
            item = f" ({w.item})" if w.item else ""
            lines.append(f"    {w.field}{item}: {w.before} → {w.after}")
    if found.actions:
        lines += ["", f"{t['actions']}:"]
        lines += [f"  - {getattr(a.title, lang)} ({t[a.kind]}): {getattr(a.text, lang)}" for a in found.actions]
    return "\n".join(lines).strip() + "\n" if any(lines) else ""
