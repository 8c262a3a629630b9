"""The read side of the knowledge-base versions: published versions, the one in force, verified by hash.

A published version is a directory under a store root that nobody changes after publishing:
its manifest (version label, effective date, who, when, why) and its content, whose every
file's hash the manifest records. Reading a version checks those hashes (`verify`); the
version in force for cycle Y is the latest published version effective on or before
Y-01-01 (of two effective the same day, the one published later). So each version governs
the cycles from its first (`first_cycle`) until the next version's first, and a version
published later for an earlier cycle is inserted there (`governance`). Publishing,
rollback, drafts and what-if reports are the write side (`policy`).

Layout under the root (the service passes it in from its settings):
    <root>/<kb name>/versions/0001/manifest.json
    <root>/<kb name>/versions/0001/content/...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from knowledge import DATA_DIR
from knowledge.dates import cycle_date
from knowledge.errors import BerdayaError, InvalidInput, Problem

SHIPPED_KB = DATA_DIR / "kb" / "ppm-cimahi"
DEFAULT_KB_NAME = "ppm-cimahi"


# ---- hashing a knowledge-base tree ----------------------------------------------------------

def kb_file_list(root: str | Path) -> list[str]:
    """Relative POSIX paths of the files that make up a knowledge base (hidden files and caches left out)."""
    base = Path(root)
    out = []
    for path in base.rglob("*"):
        rel = path.relative_to(base)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if path.is_file():
            out.append(rel.as_posix())
    return sorted(out)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digests(root: str | Path) -> dict[str, str]:
    base = Path(root)
    return {rel: file_digest(base / rel) for rel in kb_file_list(base)}


def tree_hash(root: str | Path, digests: dict[str, str] | None = None) -> str:
    """A hash of every file's path and bytes: equal hashes mean the same knowledge-base content."""
    digests = tree_digests(root) if digests is None else digests
    h = hashlib.sha256()
    for rel in sorted(digests):
        h.update(rel.encode("utf-8") + b"\0" + digests[rel].encode("ascii") + b"\n")
    return "sha256:" + h.hexdigest()


# ---- published versions ---------------------------------------------------------------------

class Manifest(BaseModel):
    """What is recorded, once, about a published version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    version: str
    kb_name: str
    effective_from: dt.date
    published_by: str
    published_at: dt.datetime
    reason: str
    parent: str | None = None
    rollback_of: str | None = None
    whatif_report: str | None = None
    confirmed_changes: list[str] = []  # stored proposals whose verdict the publisher confirmed would change
    content_hash: str
    files: dict[str, str]


@dataclass(frozen=True)
class PublishedVersion:
    manifest: Manifest
    path: Path

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def effective_from(self) -> dt.date:
        return self.manifest.effective_from

    @property
    def content_hash(self) -> str:
        return self.manifest.content_hash

    @property
    def content_dir(self) -> Path:
        return self.path / "content"

    def summary(self) -> dict[str, Any]:
        """The manifest without the per-file hashes (what the API and `berdaya kb versions` show)."""
        return self.manifest.model_dump(mode="json", exclude={"files"})


@dataclass
class VersionTampered(InvalidInput):
    """A published version's files no longer match the hashes recorded when it was published."""

    def __post_init__(self) -> None:
        BerdayaError.__init__(
            self,
            f"Versi terbit {self.source} telah diubah setelah diterbitkan; versi ini tidak dipakai",
            f"Published version {self.source} was modified after publishing; it is not used",
        )


class UnknownVersion(BerdayaError):
    """No published version has this label, or none is in force on a date."""


def pick_in_force(versions: list[PublishedVersion], date: dt.date, kb_name: str = "") -> PublishedVersion:
    """The latest-effective version on or before `date` (the later publish wins a tie it cannot have)."""
    chosen = None
    for pv in versions:
        if pv.effective_from <= date and (chosen is None or pv.effective_from >= chosen.effective_from):
            chosen = pv
    if chosen is None:
        first = min((v.effective_from for v in versions), default=None)
        raise UnknownVersion(
            f"tidak ada versi {kb_name} yang berlaku pada {date.isoformat()} (pertama {first})",
            f"no version of {kb_name} is in force on {date.isoformat()} (first {first})")
    return chosen


def first_cycle(effective_from: dt.date) -> int:
    """The first cycle a version effective on this date judges (a cycle is judged as of 1 January)."""
    return effective_from.year if effective_from <= cycle_date(effective_from.year) else effective_from.year + 1


