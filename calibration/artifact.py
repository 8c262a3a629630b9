"""Calibration artifacts: immutable JSON files that carry fitted cut points to scoring.

Format:
``{"id": "cal-<index>-<method>-<cycles>-<8 hex>", "index": {"name", "hash"}, "method",
"cycles", "tiers", "cut_points", "cut_intervals", "validation", "created_at", "synthetic"}``.

The 8 hex digits are the start of the SHA-256 of the artifact's content without ``id`` and
``created_at``: the same calibration always gets the same id, and a file whose content no
longer matches its id is refused on loading. Files are written to a temporary file and linked
into place, so nothing half-written appears and an existing file is never replaced.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from calibration.plausibility import plausibility_problems
from knowledge import intake
from knowledge.atomic import create_atomic
from knowledge.errors import InvalidInput, Problem
from knowledge.evaluation import FiniteFloat
from knowledge.indices import IndexDefinition
from knowledge.validation import bilingual, finite_json, plain_texts, problems_from

ID_EXCLUDED = ("id", "created_at")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_texts(value)


class IndexRef(_Strict):
    name: str = Field(min_length=1)
    hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")


class CalibrationArtifact(_Strict):
    """Schema of an artifact; loading validates a file against it."""

    id: str = Field(pattern=r"^cal-[a-z0-9_]+-[a-z]+-[0-9_-]+-[0-9a-f]{8}$")
    index: IndexRef
    method: str = Field(min_length=1)
    cycles: list[int] = Field(min_length=1)
    tiers: list[str] = Field(min_length=2)
    cut_points: list[FiniteFloat]
    cut_intervals: list[tuple[FiniteFloat, FiniteFloat]]
    validation: Annotated[dict[str, Any], AfterValidator(finite_json)]
    created_at: str
    synthetic: bool

    @model_validator(mode="after")
    def _consistent(self) -> CalibrationArtifact:
        if len(self.cut_points) != len(self.tiers) - 1:
            raise bilingual(f"perlu {len(self.tiers) - 1} titik potong untuk {len(self.tiers)} tingkat",
                            f"{len(self.tiers) - 1} cut points are needed for {len(self.tiers)} tiers")
        if any(b <= a for a, b in zip(self.cut_points, self.cut_points[1:])):
            raise bilingual("titik potong harus naik tegas", "cut points must be strictly increasing")
        if len(self.cut_intervals) != len(self.cut_points):
            raise bilingual("setiap titik potong perlu satu selang", "each cut point needs one interval")
        if any(lo > hi for lo, hi in self.cut_intervals):
            raise bilingual("batas bawah selang melebihi batas atas", "an interval's lower end exceeds its upper end")
        return self


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_digest(artifact: dict[str, Any]) -> str:
    """SHA-256 (hex) of the artifact without its id and creation time."""
    body = {k: v for k, v in artifact.items() if k not in ID_EXCLUDED}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def cycles_label(cycles: list[int]) -> str:
    cycles = sorted(cycles)
    if cycles == list(range(cycles[0], cycles[-1] + 1)):
        return f"{cycles[0]}-{cycles[-1]}" if len(cycles) > 1 else str(cycles[0])
    return "_".join(str(c) for c in cycles)


def build_artifact(*, index_name: str, index_hash: str, method: str, cycles: list[int], tiers: list[str],
                   cut_points: list[float], cut_intervals: list[list[float]], validation: dict[str, Any],
                   synthetic: bool, created_at: datetime | None = None) -> dict[str, Any]:
    """A complete artifact dict, its id derived from its content; validated against the schema."""
    moment = (created_at or datetime.now(UTC)).astimezone(UTC)
    body = {
        "index": {"name": index_name, "hash": index_hash},
        "method": method,
        "cycles": sorted(int(c) for c in cycles),
        "tiers": list(tiers),
        "cut_points": [float(c) for c in cut_points],
        "cut_intervals": [[float(lo), float(hi)] for lo, hi in cut_intervals],
        "validation": json.loads(json.dumps(validation)),  # plain JSON types only
        "synthetic": bool(synthetic),
    }
    ident = f"cal-{index_name}-{method}-{cycles_label(body['cycles'])}-{content_digest(body)[:8]}"
    artifact = {"id": ident, **body, "created_at": moment.isoformat(timespec="seconds").replace("+00:00", "Z")}
    _validated(artifact, source="artifact")
    return artifact


def _validated(data: Any, source: str) -> CalibrationArtifact:
    if not isinstance(data, dict):
        raise InvalidInput([Problem("", "artefak kalibrasi harus berupa objek JSON",
                                    "a calibration artifact must be a JSON object")], source=source)
    try:
        return CalibrationArtifact.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc), source=source) from None


def dumps(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, ensure_ascii=False, indent=2) + "\n"


def write_artifact(artifact: dict[str, Any], path: str | Path) -> str:
    """Write an artifact atomically; never replace an existing file with different content.

    Returns "written", or "exists" when the file already holds this calibration (same id);
    a file holding anything else is refused with InvalidInput and left untouched.
    """
    _validated(artifact, source=str(path))
    target = Path(path)
    # No overwrite, even in a race: created only if absent, else compared with what is there.
    if create_atomic(target, dumps(artifact)):
        return "written"
    return _existing(target, artifact)


def _existing(target: Path, artifact: dict[str, Any]) -> str:
    try:
        present = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        present = None
    if isinstance(present, dict) and present.get("id") == artifact["id"]:
        return "exists"
    raise InvalidInput([Problem(
        str(target),
        "berkas sudah ada dengan isi lain; artefak kalibrasi tidak pernah ditimpa, pilih nama lain",
        "the file exists with other content; calibration artifacts are never overwritten, choose another name")])


def load_artifact(path: str | Path, limits: intake.ReadLimits = intake.ReadLimits()) -> dict[str, Any]:
    """Read an artifact, check it against the schema and check its id against its content."""
    p = Path(path)
    data = intake.read_json(intake.read_file(p, limits), limits, source=str(p))
    _validated(data, source=str(p))
    if not data["id"].endswith(content_digest(data)[:8]):
        raise InvalidInput([Problem(f"{p}:id", "isi artefak tidak cocok dengan id-nya (berkas diubah?)",
                                    "the artifact's content does not match its id (was the file edited?)")],
                           source=str(p))
    artifact: dict[str, Any] = data
    return artifact


def check_for_definition(artifact: dict[str, Any], definition: IndexDefinition) -> None:
    """Refuse an artifact fitted for another index definition (name, content hash or tiers), or one that is
    implausible for it (`calibration.plausibility`: cut points off its scale, validation figures that its
    own confusion matrices contradict)."""
    problems = []
    if artifact["index"]["name"] != definition.name:
        problems.append(Problem("index.name", f"artefak untuk indeks '{artifact['index']['name']}', bukan '{definition.name}'",
                                f"artifact is for index '{artifact['index']['name']}', not '{definition.name}'"))
    if artifact["index"]["hash"] != definition.content_hash():
        problems.append(Problem(
            "index.hash", "artefak dikalibrasi untuk versi lain definisi indeks (hash isi berbeda); kalibrasi ulang",
            "the artifact was calibrated for another version of the index definition (content hash differs); recalibrate"))
    if list(artifact["tiers"]) != list(definition.tier_ids):
        problems.append(Problem("tiers", "tingkat artefak berbeda dengan tingkat definisi",
                                "the artifact's tiers differ from the definition's tiers"))
    else:
        problems += plausibility_problems(artifact, definition)
    if problems:
        raise InvalidInput(problems, source=artifact.get("id", ""))
