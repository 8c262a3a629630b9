"""Synthetic evaluation indicators, hidden empowerment levels and noisy evaluator tiers (numpy).

The model: each evaluation unit has a hidden latent empowerment level L in [0, 1]. Every
indicator is drawn around it on the goalpost scale, v = L + offset + N(0, sd), and mapped
back to its unit (v = 0 at the low goalpost, 1 at the high one; flipped for "lower is
better"), clipped to its valid range and rounded as evaluators record it. With the ppm
index's goalposts an arithmetic-mean index of these indicators is close to L, but not equal:
L is the hidden truth, the index is what a scorer can compute.

Evaluator tiers come from a score on some scale (L itself, or an index computed by the
caller) through cut points, with evaluator noise:
- "perception" (default): the evaluator sees the score plus Gaussian noise whose sd is solved
  so that the expected share of tiers that differ from the true tier equals `noise_rate`;
  tiers are kept within one of the true tier. Disagreements happen near the cut points, as
  with real evaluators, and P(tier >= k) is symmetric around each cut.
- "flip": each unit moves one tier up with probability noise_rate/2 and down with
  noise_rate/2, kept inside the ladder (so the realised rate is a little below noise_rate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from knowledge.errors import InvalidInput, Problem
from knowledge.synthetic.settings import Settings, load_settings

NOISE_MODELS = ("perception", "flip")


def indicator_names(s: Settings | None = None) -> list[str]:
    """The 17 ppm indicator columns, in the settings' order."""
    return list((s or load_settings()).indicators)


def indicators_from_latent(latent: np.ndarray, rng: np.random.Generator,
                           s: Settings | None = None) -> dict[str, np.ndarray]:
    """Indicator columns (name -> array) drawn around the latent levels."""
    s = s or load_settings()
    sd = float(s.evaluation["indicator_noise_sd"])
    names = list(s.indicators)
    noise = rng.standard_normal((len(names), latent.shape[0]))
    out: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        spec = s.indicators[name]
        low, high = (float(x) for x in spec["goalposts"])
        v = latent + float(spec.get("offset", 0.0)) + sd * noise[i]
        if spec.get("lower_is_better"):
            v = 1.0 - v
        raw = np.clip(low + v * (high - low), float(spec["valid"][0]), float(spec["valid"][1]))
        decimals = int(spec["decimals"])
        out[name] = np.round(raw, decimals) if decimals else np.rint(raw).astype(np.int64)
    return out


def tiers_from_scores(scores: ArrayLike, cut_points: ArrayLike) -> np.ndarray:
    """Tier ordinal per score: the number of cut points at or below it (a score on a cut moves up)."""
    return np.searchsorted(np.asarray(cut_points, dtype=float), np.asarray(scores, dtype=float), side="right")


def _check_cuts(cut_points: Sequence[float], noise_rate: float, noise: str) -> np.ndarray:
    cuts = np.asarray(cut_points, dtype=float)
    problems = []
    if cuts.ndim != 1 or cuts.size == 0 or np.any(np.diff(cuts) <= 0):
        problems.append(Problem("cut_points", "titik potong harus naik tegas",
                                "cut points must be strictly increasing"))
    if not 0.0 <= noise_rate < 1.0:
        problems.append(Problem("noise_rate", "laju galat penilai harus di antara 0 dan 1",
                                "evaluator noise rate must be between 0 and 1"))
    if noise not in NOISE_MODELS:
        problems.append(Problem("noise", f"model galat harus salah satu dari {NOISE_MODELS}",
                                f"noise model must be one of {NOISE_MODELS}"))
    if problems:
        raise InvalidInput(problems, source="synthetic")
    return cuts


def _expected_disagreement(scores: np.ndarray, lo: np.ndarray, hi: np.ndarray, sd: float) -> float:
    return float(np.mean(ndtr((lo - scores) / sd) + 1.0 - ndtr((hi - scores) / sd)))


