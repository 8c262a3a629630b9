"""`berdaya kb diff|simulate|publish|versions|rollback` end to end through the CLI."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from knowledge.documents import to_jsonable
from knowledge.versions import SHIPPED_KB
from service.cli import app
from tests.policy.engine_fixtures import women_items
from tests.policy.helpers import MINI_KB, add_param_value, set_version, snapshot

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["kb", *map(str, args)])


def test_versions_and_diff(tmp_path, make_draft):
    store = tmp_path / "store"
    shown = run("versions", "--store", store)
    assert shown.exit_code == 0 and "1 Januari 2018" in shown.output and "berdaya" in shown.output
    draft = make_draft(MINI_KB, version="2026.1")
    add_param_value(draft, "min_women_attendance_share", "2026-01-01", 0.40)
    text = run("diff", MINI_KB, draft, "--store", store)
    assert text.exit_code == 0 and "Perbedaan basis pengetahuan" in text.output
    as_json = json.loads(run("diff", MINI_KB, draft, "--format", "json", "--store", store).output)
    assert [p["name"] for p in as_json["parameters"]["changed"]] == ["min_women_attendance_share"]
    missing = run("diff", "tidak-ada", draft, "--store", store)
    assert missing.exit_code == 2 and "bukan direktori basis pengetahuan maupun versi terbit" in missing.output


def test_bad_arguments_exit_2_and_change_nothing(tmp_path, make_draft):
    store = tmp_path / "store"
    run("versions", "--store", store)
    before = snapshot(store)
    draft = make_draft(MINI_KB)
    bad_date = run("publish", draft, "--effective-from", "1-1-2026", "--reason", "x", "--store", store)
    assert bad_date.exit_code == 2 and "--effective-from" in bad_date.output
    early = run("publish", draft, "--effective-from", "2017-01-01", "--reason", "x", "--by", "Bu Rina",
                "--store", store)
    assert early.exit_code == 2 and "effective_from" in early.output and "Penerbitan ditolak" in early.output
    bad_cycles = run("simulate", draft, "--against", "duaribu", "--store", store)
    assert bad_cycles.exit_code == 2 and "--against" in bad_cycles.output
    assert snapshot(store) == before


def women_draft(tmp_path, name, since):
    draft = tmp_path / name
    shutil.copytree(SHIPPED_KB, draft)
    set_version(draft, f"2027.{name}-{tmp_path.name[-8:]}")
    add_param_value(draft, "min_women_attendance_share", since, 0.40)
    return draft


def stored_dir(tmp_path, cycle):
    stored = tmp_path / f"stored-{cycle}"
    stored.mkdir()
    for ref, proposal in women_items((cycle,)):
        (stored / f"{ref}.json").write_text(json.dumps(to_jsonable(proposal)))
    return stored


def test_simulate_then_the_gate_refuses_a_draft_that_breaks_its_own_rule_tests(tmp_path):
    store = tmp_path / "store"
    draft = women_draft(tmp_path, "dari2022", "2022-01-01")
    out = tmp_path / "laporan"
    sim = run("simulate", draft, "--against", "2022", "--proposals", stored_dir(tmp_path, 2022), "--report", out,
              "--store", store)
    assert sim.exit_code == 0, sim.output
    assert "putusan berubah 3" in sim.output
    assert (out / "whatif.xlsx").is_file() and (out / "transisi.png").is_file()
    before = snapshot(store)
    refused = run("publish", draft, "--effective-from", "2022-01-01", "--reason", "Ambang 40%", "--by", "Bu Rina",
                  "--latest-completed-cycle", "2022", "--store", store)
    assert refused.exit_code == 2
    assert "uji aturan gagal" in refused.output and "tests/" in refused.output
    assert snapshot(store) == before


def test_simulate_publish_and_roll_back(tmp_path):
    store = tmp_path / "store"
    draft = women_draft(tmp_path, "dari2027", "2027-01-01")
    sim = run("simulate", draft, "--against", "2025", "--proposals", stored_dir(tmp_path, 2025), "--store", store)
    assert sim.exit_code == 0, sim.output
    assert "putusan berubah 0" in sim.output
    published = run("publish", draft, "--effective-from", "2027-01-01", "--reason", "Ambang 40%", "--by", "Bu Rina",
                    "--latest-completed-cycle", "2025", "--store", store)
    assert published.exit_code == 0, published.output
    current = json.loads(run("versions", "--format", "json", "--store", store).output)[1]["version"]
    rolled = run("rollback", current, "--effective-from", "2028-01-01", "--reason", "Kembali", "--by", "Bu Rina",
                 "--store", store)
    assert rolled.exit_code == 0, rolled.output
    listed = json.loads(run("versions", "--format", "json", "--store", store).output)
    assert [v["rollback_of"] for v in listed] == [None, None, None, current]
    assert [v["published_by"] for v in listed] == ["berdaya", "berdaya", "Bu Rina", "Bu Rina"]
    assert [v["effective_from"] for v in listed] == ["2018-01-01", "2026-01-01", "2027-01-01", "2028-01-01"]
