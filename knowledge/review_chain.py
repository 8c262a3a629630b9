"""The review chain: the stages a submitted proposal passes, in order, and whose keys decide at each.

The chain is data (`knowledge/data/review/chain.yaml`), so a city sets its own; this module only
reads and validates it. A stage's scope says which reviewers decide there: those of the
proposal's kelurahan, of its kecamatan, or city-wide ones (the dinas).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge import intake

CHAIN_FILE = Path(__file__).parent / "data" / "review" / "chain.yaml"


class Scope(StrEnum):
    """The region a reviewer's key covers."""

    KELURAHAN = "kelurahan"
    KECAMATAN = "kecamatan"
    CITY = "city"


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Stage(BaseModel):
    """One stage of the chain: its id, who decides there, its name in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Scope
    name: Words


class ReviewChain(BaseModel):
    """The stages in order, with the source of the chain and whether it is verified."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    status: Literal["verified", "assumed"]
    note: str = ""
    stages: tuple[Stage, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ReviewChain:
        ids = [stage.id for stage in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError(f"stage ids repeat: {ids}")
        return self

    def stage(self, index: int) -> Stage:
        return self.stages[index]

    @property
    def last(self) -> int:
        return len(self.stages) - 1


def load_review_chain(path: str | Path | None = None) -> ReviewChain:
    """The chain in `path`, or the shipped one (read once per process)."""
    return _load(str(path or CHAIN_FILE))


@lru_cache(maxsize=4)
def _load(path: str) -> ReviewChain:
    limits = intake.ReadLimits()
    return ReviewChain.model_validate(intake.read_yaml(intake.read_file(path, limits), limits, source=path))
