"""The cut-point estimators: scikit-learn conventions, exact cuts on small arrays, bad input."""

import numpy as np
import pytest
from scipy.optimize import check_grad
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from calibration.estimators import FixedCalibrator, IsotonicCalibrator, QuantileCalibrator, make_calibrator
from calibration.ordinal import OrdinalLogitCalibrator, negative_log_likelihood
from knowledge.errors import InvalidInput

# Three tiers, perfectly separated: 0 below 0.35, 1 in 0.45-0.6, 2 from 0.7.
SCORES = np.array([0.10, 0.20, 0.30, 0.35, 0.45, 0.50, 0.55, 0.60, 0.70, 0.80, 0.90, 0.95])
TIERS = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        OrdinalLogitCalibrator(3)


def test_fit_returns_self_and_sets_fitted_attributes():
    est = OrdinalLogitCalibrator()
    assert est.fit(SCORES, TIERS) is est
    assert est.cut_points_.shape == (2,)
    assert est.n_tiers_ == 3
    assert est.tier_counts_.tolist() == [4, 4, 4]


def test_predict_before_fit_is_refused():
    with pytest.raises(NotFittedError):
        OrdinalLogitCalibrator().predict(SCORES)


def test_clone_keeps_parameters_and_drops_fitted_state():
    est = OrdinalLogitCalibrator(min_per_tier=2, cut_rule=">=").fit(SCORES, TIERS)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "cut_points_")


def test_ordinal_cuts_of_separated_tiers_are_the_middle_of_each_gap():
    # No finite maximum exists; the limit as the slope grows is the middle of each gap.
    est = OrdinalLogitCalibrator().fit(SCORES, TIERS)
    np.testing.assert_allclose(est.cut_points_, [0.40, 0.65])
    assert est.separated_


def test_ordinal_with_overlapping_tiers_is_not_separated():
    scores = np.r_[SCORES, 0.30, 0.58]  # a berdaya unit below a tidak berdaya one, and so on
    tiers = np.r_[TIERS, 1, 2]
    est = OrdinalLogitCalibrator().fit(scores, tiers)
    assert est.converged_ and not est.separated_


def test_ordinal_predict_reproduces_separated_tiers():
    est = OrdinalLogitCalibrator().fit(SCORES, TIERS)
    assert est.predict(SCORES).tolist() == TIERS.tolist()


def test_ordinal_predict_proba_rows_are_distributions():
    proba = OrdinalLogitCalibrator().fit(SCORES, TIERS).predict_proba([0.2, 0.5, 0.9])
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba.argmax(axis=1).tolist() == [0, 1, 2]


def test_ordinal_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    z, y = rng.normal(size=60), rng.integers(0, 4, size=60)
    params = np.array([-1.0, 0.2, -0.3, 0.4])
    err = check_grad(lambda p: negative_log_likelihood(p, z, y, 4)[0],
                     lambda p: negative_log_likelihood(p, z, y, 4)[1], params)
    assert err < 1e-4


def test_ordinal_is_the_unpenalised_maximum_likelihood_fit():
    # For two tiers the unpenalised MLE satisfies the logit score equations exactly:
    # sum(y - p) = 0 and sum((y - p) * x) = 0; any penalty would leave them non-zero.
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85])
    tiers = np.array([0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1])
    est = OrdinalLogitCalibrator(n_tiers=2).fit(scores, tiers)
    residual = tiers - est.predict_proba(scores)[:, 1]
    assert abs(residual.sum()) < 1e-6
    assert abs((residual * scores).sum()) < 1e-6
    np.testing.assert_allclose(est.predict_proba([est.cut_points_[0]])[0], [0.5, 0.5], atol=1e-9)


def test_isotonic_cut_is_midpoint_between_tiers():
    cuts = IsotonicCalibrator().fit(SCORES, TIERS).cut_points_
    np.testing.assert_allclose(cuts, [0.40, 0.65])


