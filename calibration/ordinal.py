"""Unpenalised ordered (cumulative) logit, the default calibrator.

Model: P(tier <= k | score) = sigmoid(theta_k - slope * score). The cut point between tier k
and k+1 is where that probability is one half: cut_k = theta_k / slope. scikit-learn has no
ordinal regression, and penalised versions (mord's default alpha=1) pull the cuts away from
the evaluators' boundaries, so this one carries no penalty at all.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.utils.validation import check_is_fitted

from calibration.base import CutPointCalibrator, check_scores
from knowledge.errors import InvalidInput, Problem


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _unpack(params: np.ndarray, n_tiers: int) -> tuple[np.ndarray, float]:
    """Thresholds (strictly increasing by construction) and the slope (positive)."""
    first, log_steps, log_slope = params[0], params[1:n_tiers - 1], params[-1]
    theta = first + np.concatenate(([0.0], np.cumsum(np.exp(log_steps))))
    return theta, float(np.exp(log_slope))


def negative_log_likelihood(params: np.ndarray, z: np.ndarray, y: np.ndarray, n_tiers: int):
    """Negative log-likelihood of the cumulative logit and its gradient.

    Parameters are (theta_1, log of the K-2 threshold steps, log slope); ``z`` are the
    standardised scores. Written in log-space so that near-separable data (evaluators who
    follow the formula exactly, as IDM statuses do) stays finite while the slope grows.
    """
    theta, slope = _unpack(params, n_tiers)
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
    # Gradient of the log-likelihood with respect to each threshold, then the chain rule.
    g_theta = np.zeros(last)
    np.add.at(g_theta, np.minimum(y, last - 1)[y < last], d_a[y < last])
    np.add.at(g_theta, np.maximum(y - 1, 0)[y > 0], d_b[y > 0])
    tail = np.cumsum(g_theta[::-1])[::-1]  # sum over thresholds j >= i
    steps = np.exp(params[1:n_tiers - 1])
    g_eta = -(d_a + d_b)
    grad = np.concatenate(([tail[0]], steps * tail[1:], [np.dot(g_eta, z) * slope]))
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
        Gradient tolerance of the optimiser.

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
    """

    method = "ordinal"

    def __init__(self, *, n_tiers=None, min_per_tier=3, cut_rule=">", max_iter=2000, tol=1e-10):
        self.n_tiers = n_tiers
        self.min_per_tier = min_per_tier
        self.cut_rule = cut_rule
        self.max_iter = max_iter
        self.tol = tol

    def _fit_cuts(self, x, y, k, **fit_params):
        centre, spread = float(x.mean()), float(x.std())
        if spread == 0.0:
            raise InvalidInput([Problem("score", "semua skor sama; titik potong tidak dapat diduga",
                                        "all scores are equal; cut points cannot be estimated")])
        z = (x - centre) / spread
        shares = np.cumsum(np.bincount(y, minlength=k))[:-1] / y.size
        start_theta = np.log(shares / (1.0 - shares))
        start = np.concatenate(([start_theta[0]], np.log(np.maximum(np.diff(start_theta), 1e-3)), [0.0]))
        result = minimize(negative_log_likelihood, start, args=(z, y, k), jac=True, method="L-BFGS-B",
                          options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-15})
        theta_z, slope_z = _unpack(result.x, k)
        if not np.all(np.isfinite(theta_z)) or not np.isfinite(slope_z):
            raise InvalidInput([Problem("cut_points", "model logit berurut tidak konvergen",
                                        "the ordered logit did not converge")])
        # Back to the original scale: theta_z - slope_z * (x - c) / s.
        self.slope_ = slope_z / spread
        self.thresholds_ = theta_z + slope_z * centre / spread
        self.log_likelihood_ = -float(result.fun)
        self.n_iter_ = int(result.nit)
        self.converged_ = bool(result.success)
        return centre + spread * theta_z / slope_z

    def predict_proba(self, scores) -> np.ndarray:
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
