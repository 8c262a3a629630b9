"""Edits of a draft as typed operations, each checked at once with the publish gate's own messages.

What policy staff change between cycles, in their words: a dated value of a parameter (with its
reference and status), items added to or removed from a list parameter from a date, a rule's
severity, message, suggestion or legal reference, and a rule switched off from a cycle. An
edit is applied to the draft's YAML files round-trip (`ruamel.yaml`: comments, order and
quoting stay as the authors wrote them), then the result goes through the file-level half of
the publish gate (`policy.gate.draft_problems`); the problems the edit introduced refuse it,
each with its file, field and reason, and nothing is saved. An accepted edit makes a new
draft (drafts are named by their content) and is recorded in the store's edit log: who, when,
what, and the draft before and after (`policy.store.KBStore.record_edit`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML

from knowledge.errors import InvalidInput, Problem
from knowledge.kb_schema import NAME_PATTERN, RULE_ID_PATTERN, Severity

Status = Literal["verified", "assumed"]
STATUSES: tuple[Status, ...] = ("verified", "assumed")


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class Texts(BaseModel):
    """A text in Bahasa Indonesia and English."""

    model_config = _example(id="Perempuan kurang dari 35% peserta.", en="Women are under 35% of attendees.")

    id: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddParameterValue(_Edit):
    """A parameter takes `value` from `date` on (a value already dated that day is replaced)."""

    model_config = _example(kind="add_value", parameter="min_women_attendance_share", date="2027-01-01", value=0.35,
                            reference="Rapat evaluasi tahunan 2026", status="assumed",
                            modelled_on="Ketentuan 30% perempuan P2KP/PNPM")

    kind: Literal["add_value"] = "add_value"
    parameter: str = Field(pattern=NAME_PATTERN, max_length=80)
    date: dt.date
    value: float | int | str | bool | list[str]
    reference: str = Field(min_length=1)
    status: Status
    modelled_on: str | None = None


class ChangeListItems(_Edit):
    """From `date` on, a list parameter holds the list in force then with `add` added and `remove` removed."""

    model_config = _example(kind="list_items", parameter="negative_list_words", date="2027-01-01", add=["judi online"],
                            remove=[], reference="Rapat evaluasi tahunan 2026", status="verified")

    kind: Literal["list_items"] = "list_items"
    parameter: str = Field(pattern=NAME_PATTERN, max_length=80)
    date: dt.date
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)
    reference: str = Field(min_length=1)
    status: Status
    modelled_on: str | None = None


class ChangeRule(_Edit):
    """A rule's severity, message, suggestion or legal reference (the fields given; the rest stay)."""

    model_config = _example(kind="change_rule", rule_id="PPM-INK-001", severity="minor")

    kind: Literal["change_rule"] = "change_rule"
    rule_id: str = Field(pattern=RULE_ID_PATTERN)
    severity: Severity | None = None
    message: Texts | None = None
    suggestion: Texts | None = None
    reference: str | None = None


class SwitchRuleOff(_Edit):
    """A rule is no longer in force from `from_cycle` on (its last day is 31 December of the cycle before)."""

    model_config = _example(kind="switch_off", rule_id="PPM-INK-002", from_cycle=2027)

    kind: Literal["switch_off"] = "switch_off"
    rule_id: str = Field(pattern=RULE_ID_PATTERN)
    from_cycle: int = Field(ge=2018, le=2100)


class NameVersion(_Edit):
    """The label the draft is published under (e.g. 2027.1): what every check made with it names."""

    model_config = _example(kind="version_label", version="2027.1")

    kind: Literal["version_label"] = "version_label"
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")


Edit = Annotated[AddParameterValue | ChangeListItems | ChangeRule | SwitchRuleOff | NameVersion,
                 Field(discriminator="kind")]


