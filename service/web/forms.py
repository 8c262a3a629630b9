"""The proposal form: its fields, form data -> proposal dict, and findings' paths -> inputs.

Every input is named by its proposal field path (`activities[0].budget_lines[1].source`),
the same paths the schema errors and the rules' findings use, so highlighting the field a
finding concerns is a lookup, not a translation table. Values are converted by the type the
schema gives them; a value that does not convert is passed on as typed, so that the schema
refuses it at its field (`parse_typed` says how to write it) instead of the form
silently dropping or changing it.

Numbers are read one way (`read_number`, the same rule as static/form.js): as Indonesians write
them, a dot groups thousands and a comma starts the fraction ("250.000", "6,5", "1.500,50",
"Rp 285.000"). A text that rule cannot read ("6.5", "1,500.50") is refused, never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from knowledge.documents import parse_proposal
from knowledge.errors import InvalidInput, Problem
from knowledge.proposal import Proposal

# Field -> kind, relative to its container. Kinds: str, text (None when empty), int, float,
# date, bool (checkbox), list (comma- or line-separated).
TOP_FIELDS = {"cycle": "int", "title": "str", "submitted_on": "date", "requested_total": "int"}
REGION_FIELDS = {"kecamatan": "str", "kelurahan": "str", "rw": "int"}
ACTIVITY_FIELDS = {
    "code": "str", "name": "str", "category": "str", "location": "str", "start": "date", "end": "date",
    "repairs_flood_damage": "bool", "maintenance_plan": "text", "accessibility_features": "list",
    "stated_total": "int",
}
BENEFICIARY_FIELDS = ("households", "poor_households", "persons_with_disability", "women", "children",
                      "elderly", "youth")
LINE_FIELDS = {
    "item": "str", "unit": "str", "quantity": "float", "unit_price": "int", "source": "str", "kind": "str",
    "amount": "int", "cash_to_individuals": "bool",
}
MUSYAWARAH_FIELDS = {"date": "date", "households_in_rw": "int", "minutes_attached": "bool",
                     "attendance_list_attached": "bool"}
ATTENDANCE_FIELDS = ("total", "women", "poor", "persons_with_disability", "youth", "elderly")
SPEAKER_FIELDS = ("women", "poor", "persons_with_disability", "youth", "elderly")
TEAM_FIELDS = ("members", "women_members")
SOURCES = ("ppm", "swadaya", "lainnya")
_KINDS: dict[str, Mapping[str, str]] = {
    "": TOP_FIELDS, "region": REGION_FIELDS, "activities": ACTIVITY_FIELDS, "activities.budget_lines": LINE_FIELDS,
    "activities.beneficiaries": dict.fromkeys(BENEFICIARY_FIELDS, "int"), "musyawarah": MUSYAWARAH_FIELDS,
    "musyawarah.attendance": dict.fromkeys(ATTENDANCE_FIELDS, "int"),
    "musyawarah.speakers": dict.fromkeys(SPEAKER_FIELDS, "int"), "team": dict.fromkeys(TEAM_FIELDS, "int"),
}

# Indonesian writing: digits grouped by dots in threes, or not grouped; a comma and the fraction.
# static/form.js holds the same pattern and the same clean-up (keep them together).
_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$", re.ASCII)
_RUPIAH = re.compile(r"^\s*Rp\.?", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_INDEXED = re.compile(r"^activities\[(\d+)\]\.(.+)$")
_LINE = re.compile(r"^budget_lines\[(\d+)\]\.(.+)$")


def _convert(raw: Any, kind: str, present: bool = True) -> Any:
    """Form text -> Python value; None for 'not given'; the raw text when it does not convert."""
    if kind == "bool":
        return present and str(raw).strip().lower() not in ("", "0", "false", "off", "tidak")
    if raw is None:
        return None
    text = str(raw).strip()
    if kind == "list":
        return [p.strip() for p in re.split(r"[,\n]", text) if p.strip()]
    if text == "":
        return None
    if kind == "date":
        found = _DMY.match(text)  # 14/02/2022, the way dates are written in Indonesia
        return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}" if found else text
    if kind in ("int", "float"):
        number = read_number(text)
        return text if number is None else number
    return text


def read_number(text: str) -> int | float | None:
    """A number as a person types it ("Rp 285.000", "250.000", "6,5", "1.500,50", "285.000,-");
    None when the text is not a number written that way. Whole numbers come back as int."""
    compact = re.sub(r"\s", "", _RUPIAH.sub("", text)).removesuffix(",-")
    if not _NUMBER.match(compact):
        return None
    whole, _, fraction = compact.replace(".", "").partition(",")
    try:
        return int(whole) if fraction.strip("0") == "" else float(f"{whole}.{fraction}")
    except ValueError:  # more digits than Python turns into an int
        return None


def written(value: Any) -> Any:
    """A value as a person reads and types it back, numbers the way read_number reads them:
    40.0 -> 40 (quantities are floats in the schema but mostly whole), 6.5 -> "6,5"."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    if value.is_integer():
        return int(value)
    return format(Decimal(repr(value)), "f").replace(".", ",")


