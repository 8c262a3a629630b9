"""Drift of one cycle against the calibration's reference cycles.

For the score and every indicator: the population stability index (PSI, on the reference's
decile bins) and the two-sample Kolmogorov–Smirnov test (scipy's ks_2samp); plus the tier
shares of both under the frozen cut points. Both tests are reported because either can miss
a real shift: with about 200 units PSI = 0.086 and KS p = 0.65 said "no drift" while tier
shares under frozen cuts had moved 5-6 points. PSI's 0.1 / 0.25 conventions are therefore
given as rough labels only, next to the tier shares that matter to the programme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import ks_2samp

from calibration.artifact import check_for_definition
from calibration.base import assign_tiers
from calibration.data import prepare
from knowledge.indices import IndexDefinition

# Conventional (rough) PSI bands; shown as labels, never used to hide a tier-share change.
PSI_BANDS = ((0.1, "stabil / stable"), (0.25, "sedang / moderate"), (float("inf"), "besar / large"))


def psi(reference: ArrayLike, current: ArrayLike, *, bins: int = 10, floor: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``.

    Bins are the reference's quantiles (at most ``bins``; tied edges merged), open at both
    ends; an empty bin counts as ``floor`` so the logarithm stays finite.
    """
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref, cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
    if ref.size == 0 or cur.size == 0:
        return float("nan")
    inner = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    ref_share = np.bincount(np.searchsorted(inner, ref, side="right"), minlength=inner.size + 1) / ref.size
    cur_share = np.bincount(np.searchsorted(inner, cur, side="right"), minlength=inner.size + 1) / cur.size
    ref_share = np.maximum(ref_share, floor)
    cur_share = np.maximum(cur_share, floor)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def psi_band(value: float) -> str:
    """Rough label of a PSI value (0.1 / 0.25 conventions)."""
    if not np.isfinite(value):
        return "tidak dapat dihitung / not computable"
    return next(label for limit, label in PSI_BANDS if value < limit)


def compare(reference: ArrayLike, current: ArrayLike) -> dict[str, Any]:
    """PSI and KS of one variable; NaNs (unscored or missing values) are left out."""
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref, cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
    out: dict[str, Any] = {"n_reference": int(ref.size), "n_current": int(cur.size)}
    value = psi(ref, cur)
    out["psi"] = value if np.isfinite(value) else None
    out["psi_band"] = psi_band(value)
    if ref.size and cur.size:
        test = ks_2samp(ref, cur)
        out["ks_statistic"], out["ks_pvalue"] = float(test.statistic), float(test.pvalue)
    else:
        out["ks_statistic"] = out["ks_pvalue"] = None
    return out


def tier_shares(scores: ArrayLike, cut_points: ArrayLike, n_tiers: int, cut_rule: str = ">") -> list[float]:
    """Share of units in each tier under the given (frozen) cut points."""
    x = np.asarray(scores, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return [0.0] * n_tiers
    counts = np.bincount(assign_tiers(x, cut_points, cut_rule), minlength=n_tiers)
    shares: list[float] = (counts / x.size).tolist()
    return shares


def drift(reference: Mapping[str, ArrayLike], current: Mapping[str, ArrayLike], *,
          cut_points: ArrayLike, tiers: Sequence[str], cut_rule: str = ">", score_key: str = "score") -> dict[str, Any]:
    """Drift of a cycle (``current``) against the reference cycles, variable by variable.

    Parameters
    ----------
    reference, current : mapping of variable name to values
        Must both hold ``score_key`` (the index score); every other shared key (indicator)
        is compared too.
    cut_points : sequence of float
        The frozen cut points of the calibration.
    tiers : sequence of str
        Tier ids, lowest first.
    cut_rule : {">", ">="}

    Returns
    -------
    dict
        ``score`` and ``indicators`` (each PSI, rough band, KS statistic and p-value) and
        ``tier_shares`` (reference, current and the change in points, per tier id).
    """
    names = [k for k in reference if k != score_key and k in current]
    ref_shares = tier_shares(reference[score_key], cut_points, len(tiers), cut_rule)
    cur_shares = tier_shares(current[score_key], cut_points, len(tiers), cut_rule)
    return {
        "score": compare(reference[score_key], current[score_key]),
        "indicators": {name: compare(reference[name], current[name]) for name in names},
        "tier_shares": {
            tier: {"reference": r, "current": c, "change_points": 100.0 * (c - r)}
            for tier, r, c in zip(tiers, ref_shares, cur_shares)
        },
        "note": {
            "id": "PSI 0,1/0,25 hanya patokan kasar; lihat juga perubahan pangsa tingkat di bawah titik potong beku.",
            "en": "PSI 0.1/0.25 are rough conventions; read them with the tier-share change under frozen cuts.",
        },
    }


def cycle_drift(definition: IndexDefinition, artifact: dict[str, Any], rows: list[dict[str, Any]], cycle: int) -> dict[str, Any]:
    """Drift of ``cycle`` in ``rows`` against the artifact's reference cycles (also in ``rows``).

    The rows are scored with the definition (which the artifact must belong to); the cycle
    may lack evaluator tiers. The result is :func:`drift` plus the cycles compared.
    """
    check_for_definition(artifact, definition)
    reference = prepare(definition, rows, artifact["cycles"], require_tiers=False)
    current = prepare(definition, rows, [int(cycle)], require_tiers=False)
    result = drift({"score": reference.scores, **reference.indicators},
                   {"score": current.scores, **current.indicators},
                   cut_points=artifact["cut_points"], tiers=artifact["tiers"],
                   cut_rule=definition.tiers.cut_rule)
    return {"cycle": int(cycle), "reference_cycles": list(artifact["cycles"]), "calibration": artifact["id"], **result}
