"""The store of published knowledge-base versions: immutable, dated, hashed, with who/when/why.

A *draft* is any directory in the knowledge-base format. Publishing copies a draft into the
store as a new version with an effective date; the copy is never changed again (files
read-only, every file's hash in the manifest and checked whenever the version is opened).
The version in force for cycle Y is the latest published version whose `effective_from` is on
or before Y-01-01. A rollback publishes an earlier version's content as a new version.

Layout (root from BERDAYA_KB_STORE, default var/kb-store):
    <root>/<kb name>/versions/0001/manifest.json   version, effective_from, who, when, why, parent
    <root>/<kb name>/versions/0001/content/...     the knowledge-base files, read-only
    <root>/<kb name>/whatif/<draft hash>.json      what-if reports, found by the publish gate
    <root>/<kb name>/drafts/<draft id>/            drafts uploaded through the API
When the store is empty the shipped knowledge base becomes version 1, effective 2018-01-01.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from knowledge import DATA_DIR
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.kb_files import read_kb_files, tree_digests, tree_hash
from knowledge.kb_gate import draft_problems

DEFAULT_STORE = Path("var") / "kb-store"
SHIPPED_KB = DATA_DIR / "kb" / "ppm-cimahi"
DEFAULT_KB_NAME = "ppm-cimahi"
INITIAL_EFFECTIVE = dt.date(2018, 1, 1)
INITIAL_REASON = "Versi awal yang dikirim bersama Berdaya / initial version shipped with Berdaya"

Check = Callable[[Path], list[Problem]]


def store_root(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("BERDAYA_KB_STORE") or DEFAULT_STORE)


def cycle_date(cycle: int) -> dt.date:
    return dt.date(int(cycle), 1, 1)


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
        m = self.manifest.model_dump(mode="json", exclude={"files"})
        return m


@dataclass
class PublishRefused(InvalidInput):
    """A publish or rollback was refused; `problems` names each file, field and reason. Nothing changed."""

    def __post_init__(self) -> None:
        n = len(self.problems)
        BerdayaError.__init__(
            self,
            f"Penerbitan ditolak ({self.source}): {n} masalah; tidak ada yang diubah",
            f"Publish refused ({self.source}): {n} problem(s); nothing was changed",
        )


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


def _make_read_only(root: Path) -> None:
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        mode = 0o444 if path.is_file() else 0o555
        os.chmod(path, mode)
    os.chmod(root, 0o555)


def _make_writable(root: Path) -> None:
    if not root.exists():
        return
    os.chmod(root, 0o755)
    for path in root.rglob("*"):
        os.chmod(path, 0o644 if path.is_file() else 0o755)


def _copy_kb(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".*", "__pycache__"))


def _write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    os.replace(tmp, path)


_VERSION_LINE = re.compile(r"^version:.*$", re.MULTILINE)


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


class KBStore:
    """Published versions of one knowledge base (by name) under a store root."""

    def __init__(self, root: str | Path | None = None, *, kb_name: str = DEFAULT_KB_NAME,
                 initial_dir: str | Path | None = SHIPPED_KB, initial_effective: dt.date = INITIAL_EFFECTIVE):
        self.root = store_root(root)
        self.kb_name = kb_name
        self.initial_dir = Path(initial_dir) if initial_dir is not None else None
        self.initial_effective = initial_effective

    # -- layout ---------------------------------------------------------------------------
    @property
    def base(self) -> Path:
        return self.root / self.kb_name

    @property
    def versions_dir(self) -> Path:
        return self.base / "versions"

    @property
    def whatif_dir(self) -> Path:
        return self.base / "whatif"

    @property
    def drafts_dir(self) -> Path:
        return self.base / "drafts"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.base / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- reading --------------------------------------------------------------------------
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
        """Every published version, oldest first (the shipped knowledge base becomes version 1 if none)."""
        found = self._read_versions()
        if found or self.initial_dir is None:
            return found
        with self._locked():
            found = self._read_versions()
            if not found:
                self._commit(self.initial_dir, effective_from=self.initial_effective, reason=INITIAL_REASON,
                             by="berdaya", parent=None, rollback_of=None, whatif=None, label=None)
                found = self._read_versions()
        return found

    def latest(self) -> PublishedVersion | None:
        found = self.versions()
        return found[-1] if found else None

    def get(self, version: str, *, verify: bool = True) -> PublishedVersion:
        for pv in self.versions():
            if pv.version == version:
                if verify:
                    self.verify(pv)
                return pv
        known = ", ".join(v.version for v in self.versions()) or "-"
        raise UnknownVersion(f"versi '{version}' tidak ada di {self.base} (yang ada: {known})",
                             f"version '{version}' is not in {self.base} (published: {known})")

    def in_force_on(self, date: dt.date, *, verify: bool = True) -> PublishedVersion:
        chosen = pick_in_force(self.versions(), date, self.kb_name)
        if verify:
            self.verify(chosen)
        return chosen

    def in_force(self, cycle: int, *, verify: bool = True) -> PublishedVersion:
        """The version checks of cycle `cycle` use: latest effective_from on or before Y-01-01."""
        return self.in_force_on(cycle_date(cycle), verify=verify)

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

    # -- what-if reports ------------------------------------------------------------------
    def whatif_path(self, content_hash: str) -> Path:
        return self.whatif_dir / f"{content_hash.split(':')[-1]}.json"

    def save_whatif(self, report: dict[str, Any]) -> Path:
        """Keep a what-if report under its draft's content hash, where the publish gate looks."""
        path = self.whatif_path(report["draft"]["content_hash"])
        _write_json_atomic(path, report)
        return path

    def find_whatif(self, content_hash: str) -> dict[str, Any] | None:
        path = self.whatif_path(content_hash)
        if not path.is_file():
            return None
        result: dict[str, Any] | None = json.loads(path.read_text(encoding="utf-8"))
        return result

    # -- publishing -----------------------------------------------------------------------
    def publish(self, draft_dir: str | Path, *, effective_from: dt.date, reason: str, by: str,
                checks: Iterable[Check] = (), latest_completed_cycle: int | None = None,
                now: dt.datetime | None = None) -> PublishedVersion:
        """Publish a draft as a new version, or raise PublishRefused (nothing changes).

        `checks` are the engine's gates (lint, the draft's own rule tests), each returning problems;
        they run only when the draft's files are readable.
        """
        draft = Path(draft_dir)
        now = now or dt.datetime.now(dt.UTC)
        cycle = latest_completed_cycle if latest_completed_cycle is not None else now.year - 1
        with self._locked():
            published = self.versions()
            files = read_kb_files(draft)
            problems = draft_problems(files, [(pv.version, read_kb_files(pv.content_dir)) for pv in published],
                                      store_name=self.kb_name)
            problems += self._date_problems(effective_from, published, reason, by)
            report_hash = tree_hash(draft) if draft.is_dir() else ""
            problems += self._whatif_problems(report_hash, published[-1] if published else None, cycle)
            if not files.problems:
                for check in checks:
                    problems += check(draft)
            if problems:
                raise PublishRefused(problems, source=str(draft))
            parent = published[-1].version if published else None
            return self._commit(draft, effective_from=effective_from, reason=reason, by=by, parent=parent,
                                rollback_of=None, whatif=report_hash, label=None, now=now)

    def rollback(self, version: str, *, effective_from: dt.date, reason: str, by: str,
                 label: str | None = None, now: dt.datetime | None = None) -> PublishedVersion:
        """Publish an earlier version's content again, as a new version with its own label and date."""
        with self._locked():
            published = self.versions()
            source = next((pv for pv in published if pv.version == version), None)
            problems = []
            if source is None:
                known = ", ".join(v.version for v in published)
                problems.append(Problem("version", f"versi '{version}' belum pernah diterbitkan (yang ada: {known})",
                                        f"version '{version}' was never published (published: {known})"))
            else:
                try:
                    self.verify(source)
                except VersionTampered as exc:
                    problems.extend(exc.problems)
            problems += self._date_problems(effective_from, published, reason, by)
            new_label = label or f"{version}-r{len(published) + 1}"
            if any(pv.version == new_label for pv in published):
                problems.append(Problem("label", f"versi '{new_label}' sudah diterbitkan",
                                        f"version '{new_label}' is already published"))
            if problems:
                raise PublishRefused(problems, source=f"{self.kb_name} rollback {version}")
            assert source is not None  # an unknown version is one of the problems above
            return self._commit(source.content_dir, effective_from=effective_from, reason=reason, by=by,
                                parent=published[-1].version, rollback_of=version, whatif=None,
                                label=new_label, now=now)

    def _date_problems(self, effective_from: Any, published: list[PublishedVersion], reason: str,
                       by: str) -> list[Problem]:
        problems = []
        if not isinstance(effective_from, dt.date):
            return [Problem("effective_from", "harus tanggal ISO (YYYY-MM-DD)", "must be an ISO date (YYYY-MM-DD)")]
        latest = max((pv.effective_from for pv in published), default=None)
        if latest is not None and effective_from <= latest:
            holder = next(pv.version for pv in published if pv.effective_from == latest)
            problems.append(Problem(
                "effective_from",
                f"tanggal berlaku {effective_from.isoformat()} tidak sesudah tanggal berlaku versi terbit "
                f"{holder} ({latest.isoformat()}); siklus yang sudah diatur versi itu tidak boleh diubah",
                f"effective date {effective_from.isoformat()} is not after the effective date of published "
                f"version {holder} ({latest.isoformat()}); cycles already governed by it must not change"))
        if not (reason or "").strip():
            problems.append(Problem("reason", "alasan penerbitan wajib diisi", "a reason for publishing is required"))
        if not (by or "").strip():
            problems.append(Problem("by", "nama penerbit wajib diisi", "the publisher's name is required"))
        return problems

    def _whatif_problems(self, content_hash: str, latest: PublishedVersion | None, cycle: int) -> list[Problem]:
        if not content_hash:
            return []
        where = f"whatif/{content_hash.split(':')[-1]}.json"
        report = self.find_whatif(content_hash)
        if report is None:
            return [Problem(where, f"belum ada laporan what-if untuk isi draf ini ({content_hash[:19]}…); "
                                   f"jalankan simulasi terhadap siklus {cycle} dulu",
                            f"no what-if report for this draft content ({content_hash[:19]}…); "
                            f"simulate it against cycle {cycle} first")]
        problems = []
        if cycle not in report.get("cycles", []):
            problems.append(Problem(f"{where}: cycles",
                                    f"laporan what-if tidak mencakup siklus selesai terakhir {cycle}",
                                    f"the what-if report does not cover the latest completed cycle {cycle}"))
        baseline = (report.get("baseline") or {}).get("version")
        if latest is not None and baseline != latest.version:
            problems.append(Problem(f"{where}: baseline.version",
                                    f"laporan what-if dibandingkan dengan versi {baseline}, bukan versi terbit "
                                    f"terakhir {latest.version}; jalankan simulasi lagi",
                                    f"the what-if report compared against version {baseline}, not the latest "
                                    f"published version {latest.version}; simulate again"))
        return problems

    def _commit(self, src: Path, *, effective_from: dt.date, reason: str, by: str, parent: str | None,
                rollback_of: str | None, whatif: str | None, label: str | None,
                now: dt.datetime | None = None) -> PublishedVersion:
        """Copy content into a temporary directory, seal it, then rename it into place (all or nothing)."""
        now = now or dt.datetime.now(dt.UTC)
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        seq = max((pv.manifest.seq for pv in self._read_versions()), default=0) + 1
        tmp = Path(tempfile.mkdtemp(dir=self.versions_dir, prefix=".tmp-"))
        try:
            content = tmp / "content"
            _copy_kb(Path(src), content)
            if label is not None:
                kb_yaml = content / "kb.yaml"
                os.chmod(kb_yaml, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
                text = kb_yaml.read_text(encoding="utf-8")
                line = f'version: "{label}"'
                text = _VERSION_LINE.sub(line, text, count=1) if _VERSION_LINE.search(text) else f"{text}\n{line}\n"
                kb_yaml.write_text(text, encoding="utf-8")
            files = read_kb_files(content)
            digests = tree_digests(content)
            manifest = Manifest(
                seq=seq, version=label or files.version, kb_name=files.name or self.kb_name,
                effective_from=effective_from, published_by=by, published_at=now, reason=reason,
                parent=parent, rollback_of=rollback_of, whatif_report=whatif,
                content_hash=tree_hash(content, digests), files=digests)
            (tmp / "manifest.json").write_text(
                json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=1, sort_keys=True),
                encoding="utf-8")
            _make_read_only(content)
            os.chmod(tmp / "manifest.json", 0o444)
            final = self.versions_dir / f"{seq:04d}"
            os.rename(tmp, final)
            os.chmod(final, 0o555)
        except BaseException:
            _make_writable(tmp)
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return PublishedVersion(manifest, final)

    # -- drafts uploaded through the API --------------------------------------------------
    def save_draft(self, files: dict[str, bytes]) -> tuple[str, Path]:
        """Write an uploaded draft (relative path -> bytes) under drafts/<id>; the id comes from its hash."""
        problems = []
        for rel in files:
            parts = Path(rel).parts
            if rel.startswith("/") or ".." in parts or not parts or "\x00" in rel or len(rel) > 255:
                problems.append(Problem(rel, "jalur berkas tidak sah dalam bundel", "invalid file path in bundle"))
        if "kb.yaml" not in files:
            problems.append(Problem("kb.yaml", "bundel draf harus memuat kb.yaml", "a draft bundle must contain kb.yaml"))
        if problems:
            raise InvalidInput(problems, source="draft bundle")
        self.drafts_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self.drafts_dir, prefix=".tmp-"))
        try:
            for rel, data in files.items():
                target = tmp / rel
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                except OSError as exc:  # e.g. "a" and "a/b" in one bundle
                    raise InvalidInput([Problem(rel, f"berkas tidak dapat ditulis ({exc.strerror})",
                                                f"cannot write file ({exc.strerror})")], source="draft bundle") from None
            draft_id = tree_hash(tmp).split(":")[-1][:16]
            final = self.drafts_dir / draft_id
            if final.exists():
                shutil.rmtree(tmp)
            else:
                os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return draft_id, final

    def draft_path(self, draft_id: str) -> Path:
        path = self.drafts_dir / draft_id
        if not re.fullmatch(r"[0-9a-f]{16}", draft_id) or not path.is_dir():
            raise UnknownVersion(f"draf '{draft_id}' tidak ada", f"draft '{draft_id}' does not exist")
        return path