def parse_typed(data: Any, source: str) -> Proposal:
    """parse_proposal for what a person typed (the form, the XLSX template): besides the schema's
    problems, every number the one rule cannot read is refused at its field, saying what was typed
    and how to write it (the schema alone would take "6.5" as 6,5 but "1.500" as 1500)."""
    unreadable = {p.path: p for p in _unreadable_numbers(data)}
    try:
        proposal = parse_proposal(data, source=source)
    except InvalidInput as exc:
        problems = [unreadable.pop(p.path, p) for p in exc.problems]
        raise InvalidInput([*problems, *unreadable.values()], source=source) from None
    if unreadable:
        raise InvalidInput(list(unreadable.values()), source=source)
    return proposal


def _unreadable_numbers(data: Any) -> list[Problem]:
    return [Problem(path,
                    f'"{value}" tidak terbaca sebagai angka: tulis ribuan dengan titik dan pecahan dengan koma, '
                    "misalnya 250.000 atau 6,5",
                    f'"{value}" cannot be read as a number: write thousands with a dot and decimals with a comma, '
                    "for example 250.000 or 6,5")
            for path, value in flatten(data).items()
            if isinstance(value, str) and _kind_of(path) in ("int", "float")]


def _kind_of(path: str) -> str | None:
    container, _, field = re.sub(r"\[\d+\]", "", path).rpartition(".")
    return _KINDS.get(container, {}).get(field)


