"""Schemas of the knowledge-base files: parameters, categories, facts, rules and rule tests.

These models check structure only (types, allowed values, required keys). Whether every
text has both languages and every value its legal reference is checked by
`knowledge.kb.quality_problems`, so that `berdaya kb lint` can list such gaps instead of
stopping at the first one. Conditions (`when:`) and the expressions of repairs are parsed
by `rules`, not here; which proposal fields a repair may change is decided here
(`PATCHABLE_FIELDS`), so that no knowledge base can load a repair outside that list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from knowledge.validation import bilingual

GROUPS = ("eligibility", "budget", "inclusion", "documents", "sustainability", "consistency")
SEVERITIES = ("blocking", "major", "minor", "advice")
VERDICTS = ("eligible", "needs_revision", "ineligible")
UNITS = ("IDR", "ratio", "count", "days", "date", "list", "text", "boolean")
FACT_KINDS = ("number", "boolean", "text")

Group = Literal["eligibility", "budget", "inclusion", "documents", "sustainability", "consistency"]
Severity = Literal["blocking", "major", "minor", "advice"]
Verdict = Literal["eligible", "needs_revision", "ineligible"]
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
RULE_ID_PATTERN = r"^PPM-(ELG|ANG|INK|DOK|KEB|KON)-[0-9]{3}$"
ParamValue = int | float | str | list[str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Text(Strict):
    """A text in Bahasa Indonesia and English; a missing language is a lint problem."""

    id: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.id


class KbMeta(Strict):
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: Text = Field(default_factory=Text)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        # `version: 2025.1` without quotes is a float in YAML; keep what was written.
        return str(value) if isinstance(value, (int, float)) else value


class ParameterValue(Strict):
    value: ParamValue
    reference: str = ""
    status: Literal["verified", "assumed"]
    modelled_on: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        if isinstance(value, bool):
            raise bilingual("nilai parameter harus angka, teks atau daftar teks",
                            "a parameter value must be a number, a text or a list of texts")
        return value


class Parameter(Strict):
    name: str = Field(pattern=NAME_PATTERN)
    description: Text = Field(default_factory=Text)
    unit: Literal["IDR", "ratio", "count", "days", "date", "list", "text", "boolean"]
    values: dict[dt.date, ParameterValue] = Field(min_length=1)

    def value_on(self, day: dt.date) -> tuple[dt.date, ParameterValue] | None:
        """The value in force on `day`: the latest effective date not after it."""
        chosen = None
        for start in sorted(self.values):
            if start <= day:
                chosen = (start, self.values[start])
        return chosen

    @property
    def first_date(self) -> dt.date:
        return min(self.values)


class Category(Strict):
    id: str = Field(min_length=1)
    group: Literal["sarana_prasarana", "pemberdayaan"]
    name: Text = Field(default_factory=Text)
    infrastructure: bool = False
    public_building: bool = False
    reference: str = ""

    @model_validator(mode="after")
    def _id_in_group(self) -> Category:
        if not self.id.startswith(self.group + "."):
            raise bilingual(f"id kategori '{self.id}' harus diawali '{self.group}.'",
                            f"category id '{self.id}' must start with '{self.group}.'")
        return self


class FactDef(Strict):
    """A fact rules may use. With `expr` it is a *derived* fact, computed from other facts,
    parameters and the RW's reference data (`rules.derived`); `expr` is one expression for
    every cycle or expressions by effective date, like a parameter's values. `positive`
    says the value is always above 0 (so that lint accepts it as a divisor)."""

    name: str = Field(pattern=NAME_PATTERN)
    unit: str = Field(min_length=1)
    description: Text = Field(default_factory=Text)
    kind: Literal["number", "boolean", "text"]
    expr: str | dict[dt.date, str] | None = None
    positive: bool = False

    @property
    def derived(self) -> bool:
        return self.expr is not None

    def expressions(self) -> dict[dt.date | None, str]:
        """Effective date (None = every cycle) -> expression."""
        if self.expr is None:
            return {}
        return {None: self.expr} if isinstance(self.expr, str) else dict(sorted(self.expr.items()))

    def expr_on(self, day: dt.date) -> str | None:
        """The expression in force on `day` (the latest effective date not after it)."""
        chosen = None
        for start, text in self.expressions().items():
            if start is None or start <= day:
                chosen = text
        return chosen

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, name: str) -> str:
        if name in ("id", "sid"):
            raise bilingual("nama fakta 'id' dan 'sid' dicadangkan mesin aturan",
                            "fact names 'id' and 'sid' are reserved by the rules engine")
        return name


class Evidence(Strict):
    fact: str = Field(pattern=NAME_PATTERN)
    threshold: str | int | float | None = None


class Effective(Strict):
    # `to` is the last day the rule is in force (inclusive); null means still in force.
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def covers(self, day: dt.date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (self.to is None or day <= self.to)


# What a repair may change, by what its step works on: planning figures the RW writes into its
# proposal (where money comes from, how much of an item, the dates of the work) and the totals
# that are arithmetic over them. Nothing else is patchable: attendance, speakers, documents,
# beneficiaries, the team, the musyawarah, names, categories, prices and kinds record facts
# about the community or decisions only the RW can take, so a rule whose fix needs them
# declares an `action` instead.
PATCHABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "lines": ("source", "quantity", "amount"),
    "activities": ("start", "end", "stated_total"),
    "proposal": ("requested_total",),
}
# The same allow-list as proposal paths (the form of a finding's `fields`).
PATCHABLE_PATHS: tuple[str, ...] = (
    *(f"activities[*].budget_lines[*].{f}" for f in PATCHABLE_FIELDS["lines"]),
    *(f"activities[*].{f}" for f in PATCHABLE_FIELDS["activities"]),
    *PATCHABLE_FIELDS["proposal"],
)
RepairTarget = Literal["lines", "activities", "proposal"]
Expression = str  # in the condition language; parsed and compiled by `rules.repair_ops`, never evaluated as Python


def _expressions(values: dict[str, Any]) -> dict[str, Any]:
    # `quantity: 0` is as good as `quantity: "0"`: numbers are expressions too; yes/no is not a value here.
    out = {}
    for key, value in values.items():
        if isinstance(value, bool):
            raise bilingual(f"'{key}': nilai ya/tidak tidak dapat dipakai; tulis ekspresi",
                            f"'{key}': a yes/no value cannot be used; write an expression")
        out[key] = str(value) if isinstance(value, (int, float)) else value
    return out


def _patchable(target: str, fields: list[str]) -> None:
    allowed = PATCHABLE_FIELDS[target]
    for name in fields:
        if name not in allowed:
            raise bilingual(
                f"kolom '{name}' tidak boleh diubah oleh perbaikan ({target}: hanya {', '.join(allowed)}); "
                f"perbaikan yang memerlukannya ditulis sebagai 'action'",
                f"field '{name}' may not be changed by a repair ({target}: only {', '.join(allowed)}); "
                f"a fix that needs it is written as an 'action'")


class MoveUntil(Strict):
    """Change the selected lines one at a time (`set`), in `order`, until the value of the lines
    changed reaches `amount` Rupiah. `fewest`: as few lines as possible, then the least money."""

    set_: dict[str, Expression] = Field(alias="set", min_length=1)
    amount: Expression = Field(min_length=1)
    order: Literal["fewest", "smallest_first", "largest_first"] = "fewest"

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("set_", mode="before")
    @classmethod
    def _as_expressions(cls, value: Any) -> Any:
        return _expressions(value) if isinstance(value, dict) else value

    @field_validator("set_")
    @classmethod
    def _lines_only(cls, value: dict[str, Expression]) -> dict[str, Expression]:
        _patchable("lines", list(value))
        return value


class ScaleDown(Strict):
    """Lower the quantity of the selected lines by one common factor (whole units stay whole)
    until their value has fallen by at least `cut` Rupiah."""

    cut: Expression = Field(min_length=1)


class ShiftDates(Strict):
    """Move an activity's start and end inside a window, keeping its length when it fits: the
    window opens at the latest of `earliest` and closes at the earliest of `latest` (day numbers)."""

    earliest: list[Expression] = Field(min_length=1)
    latest: list[Expression] = Field(min_length=1)


_OPERATIONS = {"set_": None, "scale_down": "lines", "move_until": "lines", "shift_dates": "activities"}


class RepairStep(Strict):
    """One operation on the items `where` selects (every item when absent) of `target`."""

    target: RepairTarget
    where: Expression | None = None
    set_: dict[str, Expression] | None = Field(default=None, alias="set")
    scale_down: ScaleDown | None = None
    move_until: MoveUntil | None = None
    shift_dates: ShiftDates | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("set_", mode="before")
    @classmethod
    def _as_expressions(cls, value: Any) -> Any:
        return _expressions(value) if isinstance(value, dict) else value

    @field_validator("set_")
    @classmethod
    def _set_patchable(cls, value: dict[str, Expression] | None, info: ValidationInfo) -> dict[str, Expression] | None:
        target = info.data.get("target")
        if value is not None and target in PATCHABLE_FIELDS:
            _patchable(target, list(value))
        return value

    @model_validator(mode="after")
    def _one_operation(self) -> RepairStep:
        chosen = [name for name in _OPERATIONS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise bilingual("langkah perbaikan harus punya tepat satu dari set, scale_down, move_until, shift_dates",
                            "a repair step needs exactly one of set, scale_down, move_until, shift_dates")
        needs = _OPERATIONS[chosen[0]]
        if needs is not None and self.target != needs:
            op = chosen[0]
            raise bilingual(f"{op} hanya untuk target '{needs}', bukan '{self.target}'",
                            f"{op} works on target '{needs}' only, not '{self.target}'")
        if self.target == "proposal" and self.where is not None:
            raise bilingual("target 'proposal' tidak memakai 'where' (hanya satu proposal)",
                            "target 'proposal' takes no 'where' (there is one proposal)")
        return self

    @property
    def operation(self) -> str:
        return next(name for name in _OPERATIONS if getattr(self, name) is not None).rstrip("_")


class Repair(Strict):
    """A change of the proposal's own data that satisfies a rule, described in words."""

    description: Text = Field(default_factory=Text)
    steps: list[RepairStep] = Field(min_length=1)


