"""Tier cut points from a calibration artifact, refused when fitted on another definition."""

import pytest

from knowledge.errors import InvalidInput
from knowledge.indices import load_index_definition
from scoring.engine import score_table
from scoring.tiers import resolve_cuts
from tests.scoring.scoring_testkit import definition_data, definition_from, ppm_row

PPM = load_index_definition("ppm")


def artifact(defn, cuts=(0.30, 0.50, 0.70), **changes):
    art = {"id": "cal-ppm-ordinal-2018-2023-0a1b2c3d", "index": {"name": defn.name, "hash": defn.content_hash()},
           "method": "ordinal", "cycles": [2018, 2019], "tiers": defn.tier_ids, "cut_points": list(cuts),
           "cut_intervals": [[c - 0.01, c + 0.01] for c in cuts], "validation": {},
           "created_at": "2026-01-05T00:00:00Z", "synthetic": True}
    art.update(changes)
    return art


def test_without_artifact_the_assumed_fallback_cuts_apply():
    table = score_table(PPM, [ppm_row()])
    assert table.cuts.source == "fallback" and table.calibration_id is None
    assert table.units[0]["tier_id"] == "berdaya"          # 0.579 under 0.40/0.60/0.80


def test_artifact_cuts_are_used_and_its_id_recorded():
    art = artifact(PPM)
    table = score_table(PPM, [ppm_row()], calibration=art)
    assert table.units[0]["tier_id"] == "mandiri"          # 0.579 under 0.30/0.50/0.70
    assert table.calibration_id == art["id"]
    assert table.metadata()["cuts"] == {"values": [0.30, 0.50, 0.70], "rule": ">=", "source": "calibration",
                                        "calibration_id": art["id"]}


def test_artifact_for_another_definition_version_is_refused():
    data = definition_data("ppm")
    data["dimensions"][0]["weight"] = 0.3                   # policy staff changed a weight
    changed = definition_from(data)
    with pytest.raises(InvalidInput) as info:
        score_table(changed, [ppm_row()], calibration=artifact(PPM))
    problem = info.value.problems[0]
    assert problem.path == "calibration.index.hash"
    assert "another index definition" in problem.en and "definisi indeks lain" in problem.id


def test_artifact_hash_without_prefix_is_compared_by_digest():
    art = artifact(PPM)
    art["index"]["hash"] = PPM.content_hash().removeprefix("sha256:")
    assert resolve_cuts(PPM, art).calibration_id == art["id"]


@pytest.mark.parametrize("changes, path", [
    ({"cut_points": [0.5, 0.4, 0.7]}, "calibration.cut_points"),
    ({"cut_points": [0.5, 0.7]}, "calibration.cut_points"),
    ({"tiers": ["a", "b", "c", "d"]}, "calibration.tiers"),
    ({"id": ""}, "calibration.id"),
])
def test_malformed_artifacts_are_refused(changes, path):
    with pytest.raises(InvalidInput) as info:
        resolve_cuts(PPM, artifact(PPM, **changes))
    assert info.value.problems[0].path == path
