"""Drafts of a knowledge base and what policy staff do with them: create, edit, diff, simulate, publish, roll back.

A draft is a knowledge-base directory in the store (`drafts/<id>`), its id taken from its
content: an edit makes a new draft, and the draft a what-if report was made for can always
be found again. The API, the CLI and the pages call these functions and only translate.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.versions import PublishedVersion, tree_hash
from policy.diff import diff_kb
from policy.edits import Edit, EditRecord, apply_edit, new_problems, relabel
from policy.files import policy_hash, read_kb_files, require_clean
from policy.gate import (
    affected_cycles,
    changed_decisions,
    draft_problems,
    engine_gate,
    last_cycle_to_compile,
    upload_problems,
)
from policy.reports import ChangedProposal, WhatIfReport
from policy.store import KBStore, Stored
from policy.whatif import Item, Progress, simulate, synthetic_items


class DraftInfo(BaseModel):
    """A draft as listed: its id, label and hashes, how many files, and what is wrong with its structure."""

    draft_id: str
    version: str | None
    content_hash: str
    policy_hash: str = Field(description="Content hash without the version label (what a what-if report is for)")
    files: int
    problems: list[dict[str, str]] = Field(default_factory=list)


def draft_info(store: KBStore, draft_id: str) -> DraftInfo:
    path = store.draft_path(draft_id)
    files = read_kb_files(path)
    return DraftInfo(draft_id=draft_id, version=files.version, content_hash=tree_hash(path),
                     policy_hash=policy_hash(path), files=len([p for p in path.rglob("*") if p.is_file()]),
                     problems=[p.as_dict() for p in files.problems])


class OpenDraft(BaseModel):
    """A draft still being worked on: the latest of its chain of edits (no later edit was made from it)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "draft_id": "9b1c0d2e3f4a5b6c", "version": "2026.1", "by": "policy:k1",
        "last_change": "2026-12-02T09:00:00Z", "edits": 2}]})

    draft_id: str
    version: str | None
    by: str | None = Field(description="Who made it (role:key id), if recorded")
    last_change: dt.datetime | None = Field(description="When its last edit was accepted (None: uploaded, never edited)")
    edits: int = Field(description="Edits in its history")
    created_from: str | None = Field(default=None, description="The published version it was copied from (None: uploaded)")


def open_drafts(store: KBStore) -> list[OpenDraft]:
    """The drafts nobody has edited further, the most recently changed first; a closed page loses none of them."""
    ids = store.draft_ids()
    records = store.edit_records()
    present = set(ids)
    superseded = {r.draft_before for r in records if r.draft_after in present and r.draft_after != r.draft_before}
    last: dict[str, dt.datetime] = {}
    for record in records:
        last[record.draft_after] = record.at
    heads = []
    for draft_id in ids:
        if draft_id in superseded:
            continue
        history = store.edit_history(draft_id)
        heads.append(OpenDraft(draft_id=draft_id, version=read_kb_files(store.draft_path(draft_id)).version,
                               by=store.draft_owner(draft_id) or (history[-1].by if history else None),
                               last_change=last.get(draft_id), edits=sum(1 for r in history if r.edits),
                               created_from=next((r.created_from for r in history if r.created_from), None)))
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(heads, key=lambda d: (d.last_change or oldest, d.draft_id), reverse=True)


class DraftQuota(BaseModel):
    """How many drafts the store keeps, per uploader (a key id) and in all; the service's settings fill it."""

    per_key: int = Field(default=20, ge=1)
    total: int = Field(default=200, ge=1)


class DraftQuotaExceeded(BerdayaError):
    """The store already keeps as many drafts as allowed; a draft must be deleted first."""


def _check_quota(store: KBStore, by: str | None, quota: DraftQuota) -> None:
    if len(store.draft_ids()) >= quota.total:
        raise DraftQuotaExceeded(
            f"Sudah ada {quota.total} draf tersimpan (batas); hapus draf yang tidak dipakai lagi",
            f"{quota.total} drafts are already kept (the limit); delete drafts no longer needed")
    if by is not None and len(store.draft_ids(by)) >= quota.per_key:
        raise DraftQuotaExceeded(
            f"Kunci ini sudah menyimpan {quota.per_key} draf (batas); hapus draf yang tidak dipakai lagi",
            f"This key already keeps {quota.per_key} drafts (the limit); delete drafts no longer needed")


