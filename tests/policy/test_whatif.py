"""What-if replay through durable-rules in worker processes, on proposals whose answer is known."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from knowledge.versions import SHIPPED_KB
from policy.reports import VERDICTS, WhatIfReport, dump
from policy.store import KBStore
from policy.whatif import simulate
from policy.whatif_report import write_report
from tests.policy.engine_fixtures import ATTENDANCE, WOMEN, women_items, women_rule_ids
from tests.policy.helpers import add_param_value

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def women_run(tmp_path_factory):
    """One replay shared by the tests below: the draft only raises the women's share to 0.40 from 2022."""
    tmp = tmp_path_factory.mktemp("whatif")
    store = KBStore(tmp / "store")
    draft = tmp / "draft"
    import shutil
    shutil.copytree(SHIPPED_KB, draft)
    add_param_value(draft, "min_women_attendance_share", "2022-01-01", 0.40)
    latest = store.latest()
    report = simulate(draft, women_items(), baseline_dir=latest.content_dir, baseline_version=latest.version,
                      cycles=[2021, 2022], workers=2)
    return store, draft, dump(report)


def expected_changed() -> set[str]:
    return {f"uji-2022-perempuan-{w}" for w in WOMEN if 0.30 <= w / ATTENDANCE < 0.40}


def test_raising_the_womens_threshold_changes_exactly_the_proposals_between_the_old_and_new_threshold(women_run):
    _, _, report = women_run
    assert report["totals"]["proposals"] == 2 * len(WOMEN)
    assert {c["ref"] for c in report["changed"]} == expected_changed()
    rules = women_rule_ids()
    for change in report["changed"]:
        assert change["gone"] == []
        assert {f["rule_id"] for f in change["new"]} <= rules and change["new"], change
        assert VERDICTS.index(change["after"]) > VERDICTS.index(change["before"])


def test_the_transition_matrix_and_rule_counts_match_the_known_answer(women_run):
    _, _, report = women_run
    n_changed = len(expected_changed())
    matrix = report["transitions"]["all"]
    off_diagonal = sum(matrix[b][a] for b in VERDICTS for a in VERDICTS if a != b)
    assert off_diagonal == n_changed
    assert sum(matrix[v][v] for v in VERDICTS) == 2 * len(WOMEN) - n_changed
    by_cycle = report["transitions"]["by_cycle"]
    assert all(by_cycle["2021"][b][a] == 0 for b in VERDICTS for a in VERDICTS if a != b)
    below_old = sum(1 for w in WOMEN if w / ATTENDANCE < 0.30)
    moved = {r["rule_id"]: (r["before"], r["after"]) for r in report["rules"] if r["delta"]}
    assert moved and set(moved) <= women_rule_ids()
    assert set(moved.values()) == {(2 * below_old, 2 * below_old + n_changed)}


def test_counts_per_kelurahan_and_cycle(women_run):
    _, _, report = women_run
    rows = {(k["cycle"], k["kelurahan"]): k for k in report["kelurahan"]}
    assert set(rows) == {(2021, "Cibabat"), (2022, "Cibabat")}
    assert rows[(2021, "Cibabat")]["changed"] == 0
    assert rows[(2022, "Cibabat")]["changed"] == len(expected_changed())
    assert all(k["proposals"] == len(WOMEN) for k in rows.values())


def test_the_replay_ran_in_worker_processes(women_run):
    _, _, report = women_run
    run = report["run"]
    assert run["parent_pid"] == os.getpid()
    assert run["worker_pids"] and os.getpid() not in run["worker_pids"]


def test_the_review_meeting_files(women_run, tmp_path):
    _, _, report = women_run
    written = {p.name for p in write_report(WhatIfReport.model_validate(report), tmp_path)}
    assert {"whatif.xlsx", "ringkasan.csv", "transisi.csv", "aturan.csv", "kelurahan.csv", "berubah.csv",
            "transisi.png", "aturan.png", "whatif.json"} <= written
    wb = load_workbook(tmp_path / "whatif.xlsx")
    assert wb.sheetnames == ["ringkasan", "transisi", "aturan", "kelurahan", "berubah"]
    changed = list(wb["berubah"].iter_rows(values_only=True))
    assert changed[0][0] == "Proposal" and "Sebelum / before" in changed[0]
    assert {row[0] for row in changed[1:]} == expected_changed()
    assert (tmp_path / "transisi.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_the_parent_process_never_loads_the_engine_for_a_replay(tmp_path):
    """Run a replay in a fresh interpreter: afterwards durable is not even imported there."""
    script = f"""
import json, os, shutil, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from knowledge.versions import SHIPPED_KB
from policy.reports import dump
from policy.store import KBStore
from policy.whatif import simulate
from tests.policy.engine_fixtures import women_items
draft = Path({str(tmp_path)!r}) / "draft"
shutil.copytree(SHIPPED_KB, draft)
latest = KBStore(Path({str(tmp_path)!r}) / "store").latest()
report = dump(simulate(draft, women_items((2022,)), baseline_dir=latest.content_dir,
                       baseline_version=latest.version))
print(json.dumps({{"durable": any(m.split(".")[0] == "durable" for m in sys.modules),
                  "engine": "rules.engine" in sys.modules, "pid": os.getpid(),
                  "workers": report["run"]["worker_pids"], "n": report["totals"]["proposals"]}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["n"] == len(WOMEN)
    assert seen["durable"] is False and seen["engine"] is False
    assert seen["workers"] and seen["pid"] not in seen["workers"]


def test_a_broken_draft_is_refused_before_any_worker_starts(tmp_path):
    import shutil
    draft = tmp_path / "draft"
    shutil.copytree(SHIPPED_KB, draft)
    (draft / "kb.yaml").unlink()
    latest = KBStore(tmp_path / "store").latest()
    with pytest.raises(Exception) as info:
        simulate(draft, women_items((2022,)), baseline_dir=latest.content_dir, baseline_version=latest.version)
    assert [p.path for p in info.value.problems] == ["kb.yaml"]


def test_a_change_dated_in_the_future_shows_on_past_proposals_only_when_judged_as_of_that_cycle(tmp_path):
    import shutil
    draft = tmp_path / "draft"
    shutil.copytree(SHIPPED_KB, draft)
    add_param_value(draft, "min_women_attendance_share", "2026-01-01", 0.40)
    latest = KBStore(tmp_path / "store").latest()
    items = women_items((2025,))
    own = dump(simulate(draft, items, baseline_dir=latest.content_dir, baseline_version=latest.version))
    assert own["totals"]["verdict_changed"] == 0 and own["as_of_cycle"] is None
    as_2026 = dump(simulate(draft, items, baseline_dir=latest.content_dir, baseline_version=latest.version,
                            as_of=2026))
    assert {c["ref"] for c in as_2026["changed"]} == {f"uji-2025-perempuan-{w}" for w in WOMEN
                                                       if 0.30 <= w / ATTENDANCE < 0.40}
    assert as_2026["cycles"] == [2025] and as_2026["as_of_cycle"] == 2026
