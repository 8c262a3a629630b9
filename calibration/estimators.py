"""The other calibrators: per-boundary isotonic/stump, quantile anchoring, fixed cut points.

Together with :class:`calibration.ordinal.OrdinalLogitCalibrator` (the default) these are the
methods `berdaya calibrate --method` offers; `make_calibrator` builds one by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike
from sklearn.isotonic import IsotonicRegression
from sklearn.tree import DecisionTreeClassifier

from calibration.base import CutPointCalibrator, check_ordered
from calibration.ordinal import OrdinalLogitCalibrator
from knowledge.errors import InvalidInput, Problem


class IsotonicCalibrator(CutPointCalibrator):
    """One cut per boundary between adjacent tiers, each fitted on its own.

    For boundary k the records are split into "tier >= k" or not; an increasing isotonic
    regression (or a depth-one decision tree, a stump) of that indicator on the score gives
    the cut where the fitted share crosses one half. Deterministic and assumption-free, but
    each boundary sees only its own split, so with noisy evaluators the cuts can cross; that
    is reported as an error rather than repaired.

    Parameters
    ----------
    n_tiers : int or None, default=None
        Number of tiers K; None takes ``max(tiers) + 1``.
    min_per_tier : int, default=3
        Fewest records each tier must have.
    cut_rule : {">", ">="}, default=">"
        When a unit passes a cut (see :func:`calibration.base.assign_tiers`).
    boundary : {"isotonic", "stump"}, default="isotonic"
        "isotonic": midpoint between the highest score whose isotonic fit is below one half
        and the lowest score whose fit is above it. "stump": the threshold of a
        ``DecisionTreeClassifier(max_depth=1)`` (Gini), also a midpoint between two scores.

    Attributes
    ----------
    cut_points_ : ndarray of shape (K-1,)
    n_tiers_ : int
    tier_counts_ : ndarray of shape (K,)
    """

    method = "isotonic"

    def __init__(self, *, n_tiers: int | None = None, min_per_tier: int = 3, cut_rule: str = ">",
                 boundary: str = "isotonic") -> None:
        self.n_tiers = n_tiers
        self.min_per_tier = min_per_tier
        self.cut_rule = cut_rule
        self.boundary = boundary

    def _one_boundary(self, x: np.ndarray, above: np.ndarray, k: int) -> float:
        if self.boundary == "stump":
            tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(x[:, None], above)
            if tree.tree_.node_count < 3:
                raise self._unidentified(k)
            return float(tree.tree_.threshold[0])
        if self.boundary != "isotonic":
            raise InvalidInput([Problem("boundary", "boundary harus 'isotonic' atau 'stump'",
                                        "boundary must be 'isotonic' or 'stump'")])
        fitted = IsotonicRegression(increasing=True).fit(x, above).predict(x)
        below, over = x[fitted < 0.5], x[fitted > 0.5]
        if below.size == 0 or over.size == 0:
            raise self._unidentified(k)
        return float((below.max() + over.min()) / 2.0)

    @staticmethod
    def _unidentified(k: int) -> InvalidInput:
        return InvalidInput([Problem(
            f"cut_points[{k - 1}]",
            f"batas antara tingkat {k - 1} dan {k} tidak dapat ditentukan dari skor",
            f"the boundary between tiers {k - 1} and {k} cannot be located from the scores")])

    def _fit_cuts(self, x: np.ndarray, y: np.ndarray, k: int, **fit_params: Any) -> np.ndarray:
        return np.array([self._one_boundary(x, (y >= b).astype(float), b) for b in range(1, k)])


class QuantileCalibrator(CutPointCalibrator):
    """Cut points that reproduce a reference cycle's tier shares on that cycle's scores.

    .. warning::
       Quantile anchoring hides real progress. Re-anchored each cycle (year-to-year
       linking) it forces every cycle back to the reference shares, so units that really
       improved do not move up: on HDI 2012->2022 it pushed the tier shares back to 2012
       levels although the top tier had really grown. Freeze the fitted cuts and change them
       only by a deliberate, versioned recalibration; reports carry this warning.

    Parameters
    ----------
    n_tiers : int or None, default=None
        Number of tiers K; None takes ``max(tiers) + 1``.
    min_per_tier : int, default=1
        Fewest records each tier must have in the reference cycle.
    cut_rule : {">", ">="}, default=">"
        When a unit passes a cut (see :func:`calibration.base.assign_tiers`).
    reference_cycle : int or None, default=None
        Cycle whose evaluator tier shares and scores anchor the cuts; None takes the latest
        cycle passed to ``fit`` (or every record when no cycles are passed).

    Attributes
    ----------
    cut_points_ : ndarray of shape (K-1,)
    reference_cycle_ : int or None
    reference_shares_ : ndarray of shape (K,)
        Evaluator tier shares of the reference cycle.
    n_tiers_ : int
    tier_counts_ : ndarray of shape (K,)
    """

    method = "quantile"
    warning: ClassVar[dict[str, str]] = {
        "id": "Penjangkaran kuantil menyembunyikan kemajuan nyata: pangsa tingkat dipaksa kembali ke "
              "siklus acuan walaupun unit benar-benar membaik.",
        "en": "Quantile anchoring hides real progress: tier shares are forced back to the reference "
              "cycle's although units really improved.",
    }

    def __init__(self, *, n_tiers: int | None = None, min_per_tier: int = 1, cut_rule: str = ">",
                 reference_cycle: int | None = None) -> None:
        self.n_tiers = n_tiers
        self.min_per_tier = min_per_tier
        self.cut_rule = cut_rule
        self.reference_cycle = reference_cycle

    def fit(self, scores: ArrayLike, tiers: ArrayLike,  # type: ignore[override]  # cycles by name, as before
            cycles: ArrayLike | None = None) -> Self:
        """Learn the cuts; ``cycles`` (array of shape (n_samples,)) selects the reference cycle."""
        return super().fit(scores, tiers, cycles=cycles)

    def _fit_cuts(self, x: np.ndarray, y: np.ndarray, k: int, cycles: ArrayLike | None = None) -> np.ndarray:
        ref = self.reference_cycle
        if cycles is not None:
            c = np.asarray(cycles)
            if c.shape != x.shape:
                raise InvalidInput([Problem("cycles", "jumlah siklus tidak sama dengan jumlah skor",
                                            "number of cycles differs from number of scores")])
            ref = int(c.max()) if ref is None else int(ref)
            chosen = c == ref
            if not chosen.any():
                raise InvalidInput([Problem("reference_cycle", f"siklus acuan {ref} tidak ada di data",
                                            f"reference cycle {ref} is not in the data")])
            x, y = x[chosen], y[chosen]
        counts = np.bincount(y, minlength=k)
        if np.any(counts == 0):
            missing = int(np.flatnonzero(counts == 0)[0])
            raise InvalidInput([Problem(f"evaluator_tier={missing}",
                                        f"tingkat {missing} tidak memiliki catatan di siklus acuan {ref}",
                                        f"tier {missing} has no records in reference cycle {ref}")])
        ordered = np.sort(x)
        below = np.cumsum(counts)[:-1]  # records in tiers below each boundary
        self.reference_cycle_ = ref
        self.reference_shares_ = counts / counts.sum()
        return np.asarray((ordered[below - 1] + ordered[below]) / 2.0)


class FixedCalibrator(CutPointCalibrator):
    """Cut points set by regulation or by the index definition, for comparison.

    ``fit`` learns nothing: it checks the tiers and the cut points (one fewer than the tiers,
    strictly increasing) so that the fixed method is validated like the others.

    Parameters
    ----------
    cut_points : sequence of float
        The K-1 cut points, increasing.
    n_tiers : int or None, default=None
        Number of tiers K; None takes ``len(cut_points) + 1``.
    min_per_tier : int, default=0
        Fewest records each tier must have (none: nothing is estimated).
    cut_rule : {">", ">="}, default=">"
        When a unit passes a cut (see :func:`calibration.base.assign_tiers`).

    Attributes
    ----------
    cut_points_ : ndarray of shape (K-1,)
    n_tiers_ : int
    tier_counts_ : ndarray of shape (K,)
    """

    method = "fixed"

    def __init__(self, *, cut_points: Sequence[float] = (), n_tiers: int | None = None, min_per_tier: int = 0,
                 cut_rule: str = ">") -> None:
        self.cut_points = cut_points
        self.n_tiers = n_tiers
        self.min_per_tier = min_per_tier
        self.cut_rule = cut_rule

    def _n_tiers_given(self) -> int | None:
        return len(self.cut_points) + 1 if self.n_tiers is None else self.n_tiers

    def _fit_cuts(self, x: np.ndarray, y: np.ndarray, k: int, **fit_params: Any) -> np.ndarray:
        cuts = np.asarray(self.cut_points, dtype=float)
        if cuts.shape != (k - 1,):
            raise InvalidInput([Problem("cut_points", f"perlu {k - 1} titik potong untuk {k} tingkat, ada {cuts.size}",
                                        f"{k - 1} cut points are needed for {k} tiers, got {cuts.size}")])
        return check_ordered(cuts, self.method)


METHODS = ("ordinal", "isotonic", "quantile", "fixed")


def make_calibrator(method: str, *, n_tiers: int, cut_rule: str = ">", fixed_cuts: Sequence[float] | None = None,
                    reference_cycle: int | None = None) -> CutPointCalibrator:
    """A calibrator by its `--method` name, with the project defaults."""
    if method == "ordinal":
        return OrdinalLogitCalibrator(n_tiers=n_tiers, cut_rule=cut_rule)
    if method == "isotonic":
        return IsotonicCalibrator(n_tiers=n_tiers, cut_rule=cut_rule)
    if method == "quantile":
        return QuantileCalibrator(n_tiers=n_tiers, cut_rule=cut_rule, reference_cycle=reference_cycle)
    if method == "fixed":
        if fixed_cuts is None:
            raise InvalidInput([Problem("method", "definisi indeks ini tidak memuat titik potong tetap",
                                        "this index definition carries no fixed cut points")])
        return FixedCalibrator(cut_points=list(fixed_cuts), n_tiers=n_tiers, cut_rule=cut_rule)
    raise InvalidInput([Problem("method", f"metode '{method}' tidak dikenal; pilih {', '.join(METHODS)}",
                                f"unknown method '{method}'; choose {', '.join(METHODS)}")])