def upload_check(store: KBStore) -> Callable[[Path], list[Problem]]:
    """The gate's own checks of a draft's files at upload (`policy.gate.upload_problems`)."""

    def check(root: Path) -> list[Problem]:
        published = [(pv.version, read_kb_files(pv.content_dir)) for pv in store.versions()]
        return upload_problems(read_kb_files(root), published)

    return check


def save_bundle(store: KBStore, files: Mapping[str, bytes], *, by: str | None = None,
                quota: DraftQuota | None = None) -> DraftInfo:
    """A draft from uploaded files (relative path -> bytes), refused with the gate's problems named when its
    files do not load, a condition does not parse or a rule id is reused; nothing is kept when refused."""
    if quota is not None:
        _check_quota(store, by, quota)
    draft_id, _ = store.save_draft(dict(files), by=by, check=upload_check(store))
    return draft_info(store, draft_id)


def _files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                       for part in p.relative_to(root).parts)}


def draft_from_version(store: KBStore, label: str | None = None) -> DraftInfo:
    """A new draft holding a published version's content (the latest when no label is given)."""
    pv = store.get(label) if label else store.get(store.latest().version)
    return save_bundle(store, _files_of(pv.content_dir))


def edit_draft(store: KBStore, draft_id: str, changes: Mapping[str, str | None]) -> DraftInfo:
    """A new draft: the draft's files with `changes` applied (path -> new text, or None to remove)."""
    files = _files_of(store.draft_path(draft_id))
    for rel, text in changes.items():
        if text is None:
            files.pop(rel, None)
        else:
            files[rel] = text.encode("utf-8")
    return save_bundle(store, files)


def diff_draft(store: KBStore, draft_id: str, against: str | None = None) -> dict[str, Any]:
    """What the draft changes against a published version (the latest when none is named)."""
    draft = store.draft_path(draft_id)
    base = store.get(against) if against else store.get(store.latest().version)
    return diff_kb(base.content_dir, draft, old_label=base.version, new_label=f"draf {draft_id}")


def simulate_draft(store: KBStore, draft: Path, items: Iterable[Item] | None, *, cycles: list[int],
                   synthetic: bool, source: str, as_of: int | None = None, workers: int = 2,
                   progress: Progress | None = None, run_id: str | None = None) -> WhatIfReport:
    """Replay past proposals (`items`, or the SYNTHETIC cycles when None) under the latest version and the draft.

    The report is kept in the store, where the publish gate finds it, and under `run_id` when given.
    """
    latest = store.latest()
    chosen = synthetic_items(cycles) if items is None else items
    report = simulate(draft, chosen, baseline_dir=store.get(latest.version).content_dir,
                      baseline_version=latest.version, cycles=cycles, workers=workers, progress=progress,
                      synthetic=synthetic, source=source, as_of=as_of)
    if run_id is None:
        store.save_whatif(report)
    else:
        store.save_whatif_run(run_id, report)
    return report


def publish_draft(store: KBStore, draft: str | Path, *, effective_from: dt.date, reason: str, by: str,
                  latest_completed_cycle: int | None = None, now: dt.datetime | None = None,
                  stored: Stored | None = None, confirm_changes: bool = False) -> PublishedVersion:
    """Publish through the whole gate (`policy.gate`): files, references, ids, date, what-if report,
    compile for every cycle, the draft's own rule tests, and (with `stored`) the stored decisions of
    the cycles it would govern whose verdict changes, confirmed. Nothing changes when it is refused."""
    now = now or dt.datetime.now(dt.UTC)
    completed = latest_completed_cycle if latest_completed_cycle is not None else now.year - 1
    last = last_cycle_to_compile(completed, effective_from)
    return store.publish(draft, effective_from=effective_from, reason=reason, by=by,
                         checks=[engine_gate(last)], latest_completed_cycle=completed, now=now, stored=stored,
                         confirm_changes=confirm_changes)


