"""A draft's difference from the published version, in words for the diff page.

`policy.diff` gives the structured difference (the JSON of the API, and the CLI's text); this turns
it into what a reviewer reads: rules by their titles, parameters by their descriptions with values
in their unit (Rp 150.000.000 → Rp 80.000.000, 30% → 35%), dates in words, field names in words.
"""

from __future__ import annotations

from typing import Any

from policy.diff import FIELD_NAMES
from policy.files import KBFiles
from service.web.workbench_view import unit_value


def _words(t: Any, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and value and set(value) <= {"id", "en"}:
        return t.pick(value)
    if isinstance(value, list):
        return ", ".join(_words(t, v) for v in value)
    return str(value)


# kb.yaml's fields, beside the rules' and parameters' the diff names.
_KB_FIELDS = {"version": ("versi", "version"), "name": ("nama", "name"), "description": ("uraian", "description")}


def _field(t: Any, change: dict[str, Any]) -> dict[str, str]:
    pair = {**_KB_FIELDS, **FIELD_NAMES}.get(change["field"], (change["field"], change["field"]))
    return {"name": pair[0] if t.lang == "id" else pair[1], "before": _words(t, change["before"]),
            "after": _words(t, change["after"])}


def _until(t: Any, iso: str | None) -> str:
    return t("wb.onwards") if iso is None else t.date(iso)


def _parameter(t: Any, param: dict[str, Any], change: str, files: KBFiles) -> dict[str, Any]:
    data = files.parameters.get(param["name"], ("", {}))[1]
    unit = str(data.get("unit") or "")

    def shown(value: Any) -> str:
        return "—" if value is None else unit_value(t, value, unit)

    return {"title": t.pick(data.get("description")) or param["name"], "name": param["name"], "change": change,
            "fields": [_field(t, c) for c in param.get("changes", [])],
            "values": [{"date": t.date(v["date"]), "change": v["change"], "before": shown(v["before"]),
                        "after": shown(v["after"]), "reference": v["reference_after"] or v["reference_before"] or "",
                        "status": v["status_after"] or v["status_before"]} for v in param.get("values", [])],
            "periods": [{"from": t.date(p["from"]), "until": _until(t, p["until"]), "before": shown(p["before"]),
                         "after": shown(p["after"])} for p in param.get("in_force", [])]}


def _section(section: dict[str, list[Any]], item: Any) -> list[dict[str, Any]]:
    return [item(entry, change) for change in ("added", "removed", "changed") for entry in section[change]]


def diff_words(t: Any, diff: dict[str, Any], files: KBFiles) -> dict[str, Any]:
    """The diff page's content; `files` are the draft's (descriptions and units of its parameters)."""
    categories = files.categories
    return {
        "old": diff["old"]["label"], "new": diff["new"]["label"],
        "meta": [_field(t, c) for c in diff["kb"]],
        "rules": _section(diff["rules"], lambda r, change: {
            "title": _words(t, r.get("title")) if r.get("title") else r["id"], "id": r["id"], "change": change,
            "fields": [_field(t, c) for c in r.get("changes", [])]}),
        "parameters": _section(diff["parameters"], lambda p, change: _parameter(t, p, change, files)),
        "categories": _section(diff["categories"], lambda c, change: {
            "title": _words(t, (categories.get(c.get("id"), (0, {}))[1] or c).get("name")) or c.get("id"),
            "change": change, "fields": [_field(t, f) for f in c.get("changes", [])]}),
        "others": {k: sum(len(v) for v in diff[k].values()) for k in ("facts", "tests")},
    }
