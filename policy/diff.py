"""What changed between two knowledge-base versions, for the people who review a change.

`diff_kb(old_dir, new_dir)` compares two directories in the knowledge-base format (a draft
or a published version's content): rules added, removed and changed field by field
(condition, severity, texts, references, effective dates), parameters whose dated values
changed and the cycle dates from which the value in force differs, categories and facts.
`render_text` writes it for people, Bahasa Indonesia first; `as_dict` is the JSON form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge.dates import tanggal
from knowledge.documents import to_jsonable
from knowledge.versions import tree_hash
from policy.files import KBFiles, read_kb_files, require_clean

RULE_FIELDS = ("title", "group", "severity", "derive", "when", "evidence", "fields", "fields_from",
               "message", "suggestion", "reference", "effective")
FIELD_NAMES = {
    "title": ("judul", "title"), "group": ("kelompok", "group"), "severity": ("tingkat", "severity"),
    "derive": ("kesimpulan", "derived conclusion"), "when": ("kondisi", "condition"),
    "evidence": ("bukti", "evidence"), "fields": ("isian", "fields"), "fields_from": ("isian dari", "fields from"),
    "message": ("pesan", "message"), "suggestion": ("saran", "suggestion"), "reference": ("rujukan", "reference"),
    "effective": ("masa berlaku", "effective dates"), "description": ("uraian", "description"),
    "unit": ("satuan", "unit"),
}


def _in_force(values: dict[str, dict[str, Any]], date: str) -> Any:
    keys = [k for k in sorted(values) if k <= date]
    return values[keys[-1]].get("value") if keys else None


def _param_changes(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, Any]:
    dates = sorted(set(old) | set(new))
    entries = []
    for date in dates:
        a, b = old.get(date), new.get(date)
        if a == b:
            continue
        kind = "added" if a is None else "removed" if b is None else "changed"
        entries.append({"date": date, "change": kind,
                        "before": to_jsonable(a.get("value")) if a else None, "after": to_jsonable(b.get("value")) if b else None,
                        "reference_before": a.get("reference") if a else None,
                        "reference_after": b.get("reference") if b else None,
                        "status_before": a.get("status") if a else None, "status_after": b.get("status") if b else None})
    # The value in force changes only from the change points on: list each period that differs.
    periods: list[dict[str, Any]] = []
    for i, date in enumerate(dates):
        before, after = _in_force(old, date), _in_force(new, date)
        until = dates[i + 1] if i + 1 < len(dates) else None
        if to_jsonable(before) == to_jsonable(after):
            continue
        last = periods[-1] if periods else None
        if last and last["until"] == date and (last["before"], last["after"]) == (to_jsonable(before), to_jsonable(after)):
            last["until"] = until
        else:
            periods.append({"from": date, "until": until, "before": to_jsonable(before), "after": to_jsonable(after)})
    return {"values": entries, "in_force": periods}


def _rule_summary(rel: str, rule: dict[str, Any]) -> dict[str, Any]:
    return {"id": rule["id"], "file": rel, "group": rule.get("group"), "severity": rule.get("severity"),
            "derive": rule.get("derive"), "title": to_jsonable(rule.get("title")), "when": rule.get("when")}


def _dict_changes(a: dict[str, Any], b: dict[str, Any], keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    keys = keys or tuple(sorted(set(a) | set(b)))
    out = []
    for key in keys:
        va, vb = to_jsonable(a.get(key)), to_jsonable(b.get(key))
        if va != vb:
            out.append({"field": key, "before": va, "after": vb})
    return out


def diff_files(old: KBFiles, new: KBFiles, *, old_label: str = "", new_label: str = "") -> dict[str, Any]:
    rules_added = [_rule_summary(new.rules[r][0], new.rules[r][2]) for r in sorted(set(new.rules) - set(old.rules))]
    rules_removed = [_rule_summary(old.rules[r][0], old.rules[r][2]) for r in sorted(set(old.rules) - set(new.rules))]
    rules_changed = []
    for rid in sorted(set(old.rules) & set(new.rules)):
        (rel_a, _, a), (rel_b, _, b) = old.rules[rid], new.rules[rid]
        extra = tuple(sorted((set(a) | set(b)) - set(RULE_FIELDS) - {"id"}))
        changes = _dict_changes(a, b, RULE_FIELDS + extra)
        if rel_a != rel_b:
            changes.append({"field": "file", "before": rel_a, "after": rel_b})
        if changes:
            rules_changed.append({"id": rid, "file": rel_b, "title": to_jsonable(b.get("title")), "changes": changes})
    params: dict[str, list[Any]] = {"added": [], "removed": [], "changed": []}
    for name in sorted(set(old.parameters) | set(new.parameters)):
        if name not in old.parameters:
            params["added"].append({"name": name, "file": new.parameters[name][0],
                                    "values": to_jsonable(new.parameter_values(name))})
        elif name not in new.parameters:
            params["removed"].append({"name": name, "file": old.parameters[name][0]})
        else:
            a, b = old.parameters[name][1], new.parameters[name][1]
            meta = _dict_changes(a, b, ("description", "unit"))
            values = _param_changes(old.parameter_values(name), new.parameter_values(name))
            if meta or values["values"]:
                params["changed"].append({"name": name, "file": new.parameters[name][0], "changes": meta, **values})
    return {
        "old": {"label": old_label or old.version, "version": old.version, "content_hash": tree_hash(old.root)},
        "new": {"label": new_label or new.version, "version": new.version, "content_hash": tree_hash(new.root)},
        "kb": _dict_changes(old.meta, new.meta),
        "rules": {"added": rules_added, "removed": rules_removed, "changed": rules_changed},
        "parameters": params,
        "categories": _keyed_changes(old.categories, new.categories),
        "facts": _keyed_changes(old.facts, new.facts),
        "tests": {"added": sorted(set(new.tests) - set(old.tests)), "removed": sorted(set(old.tests) - set(new.tests)),
                  "changed": sorted(k for k in set(old.tests) & set(new.tests) if old.tests[k] != new.tests[k])},
    }


Keyed = dict[str, tuple[int, dict[str, Any]]]


def _keyed_changes(old: Keyed, new: Keyed) -> dict[str, list[Any]]:
    return {
        "added": [to_jsonable(new[k][1]) for k in sorted(set(new) - set(old))],
        "removed": [to_jsonable(old[k][1]) for k in sorted(set(old) - set(new))],
        "changed": [{"id": k, "changes": _dict_changes(old[k][1], new[k][1])}
                    for k in sorted(set(old) & set(new)) if to_jsonable(old[k][1]) != to_jsonable(new[k][1])],
    }


def diff_kb(old_dir: str | Path, new_dir: str | Path, *, old_label: str = "", new_label: str = "") -> dict[str, Any]:
    """The JSON-ready difference from `old_dir` to `new_dir` (both knowledge-base directories)."""
    return diff_files(require_clean(read_kb_files(old_dir)), require_clean(read_kb_files(new_dir)),
                      old_label=old_label, new_label=new_label)


def is_empty(diff: dict[str, Any]) -> bool:
    sections = [diff["rules"], diff["parameters"], diff["categories"], diff["facts"], diff["tests"]]
    return not diff["kb"] and not any(v for s in sections for v in s.values())


def _show(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and set(value) <= {"id", "en"} and value:
        return repr(value.get(lang) or value.get("id") or value.get("en"))
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def render_text(diff: dict[str, Any], lang: str = "id") -> str:  # noqa: C901 (split when the policy package takes it)
    """The diff as lines a reviewer reads; headings in both languages, the chosen one first."""
    def h(id_text: str, en_text: str) -> str:
        return f"{id_text} / {en_text}" if lang == "id" else f"{en_text} / {id_text}"

    def fname(key: str) -> str:
        pair = FIELD_NAMES.get(key, (key, key))
        return pair[0] if lang == "id" else pair[1]

    def field_change(c: dict[str, Any]) -> str:
        return f"      {fname(c['field'])}: {_show(c['before'], lang)} → {_show(c['after'], lang)}"

    def when(iso: str | None) -> str:
        if iso is None:
            return "seterusnya" if lang == "id" else "onwards"
        return tanggal(iso) if lang == "id" else iso

    old, new = diff["old"], diff["new"]
    lines = [h(f"Perbedaan basis pengetahuan {old['label']} → {new['label']}",
               f"Knowledge-base differences {old['label']} → {new['label']}")]
    if is_empty(diff):
        lines.append("  " + h("tidak ada perubahan", "no changes"))
        return "\n".join(lines)
    for change in diff["kb"]:
        lines.append(f"  kb.yaml {change['field']}: {_show(change['before'], lang)} → {_show(change['after'], lang)}")
    r = diff["rules"]
    if any(r.values()):
        lines.append("")
        lines.append(h("Aturan", "Rules"))
    for rule in r["added"]:
        lines.append(f"  + {rule['id']} [{rule['group']}, {rule['severity'] or rule['derive']}] "
                     f"{_show(rule['title'], lang)} ({h('baru', 'added')}): {rule['when']}")
    for rule in r["removed"]:
        lines.append(f"  - {rule['id']} {_show(rule['title'], lang)} ({h('dihapus', 'removed')})")
    for rule in r["changed"]:
        lines.append(f"  ~ {rule['id']} {_show(rule['title'], lang)} ({h('diubah', 'changed')})")
        for c in rule["changes"]:
            lines.append(field_change(c))
    p = diff["parameters"]
    if any(p.values()):
        lines.append("")
        lines.append(h("Parameter", "Parameters"))
    for param in p["added"]:
        lines.append(f"  + {param['name']} ({h('baru', 'added')})")
    for param in p["removed"]:
        lines.append(f"  - {param['name']} ({h('dihapus', 'removed')})")
    for param in p["changed"]:
        lines.append(f"  ~ {param['name']} ({param['file']})")
        for c in param["changes"]:
            lines.append(field_change(c))
        for v in param["values"]:
            label = {"added": h("nilai baru", "new value"), "removed": h("nilai dihapus", "value removed"),
                     "changed": h("nilai diubah", "value changed")}[v["change"]]
            ref = v["reference_after"] or v["reference_before"]
            lines.append(f"      {when(v['date'])}: {label}: {_show(v['before'], lang)} → {_show(v['after'], lang)}"
                         f"  [{ref}]")
        for period in param["in_force"]:
            lines.append("      " + h("berlaku", "in force") +
                         f" {when(period['from'])} – {when(period['until'])}: "
                         f"{_show(period['before'], lang)} → {_show(period['after'], lang)}")
    for section, (id_name, en_name) in (("categories", ("Kategori", "Categories")), ("facts", ("Fakta", "Facts"))):
        s = diff[section]
        if not any(s.values()):
            continue
        lines.append("")
        lines.append(h(id_name, en_name))
        for item in s["added"]:
            lines.append(f"  + {item.get('id') or item.get('name')} ({h('baru', 'added')})")
        for item in s["removed"]:
            lines.append(f"  - {item.get('id') or item.get('name')} ({h('dihapus', 'removed')})")
        for item in s["changed"]:
            lines.append(f"  ~ {item['id']} ({h('diubah', 'changed')})")
            for c in item["changes"]:
                lines.append(field_change(c))
    t = diff["tests"]
    if any(t.values()):
        lines.append("")
        lines.append(h("Uji aturan", "Rule tests"))
        for mark, key in (("+", "added"), ("-", "removed"), ("~", "changed")):
            for name in t[key]:
                lines.append(f"  {mark} {name}")
    return "\n".join(lines)