def decisions_changed(store: KBStore, draft: str | Path, *, effective_from: dt.date,
                      stored: Stored) -> list[ChangedProposal]:
    """What the gate would list before a publish: stored decisions of the cycles the draft would govern
    from `effective_from` whose verdict it changes."""
    require_clean(read_kb_files(draft))
    published = store.versions()
    return changed_decisions(Path(draft), stored(*affected_cycles(effective_from, published)), published,
                             effective_from)


def rollback(store: KBStore, version: str, *, effective_from: dt.date, reason: str, by: str,
             label: str | None = None, now: dt.datetime | None = None) -> PublishedVersion:
    """Publish an earlier version's content again, as a new version with its own label and date."""
    return store.rollback(version, effective_from=effective_from, reason=reason, by=by, label=label, now=now)


def start_draft(store: KBStore, version: str, *, by: str, now: dt.datetime | None = None) -> DraftInfo:
    """A new draft from a published version in one step, labelled as a draft of it; recorded in the edit log."""
    now = now or dt.datetime.now(dt.UTC)
    pv = store.get(version)
    files = _files_of(pv.content_dir)
    files["kb.yaml"] = relabel(files["kb.yaml"].decode("utf-8"), f"{pv.version}-draf-{now:%Y%m%d%H%M%S}").encode("utf-8")
    info = save_bundle(store, files)
    store.record_edit(EditRecord(at=now, by=by, draft_before=None, draft_after=info.draft_id, created_from=pv.version,
                                 via="version"))
    return info


def _gate_problems(store: KBStore, root: Path) -> list[Problem]:
    published = [(pv.version, read_kb_files(pv.content_dir)) for pv in store.versions()]
    return draft_problems(read_kb_files(root), published, store_name=store.kb_name)


def apply_draft_edit(store: KBStore, draft_id: str, edit: Edit, *, by: str,
                     now: dt.datetime | None = None) -> DraftInfo:
    """Apply one typed edit: a new draft, or InvalidInput with the problems it introduced (nothing saved)."""
    return apply_draft_edits(store, draft_id, [edit], by=by, now=now)


def apply_draft_edits(store: KBStore, draft_id: str, edits: list[Edit], *, by: str, via: str = "form",
                      now: dt.datetime | None = None) -> DraftInfo:
    """Apply typed edits together: a new draft, or InvalidInput with the problems they introduced (nothing saved).

    The result is checked with the publish gate's file-level checks; problems the draft already
    had are left to the gate at publish time. No edit at all leaves the draft as it is."""
    root = store.draft_path(draft_id)
    if not edits:
        return draft_info(store, draft_id)
    before = _gate_problems(store, root)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "draft"
        shutil.copytree(root, trial)
        changes: dict[str, str | None] = {}
        for edit in edits:
            for rel, text in apply_edit(trial, edit).items():
                (trial / rel).write_text(text, encoding="utf-8")
                changes[rel] = text
        introduced = new_problems([_relative(p, root) for p in before],
                                  [_relative(p, trial) for p in _gate_problems(store, trial)])
    if introduced:
        raise InvalidInput(introduced, source=f"draf/draft {draft_id}")
    info = edit_draft(store, draft_id, changes)
    store.record_edit(EditRecord(at=now or dt.datetime.now(dt.UTC), by=by, draft_before=draft_id,
                                 draft_after=info.draft_id, edits=edits, via=via))
    return info


def _relative(problem: Problem, root: Path) -> Problem:
    """A problem named relative to the draft (the loader may name the directory it read)."""
    prefix = f"{root}/"
    return Problem(problem.path.replace(prefix, ""), problem.id.replace(prefix, ""), problem.en.replace(prefix, ""))


def remove_draft(store: KBStore, draft_id: str) -> None:
    store.remove_draft(draft_id)


def problems_of(info: DraftInfo) -> list[Problem]:
    return [Problem(**p) for p in info.problems]


def require_valid(info: DraftInfo) -> DraftInfo:
    if info.problems:
        raise InvalidInput(problems_of(info), source=f"draft {info.draft_id}")
    return info
