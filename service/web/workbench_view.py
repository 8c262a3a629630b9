"""The workbench pages' views: versions and cycles as rows, a draft's parameters and rules, form fields to edits.

Numbers are shown in their unit (a ratio as 35%, Rupiah as Rp 75.000.000) and read back the
same way (`35`, `35%` or `0,35` for a ratio; `75.000.000` for Rupiah), so staff never type
the file's internal form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError

from knowledge.dates import cycle_date
from knowledge.errors import Problem
from knowledge.versions import Governs, PublishedVersion, first_cycle, pick_in_force
from policy.edits import NameVersion
from policy.files import KBFiles
from policy.store import KBStore
from service.usecases import drafts as usecase

FIRST_CYCLE = 2018
_NUMBER = re.compile(r"^-?[\d.,]+$")


def version_rows(published: list[PublishedVersion], governs: list[Governs], today: dt.date) -> list[dict[str, Any]]:
    """Every published version, newest first, with the cycles it governs and whether it is still to come."""
    rows = []
    for pv, gov in zip(published, governs, strict=True):
        m = pv.manifest
        rows.append({"version": m.version, "effective_from": m.effective_from, "by": m.published_by,
                     "at": m.published_at, "reason": m.reason, "rollback_of": m.rollback_of, "first": gov.first_cycle,
                     "last": gov.last_cycle, "superseded": gov.superseded, "upcoming": m.effective_from > today,
                     "confirmed": len(m.confirmed_changes)})
    return list(reversed(rows))


def in_force_by_cycle(published: list[PublishedVersion], today: dt.date) -> list[dict[str, Any]]:
    """The version that judges each cycle from the first to the latest one any version starts (upcoming marked)."""
    last = max([today.year + 1, *(first_cycle(pv.effective_from) for pv in published)])
    out = []
    for cycle in range(FIRST_CYCLE, last + 1):
        pv = pick_in_force(published, cycle_date(cycle)) if published else None
        out.append({"cycle": cycle, "version": pv.version if pv else None,
                    "upcoming": pv is not None and pv.effective_from > today})
    return out


def cycle_choices(today: dt.date) -> list[int]:
    return list(range(FIRST_CYCLE, today.year + 3))


def parameter_rows(files: KBFiles, today: dt.date) -> list[dict[str, Any]]:
    """Each parameter with its dated values and `current`, the value in force `today` (None before its first)."""
    rows = []
    for name, (rel, data) in sorted(files.parameters.items()):
        values = [{"date": date, **entry} for date, entry in sorted(files.parameter_values(name).items())]
        current = [v["value"] for v in values if str(v["date"]) <= today.isoformat()]
        rows.append({"name": name, "file": rel, "description": data.get("description") or {},
                     "unit": str(data.get("unit") or ""), "values": values, "current": (current or [None])[-1]})
    return rows


def rule_rows(files: KBFiles) -> list[dict[str, Any]]:
    return [{"id": rid, "file": rel, "title": rule.get("title") or {}, "severity": rule.get("severity"),
             "effective": rule.get("effective") or {}} for rid, (rel, _, rule) in sorted(files.rules.items())
            if rule.get("severity")]


def unit_value(t: Any, value: Any, unit: str) -> str:
    """A parameter's value as people read it: 35%, Rp 75.000.000, a list joined, yes/no."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return t("wb.yes") if value else t("wb.no")
    if unit == "ratio" and isinstance(value, (int, float)):
        pct = round(float(value) * 100, 1)
        return f"{t.number(pct, 0 if pct == int(pct) else 1)}%"
    if unit == "IDR":
        return str(t.rupiah(value))
    if unit == "date":
        return t.date(value)
    return str(value)


def _number(text: str) -> float | None:
    compact = text.replace(" ", "").replace("%", "").replace("Rp", "").replace("rp", "")
    if not _NUMBER.match(compact):
        return None
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", compact):
        compact = compact.replace(".", "")
    return float(compact.replace(",", "."))


def parse_value(text: str, unit: str) -> Any:
    """Form text -> the value in the file's form; the text itself when it does not read (the schema names it)."""
    raw = text.strip()
    if unit == "list":
        return [line.strip() for line in re.split(r"[\n,]", raw) if line.strip()]
    if unit == "boolean":
        return raw.lower() in ("ya", "yes", "true", "1")
    if unit in ("ratio", "IDR", "count"):
        number = _number(raw)
        if number is None:
            return raw
        if unit == "ratio":
            return round(number / 100, 6) if ("%" in raw or number > 1) else number
        return int(number) if number == int(number) else number
    return raw


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _text(form: Any, key: str) -> dict[str, str] | None:
    id_, en = str(form.get(f"{key}_id") or "").strip(), str(form.get(f"{key}_en") or "").strip()
    return {"id": id_, "en": en} if id_ or en else None


def _day(form: Any) -> Any:
    cycle = str(form.get("cycle") or "").strip()
    return cycle_date(int(cycle)).isoformat() if cycle.isdigit() else cycle


def edit_fields(form: Any, files: KBFiles) -> dict[str, Any]:
    """The posted edit form as the fields of a typed edit (`policy.edits`), validated by the caller."""
    kind = str(form.get("kind") or "")
    if kind in ("add_value", "list_items"):
        name = str(form.get("parameter") or "")
        unit = str(files.parameters.get(name, ("", {}))[1].get("unit") or "")
        out: dict[str, Any] = {"kind": kind, "parameter": name, "date": _day(form),
                               "reference": str(form.get("reference") or "").strip(),
                               "status": str(form.get("status") or ""),
                               "modelled_on": str(form.get("modelled_on") or "").strip() or None}
        if kind == "add_value":
            out["value"] = parse_value(str(form.get("value") or ""), unit)
        else:
            out |= {"add": _lines(form.get("add")), "remove": _lines(form.get("remove"))}
        return out
    if kind == "change_rule":
        fields = {"severity": str(form.get("severity") or "") or None, "message": _text(form, "message"),
                  "suggestion": _text(form, "suggestion"),
                  "reference": str(form.get("reference") or "").strip() or None}
        return {"kind": kind, "rule_id": str(form.get("rule_id") or ""), **{k: v for k, v in fields.items() if v}}
    return {"kind": kind, "rule_id": str(form.get("rule_id") or ""), "from_cycle": str(form.get("from_cycle") or "")}


