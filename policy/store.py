"""The write side of the version store: publishing, rollback, drafts and what-if reports on disk.

A *draft* is any directory in the knowledge-base format. Publishing copies a draft into the
store as a new version with an effective date; the copy is never changed again (files
read-only, every file's hash in the manifest, checked whenever the version is read: see
`knowledge.versions`, the read side). A rollback publishes an earlier version's content as a
new version. What may be published is decided by `policy.gate`; this module keeps the store
consistent: one writer at a time (a file lock), every commit all or nothing.

Layout under the root (the service passes it in from its settings, BERDAYA_KB_STORE):
    <root>/<kb name>/versions/0001/manifest.json   version, effective_from, who, when, why, parent
    <root>/<kb name>/versions/0001/content/...     the knowledge-base files, read-only
    <root>/<kb name>/whatif/<policy hash>.json     what-if reports, found by the publish gate
    <root>/<kb name>/whatif/runs/<run id>.json     each run's own report (a job's result), kept
    <root>/<kb name>/drafts/<draft id>/            drafts uploaded or created through the API
When the store is empty it publishes the shipped versions listed in `knowledge/data/kb/releases.yaml`,
in order: for ppm-cimahi the history version (2018-2025) effective 2018-01-01 and the 2026
programme's version effective 2026-01-01.
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.atomic import write_json_atomic
from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.versions import (
    DEFAULT_KB_NAME,
    SHIPPED_KB,
    Manifest,
    PublishedVersion,
    UnknownVersion,
    VersionStore,
    VersionTampered,
    tree_digests,
    tree_hash,
)
from policy import gate
from policy.edits import EditRecord, relabel
from policy.files import policy_hash, read_kb_files
from policy.reports import WhatIfReport, dump, read_report
from policy.whatif import Item

INITIAL_EFFECTIVE = dt.date(2018, 1, 1)
INITIAL_REASON = "Versi awal yang dikirim bersama Berdaya / initial version shipped with Berdaya"
RELEASES = SHIPPED_KB.parent / "releases.yaml"


@dataclass(frozen=True)
class Release:
    """A version an empty store starts with: shipped content, its effective date and why."""

    content: Path
    effective_from: dt.date
    reason: str


def shipped_releases(kb_name: str, path: Path = RELEASES) -> list[Release]:
    """The shipped versions of `kb_name`, in publishing order (none when it has no entry)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Release(path.parent / str(entry["content"]), dt.date.fromisoformat(str(entry["effective_from"])),
                    " ".join(str(entry["reason"]).split()))
            for entry in data.get(kb_name) or []]

Check = Callable[[Path], list[Problem]]
Stored = Callable[[int, int | None], list[Item]]


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


def _write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        target = root / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:  # e.g. "a" and "a/b" in one bundle
            raise InvalidInput([Problem(rel, f"berkas tidak dapat ditulis ({exc.strerror})",
                                        f"cannot write file ({exc.strerror})")], source="draft bundle") from None


