"""Helpers of the policy-tuning tests: YAML edits of a draft, snapshots, minimal what-if records."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from knowledge.versions import tree_hash
from policy.files import policy_hash
from policy.reports import WhatIfReport
from policy.store import KBStore

MINI_KB = Path(__file__).parent / "fixtures" / "kb-mini"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump_yaml(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_yaml(path: Path, change: Callable[[Any], Any]) -> None:
    data = load_yaml(path)
    result = change(data)
    dump_yaml(path, data if result is None else result)


def set_version(draft: Path, version: str) -> None:
    edit_yaml(draft / "kb.yaml", lambda d: d.update(version=version))


def add_param_value(draft: Path, name: str, date: str, value: Any, **extra: Any) -> None:
    entry = {"value": value, "reference": "Keputusan rapat evaluasi tahunan PPM (uji) / annual review decision (test)",
             "status": "assumed", "modelled_on": "Ketentuan 40% perempuan dalam PNPM (uji) / PNPM 40% (test)"}
    entry.update(extra)
    entry = {k: v for k, v in entry.items() if v is not None}

    def change(data: dict) -> None:
        data["values"][dt.date.fromisoformat(date)] = entry

    edit_yaml(draft / "parameters" / f"{name}.yaml", change)


def rule_file_of(draft: Path, rule_id: str) -> Path:
    for path in sorted((draft / "rules").glob("*.yaml")):
        if any(r.get("id") == rule_id for r in load_yaml(path) or []):
            return path
    raise KeyError(rule_id)


def edit_rule(draft: Path, rule_id: str, **changes: Any) -> Path:
    path = rule_file_of(draft, rule_id)

    def change(rules: list) -> None:
        for rule in rules:
            if rule["id"] == rule_id:
                rule.update(changes)

    edit_yaml(path, change)
    return path


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every file and directory under root with its mode and content hash: 'nothing changed' means equal."""
    out = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        out[rel] = (path.stat().st_mode, digest)
    return out


def record_whatif(store: KBStore, draft: Path, cycles: list[int]) -> Path:
    """The minimal what-if report the gate looks for (knowledge-level tests; the engine tests run real ones)."""
    latest = store.latest()
    nothing = {"proposals": 0, "verdict_changed": 0, "findings_changed": 0}
    return store.save_whatif(WhatIfReport.model_validate({
        "created_at": "2026-11-20T03:00:00+00:00", "cycles": cycles, "baseline": {"version": latest.version},
        "draft": {"content_hash": tree_hash(draft), "policy_hash": policy_hash(draft)},
        "transitions": {"all": {}}, "rules": [], "kelurahan": [], "changed": [], "totals": nothing}))