def validation_problems(exc: ValidationError) -> list[Problem]:
    """A form's validation errors, each naming its field, in both languages."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if not str(p).startswith(("add_value", "list_items", "change_rule",
                                                                         "switch_off"))]
        field = ".".join(loc) or "kind"
        if err["type"] in ("missing", "string_too_short"):
            out.append(Problem(field, "wajib diisi", "is required"))
        else:
            out.append(Problem(field, f"nilai tidak sah ({err['msg']})", f"invalid value ({err['msg']})"))
    return out


def version_field(raw: Any) -> tuple[NameVersion | None, list[Problem]]:
    """The publish form's version label as the edit that sets it, or the problem with it."""
    try:
        return NameVersion(version=str(raw or "").strip()), []
    except ValidationError:
        return None, [Problem("version", "tulis nama versi: huruf, angka, titik atau tanda hubung (paling banyak 40), "
                              "misalnya 2027.1", "write a version name: letters, digits, dots or hyphens (at most 40), "
                              "e.g. 2027.1")]


def next_label(published: list[str], cycle: int) -> str:
    """The label a version for `cycle` would take next: 2027.1, then 2027.2, ... (a suggestion; the user may change it)."""
    taken = [int(m.group(1)) for label in published if (m := re.fullmatch(rf"{cycle}\.(\d+)", label))]
    return f"{cycle}.{max(taken, default=0) + 1}"


def cycle_field(raw: Any, name: str) -> tuple[int | None, list[Problem]]:
    text = str(raw or "").strip()
    if text.isdigit() and FIRST_CYCLE <= int(text) <= 2100:
        return int(text), []
    return None, [Problem(name, f"pilih siklus {FIRST_CYCLE}-2100", f"choose a cycle {FIRST_CYCLE}-2100")]


def whatif_fields(form: Any) -> tuple[list[int], int | None, list[Problem]]:
    """Chosen cycles and the optional 'judge as of' cycle of the what-if form."""
    cycles = sorted({int(c) for c in form.getlist("cycles") if str(c).isdigit()})
    problems = [] if cycles else [Problem("cycles", "pilih sedikitnya satu siklus", "choose at least one cycle")]
    as_of = None
    if str(form.get("as_of_cycle") or "").strip():
        as_of, more = cycle_field(form.get("as_of_cycle"), "as_of_cycle")
        problems += more
    return cycles, as_of, problems


def publish_problems(problems: list[Problem]) -> list[Problem]:
    """The gate's problems, the effective date's named by the form's field (the cycle it takes effect)."""
    fields = {"effective_from": "effective_cycle", "kb.yaml: version": "version"}
    return [Problem(fields[p.path], p.id, p.en) if p.path in fields else p for p in problems]


# A form field a problem names -> its label; the publish gate's places get words and a link instead.
FIELD_LABELS = {"parameter": "wb.parameter", "date": "wb.from_cycle", "cycle": "wb.from_cycle", "value": "wb.value",
                "reference": "precheck.reference", "status": "policy.status", "modelled_on": "wb.modelled_on",
                "effective_cycle": "wb.effective_cycle", "reason": "wb.reason", "confirm_changes": "wb.confirm_changes",
                "cycles": "whatif.cycles", "as_of_cycle": "wb.as_of", "add": "wb.items_add", "remove": "wb.items_remove",
                "rule_id": "wb.rule", "severity": "wb.severity", "from_cycle": "wb.from_cycle", "version": "wb.version_name"}
_HASH = re.compile(r" ?\(sha256:[0-9a-f]+…?\)")


def problem_shown(t: Any, problem: Problem) -> dict[str, Any]:
    """A workbench problem as a person reads it: where (a field's label, the what-if report or the stored
    proposal that would change, with a link), and the text in the page's language without content hashes."""
    path = problem.path
    if path.startswith("whatif/"):
        place, href = t("wb.whatif_report"), "#whatif"
    elif path.startswith("confirm_changes: "):
        place, href = t("wb.changed_proposal"), f"/proposal/{path.split(': ', 1)[1]}"
    else:
        key = FIELD_LABELS.get(path.rsplit(".", 1)[-1].split(": ")[-1])
        place, href = (t(key) if key else path), None
    return {"place": place, "href": href, "text": _HASH.sub("", problem.id if t.lang == "id" else problem.en)}


def future_change_note(store: KBStore, draft_id: str, params: dict[str, Any]) -> bool:
    """True when every change of the draft takes effect after every chosen cycle and no 'as of' was set:
    the replay then cannot show it."""
    if params.get("as_of_cycle") or not params.get("cycles"):
        return False
    diff = usecase.diff_draft(store, draft_id, None)
    if any(diff["rules"][k] for k in ("added", "removed", "changed")) or diff["categories"]["changed"]:
        return False
    starts = [period["from"] for p in diff["parameters"]["changed"] for period in p["in_force"]]
    latest = max(int(c) for c in params["cycles"])
    return bool(starts) and all(first_cycle(dt.date.fromisoformat(s[:10])) > latest for s in starts)