class EditRecord(BaseModel):
    """One accepted edit in the store's edit log."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "at": "2026-12-02T09:00:00Z", "by": "policy:k1", "draft_before": "3f2a9c0d1e4b5a69",
        "draft_after": "9b1c0d2e3f4a5b6c", "via": "form", "created_from": None,
        "edits": [{"kind": "switch_off", "rule_id": "PPM-INK-002", "from_cycle": 2027}]}]})

    at: dt.datetime
    by: str
    draft_before: str | None = Field(description="None when the edit created the draft from a published version")
    draft_after: str
    edits: list[Edit] = Field(default_factory=list, description="The edits applied together (one from a form, "
                                                                "one per changed row from a spreadsheet)")
    via: str = Field(default="form", description="form, spreadsheet, or version (a new draft)")
    created_from: str | None = Field(default=None, description="The published version a new draft copies")


def _yaml() -> YAML:
    y = YAML()  # round-trip: comments, key order and quoting are kept
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _load(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _unknown(where: str, what_id: str, what_en: str) -> InvalidInput:
    return InvalidInput([Problem(where, what_id, what_en)], source="edit")


def _parameter_file(root: Path, name: str) -> Path:
    path = root / "parameters" / f"{name}.yaml"
    if not path.is_file():
        raise _unknown("parameter", f"parameter '{name}' tidak ada di draf", f"parameter '{name}' is not in the draft")
    return path


def _entry(edit: AddParameterValue | ChangeListItems, value: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": value, "reference": edit.reference, "status": edit.status}
    if edit.modelled_on:
        entry["modelled_on"] = edit.modelled_on
    return entry


def _dated(values: Any) -> dict[dt.date, Any]:
    return {k if isinstance(k, dt.date) else dt.date.fromisoformat(str(k)): v for k, v in values.items()}


def _in_force(values: Any, day: dt.date) -> Any:
    dated = _dated(values)
    starts = [d for d in sorted(dated) if d <= day]
    return dated[starts[-1]] if starts else None


def _set_value(data: Any, day: dt.date, entry: dict[str, Any]) -> None:
    values = data["values"]
    for key in list(values):
        if str(key) == day.isoformat():
            del values[key]
    values[day] = entry
    ordered = sorted(values.items(), key=lambda kv: str(kv[0]))
    for key, _ in ordered:
        values.move_to_end(key)


def _list_value(data: Any, edit: ChangeListItems, where: str) -> list[str]:
    current = _in_force(data.get("values") or {}, edit.date)
    items = current.get("value") if isinstance(current, dict) else current
    if not isinstance(items, list):
        raise _unknown(where, f"parameter '{edit.parameter}' bukan daftar pada {edit.date.isoformat()}",
                       f"parameter '{edit.parameter}' is not a list on {edit.date.isoformat()}")
    missing = [item for item in edit.remove if item not in items]
    if missing:
        raise _unknown(f"{where}.remove", f"tidak ada di daftar: {', '.join(missing)}",
                       f"not in the list: {', '.join(missing)}")
    kept = [str(i) for i in items if i not in edit.remove]
    return kept + [item for item in edit.add if item not in kept]


def _edit_parameter(root: Path, edit: AddParameterValue | ChangeListItems) -> dict[str, str]:
    path = _parameter_file(root, edit.parameter)
    data = _load(path)
    rel = path.relative_to(root).as_posix()
    value = edit.value if isinstance(edit, AddParameterValue) else _list_value(data, edit, rel)
    _set_value(data, edit.date, _entry(edit, value))
    return {rel: _dump(data)}


def _rule_in(root: Path, rule_id: str) -> tuple[str, Any, Any]:
    for path in sorted((root / "rules").glob("*.yaml")):
        data = _load(path)
        rules = data.get("rules", []) if isinstance(data, dict) else data or []
        for rule in rules:
            if isinstance(rule, dict) and rule.get("id") == rule_id:
                return path.relative_to(root).as_posix(), data, rule
    raise _unknown("rule_id", f"aturan '{rule_id}' tidak ada di draf", f"rule '{rule_id}' is not in the draft")


def _edit_rule(root: Path, edit: ChangeRule | SwitchRuleOff) -> dict[str, str]:
    rel, data, rule = _rule_in(root, edit.rule_id)
    if isinstance(edit, SwitchRuleOff):
        effective = rule.get("effective") or {}
        effective["to"] = dt.date(edit.from_cycle - 1, 12, 31)
        rule["effective"] = effective
    else:
        for key in ("severity", "reference"):
            if getattr(edit, key) is not None:
                rule[key] = getattr(edit, key)
        for key in ("message", "suggestion"):
            text = getattr(edit, key)
            if text is not None:
                rule[key] = {"id": text.id, "en": text.en}
    return {rel: _dump(data)}


def apply_edit(root: Path, edit: AddParameterValue | ChangeListItems | ChangeRule | SwitchRuleOff | NameVersion,
               ) -> dict[str, str]:
    """The files an edit rewrites (relative path -> new text); InvalidInput names what it refers to that is missing."""
    if isinstance(edit, (AddParameterValue, ChangeListItems)):
        return _edit_parameter(root, edit)
    if isinstance(edit, NameVersion):
        return {"kb.yaml": relabel((root / "kb.yaml").read_text(encoding="utf-8"), edit.version)}
    return _edit_rule(root, edit)


def new_problems(before: list[Problem], after: list[Problem]) -> list[Problem]:
    """The problems an edit introduced (those the draft already had are the publish gate's to report)."""
    seen = {(p.path, p.en) for p in before}
    return [p for p in after if (p.path, p.en) not in seen]


_VERSION_LINE = re.compile(r"^version:.*$", re.MULTILINE)


def relabel(kb_yaml: str, label: str) -> str:
    """`kb.yaml`'s text with its version label set (the rest of the file as written)."""
    line = f'version: "{label}"'
    return _VERSION_LINE.sub(line, kb_yaml, count=1) if _VERSION_LINE.search(kb_yaml) else f"{kb_yaml}\n{line}\n"
