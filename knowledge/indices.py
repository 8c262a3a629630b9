"""Index definitions as data: the schema of `knowledge/data/indices/*.yaml` and its loader.

An index definition says which indicators an index reads, how each is normalised
(goalposts, capping, direction, transform), how indicators aggregate into dimensions and
dimensions into the index, the Alkire–Foster counting rule, the missing-data policy and the
ordered tiers with their cut points. The scoring engine holds only the mechanisms; every
number comes from here, each with its source and status (verified | assumed).

`load_index_definition("ppm")` loads a shipped definition; a path loads any other file.
Errors name the file and the field (`indicators[3].goalposts.high`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge import DATA_DIR, intake
from knowledge.errors import InvalidInput, Problem
from knowledge.indices_checks import semantic_problems
from knowledge.validation import bilingual, problems_from

INDICES_DIR = DATA_DIR / "indices"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Bahasa Indonesia and English."""

    id: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Sourced(_Strict):
    """Where a value comes from; an assumed value says what it was modelled on."""

    source: str = Field(min_length=1)
    status: Literal["verified", "assumed"]
    modelled_on: str | None = None

    @model_validator(mode="after")
    def _assumed_says_model(self) -> Sourced:
        if self.status == "assumed" and not (self.modelled_on or "").strip():
            raise bilingual("nilai berstatus assumed wajib mengisi modelled_on",
                            "a value with status assumed must say what it was modelled_on")
        return self


class ValidRange(_Strict):
    """Values an evaluator may record; anything outside is an input error. None = unbounded."""

    min: float | None = None
    max: float | None = None


class Goalposts(_Strict):
    """Raw values mapped to 0 and 1; `cap` clips normalised values to [0, 1]."""

    low: float
    high: float
    cap: bool = True


class Indicator(Sourced):
    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    definition: Text
    unit: str = Field(min_length=1)
    direction: Literal["positive", "negative"] = "positive"
    valid_range: ValidRange
    transform: Literal["none", "log"] = "none"
    goalposts: Goalposts
    weight: float = Field(ge=0)
    dimension: str
    adequacy_cutoff: float | None = None
    required: bool = True


class Dimension(Sourced):
    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    weight: float = Field(ge=0)
    aggregation: Literal["arithmetic", "geometric"] = "arithmetic"
    grounding: str | None = None


class Aggregation(Sourced):
    method: Literal["arithmetic", "geometric"] = "arithmetic"


class Counting(Sourced):
    """Alkire–Foster: adequate if at/above its cutoff; empowered if weighted adequacy >= k."""

    k: float = Field(gt=0, le=1)


class MissingData(Sourced):
    """Units with fewer observed indicators than `min_available_share` are not scored.

    The rest are imputed in the order given; every imputed value is flagged; a value that
    no method can fill leaves the unit unscored (never a silent zero).
    """

    min_available_share: float = Field(ge=0, le=1)
    imputation: list[Literal["previous_cycle", "group_mean"]] = Field(default_factory=list)
    group_columns: list[str] = Field(default_factory=list)


class Tier(_Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    description: Text | None = None


class CutPoint(Sourced):
    value: float


class Borderline(Sourced):
    distance: float = Field(ge=0)


class Precision(Sourced):
    """The decimals a publisher rounds the index to before assigning tiers (UNDP: HDI to 3)."""

    decimals: int = Field(ge=0, le=12)


class Tiers(_Strict):
    """Ordered tiers, lowest first. A unit passes cut c when score > c (rule '>') or >= c.

    With `precision`, the score is rounded to that many decimals first, as its publisher
    publishes it, and the tier is assigned on the rounded value.
    """

    levels: list[Tier] = Field(min_length=2)
    cut_rule: Literal[">", ">="]
    cuts_from: Literal["definition", "calibration"]
    cut_points: list[CutPoint]
    borderline: Borderline
    precision: Precision | None = None


class IndexDefinition(_Strict):
    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(min_length=1)
    title: Text
    description: Text
    synthetic: bool = False
    id_columns: list[str] = Field(min_length=1)
    cycle_column: str | None = None
    references: list[str] = Field(default_factory=list)
    indicators: list[Indicator] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)
    aggregation: Aggregation
    counting: Counting | None = None
    missing_data: MissingData
    tiers: Tiers

    # -- lookups ---------------------------------------------------------------------------
    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    @property
    def tier_ids(self) -> list[str]:
        return [t.id for t in self.tiers.levels]

    def score_scale(self) -> tuple[float, float] | None:
        """The range every score falls in: 0..1 when every indicator is capped at its goalposts (means
        and weighted adequacy of values in 0..1 stay there); None when an uncapped indicator can leave it."""
        if all(i.goalposts.cap for i in self.indicators):
            return (0.0, 1.0)
        return None

    @property
    def fallback_cuts(self) -> list[float]:
        return [c.value for c in self.tiers.cut_points]

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def canonical_json(self) -> str:
        """Sorted keys, no whitespace, UTF-8: the text the content hash is taken of."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False)

    def content_hash(self) -> str:
        """`sha256:<hex>` of the canonical JSON; calibration artifacts record it."""
        digest = hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()
        return f"sha256:{digest}"


def available_indices() -> list[str]:
    return sorted(p.stem for p in INDICES_DIR.glob("*.yaml"))


def parse_index_definition(data: Any, source: str = "") -> IndexDefinition:
    """Validate a mapping as an index definition: schema first, then cross-field checks."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem("", "definisi indeks harus berupa objek",
                                    "an index definition must be an object")], source=source)
    try:
        definition = IndexDefinition.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc), source=source) from None
    problems = semantic_problems(definition)
    if problems:
        raise InvalidInput(problems, source=source)
    return definition


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    looks_like_path = isinstance(name_or_path, Path) or "/" in text or text.endswith(
        (".yaml", ".yml", ".json"))
    if looks_like_path:
        return Path(name_or_path)
    path = INDICES_DIR / f"{text}.yaml"
    if not path.exists():
        names = ", ".join(available_indices())
        raise InvalidInput([Problem("index", f"indeks '{text}' tidak dikenal; yang tersedia: {names}",
                                    f"unknown index '{text}'; available: {names}")])
    return path


def load_index_definition(name_or_path: str | Path) -> IndexDefinition:
    """A shipped definition by name (`ppm`, `idm`, `hdi`) or any definition file (YAML/JSON)."""
    path = _resolve(name_or_path)
    limits = intake.ReadLimits()
    data = intake.read_text_document(intake.read_file(path, limits), limits, source=str(path))
    return parse_index_definition(data, source=str(path))
