"""Published versions: the shipped versions first, effective dates, immutability, rollback."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from knowledge.versions import SHIPPED_KB, UnknownVersion, VersionTampered, tree_hash
from policy.files import policy_hash
from policy.store import KBStore
from tests.policy.helpers import MINI_KB, add_param_value, load_yaml, record_whatif, snapshot

D = dt.date


def publish(store, draft, effective=D(2026, 1, 1), **kw):
    record_whatif(store, draft, [2025])
    return store.publish(draft, effective_from=effective, reason=kw.pop("reason", "Hasil evaluasi 2025"),
                         by=kw.pop("by", "staf kebijakan"), latest_completed_cycle=2025, **kw)


def test_an_empty_store_starts_with_the_history_version_and_the_2026_programmes_version(tmp_path):
    store = KBStore(tmp_path / "store")
    history, current = store.versions()
    assert (history.version, history.effective_from) == ("2025.2", D(2018, 1, 1))
    assert history.content_hash == tree_hash(SHIPPED_KB.parent / "releases" / "ppm-cimahi-2025.2")
    assert history.manifest.parent is None and history.manifest.published_by == "berdaya"
    assert current.version == str(load_yaml(SHIPPED_KB / "kb.yaml")["version"]) == "2026.1"
    assert current.effective_from == D(2026, 1, 1) and current.content_hash == tree_hash(SHIPPED_KB)
    assert current.manifest.parent == "2025.2" and "Perwal Cimahi 44/2025" in current.manifest.reason
    assert [store.version_for_cycle(c).version for c in (2018, 2020, 2025, 2026, 2027)] == [
        "2025.2", "2025.2", "2025.2", "2026.1", "2026.1"]


def test_the_version_in_force_is_the_latest_effective_on_the_cycle_date(mini_store, make_draft):
    v2 = publish(mini_store, make_draft(), effective=D(2026, 1, 1))
    assert mini_store.version_for_cycle(2025).version == "2025.1"
    assert mini_store.version_for_cycle(2026).version == v2.version
    assert mini_store.version_for_cycle(2030).version == v2.version
    with pytest.raises(UnknownVersion, match="2017-01-01"):
        mini_store.version_for_cycle(2017)


def test_a_date_inside_a_year_governs_the_next_cycle_only(mini_store, make_draft):
    v2 = publish(mini_store, make_draft(), effective=D(2026, 3, 1))
    assert mini_store.version_for_cycle(2026).version == "2025.1"
    assert mini_store.version_for_cycle(2027).version == v2.version


def test_publish_records_who_when_why_and_the_parent(mini_store, make_draft):
    draft = make_draft()
    now = dt.datetime(2025, 12, 1, 9, 30, tzinfo=dt.UTC)
    record_whatif(mini_store, draft, [2025])
    pv = mini_store.publish(draft, effective_from=D(2026, 1, 1), reason="Ambang perempuan dinaikkan",
                            by="Bu Rina", latest_completed_cycle=2025, now=now)
    saved = json.loads((pv.path / "manifest.json").read_text())
    assert saved["effective_from"] == "2026-01-01"
    assert saved["published_by"] == "Bu Rina"
    assert saved["reason"] == "Ambang perempuan dinaikkan"
    assert saved["published_at"].startswith("2025-12-01T09:30")
    assert saved["parent"] == "2025.1"
    assert saved["content_hash"] == tree_hash(draft) == tree_hash(pv.content_dir)
    assert saved["whatif_report"] == policy_hash(draft)  # the report is for the content, label aside


def test_published_files_are_read_only(mini_store, make_draft):
    pv = publish(mini_store, make_draft())
    files = [p for p in pv.path.rglob("*") if p.is_file()]
    assert files and all(not (p.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) for p in files)
    dirs = [pv.path, *(p for p in pv.path.rglob("*") if p.is_dir())]
    assert all(not (p.stat().st_mode & stat.S_IWUSR) for p in dirs)


@pytest.mark.parametrize("tamper, expected", [
    ("change", "isi berkas berubah"),
    ("add", "ditambahkan setelah terbit"),
    ("delete", "berkas hilang"),
])
def test_a_modified_published_version_is_detected_and_not_used(mini_store, make_draft, tamper, expected):
    pv = publish(mini_store, make_draft())
    target = pv.content_dir / "parameters" / "min_women_attendance_share.yaml"
    target.parent.chmod(0o755)
    target.chmod(0o644)
    if tamper == "change":
        target.write_text(target.read_text().replace("0.3", "0.9"))
    elif tamper == "add":
        (target.parent / "extra.yaml").write_text("x: 1\n")
    else:
        target.unlink()
    with pytest.raises(VersionTampered) as info:
        mini_store.get(pv.version)
    [problem] = info.value.problems
    assert expected in problem.id
    assert problem.path.startswith(f"versions/{pv.path.name}/content/parameters/")
    with pytest.raises(VersionTampered):
        mini_store.version_for_cycle(2026)
    assert mini_store.version_for_cycle(2025).version == "2025.1"


def test_rollback_publishes_the_earlier_content_as_a_new_version(mini_store, make_draft):
    draft = make_draft()
    add_param_value(draft, "min_women_attendance_share", "2026-01-01", 0.40)
    v2 = publish(mini_store, draft)
    v3 = mini_store.rollback("2025.1", effective_from=D(2027, 1, 1), reason="Ambang 40% terlalu berat", by="Bu Rina")
    assert [v.version for v in mini_store.versions()] == ["2025.1", v2.version, v3.version]
    assert v3.manifest.rollback_of == "2025.1" and v3.manifest.parent == v2.version
    assert mini_store.version_for_cycle(2026).version == v2.version
    assert mini_store.version_for_cycle(2027).version == v3.version
    first = mini_store.get("2025.1")
    for rel, digest in first.manifest.files.items():
        if rel != "kb.yaml":
            assert v3.manifest.files[rel] == digest, rel
    assert load_yaml(v3.content_dir / "kb.yaml")["version"] == v3.version
    women = load_yaml(v3.content_dir / "parameters" / "min_women_attendance_share.yaml")
    assert [v["value"] for v in women["values"].values()] == [0.30]


@pytest.mark.parametrize("version, effective, reason, path", [
    ("2025.1", D(2017, 6, 1), "x", "effective_from"),
    ("9.9", D(2027, 1, 1), "x", "version"),
    ("2025.1", D(2027, 1, 1), "  ", "reason"),
])
def test_rollback_refusals_change_nothing(mini_store, make_draft, version, effective, reason, path):
    publish(mini_store, make_draft())
    before = snapshot(mini_store.root)
    with pytest.raises(Exception) as info:
        mini_store.rollback(version, effective_from=effective, reason=reason, by="Bu Rina")
    assert path in [p.path for p in info.value.problems]
    assert snapshot(mini_store.root) == before


def test_uploaded_drafts_cannot_escape_the_drafts_directory(mini_store):
    with pytest.raises(Exception) as info:
        mini_store.save_draft({"kb.yaml": b"name: ppm-cimahi\n", "../../evil.yaml": b"x"})
    assert [p.path for p in info.value.problems] == ["../../evil.yaml"]
    assert not (mini_store.root.parent / "evil.yaml").exists()


def test_an_uploaded_draft_is_kept_under_its_content_hash(mini_store):
    files = {p.relative_to(MINI_KB).as_posix(): p.read_bytes() for p in MINI_KB.rglob("*") if p.is_file()}
    draft_id, path = mini_store.save_draft(files)
    assert tree_hash(path) == tree_hash(MINI_KB)
    assert draft_id == tree_hash(MINI_KB).split(":")[1][:16]
    assert mini_store.draft_path(draft_id) == path


def test_a_bundle_whose_paths_collide_is_refused_and_leaves_nothing(mini_store):
    with pytest.raises(Exception) as info:
        mini_store.save_draft({"kb.yaml": b"name: ppm-cimahi\n", "rules": b"x", "rules/a.yaml": b"[]"})
    assert [p.path for p in info.value.problems] == ["rules/a.yaml"]
    assert list(mini_store.drafts_dir.iterdir()) == []
