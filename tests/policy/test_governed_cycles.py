"""Versions govern cycles: a correction for cycle 2026 is inserted after a 2027 version exists, and the
gate lists the stored decisions of the cycles it would govern whose verdict changes until the publisher
confirms them. The proposals are the policy tests' fixture with known women's shares (synthetic)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from knowledge.documents import to_jsonable
from knowledge.versions import first_cycle, governance
from policy.store import KBStore, PublishRefused
from tests.policy.engine_fixtures import ATTENDANCE, WOMEN, proposal
from tests.policy.helpers import add_param_value, record_whatif, set_version, snapshot

D = dt.date


def women_draft(store: KBStore, tmp_path, label: str, date: str, share: float):
    draft = tmp_path / label
    shutil.copytree(store.get("2026.1").content_dir, draft)
    for p in draft.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    set_version(draft, label)
    add_param_value(draft, "min_women_attendance_share", date, share)
    record_whatif(store, draft, [2025])
    return draft


def stored_items() -> list[tuple[str, dict]]:
    """Stored proposals of 2025, 2026 and 2027, one per women's count, as the service would pass them."""
    return [(f"uji-{cycle}-perempuan-{w}", to_jsonable(proposal(w, cycle, rw=i + 1)))
            for cycle in (2025, 2026, 2027) for i, w in enumerate(WOMEN)]


@pytest.fixture
def store_2027(tmp_path) -> KBStore:
    """The shipped versions (2018, 2026) and a 2027 version raising the women's share to 40%."""
    store = KBStore(tmp_path / "store")
    store.versions()
    draft = women_draft(store, tmp_path, "2027.1-uji", "2027-01-01", 0.40)
    store.publish(draft, effective_from=D(2027, 1, 1), reason="Evaluasi 2025", by="Bu Rina")
    return store


def test_each_version_governs_the_cycles_until_the_next_ones():
    assert (first_cycle(D(2026, 1, 1)), first_cycle(D(2026, 12, 3))) == (2026, 2027)


def test_a_2026_correction_after_a_2027_version_lists_the_changed_decisions_then_publishes_when_confirmed(
        store_2027, tmp_path):
    asked = []

    def stored(first, last):
        asked.append((first, last))
        return stored_items()

    draft = women_draft(store_2027, tmp_path, "2026.2-koreksi", "2026-01-01", 0.40)
    before = snapshot(store_2027.root / "ppm-cimahi" / "versions")
    with pytest.raises(PublishRefused) as info:
        store_2027.publish(draft, effective_from=D(2026, 1, 1), reason="Koreksi 2026", by="Bu Rina", stored=stored)
    assert snapshot(store_2027.root / "ppm-cimahi" / "versions") == before
    assert asked == [(2026, 2026)]  # the correction governs 2026 only: 2027 has its own version
    problems = info.value.problems
    assert problems[0].path == "confirm_changes" and problems[0].id != problems[0].en
    listed = {p.path.split(": ", 1)[1] for p in problems[1:]}
    between = {f"uji-2026-perempuan-{w}" for w in WOMEN if 0.30 <= w / ATTENDANCE < 0.40}
    assert listed and listed <= between, listed
    assert all("siklus 2026" in p.id and "cycle 2026" in p.en for p in problems[1:])

    pv = store_2027.publish(draft, effective_from=D(2026, 1, 1), reason="Koreksi 2026", by="Bu Rina",
                            stored=stored, confirm_changes=True)
    assert sorted(pv.manifest.confirmed_changes) == sorted(listed)
    assert [store_2027.version_for_cycle(c).version for c in (2025, 2026, 2027)] == \
        ["2025.2", "2026.2-koreksi", "2027.1-uji"]
    governs = {g.version: (g.first_cycle, g.last_cycle, g.superseded) for g in governance(store_2027.versions())}
    assert governs == {"2025.2": (2018, 2025, False), "2026.1": (2026, 2026, True),
                       "2026.2-koreksi": (2026, 2026, False), "2027.1-uji": (2027, None, False)}


def test_a_correction_that_changes_no_stored_decision_needs_no_confirmation(store_2027, tmp_path):
    draft = women_draft(store_2027, tmp_path, "2026.3-koreksi", "2026-01-01", 0.10)
    only_2027 = [item for item in stored_items() if item[1]["cycle"] == 2027]
    pv = store_2027.publish(draft, effective_from=D(2026, 1, 1), reason="Koreksi 2026", by="Bu Rina",
                            stored=lambda first, last: only_2027)
    assert pv.manifest.confirmed_changes == [] and store_2027.version_for_cycle(2026).version == "2026.3-koreksi"


def test_an_effective_date_before_the_first_version_is_refused(store_2027, tmp_path):
    draft = women_draft(store_2027, tmp_path, "2017.1-uji", "2026-01-01", 0.40)
    with pytest.raises(PublishRefused) as info:
        store_2027.publish(draft, effective_from=D(2017, 1, 1), reason="x", by="Bu Rina")
    assert [p.path for p in info.value.problems] == ["effective_from"]
    assert "2025.2 (2018-01-01)" in info.value.problems[0].id
