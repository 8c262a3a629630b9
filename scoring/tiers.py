"""Tier assignment: cut points from the definition or a calibration artifact, borderline flags.

A calibration artifact is accepted only for the exact definition it was fitted on: its
`index.hash` must equal the definition's content hash, otherwise scoring refuses it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import intake
from knowledge.errors import InvalidInput, Problem
from knowledge.indices import IndexDefinition

# Scores are rounded to this many decimals before comparing with a cut, so that floating-point
# noise in the last bits (e.g. from rescaled weights) can never move a unit across a cut.
TIER_DECIMALS = 12


@dataclass(frozen=True)
class Cuts:
    values: np.ndarray           # ascending, one fewer than tiers
    rule: str                    # ">" or ">="
    source: str                  # "definition" | "calibration" | "fallback"
    calibration_id: str | None = None


def _hex(h: Any) -> str:
    text = str(h or "").strip().lower()
    return text.split(":", 1)[1] if text.startswith("sha256:") else text


def _bad(path: str, id_text: str, en_text: str, source: str) -> InvalidInput:
    return InvalidInput([Problem(path, id_text, en_text)], source=source)


def check_calibration(defn: IndexDefinition, artifact: dict[str, Any], source: str = "") -> Cuts:
    """Validate a calibration artifact against `defn`; return its cut points."""
    if not isinstance(artifact, dict):
        raise _bad("calibration", "berkas kalibrasi harus berupa objek JSON", "a calibration file must be a JSON object", source)
    raw_index = artifact.get("index")
    index: dict[str, Any] = raw_index if isinstance(raw_index, dict) else {}
    expected = defn.content_hash()
    if _hex(index.get("hash")) != _hex(expected):
        raise _bad("calibration.index.hash",
                   f"kalibrasi dibuat untuk definisi indeks lain (hash {index.get('hash')!s}); definisi '{defn.name}' "
                   f"versi ini ber-hash {expected}. Kalibrasi ulang atau gunakan definisi yang sama.",
                   f"calibration was fitted on another index definition (hash {index.get('hash')!s}); this "
                   f"'{defn.name}' definition has hash {expected}. Recalibrate or use the same definition.", source)
    cal_id = artifact.get("id")
    if not isinstance(cal_id, str) or not cal_id.strip():
        raise _bad("calibration.id", "kalibrasi harus mempunyai id", "a calibration must have an id", source)
    tiers = artifact.get("tiers")
    if tiers is not None and list(tiers) != defn.tier_ids:
        raise _bad("calibration.tiers", f"tingkat kalibrasi {tiers} berbeda dari definisi {defn.tier_ids}",
                   f"calibration tiers {tiers} differ from the definition's {defn.tier_ids}", source)
    cuts = artifact.get("cut_points")
    need = len(defn.tier_ids) - 1
    ok = isinstance(cuts, list) and len(cuts) == need and all(
        isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in cuts)
    if not ok or not isinstance(cuts, list) or any(b <= a for a, b in itertools.pairwise(cuts)):
        raise _bad("calibration.cut_points", f"harus {need} angka yang naik tegas",
                   f"must be {need} strictly increasing numbers", source)
    scale = defn.score_scale()
    if scale is not None and not all(scale[0] <= c <= scale[1] for c in cuts):
        raise _bad("calibration.cut_points", f"titik potong {cuts} di luar skala indeks {scale[0]}..{scale[1]}",
                   f"cut points {cuts} are outside the index's scale {scale[0]}..{scale[1]}", source)
    return Cuts(np.array(cuts, dtype=float), defn.tiers.cut_rule, "calibration", cal_id)


def load_calibration(path: str | Path, limits: intake.ReadLimits = intake.ReadLimits()) -> dict[str, Any]:
    p = Path(path)
    artifact = intake.read_json(intake.read_file(p, limits), limits, source=str(p))
    if not isinstance(artifact, dict):
        raise _bad(str(p), "berkas kalibrasi harus berupa objek JSON", "a calibration file must be a JSON object", str(p))
    return artifact


def resolve_cuts(defn: IndexDefinition, calibration: dict[str, Any] | None = None, source: str = "") -> Cuts:
    """The artifact's cuts when one is given; otherwise the definition's (fixed, or the fallback)."""
    if calibration is not None:
        return check_calibration(defn, calibration, source)
    origin = "definition" if defn.tiers.cuts_from == "definition" else "fallback"
    return Cuts(np.array(defn.fallback_cuts, dtype=float), defn.tiers.cut_rule, origin)


def assign_tiers(scores: np.ndarray, cuts: np.ndarray, rule: str) -> np.ndarray:
    """Ordinal tier per score (0 = lowest); -1 where the score is NaN (unit not scored).

    Rule '>': a unit passes a cut only when strictly above it. Rule '>=': at or above it.
    """
    s = np.round(np.asarray(scores, dtype=float), TIER_DECIMALS)
    tiers = np.searchsorted(np.asarray(cuts, dtype=float), s, side="left" if rule == ">" else "right")
    tiers = tiers.astype(np.int64)
    tiers[np.isnan(s)] = -1
    return tiers


def borderline(scores: np.ndarray, cuts: np.ndarray, distance: float) -> np.ndarray:
    """True where a score lies within `distance` of any cut point."""
    s = np.asarray(scores, dtype=float)
    near = np.zeros(s.shape, dtype=bool)
    for c in np.asarray(cuts, dtype=float):
        with np.errstate(invalid="ignore"):
            near |= np.abs(s - c) <= distance + 1e-12
    return near


def tier_ordinal(defn: IndexDefinition, value: Any) -> int | None:
    """A tier given by id, name (id or en, any case) or ordinal; None if empty; ValueError if unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    n = len(defn.tiers.levels)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 0 <= int(value) < n:
            return int(value)
        raise ValueError(value)
    key = str(value).strip().casefold().replace(" ", "_")
    for k, tier in enumerate(defn.tiers.levels):
        names = {tier.id, tier.name.id.casefold().replace(" ", "_"), tier.name.en.casefold().replace(" ", "_")}
        if key in names:
            return k
    if key.isdigit() and int(key) < n:
        return int(key)
    raise ValueError(value)