def _block(form: Mapping[str, Any], prefix: str, fields: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, kind in fields.items():
        name = f"{prefix}{field}"
        value = _convert(form.get(name), kind, present=name in form)
        if value is not None:
            out[field] = value
    return out


def _counts(form: Mapping[str, Any], prefix: str, fields: Iterable[str]) -> dict[str, Any]:
    return _block(form, prefix, dict.fromkeys(fields, "int"))


def _indices(names: Iterable[str], pattern: re.Pattern[str]) -> list[int]:
    return sorted({int(m.group(1)) for n in names if (m := pattern.match(n))})


def form_to_proposal(form: Mapping[str, Any], documents: Iterable[str] = ()) -> dict[str, Any]:
    """A proposal dict (for knowledge.documents.parse_proposal) from flat form fields.

    Rows removed in the browser leave gaps in the indices; rows are renumbered in order,
    and the form is re-rendered from the result, so paths and inputs stay in step.
    """
    data: dict[str, Any] = _block(form, "", TOP_FIELDS)
    data["region"] = _block(form, "region.", REGION_FIELDS)
    activities = []
    for i in _indices(form.keys(), _INDEXED):
        prefix = f"activities[{i}]."
        activity = _block(form, prefix, ACTIVITY_FIELDS)
        activity.setdefault("accessibility_features", [])
        rest = [n[len(prefix):] for n in form if n.startswith(prefix)]
        activity["budget_lines"] = [
            _block(form, f"{prefix}budget_lines[{j}].", LINE_FIELDS) for j in _indices(rest, _LINE)
        ]
        activity["beneficiaries"] = _counts(form, f"{prefix}beneficiaries.", BENEFICIARY_FIELDS)
        activities.append(activity)
    data["activities"] = activities
    musyawarah = _block(form, "musyawarah.", MUSYAWARAH_FIELDS)
    musyawarah["attendance"] = _counts(form, "musyawarah.attendance.", ATTENDANCE_FIELDS)
    speakers = _counts(form, "musyawarah.speakers.", SPEAKER_FIELDS)
    musyawarah["speakers"] = speakers or None
    data["musyawarah"] = musyawarah
    data["team"] = _counts(form, "team.", TEAM_FIELDS)
    docs = list(documents) + (_convert(form.get("documents_other"), "list") or [])
    data["documents"] = list(dict.fromkeys(d for d in docs if d))
    ref = _convert(form.get("amends.proposal_ref"), "str")
    data["amends"] = (
        {"proposal_ref": ref,
         "berita_acara_perubahan": _convert(form.get("amends.berita_acara_perubahan"), "bool",
                                            present="amends.berita_acara_perubahan" in form)}
        if ref else None
    )
    return data


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Proposal dict -> {field path: value}, the inverse view the form template fills from."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in ("documents", "accessibility_features") and isinstance(value, list):
                out[path] = value
            elif isinstance(value, (dict, list)):
                out.update(flatten(value, path))
            else:
                out[path] = value
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def flagged_inputs(paths: Iterable[str], input_names: Iterable[str]) -> set[str]:
    """The form inputs a field path concerns: the field itself, or every input inside it.

    `activities[0].budget_lines[1].source` names one input; `activities[0].budget_lines`
    names every input of that activity's lines; `activities[*].maintenance_plan` uses a
    wildcard for every activity; `musyawarah.attendance` names all attendance counts.
    """
    names = list(input_names)
    hit: set[str] = set()
    for path in paths:
        if not path:
            continue
        pattern = re.escape(path).replace(r"\[\*\]", r"\[\d+\]")
        regex = re.compile(rf"^{pattern}(?:$|[.\[])")
        hit.update(n for n in names if regex.match(n))
    return hit


def input_id(name: str) -> str:
    """An HTML id for an input named by a field path (ids avoid brackets and dots)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")


def all_input_names(data: Mapping[str, Any]) -> list[str]:
    """Every input the form shows for a proposal dict (same shapes as the template)."""
    names = [*TOP_FIELDS, *(f"region.{f}" for f in REGION_FIELDS)]
    for i, activity in enumerate(data.get("activities") or [{}]):
        names += [f"activities[{i}].{f}" for f in ACTIVITY_FIELDS]
        names += [f"activities[{i}].beneficiaries.{f}" for f in BENEFICIARY_FIELDS]
        lines = activity.get("budget_lines") if isinstance(activity, dict) else None
        for j in range(len(lines or [{}])):
            names += [f"activities[{i}].budget_lines[{j}].{f}" for f in LINE_FIELDS]
    names += [f"musyawarah.{f}" for f in MUSYAWARAH_FIELDS]
    names += [f"musyawarah.attendance.{f}" for f in ATTENDANCE_FIELDS]
    names += [f"musyawarah.speakers.{f}" for f in SPEAKER_FIELDS]
    names += [f"team.{f}" for f in TEAM_FIELDS]
    names += ["documents", "amends.proposal_ref", "amends.berita_acara_perubahan"]
    return names


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def budget_totals(data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's running totals: each activity's lines (quantity x unit price) and the whole
    proposal by source, from whatever the form holds (blank or mistyped numbers count as 0).

    The page shows them after every check, so they are there without JavaScript; the form's
    script keeps them current while typing.
    """
    acts: list[Any] = data["activities"] if isinstance(data.get("activities"), list) else []
    by_source = dict.fromkeys(SOURCES, 0.0)
    per_activity = []
    for act in acts:
        lines: list[Any] = act["budget_lines"] if isinstance(act, dict) and isinstance(act.get("budget_lines"), list) else []
        total = 0.0
        for line in lines:
            if not isinstance(line, dict):
                continue
            amount = _number(line.get("quantity")) * _number(line.get("unit_price"))
            total += amount
            if line.get("source") in by_source:
                by_source[line["source"]] += amount
        per_activity.append(_whole(total))
    return {"activities": per_activity, "by_source": {k: _whole(v) for k, v in by_source.items()},
            "all": sum(per_activity)}


def _whole(amount: float) -> int:
    # 1e308 x a price is infinite: the schema refuses such a quantity; the total then shows 0.
    return round(amount) if math.isfinite(amount) else 0