def test_stump_cut_is_midpoint_between_tiers():
    cuts = IsotonicCalibrator(boundary="stump").fit(SCORES, TIERS).cut_points_
    np.testing.assert_allclose(cuts, [0.40, 0.65])


def test_isotonic_cuts_that_come_out_unordered_are_an_error():
    scores = np.arange(1.0, 10.0)
    tiers = np.array([0, 2, 2, 1, 2, 2, 0, 2, 1])
    with pytest.raises(InvalidInput) as exc:
        IsotonicCalibrator(min_per_tier=1).fit(scores, tiers)
    assert "not in increasing order" in exc.value.problems[0].en
    assert "tidak berurutan naik" in exc.value.problems[0].id


def test_quantile_reproduces_reference_cycle_shares_and_ignores_other_cycles():
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99])
    tiers = np.array([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
    cycles = np.array([2021, 2021, 2022, 2022, 2022, 2022, 2022, 2022, 2022, 2022, 2021])
    est = QuantileCalibrator().fit(scores, tiers, cycles=cycles)
    assert est.reference_cycle_ == 2022
    np.testing.assert_allclose(est.cut_points_, [0.55, 0.85])  # 3 / 3 / 2 of the 8 records of 2022
    ref = cycles == 2022
    assert np.bincount(est.predict(scores[ref]), minlength=3).tolist() == [3, 3, 2]


def test_quantile_warns_that_it_hides_real_progress():
    assert "hides real progress" in QuantileCalibrator.__doc__
    assert "menyembunyikan kemajuan nyata" in QuantileCalibrator.warning["id"]


def test_fixed_cut_points_are_kept_as_given():
    est = FixedCalibrator(cut_points=[0.4907, 0.5989]).fit(SCORES, TIERS)
    np.testing.assert_array_equal(est.cut_points_, [0.4907, 0.5989])


def test_fixed_cut_points_out_of_order_are_an_error():
    with pytest.raises(InvalidInput, match="not in increasing order"):
        FixedCalibrator(cut_points=[0.6, 0.4]).fit(SCORES, TIERS)


def test_fixed_needs_one_cut_fewer_than_tiers():
    with pytest.raises(InvalidInput, match="2 cut points are needed for 3 tiers"):
        FixedCalibrator(cut_points=[0.5], n_tiers=3).fit(SCORES, TIERS)


def test_cut_rule_decides_the_tier_of_a_score_exactly_at_a_cut():
    strict = FixedCalibrator(cut_points=[0.5], cut_rule=">").fit([0.2, 0.8], [0, 1])
    inclusive = FixedCalibrator(cut_points=[0.5], cut_rule=">=").fit([0.2, 0.8], [0, 1])
    assert strict.predict([0.5]).tolist() == [0]
    assert inclusive.predict([0.5]).tolist() == [1]


def test_a_tier_with_no_records_is_an_error():
    with pytest.raises(InvalidInput) as exc:
        OrdinalLogitCalibrator(n_tiers=4).fit(SCORES, TIERS)
    assert exc.value.problems[0].en == "tier '3' has no records"


def test_too_few_records_in_a_tier_is_an_error():
    with pytest.raises(InvalidInput, match="needs at least 5"):
        OrdinalLogitCalibrator(min_per_tier=5).fit(SCORES, TIERS)


def test_tiers_outside_the_ladder_are_an_error():
    with pytest.raises(InvalidInput) as exc:
        OrdinalLogitCalibrator(n_tiers=2).fit(SCORES, TIERS)
    assert exc.value.problems[0].path == "evaluator_tier[8]"
    assert "outside 0..1" in exc.value.problems[0].en


def test_non_finite_scores_are_an_error():
    with pytest.raises(InvalidInput, match="not finite"):
        OrdinalLogitCalibrator().fit(np.r_[SCORES[:-1], np.nan], TIERS)


def test_make_calibrator_refuses_an_unknown_method():
    with pytest.raises(InvalidInput, match="unknown method 'kmeans'"):
        make_calibrator("kmeans", n_tiers=3)
