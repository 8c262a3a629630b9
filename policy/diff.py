"""What changed between two knowledge-base versions, for the people who review a change.

`diff_kb(old_dir, new_dir)` compares two directories in the knowledge-base format (a draft
or a published version's content): rules added, removed and changed field by field
(condition, severity, texts, references, effective dates), parameters whose dated values
changed and the cycle dates from which the value in force differs, categories and facts.
`render_text` writes it for people, Bahasa Indonesia first; `as_dict` is the JSON form.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Text:
    """How a diff reads in one language: headings in both (the chosen one first), field names, dates."""

    lang: str

    def h(self, id_text: str, en_text: str) -> str:
        return f"{id_text} / {en_text}" if self.lang == "id" else f"{en_text} / {id_text}"

    def show(self, value: Any) -> str:
        return _show(value, self.lang)

    def field_change(self, c: dict[str, Any]) -> str:
        pair = FIELD_NAMES.get(c["field"], (c["field"], c["field"]))
        name = pair[0] if self.lang == "id" else pair[1]
        return f"      {name}: {self.show(c['before'])} → {self.show(c['after'])}"

    def when(self, iso: str | None) -> str:
        if iso is None:
            return "seterusnya" if self.lang == "id" else "onwards"
        return tanggal(iso) if self.lang == "id" else iso

    def listing(self, heading: tuple[str, str], section: dict[str, list[Any]], added: Any, removed: Any,
                changed: Any) -> list[str]:
        """A section's added, removed and changed items under its heading (nothing when it did not change)."""
        if not any(section.values()):
            return []
        lines = ["", self.h(*heading)]
        lines += [added(item) for item in section["added"]]
        lines += [removed(item) for item in section["removed"]]
        for item in section["changed"]:
            lines += changed(item)
        return lines


def _rule_lines(t: _Text, rules: dict[str, list[Any]]) -> list[str]:
    return t.listing(
        ("Aturan", "Rules"), rules,
        lambda r: (f"  + {r['id']} [{r['group']}, {r['severity'] or r['derive']}] "
                   f"{t.show(r['title'])} ({t.h('baru', 'added')}): {r['when']}"),
        lambda r: f"  - {r['id']} {t.show(r['title'])} ({t.h('dihapus', 'removed')})",
        lambda r: [f"  ~ {r['id']} {t.show(r['title'])} ({t.h('diubah', 'changed')})",
                   *(t.field_change(c) for c in r["changes"])])


def _changed_parameter(t: _Text, param: dict[str, Any]) -> list[str]:
    lines = [f"  ~ {param['name']} ({param['file']})", *(t.field_change(c) for c in param["changes"])]
    labels = {"added": t.h("nilai baru", "new value"), "removed": t.h("nilai dihapus", "value removed"),
              "changed": t.h("nilai diubah", "value changed")}
    for v in param["values"]:
        ref = v["reference_after"] or v["reference_before"]
        lines.append(f"      {t.when(v['date'])}: {labels[v['change']]}: {t.show(v['before'])} → "
                     f"{t.show(v['after'])}  [{ref}]")
    for period in param["in_force"]:
        lines.append("      " + t.h("berlaku", "in force") + f" {t.when(period['from'])} – {t.when(period['until'])}: "
                     f"{t.show(period['before'])} → {t.show(period['after'])}")
    return lines


def _parameter_lines(t: _Text, params: dict[str, list[Any]]) -> list[str]:
    return t.listing(("Parameter", "Parameters"), params,
                     lambda p: f"  + {p['name']} ({t.h('baru', 'added')})",
                     lambda p: f"  - {p['name']} ({t.h('dihapus', 'removed')})",
                     lambda p: _changed_parameter(t, p))


def _keyed_lines(t: _Text, heading: tuple[str, str], section: dict[str, list[Any]]) -> list[str]:
    return t.listing(heading, section,
                     lambda i: f"  + {i.get('id') or i.get('name')} ({t.h('baru', 'added')})",
                     lambda i: f"  - {i.get('id') or i.get('name')} ({t.h('dihapus', 'removed')})",
                     lambda i: [f"  ~ {i['id']} ({t.h('diubah', 'changed')})", *(t.field_change(c) for c in i["changes"])])


def render_text(diff: dict[str, Any], lang: str = "id") -> str:
    """The diff as lines a reviewer reads; headings in both languages, the chosen one first."""
    t = _Text(lang)
    old, new = diff["old"], diff["new"]
    lines = [t.h(f"Perbedaan basis pengetahuan {old['label']} → {new['label']}",
                 f"Knowledge-base differences {old['label']} → {new['label']}")]
    if is_empty(diff):
        lines.append("  " + t.h("tidak ada perubahan", "no changes"))
        return "\n".join(lines)
    lines += [f"  kb.yaml {c['field']}: {t.show(c['before'])} → {t.show(c['after'])}" for c in diff["kb"]]
    lines += _rule_lines(t, diff["rules"])
    lines += _parameter_lines(t, diff["parameters"])
    lines += _keyed_lines(t, ("Kategori", "Categories"), diff["categories"])
    lines += _keyed_lines(t, ("Fakta", "Facts"), diff["facts"])
    tests = diff["tests"]
    if any(tests.values()):
        lines += ["", t.h("Uji aturan", "Rule tests")]
        for mark, key in (("+", "added"), ("-", "removed"), ("~", "changed")):
            lines += [f"  {mark} {name}" for name in tests[key]]
    return "\n".join(lines)