def perception_sd(scores: np.ndarray, cut_points: ArrayLike, noise_rate: float) -> float:
    """The sd of perception noise at which the expected share of disagreeing tiers is `noise_rate`."""
    cuts = np.asarray(cut_points, dtype=float)
    scores = np.asarray(scores, dtype=float)
    edges = np.concatenate(([-np.inf], cuts, [np.inf]))
    true = tiers_from_scores(scores, cuts)
    lo, hi = edges[true], edges[true + 1]
    low, high = 1e-9, 10.0
    if _expected_disagreement(scores, lo, hi, high) < noise_rate:
        raise InvalidInput([Problem("noise_rate", f"laju galat {noise_rate} tidak tercapai untuk skor ini",
                                    f"noise rate {noise_rate} cannot be reached for these scores")], source="synthetic")
    for _ in range(60):  # bisection: the expected disagreement grows with the sd
        mid = 0.5 * (low + high)
        if _expected_disagreement(scores, lo, hi, mid) < noise_rate:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def noisy_tiers(scores: np.ndarray, cut_points: Sequence[float], noise_rate: float,
                rng: np.random.Generator, noise: str = "perception") -> tuple[np.ndarray, np.ndarray, float]:
    """(true tiers, evaluator tiers, perception sd or 0.0) for `scores` under the noise model."""
    cuts = _check_cuts(cut_points, noise_rate, noise)
    scores = np.asarray(scores, dtype=float)
    true = tiers_from_scores(scores, cuts)
    top = cuts.size
    if noise_rate == 0:
        return true, true.copy(), 0.0
    if noise == "flip":
        u = rng.random(scores.shape[0])
        down = (u >= noise_rate / 2) & (u < noise_rate)
        step = np.asarray(u < noise_rate / 2, dtype=np.int64) - np.asarray(down, dtype=np.int64)
        return true, np.clip(true + step, 0, top), 0.0
    sd = perception_sd(scores, cuts, noise_rate)
    seen = tiers_from_scores(scores + sd * rng.standard_normal(scores.shape[0]), cuts)
    return true, np.clip(seen, np.maximum(true - 1, 0), np.minimum(true + 1, top)), sd


def latent_panel(n_units: int, cycles: Sequence[int], rng: np.random.Generator,
                 s: Settings | None = None) -> np.ndarray:
    """Hidden levels, shape (len(cycles), n_units): a start level per unit drifting upward."""
    lat = (s or load_settings()).evaluation["latent"]
    a, b = (float(x) for x in lat["start_beta"])
    lo, hi = (float(x) for x in lat["start_range"])
    start = lo + (hi - lo) * rng.beta(a, b, n_units)
    low, high = (float(x) for x in lat["drift_per_cycle"])
    drift = rng.uniform(low, high, n_units)
    steps = np.arange(len(cycles))[:, None]
    wiggle = float(lat["cycle_noise_sd"]) * rng.standard_normal((len(cycles), n_units))
    floor, ceiling = (float(x) for x in lat["bounds"])
    return np.clip(start[None, :] + drift[None, :] * steps + wiggle, floor, ceiling)


def synthetic_indicator_matrix(n: int, seed: int = 0, *, cycles: Sequence[int] = range(2018, 2026),
                               with_ids: bool = True, with_latent: bool = False) -> dict[str, np.ndarray]:
    """`n` synthetic (SINTETIS) evaluation units as columns: name -> numpy array of length n.

    Columns: `cycle`, `kecamatan`, `kelurahan`, `rw` (when `with_ids`; unit k is cycle
    cycles[k % len(cycles)] and a made-up RW number so identifiers are unique), the 17 ppm
    indicators, and `latent` (the hidden level, only when `with_latent`). Made for benchmarks:
    a million units take well under a second of numpy work.
    """
    s = load_settings()
    rng = np.random.default_rng([int(seed), 7])
    cyc = np.asarray(list(cycles), dtype=np.int64)
    lat = s.evaluation["latent"]
    a, b = (float(x) for x in lat["start_beta"])
    lo, hi = (float(x) for x in lat["start_range"])
    step = np.arange(n) % cyc.size
    drift = float(s.raw["matrix"]["drift_per_cycle"])
    floor, ceiling = (float(x) for x in lat["bounds"])
    latent = np.clip(lo + (hi - lo) * rng.beta(a, b, n) + drift * step, floor, ceiling)
    cols: dict[str, np.ndarray] = {}
    if with_ids:
        cols.update(_ids(n, cyc))
    cols.update(indicators_from_latent(latent, rng, s))
    if with_latent:
        cols["latent"] = latent
    return cols


def _ids(n: int, cycles: np.ndarray) -> dict[str, np.ndarray]:
    from knowledge.reference import load_reference

    kels = load_reference().all_kelurahan()
    unit = np.arange(n) // cycles.size
    kel_idx = unit % len(kels)
    return {
        "cycle": cycles[np.arange(n) % cycles.size],
        "kecamatan": np.array([k.kecamatan for k in kels], dtype=object)[kel_idx],
        "kelurahan": np.array([k.name for k in kels], dtype=object)[kel_idx],
        "rw": (unit // len(kels) + 1).astype(np.int64),
    }


def rows_from_columns(columns: Mapping[str, np.ndarray], extra: Mapping[str, Sequence[Any]] | None = None
                      ) -> list[dict[str, Any]]:
    """Columns to row dicts with plain Python values (for CSV/XLSX/JSON and row-based APIs)."""
    merged: dict[str, Any] = dict(columns)
    merged.update(extra or {})
    names = list(merged)
    lists = [np.asarray(merged[k]).tolist() for k in names]
    return [dict(zip(names, values)) for values in zip(*lists)]