class Rule(Strict):
    id: str = Field(pattern=RULE_ID_PATTERN)
    title: Text = Field(default_factory=Text)
    group: Group
    severity: Severity | None = None
    derive: str | None = Field(default=None, pattern=NAME_PATTERN)
    when: str = Field(min_length=1)
    evidence: Evidence | None = None
    fields: list[str] = Field(default_factory=list)
    fields_from: str | None = None
    message: Text | None = None
    suggestion: Text | None = None
    reference: str = ""
    effective: Effective | None = None
    repair: list[Repair] = Field(default_factory=list, description="Alternative repairs of the proposal's data")
    action: Text | None = Field(default=None, description="What only the RW can do, when no data change may fix it")

    @model_validator(mode="after")
    def _finding_or_conclusion(self) -> Rule:
        if (self.severity is None) == (self.derive is None):
            raise bilingual("aturan harus punya tepat satu dari 'severity' (temuan) atau 'derive' (kesimpulan)",
                            "a rule needs exactly one of 'severity' (a finding) or 'derive' (a conclusion)")
        if self.severity is not None and (self.message is None or self.suggestion is None):
            raise bilingual("aturan temuan wajib punya 'message' dan 'suggestion'",
                            "a finding rule needs 'message' and 'suggestion'")
        if self.severity is None and (self.repair or self.action is not None):
            raise bilingual("hanya aturan temuan yang punya 'repair' atau 'action'",
                            "only a finding rule has a 'repair' or an 'action'")
        if self.repair and self.action is not None:
            raise bilingual("aturan punya 'repair' (perubahan data) atau 'action' (tindakan RW), tidak keduanya",
                            "a rule has a 'repair' (a change of data) or an 'action' (what the RW does), not both")
        return self

    @property
    def is_finding(self) -> bool:
        return self.severity is not None

    def applies_on(self, day: dt.date) -> bool:
        return self.effective is None or self.effective.covers(day)


class Expectation(Strict):
    verdict: Verdict | None = None
    fires: list[str] = Field(default_factory=list)
    not_fires: list[str] = Field(default_factory=list)


class RuleTestCase(Strict):
    name: str = Field(min_length=1)
    cycle: int | None = Field(default=None, ge=2000, le=2100)
    patch: dict[str, Any] | None = None
    proposal: str | None = None
    expect: Expectation

    @model_validator(mode="after")
    def _patch_or_proposal(self) -> RuleTestCase:
        if self.patch is not None and self.proposal is not None:
            raise bilingual("kasus uji memakai 'patch' atau 'proposal', tidak keduanya",
                            "a test case uses 'patch' or 'proposal', not both")
        return self


class RuleTestFile(Strict):
    base: str | None = None
    cases: list[RuleTestCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _base_for_patches(self) -> RuleTestFile:
        if self.base is None and any(c.proposal is None for c in self.cases):
            raise bilingual("kasus tanpa 'proposal' memerlukan 'base' di berkas uji",
                            "cases without 'proposal' need a 'base' in the test file")
        return self
