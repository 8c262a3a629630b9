"""Calibration artifacts: format, round trip, immutability, and scoring with them."""

import json
from datetime import UTC, datetime

import numpy as np
import pytest
import yaml

from calibration.artifact import build_artifact, check_for_definition, load_artifact, write_artifact
from calibration.fit import calibrate
from knowledge.errors import InvalidInput
from knowledge.indices import INDICES_DIR, load_index_definition, parse_index_definition
from scoring.engine import score_table
from tests.calibration.calibration_rows import CYCLES, synthetic_rows, synthetic_scores

CONTRACT_KEYS = ["id", "index", "method", "cycles", "tiers", "cut_points", "cut_intervals", "validation",
                 "created_at", "synthetic"]


@pytest.fixture(scope="module")
def result():
    return calibrate(load_index_definition("ppm"), synthetic_rows(), cycles=CYCLES, n_bootstrap=20, seed=5,
                     created_at=datetime(2026, 2, 14, 9, 30, tzinfo=UTC))


def test_artifact_has_exactly_the_contract_fields(result):
    art = result.artifact
    assert sorted(art) == sorted(CONTRACT_KEYS)
    assert art["id"].startswith("cal-ppm-ordinal-2021-2023-")
    assert art["index"] == {"name": "ppm", "hash": load_index_definition("ppm").content_hash()}
    assert art["cycles"] == [2021, 2022, 2023]
    assert art["tiers"] == ["tidak_berdaya", "berdaya", "mandiri", "madani"]
    assert art["created_at"] == "2026-02-14T09:30:00Z"
    assert art["synthetic"] is True
    assert len(art["cut_intervals"]) == 3
    assert set(art["validation"]["methods"]) == {"ordinal", "isotonic", "quantile", "fixed"}


def test_artifact_round_trip_gives_the_same_predictions(result, tmp_path):
    path = tmp_path / "kalibrasi.json"
    assert write_artifact(result.artifact, path) == "written"
    loaded = load_artifact(path)
    assert loaded == result.artifact
    scores = synthetic_scores()
    rows = [{k: v for k, v in r.items() if k != "evaluator_tier"} for r in synthetic_rows()]
    table = score_table(load_index_definition("ppm"), rows, calibration=loaded)
    assert table.tier.tolist() == result.estimator.predict(scores).tolist()


def test_the_id_depends_on_content_not_on_creation_time(result):
    art = result.artifact
    body = {k: art[k] for k in ("method", "cycles", "tiers", "cut_points", "cut_intervals", "validation",
                                "synthetic")}
    again = build_artifact(index_name="ppm", index_hash=art["index"]["hash"], created_at=datetime(2030, 1, 1,
                           tzinfo=UTC), **body)
    assert again["id"] == art["id"]
    moved = build_artifact(index_name="ppm", index_hash=art["index"]["hash"],
                           **{**body, "cut_points": [0.41, 0.6, 0.8]})
    assert moved["id"] != art["id"]


def test_an_existing_file_with_other_content_is_never_overwritten(result, tmp_path):
    path = tmp_path / "kalibrasi.json"
    path.write_text('{"id": "something else"}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="never overwritten"):
        write_artifact(result.artifact, path)
    assert path.read_text(encoding="utf-8") == '{"id": "something else"}'
    assert [p.name for p in tmp_path.iterdir()] == ["kalibrasi.json"]  # no temporary left behind


def test_writing_the_same_calibration_again_leaves_the_file_alone(result, tmp_path):
    path = tmp_path / "kalibrasi.json"
    write_artifact(result.artifact, path)
    before = path.read_bytes()
    later = {**result.artifact, "created_at": "2031-01-01T00:00:00Z"}
    assert write_artifact(later, path) == "exists"
    assert path.read_bytes() == before


def test_an_edited_artifact_is_refused_on_loading(result, tmp_path):
    path = tmp_path / "kalibrasi.json"
    edited = {**result.artifact, "cut_points": [0.30, 0.60, 0.80]}
    path.write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(InvalidInput, match="does not match its id"):
        load_artifact(path)


def test_unordered_cut_points_in_a_file_are_refused(result, tmp_path):
    path = tmp_path / "kalibrasi.json"
    path.write_text(json.dumps({**result.artifact, "cut_points": [0.6, 0.4, 0.8]}), encoding="utf-8")
    with pytest.raises(InvalidInput, match="strictly increasing"):
        load_artifact(path)


def test_an_artifact_for_another_definition_is_refused(result):
    data = yaml.safe_load((INDICES_DIR / "ppm.yaml").read_text(encoding="utf-8"))
    data["indicators"][0]["weight"] = data["indicators"][0]["weight"] * 2
    changed = parse_index_definition(data)
    with pytest.raises(InvalidInput, match="content hash differs"):
        check_for_definition(result.artifact, changed)
    with pytest.raises(InvalidInput):
        score_table(changed, [{k: v for k, v in r.items() if k != "evaluator_tier"} for r in synthetic_rows()[:3]],
                    calibration=result.artifact)


def test_scoring_with_an_artifact_is_deterministic_and_records_its_id(result):
    rows = [{k: v for k, v in r.items() if k != "evaluator_tier"} for r in synthetic_rows()]
    definition = load_index_definition("ppm")
    first = score_table(definition, rows, calibration=result.artifact).to_json()
    second = score_table(definition, rows, calibration=load_artifact_copy(result.artifact)).to_json()
    assert first["cuts"]["calibration_id"] == result.artifact["id"]
    assert first["cuts"]["source"] == "calibration"
    assert first["cuts"]["values"] == result.artifact["cut_points"]
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def load_artifact_copy(artifact):
    return json.loads(json.dumps(artifact))


def test_calibration_is_deterministic_for_a_seed(result):
    again = calibrate(load_index_definition("ppm"), synthetic_rows(), cycles=CYCLES, n_bootstrap=20, seed=5,
                      created_at=datetime(2026, 2, 14, 9, 30, tzinfo=UTC))
    assert again.artifact == result.artifact
    np.testing.assert_array_equal(again.tier_probability, result.tier_probability)
