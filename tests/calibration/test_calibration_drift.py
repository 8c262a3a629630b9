"""Drift of a cycle against the reference cycles: PSI, KS and tier shares under frozen cuts."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from calibration.drift import compare, cycle_drift, drift, psi, psi_band, tier_shares
from calibration.fit import calibrate
from knowledge.errors import InvalidInput
from knowledge.indices import load_index_definition
from knowledge.tables import write_table
from service.cli import app
from tests.calibration.calibration_rows import synthetic_rows

REFERENCE = np.linspace(0.0, 1.0, 201)


def test_psi_of_a_distribution_against_itself_is_zero():
    assert psi(REFERENCE, REFERENCE) == pytest.approx(0.0, abs=1e-12)


def test_psi_grows_with_the_shift():
    small, large = psi(REFERENCE, REFERENCE + 0.05), psi(REFERENCE, REFERENCE + 0.4)
    assert 0 < small < large
    assert psi_band(large) == "besar / large"


def test_psi_bands_are_the_rough_conventions():
    assert [psi_band(v) for v in (0.05, 0.1, 0.3)] == ["stabil / stable", "sedang / moderate", "besar / large"]


def test_ks_is_reported_next_to_psi():
    out = compare(REFERENCE, REFERENCE + 0.3)
    assert out["ks_statistic"] == pytest.approx(0.3, abs=0.01)
    assert out["ks_pvalue"] < 1e-6
    assert out["n_reference"] == out["n_current"] == 201


def test_missing_values_are_left_out_of_the_comparison():
    out = compare([0.1, 0.2, np.nan, 0.3], [0.1, 0.2, 0.3])
    assert out["n_reference"] == 3


def test_tier_shares_use_the_frozen_cuts_and_rule():
    assert tier_shares([0.2, 0.5, 0.5, 0.9], [0.5], 2, ">") == [0.75, 0.25]
    assert tier_shares([0.2, 0.5, 0.5, 0.9], [0.5], 2, ">=") == [0.25, 0.75]


def test_drift_reports_tier_share_change_in_points_with_psi_and_ks():
    result = drift({"score": [0.1, 0.2, 0.6, 0.7], "x": [1, 2, 3, 4]},
                   {"score": [0.1, 0.6, 0.7, 0.8], "x": [1, 2, 3, 5]},
                   cut_points=[0.5], tiers=["rendah", "tinggi"], cut_rule=">")
    assert result["tier_shares"]["tinggi"] == {"reference": 0.5, "current": 0.75, "change_points": 25.0}
    assert set(result["indicators"]) == {"x"}
    assert {"psi", "psi_band", "ks_statistic", "ks_pvalue"} <= set(result["score"])
    assert "rough" in result["note"]["en"]


@pytest.fixture(scope="module")
def artifact():
    result = calibrate(load_index_definition("ppm"), synthetic_rows(), cycles=[2021, 2022], n_bootstrap=10, seed=2)
    return result.artifact


def test_cycle_drift_compares_score_and_every_indicator(artifact):
    definition = load_index_definition("ppm")
    rows = [{k: v for k, v in r.items() if not (r["cycle"] == 2023 and k == "evaluator_tier")}
            for r in synthetic_rows()]
    result = cycle_drift(definition, artifact, rows, 2023)
    assert result["reference_cycles"] == [2021, 2022]
    assert result["calibration"] == artifact["id"]
    assert set(result["indicators"]) == set(definition.indicator_ids)
    assert result["score"]["n_current"] == 150
    shares = result["tier_shares"]
    assert sum(v["current"] for v in shares.values()) == pytest.approx(1.0)


def test_cycle_drift_refuses_an_artifact_of_another_index(artifact):
    with pytest.raises(InvalidInput, match="content hash differs"):
        cycle_drift(load_index_definition("idm"), artifact, synthetic_rows(), 2023)


def test_berdaya_drift_prints_psi_ks_and_tier_shares(artifact, tmp_path):
    source, calib = tmp_path / "evaluasi.csv", tmp_path / "kalibrasi.json"
    write_table(synthetic_rows(), source)
    calib.write_text(json.dumps(artifact), encoding="utf-8")
    out = CliRunner().invoke(app, ["drift", str(source), "--calibration", str(calib), "--cycle", "2023"])
    assert out.exit_code == 0, out.output
    assert "PSI" in out.stdout and "KS" in out.stdout and "madani:" in out.stdout
    full = CliRunner().invoke(app, ["drift", str(source), "--calibration", str(calib), "--cycle", "2023", "--json"])
    assert set(json.loads(full.stdout)["indicators"]) == set(load_index_definition("ppm").indicator_ids)


def test_berdaya_drift_of_an_absent_cycle_exits_2(artifact, tmp_path):
    source, calib = tmp_path / "evaluasi.csv", tmp_path / "kalibrasi.json"
    write_table(synthetic_rows(), source)
    calib.write_text(json.dumps(artifact), encoding="utf-8")
    out = CliRunner().invoke(app, ["drift", str(source), "--calibration", str(calib), "--cycle", "2030"])
    assert out.exit_code == 2
    assert "cycles 2030 are absent" in out.stderr
