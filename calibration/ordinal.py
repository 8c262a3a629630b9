"""Unpenalised ordered (cumulative) logit, the default calibrator.

Model: P(tier <= k | score) = sigmoid(theta_k - slope * score). The cut point between tier k
and k+1 is where that probability is one half: cut_k = theta_k / slope. scikit-learn has no
ordinal regression, and penalised versions (mord's default alpha=1) pull the cuts away from
the evaluators' boundaries, so this one carries no penalty at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.utils.validation import check_is_fitted

from calibration.base import CutPointCalibrator, check_scores
from knowledge.errors import InvalidInput, Problem

# Largest slope per standard deviation of the score: a tier transition about 1/1000 of a
# standard deviation wide. It is the slope recorded for separated tiers and the optimiser's
# bound (reached only when evaluators follow the score almost exactly); a numerical limit, not
# a penalty.
MAX_SLOPE = 1e3


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.logaddexp(0.0, x))


def _unpack(params: np.ndarray, n_tiers: int) -> tuple[np.ndarray, float]:
    """Cut points (strictly increasing by construction) and the slope (positive)."""
    first, log_steps, log_slope = params[0], params[1:n_tiers - 1], params[-1]
    cuts = first + np.concatenate(([0.0], np.cumsum(np.exp(log_steps))))
    return cuts, float(np.exp(log_slope))


def _pack(cuts: np.ndarray, slope: float, min_step: float = 1e-9) -> np.ndarray:
    steps = np.maximum(np.diff(cuts), min_step)
    return np.concatenate(([cuts[0]], np.log(steps), [np.log(slope)]))


def separated_gaps(z: np.ndarray, y: np.ndarray, n_tiers: int) -> np.ndarray | None:
    """(K-1, 2) gaps (highest score below, lowest score above) when every boundary separates
    the tiers perfectly; None when any boundary has overlapping or tied scores."""
    gaps = np.array([[z[y < k].max(), z[y >= k].min()] for k in range(1, n_tiers)])
    return gaps if np.all(gaps[:, 0] < gaps[:, 1]) else None


def negative_log_likelihood(params: np.ndarray, z: np.ndarray, y: np.ndarray,
                            n_tiers: int) -> tuple[float, np.ndarray]:
    """Negative log-likelihood of the cumulative logit and its gradient.

    P(tier <= k) = sigmoid(theta_k - slope * z) with theta_k = slope * cut_k. The parameters
    are (cut_1, log of the K-2 steps between cuts, log slope) on the standardised scores
    ``z``: the cuts stay put while the slope grows, which keeps the problem well conditioned
    when evaluators follow the score almost exactly (as IDM statuses do). Written in
    log-space so that such near-separable data stays finite.
    """
    cuts, slope = _unpack(params, n_tiers)
    theta = slope * cuts
    eta = slope * z
    last = n_tiers - 1
    # Upper (a) and lower (b) threshold of each record's tier, minus eta; infinite at the ends.
    a = np.where(y < last, theta[np.minimum(y, last - 1)] - eta, np.inf)
    b = np.where(y > 0, theta[np.maximum(y - 1, 0)] - eta, -np.inf)
    ll = np.empty_like(z)
    d_a = np.zeros_like(z)
    d_b = np.zeros_like(z)
    low, high = y == 0, y == last
    mid = ~(low | high)
    ll[low] = -_softplus(-a[low])
    d_a[low] = expit(-a[low])
    ll[high] = -_softplus(b[high])
    d_b[high] = -expit(b[high])
    if mid.any():
        am, bm = a[mid], b[mid]
        gap = am - bm
        # log(e^a - e^b) = a + log(1 - e^-(a-b)); the second form never overflows.
        keep = -np.expm1(-gap)
        ll[mid] = am + np.log(keep) - _softplus(am) - _softplus(bm)
        d_a[mid] = 1.0 / keep - expit(am)
        d_b[mid] = -np.exp(-gap) / keep - expit(bm)
    # Gradients with respect to each threshold and to eta, then the chain rule.
    g_theta = np.bincount(np.minimum(y, last - 1)[y < last], weights=d_a[y < last], minlength=last)
    g_theta = g_theta + np.bincount(np.maximum(y - 1, 0)[y > 0], weights=d_b[y > 0], minlength=last)
    g_eta = -(d_a + d_b)
    g_cuts = slope * g_theta
    tail = np.cumsum(g_cuts[::-1])[::-1]  # sum over cuts j >= i
    steps = np.exp(params[1:n_tiers - 1])
    g_log_slope = slope * (np.dot(g_theta, cuts) + np.dot(g_eta, z))
    grad = np.concatenate(([tail[0]], steps * tail[1:], [g_log_slope]))
    return -float(ll.sum()), -grad


class OrdinalLogitCalibrator(CutPointCalibrator):
    """Cut points from an unpenalised ordered (cumulative) logit of tiers on scores.

    Parameters
    ----------
    n_tiers : int or None, default=None
        Number of tiers K. None takes ``max(tiers) + 1``; give it so that a tier with no
        records is reported rather than silently dropped.
    min_per_tier : int, default=3
        Fewest records each tier must have; a threshold estimated from one or two records
        is mostly noise.
    cut_rule : {">", ">="}, default=">"
        When a unit passes a cut: ">" only strictly above it (a score at the cut stays in the
        lower tier), ">=" at or above it. Take it from the index definition.
    max_iter : int, default=2000
        Iterations of L-BFGS-B.
    tol : float, default=1e-10
        Projected-gradient tolerance of L-BFGS-B (``gtol``).

    Attributes
    ----------
    cut_points_ : ndarray of shape (K-1,)
        Cut points on the index scale, ``thresholds_ / slope_``.
    thresholds_ : ndarray of shape (K-1,)
        Intercepts theta_k on the original score scale.
    slope_ : float
        Coefficient of the score; large when evaluators follow the score almost exactly.
    n_tiers_ : int
    tier_counts_ : ndarray of shape (K,)
    log_likelihood_ : float
    n_iter_ : int
    converged_ : bool
    separated_ : bool
        True when the score separates the tiers (each cut is then the middle of its gap) or
        almost does (the slope stopped at its bound, ``MAX_SLOPE`` per standard deviation).
    """

    method = "ordinal"

    def __init__(self, *, n_tiers: int | None = None, min_per_tier: int = 3, cut_rule: str = ">",
                 max_iter: int = 2000, tol: float = 1e-10) -> None:
        self.n_tiers = n_tiers
        self.min_per_tier = min_per_tier
        self.cut_rule = cut_rule
        self.max_iter = max_iter
        self.tol = tol

    def _fit_cuts(self, x: np.ndarray, y: np.ndarray, k: int, **fit_params: Any) -> np.ndarray:
        centre, spread = float(x.mean()), float(x.std())
        if spread == 0.0:
            raise InvalidInput([Problem("score", "semua skor sama; titik potong tidak dapat diduga",
                                        "all scores are equal; cut points cannot be estimated")])
        z = (x - centre) / spread
        gaps = separated_gaps(z, y, k)
        if gaps is not None:
            # Evaluators follow the score exactly: the likelihood keeps rising with the slope
            # and has no finite maximum. Its limit as the slope grows puts each cut in the
            # middle of the gap between adjacent tiers; take that limit directly.
            cuts_z, slope_z = gaps.mean(axis=1), MAX_SLOPE
            self.n_iter_, self.converged_, self.separated_ = 0, True, True
        else:
            cuts_z, slope_z = self._optimise(z, y, k)
        cuts = centre + spread * cuts_z
        self.slope_ = slope_z / spread
        self.thresholds_ = self.slope_ * cuts
        self.log_likelihood_ = -negative_log_likelihood(_pack(cuts_z, slope_z), z, y, k)[0]
        return np.asarray(self.thresholds_ / self.slope_)

    def _optimise(self, z: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, float]:
        shares = np.cumsum(np.bincount(y, minlength=k))[:-1] / y.size
        start_cuts = np.quantile(z, shares)  # cuts that reproduce the tier shares
        start = _pack(start_cuts, 2.0, min_step=1e-3)
        # Bounds, not a penalty: the slope per standard deviation of the score stays below
        # MAX_SLOPE and the steps between cuts stay representable.
        bounds = [(None, None)] + [(np.log(1e-9), np.log(1e3))] * (k - 2) + [(np.log(1e-6), np.log(MAX_SLOPE))]
        result = minimize(negative_log_likelihood, start, args=(z, y, k), jac=True, method="L-BFGS-B",
                          bounds=bounds, options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-15})
        cuts_z, slope_z = _unpack(result.x, k)
        if not np.all(np.isfinite(cuts_z)) or not np.isfinite(slope_z):
            raise InvalidInput([Problem("cut_points", "model logit berurut tidak konvergen",
                                        "the ordered logit did not converge")])
        self.n_iter_ = int(result.nit)
        self.converged_ = bool(result.success)
        self.separated_ = bool(np.isclose(slope_z, MAX_SLOPE))
        return cuts_z, slope_z

    def predict_proba(self, scores: ArrayLike) -> np.ndarray:
        """The model's own P(tier = k | score) for each tier.

        This is the fitted logit's probability, not cut-point uncertainty (for that see
        :func:`calibration.uncertainty.bootstrap_cut_points`).

        Parameters
        ----------
        scores : array-like of shape (n_samples,)

        Returns
        -------
        proba : ndarray of shape (n_samples, K)
        """
        check_is_fitted(self, "cut_points_")
        x = check_scores(scores)
        cum = expit(self.thresholds_[None, :] - self.slope_ * x[:, None])
        cum = np.hstack([np.zeros((x.size, 1)), cum, np.ones((x.size, 1))])
        return np.diff(cum, axis=1)
