"""Must-show results: cut recovery on synthetic cycles, official IDM statuses on real records."""

from pathlib import Path

import numpy as np
import pytest

from calibration.fit import calibrate
from calibration.ordinal import OrdinalLogitCalibrator
from knowledge.indices import load_index_definition
from knowledge.synthetic.calibration_sample import calibration_sample
from knowledge.synthetic.indicators import rows_from_columns
from knowledge.tables import read_table
from scoring.engine import score_table

IDM_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "idm_sample.csv"  # source: tests/fixtures/README.md
PUBLISHED = ("iks", "ike", "ikl", "idm", "status")


@pytest.fixture(scope="module")
def synthetic_ppm():
    """12,000 SYNTHETIC RW-cycles 2018-2023 (2,000 per cycle) with known true cut points.

    The foundation's calibration_sample cuts the true tiers from the ppm index the scoring
    engine computes (so the cuts live on the index scale) and adds perception noise solved
    so that 20% of evaluator tiers differ from the true tier. At this size the largest cut
    error was 0.0037 over seeds 0-7 (0.0068 at 500 per cycle), well inside 0.01.
    """
    definition = load_index_definition("ppm")
    sample = calibration_sample(seed=4, cycles=range(2018, 2024), units_per_cycle=2000, noise_rate=0.20,
                                score=lambda cols: score_table(definition, rows_from_columns(cols)).score)
    return definition, sample


def test_synthetic_tiers_carry_twenty_percent_evaluator_noise(synthetic_ppm):
    _, sample = synthetic_ppm
    assert abs(sample.disagreement - 0.20) < 0.01


def test_ordered_logit_recovers_every_synthetic_cut_within_001(synthetic_ppm):
    definition, sample = synthetic_ppm
    result = calibrate(definition, sample.rows(), cycles=range(2018, 2024), n_bootstrap=10, seed=1,
                       synthetic=True)
    errors = np.abs(np.array(result.artifact["cut_points"]) - np.array(sample.cut_points))
    assert errors.max() < 0.01, errors
    assert result.artifact["synthetic"] is True


def test_ordered_logit_estimator_alone_recovers_the_synthetic_cuts(synthetic_ppm):
    _, sample = synthetic_ppm
    cuts = OrdinalLogitCalibrator(n_tiers=4, cut_rule=">=").fit(sample.scores, sample.evaluator_tier).cut_points_
    np.testing.assert_allclose(cuts, sample.cut_points, atol=0.01)


@pytest.fixture(scope="module")
def idm_records():
    rows = read_table(IDM_SAMPLE)
    definition = load_index_definition("idm")
    official = np.array([definition.tier_ids.index(r["status"].lower().replace(" ", "_")) for r in rows])
    return definition, rows, official


def test_idm_statuses_of_an_unseen_year_from_the_published_idm_value(idm_records):
    # Score = the published `idm` value (the published status follows it in every record).
    definition, rows, official = idm_records
    score = np.array([r["idm"] for r in rows], dtype=float)
    year = np.array([r["tahun"] for r in rows])
    fit = year <= 2023
    est = OrdinalLogitCalibrator(n_tiers=5, cut_rule=definition.tiers.cut_rule).fit(score[fit], official[fit])
    assert est.predict(score[~fit]).tolist() == official[~fit].tolist()


def test_idm_calibration_artifact_scores_2024_as_the_official_cuts_do(idm_records):
    # Score = the index the scoring engine computes from the 50 indicators; statuses are the
    # evaluator tiers. Fitted on 2021-2023, the artifact gives every 2024 unit the status the
    # official cuts give it. Published statuses agree too, except where the published IKS
    # departs from the formula (tests/fixtures/README.md) enough for the computed score to
    # cross a cut that the published `idm` does not: no cut on the computed score can follow
    # the publication there.
    definition, rows, official = idm_records
    table_rows = [{**{k: v for k, v in r.items() if k not in PUBLISHED}, "evaluator_tier": r["status"]}
                  for r in rows]
    result = calibrate(definition, table_rows, cycles=[2021, 2022, 2023], n_bootstrap=20, seed=3)
    assert result.artifact["synthetic"] is False
    later = [i for i, r in enumerate(rows) if r["tahun"] == 2024]
    unlabelled = [{k: v for k, v in table_rows[i].items() if k != "evaluator_tier"} for i in later]
    calibrated = score_table(definition, unlabelled, calibration=result.artifact)
    regulation = score_table(definition, unlabelled)
    assert calibrated.calibration_id == result.artifact["id"]
    assert calibrated.tier.tolist() == regulation.tier.tolist()
    differs = np.flatnonzero(calibrated.tier != official[later])
    assert len(differs) <= 1  # the one 2024 record whose computed IDM crosses a cut
    for i in differs:
        assert not np.isclose(calibrated.score[i], rows[later[i]]["idm"], atol=1e-6)
