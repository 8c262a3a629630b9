"""Generation settings for synthetic data, read from `knowledge/data/synthetic/`.

Three files: `problems.yaml` (the seeded problem types and the rule group meant to catch
each), `settings.yaml` (shares, ranges, hidden cut points: generation settings, not policy)
and `items.yaml` (the catalogue of activities and RAB items). They are read once per
process; nothing here is a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import DATA_DIR

SYNTHETIC_DIR = DATA_DIR / "synthetic"


@dataclass(frozen=True)
class ProblemType:
    """A problem the generator can seed, and the knowledge-base rule group that must catch it."""

    name: str
    group: str
    description_id: str
    description_en: str


@dataclass(frozen=True)
class Category:
    """A catalogue entry: activity names and RAB items for one knowledge-base category id."""

    id: str
    weight: float
    short: str
    names: tuple[str, ...]
    items: tuple[dict[str, Any], ...]
    filler: dict[str, Any]
    public_building: bool

    @property
    def infrastructure(self) -> bool:
        return self.id.startswith("sarana_prasarana.")


@dataclass(frozen=True)
class Settings:
    """Everything the generator reads: problems, raw settings, catalogue."""

    problems: dict[str, ProblemType]
    raw: dict[str, Any]
    catalogue: dict[str, Any]
    categories: dict[str, Category]

    @property
    def proposal(self) -> dict[str, Any]:
        result: dict[str, Any] = self.raw["proposal"]
        return result

    @property
    def details(self) -> dict[str, Any]:
        result: dict[str, Any] = self.raw["problem_details"]
        return result

    @property
    def evaluation(self) -> dict[str, Any]:
        result: dict[str, Any] = self.raw["evaluation"]
        return result

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(self.evaluation["tiers"])

    @property
    def hidden_cut_points(self) -> tuple[float, ...]:
        return tuple(float(c) for c in self.evaluation["hidden_cut_points"])

    @property
    def indicators(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.evaluation["indicators"]
        return result

    @property
    def default_cycles(self) -> range:
        c = self.raw["cycles"]
        return range(int(c["first"]), int(c["last"]) + 1)

    def group(self, prefix: str) -> list[Category]:
        return [c for c in self.categories.values() if c.id.startswith(prefix)]


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        result: dict[str, Any] = yaml.safe_load(fh)
        return result


def parse_settings(problems: dict[str, Any], raw: dict[str, Any], catalogue: dict[str, Any]) -> Settings:
    kinds = {
        name: ProblemType(name, spec["group"], spec["description"]["id"], spec["description"]["en"])
        for name, spec in problems["problems"].items()
    }
    cats = {
        cid: Category(
            id=cid,
            weight=float(spec["weight"]),
            short=spec["short"],
            names=tuple(spec["names"]),
            items=tuple(spec["items"]),
            filler=spec["filler"],
            public_building=bool(spec.get("public_building", False)),
        )
        for cid, spec in catalogue["categories"].items()
    }
    return Settings(kinds, raw, catalogue, cats)


@lru_cache(maxsize=4)
def _load(directory: str) -> Settings:
    d = Path(directory)
    return parse_settings(_read(d / "problems.yaml"), _read(d / "settings.yaml"), _read(d / "items.yaml"))


def load_settings(directory: str | Path | None = None) -> Settings:
    """The generation settings (default: the shipped `knowledge/data/synthetic/`)."""
    return _load(str(Path(directory or SYNTHETIC_DIR).resolve()))


def problem_types() -> dict[str, ProblemType]:
    """Seeded problem type -> ProblemType (with the rule group expected to catch it)."""
    return dict(load_settings().problems)