class KBStore(VersionStore):
    """Published versions of one knowledge base (by name) under a store root, with their drafts and reports."""

    def __init__(self, root: str | Path, *, kb_name: str = DEFAULT_KB_NAME, initial: Sequence[Release] | None = None,
                 initial_dir: str | Path | None = None, initial_effective: dt.date = INITIAL_EFFECTIVE):
        """`initial`: the versions an empty store publishes first (default: the shipped releases of
        `kb_name`); `initial_dir`: one directory instead, effective `initial_effective`."""
        super().__init__(root, kb_name=kb_name)
        if initial_dir is not None:
            initial = [Release(Path(initial_dir), initial_effective, INITIAL_REASON)]
        self.initial = list(initial) if initial is not None else shipped_releases(kb_name)

    # -- layout ---------------------------------------------------------------------------
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

    def versions(self) -> list[PublishedVersion]:
        """Every published version, oldest first (an empty store first publishes the shipped versions)."""
        found = self._read_versions()
        if found or not self.initial:
            return found
        with self._locked():
            found = self._read_versions()
            if not found:
                parent = None
                for release in self.initial:
                    parent = self._commit(release.content, effective_from=release.effective_from,
                                          reason=release.reason, by="berdaya", parent=parent, rollback_of=None,
                                          whatif=None, label=None).version
                found = self._read_versions()
        return found

    # -- what-if reports ------------------------------------------------------------------
    def whatif_path(self, report_hash: str) -> Path:
        return self.whatif_dir / f"{report_hash.split(':')[-1]}.json"

    def save_whatif(self, report: WhatIfReport) -> Path:
        """Keep a what-if report under its draft's content hash without the label, where the gate looks."""
        path = self.whatif_path(report.report_hash)
        write_json_atomic(path, dump(report))
        return path

    def save_whatif_run(self, run_id: str, report: WhatIfReport) -> str:
        """Keep a run's report under its own id as well (a later run for the same draft replaces the gate's copy)."""
        if not re.fullmatch(r"[0-9a-z]{1,40}", run_id):
            raise ValueError(f"run id {run_id!r}")
        self.save_whatif(report)
        write_json_atomic(self.whatif_dir / "runs" / f"{run_id}.json", dump(report))
        return f"whatif/runs/{run_id}"

    def find_whatif_run(self, run_id: str) -> WhatIfReport | None:
        path = self.whatif_dir / "runs" / f"{run_id}.json"
        if not re.fullmatch(r"[0-9a-z]{1,40}", run_id) or not path.is_file():
            return None
        return read_report(json.loads(path.read_text(encoding="utf-8")))

    def find_whatif(self, report_hash: str) -> WhatIfReport | None:
        path = self.whatif_path(report_hash)
        if not path.is_file():
            return None
        return read_report(json.loads(path.read_text(encoding="utf-8")))

    def whatif_reports(self) -> list[tuple[str, WhatIfReport]]:
        """Every readable what-if report with its id, newest first (one being written or damaged is left out)."""
        out = []
        for path in sorted(self.whatif_dir.glob("*.json")) if self.whatif_dir.is_dir() else []:
            try:
                report = read_report(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
            if report is not None:
                out.append((path.stem, report))
        return sorted(out, key=lambda r: r[1].created_at, reverse=True)

    # -- publishing -----------------------------------------------------------------------
    def publish(self, draft_dir: str | Path, *, effective_from: dt.date, reason: str, by: str,
                checks: Iterable[Check] = (), latest_completed_cycle: int | None = None,
                now: dt.datetime | None = None, stored: Stored | None = None,
                confirm_changes: bool = False) -> PublishedVersion:
        """Publish a draft as a new version, or raise PublishRefused (nothing changes).

        `checks` are the engine's gates (lint, compile, the draft's own rule tests), each returning
        problems; they run only when the draft's files are readable. `stored(first, last)` gives the
        stored proposals of those cycles (last None: every later one); those whose verdict the
        draft would change refuse the publish unless `confirm_changes`, and are recorded when confirmed.
        """
        draft = Path(draft_dir)
        now = now or dt.datetime.now(dt.UTC)
        cycle = latest_completed_cycle if latest_completed_cycle is not None else now.year - 1
        with self._locked():
            published = self.versions()
            files = read_kb_files(draft)
            problems = gate.draft_problems(files, [(pv.version, read_kb_files(pv.content_dir)) for pv in published],
                                           store_name=self.kb_name)
            problems += gate.date_problems(effective_from, published, reason, by)
            report_hash = policy_hash(draft) if draft.is_dir() else ""
            if report_hash:
                problems += gate.whatif_problems(self.find_whatif(report_hash), report_hash,
                                                 published[-1] if published else None, cycle)
            if not files.problems:
                for check in checks:
                    problems += check(draft)
            changed = []
            if not problems and stored is not None:
                changed = gate.changed_decisions(draft, stored(*gate.affected_cycles(effective_from, published)),
                                                 published, effective_from)
                problems += gate.decision_problems(changed, confirm_changes)
            if problems:
                raise PublishRefused(problems, source=draft.name)
            parent = published[-1].version if published else None
            return self._commit(draft, effective_from=effective_from, reason=reason, by=by, parent=parent,
                                rollback_of=None, whatif=report_hash, label=None, now=now,
                                confirmed=[c.ref for c in changed])

    def rollback(self, version: str, *, effective_from: dt.date, reason: str, by: str,
                 label: str | None = None, now: dt.datetime | None = None) -> PublishedVersion:
        """Publish an earlier version's content again, as a new version with its own label and date."""
        with self._locked():
            published = self.versions()
            source = next((pv for pv in published if pv.version == version), None)
            problems = gate.unpublished_problems(source, version, published)
            if source is not None:
                try:
                    self.verify(source)
                except VersionTampered as exc:
                    problems.extend(exc.problems)
            problems += gate.date_problems(effective_from, published, reason, by)
            new_label = label or f"{version}-r{len(published) + 1}"
            problems += gate.label_problems(new_label, published)
            if problems:
                raise PublishRefused(problems, source=f"{self.kb_name} rollback {version}")
            assert source is not None  # an unknown version is one of the problems above
            return self._commit(source.content_dir, effective_from=effective_from, reason=reason, by=by,
                                parent=published[-1].version, rollback_of=version, whatif=None,
                                label=new_label, now=now)

    def _commit(self, src: Path, *, effective_from: dt.date, reason: str, by: str, parent: str | None,
                rollback_of: str | None, whatif: str | None, label: str | None,
                now: dt.datetime | None = None, confirmed: list[str] | None = None) -> PublishedVersion:
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
                kb_yaml.write_text(relabel(kb_yaml.read_text(encoding="utf-8"), label), encoding="utf-8")
            files = read_kb_files(content)
            digests = tree_digests(content)
            manifest = Manifest(
                seq=seq, version=label or files.version, kb_name=files.name or self.kb_name,
                effective_from=effective_from, published_by=by, published_at=now, reason=reason,
                parent=parent, rollback_of=rollback_of, whatif_report=whatif, confirmed_changes=confirmed or [],
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
    def save_draft(self, files: dict[str, bytes], *, by: str | None = None,
                   check: Callable[[Path], list[Problem]] | None = None) -> tuple[str, Path]:
        """Write an uploaded draft (relative path -> bytes) under drafts/<id>; the id comes from its hash.

        `check` judges the written files before they become a draft: when it finds problems, the
        draft is refused and nothing stays on disk. `by` (a key id) is recorded as its owner.
        """
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
            _write_files(tmp, files)
            found = check(tmp) if check is not None else []
            if found:
                raise InvalidInput(found, source="draft bundle")
            draft_id = tree_hash(tmp).split(":")[-1][:16]
            final = self.drafts_dir / draft_id
            if final.exists():
                shutil.rmtree(tmp)
            else:
                os.rename(tmp, final)
            owner = self.drafts_dir / f"{draft_id}.by"
            if by is not None and not owner.exists():
                owner.write_text(by, encoding="utf-8")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return draft_id, final

    def draft_ids(self, by: str | None = None) -> list[str]:
        """The stored drafts' ids (those `by` uploaded, when given)."""
        if not self.drafts_dir.is_dir():
            return []
        ids = sorted(p.name for p in self.drafts_dir.iterdir() if p.is_dir() and re.fullmatch(r"[0-9a-f]{16}", p.name))
        return ids if by is None else [i for i in ids if self.draft_owner(i) == by]

    def remove_draft(self, draft_id: str) -> None:
        """Delete a draft and its owner record (its what-if reports stay: they are kept by content)."""
        shutil.rmtree(self.draft_path(draft_id))
        (self.drafts_dir / f"{draft_id}.by").unlink(missing_ok=True)

    # -- the edit log of drafts -----------------------------------------------------------
    @property
    def edit_log_path(self) -> Path:
        return self.drafts_dir / "edits.jsonl"

    def record_edit(self, record: EditRecord) -> None:
        """Append one accepted edit (who, when, what, the draft before and after) to the edit log."""
        line = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        with self._locked():
            self.drafts_dir.mkdir(parents=True, exist_ok=True)
            with open(self.edit_log_path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())

    def edit_records(self) -> list[EditRecord]:
        """Every accepted edit of every draft, in the order they were made."""
        if not self.edit_log_path.is_file():
            return []
        return [EditRecord.model_validate_json(line) for line in
                self.edit_log_path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def draft_owner(self, draft_id: str) -> str | None:
        """Who uploaded or made a draft (a key id, as `save_draft` recorded it), if recorded."""
        owner = self.drafts_dir / f"{draft_id}.by"
        return owner.read_text(encoding="utf-8") if owner.is_file() else None

    def edit_history(self, draft_id: str) -> list[EditRecord]:
        """The edits that led to a draft, oldest first: its creation, then each edit of its predecessors."""
        by_after: dict[str, EditRecord] = {}
        for record in self.edit_records():
            by_after.setdefault(record.draft_after, record)
        chain, current, seen = [], draft_id, set()
        while current in by_after and current not in seen:
            seen.add(current)
            record = by_after[current]
            chain.append(record)
            if record.draft_before is None:
                break
            current = record.draft_before
        return list(reversed(chain))

    def draft_path(self, draft_id: str) -> Path:
        path = self.drafts_dir / draft_id
        if not re.fullmatch(r"[0-9a-f]{16}", draft_id) or not path.is_dir():
            raise UnknownVersion(f"draf '{draft_id}' tidak ada", f"draft '{draft_id}' does not exist")
        return path
