"""Leave-one-cycle-out validation, cut-point bootstrap and tier probabilities."""

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from calibration.estimators import FixedCalibrator, IsotonicCalibrator
from calibration.ordinal import OrdinalLogitCalibrator
from calibration.uncertainty import KIND, bootstrap_cut_points, flag_uncertain, tier_probability
from calibration.validation import compare_methods, leave_one_cycle_out, tier_metrics


def test_tier_metrics_on_a_small_example():
    m = tier_metrics([0, 1, 2, 2], [0, 2, 2, 0], 3)
    assert m["accuracy"] == 0.5
    assert m["mean_abs_tier_error"] == 0.75
    assert m["quadratic_kappa"] == pytest.approx(cohen_kappa_score([0, 1, 2, 2], [0, 2, 2, 0], weights="quadratic"))
    assert m["confusion"] == [[1, 0, 0], [0, 0, 1], [1, 0, 1]]


def test_leave_one_cycle_out_predicts_each_cycle_from_the_others():
    scores = np.array([0.1, 0.3, 0.6, 0.8, 0.2, 0.4, 0.7, 0.9])
    tiers = np.array([0, 0, 1, 1, 0, 1, 1, 1])
    cycles = np.array([2021, 2021, 2021, 2021, 2022, 2022, 2022, 2022])
    result = leave_one_cycle_out(IsotonicCalibrator(n_tiers=2, min_per_tier=1), scores, tiers, cycles)
    # 2021 alone: cut midway 0.3-0.6 = 0.45, so 0.4 (tier 1 in 2022) is predicted 0.
    assert result["per_cycle"]["2022"]["cut_points"] == pytest.approx([0.45])
    assert result["per_cycle"]["2022"]["accuracy"] == 0.75
    # 2022 alone: cut midway 0.2-0.4 = 0.3, so 2021 is predicted exactly.
    assert result["per_cycle"]["2021"]["accuracy"] == 1.0
    assert result["pooled"]["accuracy"] == 7 / 8
    assert result["skipped"] == []


def test_a_fold_that_cannot_be_fitted_is_skipped_with_its_reason():
    scores = np.array([0.1, 0.2, 0.8, 0.9, 0.15, 0.85])
    tiers = np.array([0, 0, 1, 1, 0, 1])
    cycles = np.array([2021, 2021, 2021, 2021, 2022, 2022])
    result = leave_one_cycle_out(OrdinalLogitCalibrator(n_tiers=2, min_per_tier=2), scores, tiers, cycles)
    assert [s["cycle"] for s in result["skipped"]] == [2021]
    assert "needs at least 2" in result["skipped"][0]["en"]
    assert result["pooled"]["n"] == 2  # only the 2022 records were predicted


def test_methods_are_compared_side_by_side():
    scores = np.array([0.1, 0.3, 0.6, 0.8, 0.2, 0.4, 0.7, 0.9])
    tiers = np.array([0, 0, 1, 1, 0, 1, 1, 1])
    cycles = np.array([2021] * 4 + [2022] * 4)
    result = compare_methods({"isotonic": IsotonicCalibrator(n_tiers=2, min_per_tier=1),
                              "fixed": FixedCalibrator(cut_points=[0.5])}, scores, tiers, cycles)
    assert list(result) == ["isotonic", "fixed"]
    assert result["fixed"]["pooled"]["accuracy"] == 7 / 8  # 0.4 is tier 1 but below 0.5


SCORES = np.linspace(0.0, 1.0, 101)
TIERS = (SCORES > 0.5).astype(int)


def test_bootstrap_with_the_same_seed_gives_the_same_cuts():
    est = IsotonicCalibrator(n_tiers=2)
    a = bootstrap_cut_points(est, SCORES, TIERS, n_boot=30, seed=7)
    b = bootstrap_cut_points(est, SCORES, TIERS, n_boot=30, seed=7)
    np.testing.assert_array_equal(a.cut_samples, b.cut_samples)
    assert a.cut_samples.shape == (30, 1)


def test_bootstrap_interval_brackets_the_cut():
    boot = bootstrap_cut_points(IsotonicCalibrator(n_tiers=2), SCORES, TIERS, n_boot=50, seed=1)
    lo, hi = boot.intervals[0]
    assert lo <= 0.505 <= hi
    assert hi - lo < 0.05


def test_bootstrap_keeps_natural_class_shares_so_a_rare_tier_can_go_missing():
    # One record in the top tier: a plain resample of 30 lacks it about 36% of the time; a
    # stratified floor would never lack it. Those replicates are counted, not redrawn.
    scores = np.linspace(0.0, 1.0, 30)
    tiers = np.r_[np.zeros(15, int), np.ones(14, int), [2]]
    boot = bootstrap_cut_points(IsotonicCalibrator(n_tiers=3, min_per_tier=1), scores, tiers, n_boot=200, seed=0)
    assert 40 < boot.skipped < 110
    assert boot.cut_samples.shape[0] == 200 - boot.skipped


def test_bootstrap_reports_which_uncertainty_it_is():
    boot = bootstrap_cut_points(IsotonicCalibrator(n_tiers=2), SCORES, TIERS, n_boot=5, seed=1)
    assert boot.summary()["kind"] == KIND
    assert "not the model's own P(tier)" in KIND["en"]


def test_bootstrap_calls_progress_once_per_replicate():
    calls = []
    bootstrap_cut_points(IsotonicCalibrator(n_tiers=2), SCORES, TIERS, n_boot=12, seed=1, progress=calls.append)
    assert calls == [1] * 12


def test_tier_probability_is_the_share_of_replicates_agreeing():
    samples = np.array([[0.50], [0.52], [0.48], [0.55]])
    p = tier_probability([0.10, 0.51, 0.90], [0.50], samples, cut_rule=">")
    # 0.51 is tier 1 under 0.50; replicates at 0.52 and 0.55 put it in tier 0.
    np.testing.assert_allclose(p, [1.0, 0.5, 1.0])


def test_units_below_08_are_flagged():
    assert flag_uncertain(np.array([1.0, 0.8, 0.79, np.nan])).tolist() == [False, False, True, False]