class Governs(BaseModel):
    """The cycles one published version governs: `first_cycle` to `last_cycle` (None: until a later one)."""

    model_config = ConfigDict(frozen=True)

    version: str
    effective_from: dt.date
    first_cycle: int
    last_cycle: int | None
    superseded: bool = False  # a version published later for the same cycles governs them instead


def governed_until(first: int, others: list[PublishedVersion]) -> int | None:
    """The last cycle a version starting at `first` governs: the cycle before the next later start."""
    later = [first_cycle(pv.effective_from) for pv in others if first_cycle(pv.effective_from) > first]
    return min(later) - 1 if later else None


def governance(versions: list[PublishedVersion]) -> list[Governs]:
    """Which cycles each version (in publishing order) governs."""
    out = []
    for pv in versions:
        first = first_cycle(pv.effective_from)
        winner = pick_in_force(versions, cycle_date(first))
        out.append(Governs(version=pv.version, effective_from=pv.effective_from, first_cycle=first,
                           last_cycle=governed_until(first, versions), superseded=winner is not pv))
    return out


class VersionStore:
    """The published versions of one knowledge base (by name) under a store root, read-only."""

    def __init__(self, root: str | Path, *, kb_name: str = DEFAULT_KB_NAME):
        self.root = Path(root)
        self.kb_name = kb_name

    @property
    def base(self) -> Path:
        return self.root / self.kb_name

    @property
    def versions_dir(self) -> Path:
        return self.base / "versions"

    def _read_versions(self) -> list[PublishedVersion]:
        out: list[PublishedVersion] = []
        if not self.versions_dir.is_dir():
            return out
        for path in sorted(self.versions_dir.iterdir()):
            if not re.fullmatch(r"\d{4,}", path.name):
                continue
            raw = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            out.append(PublishedVersion(Manifest.model_validate(raw), path))
        return sorted(out, key=lambda v: v.manifest.seq)

    def versions(self) -> list[PublishedVersion]:
        """Every published version, oldest first."""
        return self._read_versions()

    def latest(self) -> PublishedVersion:
        """The version published last (UnknownVersion when none is)."""
        found = self.versions()
        if not found:
            # Named without the store's location: these messages reach API clients.
            raise UnknownVersion(f"belum ada versi {self.kb_name} yang terbit", f"no version of {self.kb_name} is published")
        return found[-1]

    def get(self, version: str, *, verify: bool = True) -> PublishedVersion:
        for pv in self.versions():
            if pv.version == version:
                if verify:
                    self.verify(pv)
                return pv
        known = ", ".join(v.version for v in self.versions()) or "-"
        raise UnknownVersion(f"versi '{version}' dari {self.kb_name} tidak ada (yang ada: {known})",
                             f"version '{version}' of {self.kb_name} does not exist (published: {known})")

    def version_on(self, date: dt.date, *, verify: bool = True) -> PublishedVersion:
        """The version in force on `date`."""
        chosen = pick_in_force(self.versions(), date, self.kb_name)
        if verify:
            self.verify(chosen)
        return chosen

    def version_for_cycle(self, cycle: int, *, verify: bool = True) -> PublishedVersion:
        """The version checks of cycle `cycle` use: latest effective_from on or before Y-01-01."""
        return self.version_on(cycle_date(cycle), verify=verify)

    def verify(self, pv: PublishedVersion) -> PublishedVersion:
        """Recompute every file's hash; raise VersionTampered naming each file that differs."""
        actual = tree_digests(pv.content_dir)
        recorded = pv.manifest.files
        problems = []
        for rel in sorted(set(actual) | set(recorded)):
            where = f"versions/{pv.path.name}/content/{rel}"
            if rel not in actual:
                problems.append(Problem(where, "berkas hilang", "file is missing"))
            elif rel not in recorded:
                problems.append(Problem(where, "berkas ditambahkan setelah terbit", "file was added after publishing"))
            elif actual[rel] != recorded[rel]:
                problems.append(Problem(where, "isi berkas berubah (hash tidak cocok)",
                                        "file content changed (hash mismatch)"))
        if not problems and tree_hash(pv.content_dir, actual) != pv.content_hash:
            problems.append(Problem(f"versions/{pv.path.name}/manifest.json: content_hash",
                                    "hash isi tidak cocok dengan manifes", "content hash does not match the manifest"))
        if problems:
            raise VersionTampered(problems, source=f"{self.kb_name} {pv.version}")
        return pv
