"""ScoreTable: the numpy-backed result of scoring many units, and its views (units, rows, JSON)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge.documents import to_jsonable
from knowledge.indices import IndexDefinition
from scoring.advice import advice
from scoring.explain import Explanation
from scoring.tiers import Cuts


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


@dataclass
class ScoreTable:
    """Scores of n units under one definition. Arrays are row-aligned with the input."""

    definition: IndexDefinition
    id_columns: list[str]
    ids: dict[str, list[Any]]
    X: np.ndarray                 # (n, m) values used (observed + imputed)
    normalised: np.ndarray | None  # (n, m), kept only with explanations
    imputed: np.ndarray           # (n, m) bool
    available_share: np.ndarray   # (n,)
    scored: np.ndarray            # (n,) bool
    not_scored_reason: list[str | None]
    score: np.ndarray             # (n,) NaN when not scored
    dimensions: np.ndarray        # (n, d)
    tier: np.ndarray              # (n,) ordinal, -1 when not scored
    borderline: np.ndarray        # (n,) bool
    cuts: Cuts
    adequacy: np.ndarray | None = None      # (n,) Alkire–Foster weighted adequacy
    evaluator_tier: np.ndarray | None = None  # (n,) ordinal, -1 = not given
    computed: np.ndarray | None = None        # (n,) the unrounded index, when `score` is rounded as published
    explanation: Explanation | None = None
    lang: str = "id"
    synthetic_input: bool = False
    _units: list[dict[str, Any]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.score)

    @property
    def synthetic(self) -> bool:
        """The definition or the input rows are synthetic (then every output says so)."""
        return bool(self.definition.synthetic or self.synthetic_input)

    @property
    def calibration_id(self) -> str | None:
        return self.cuts.calibration_id

    @property
    def empowered(self) -> np.ndarray | None:
        k = self.definition.counting.k if self.definition.counting else None
        if self.adequacy is None or k is None:
            return None
        with np.errstate(invalid="ignore"):
            return self.adequacy >= k - 1e-12

    def tier_name(self, ordinal: int, lang: str | None = None) -> str | None:
        if ordinal < 0:
            return None
        name = self.definition.tiers.levels[ordinal].name
        return name.id if (lang or self.lang) == "id" else name.en

    # -- per-unit view --------------------------------------------------------------------
    def _plan(self, i: int) -> dict[str, Any] | None:
        ex = self.explanation
        t = int(self.tier[i])
        if ex is None or t < 0 or t >= len(self.cuts.values):
            return None
        defn = self.definition
        steps = []
        for j in ex.plan[i]:
            ind = defn.indicators[j]
            steps.append({"indicator": ind.id, "name": {"id": ind.name.id, "en": ind.name.en},
                          "from": float(self.X[i, j]), "to": float(self._target(j)),
                          "gain": float(ex.gains[i, j]), "lower_is_better": ind.direction == "negative"})
        return {"tier": defn.tier_ids[t + 1], "cut": float(self.cuts.values[t]), "reachable": bool(ex.reachable[i]),
                "steps": steps, "score_after": _num(ex.plan_score[i])}

    def _target(self, j: int) -> float:
        ind = self.definition.indicators[j]
        return ind.goalposts.low if ind.direction == "negative" else ind.goalposts.high

    def unit(self, i: int) -> dict[str, Any]:
        defn = self.definition
        t = int(self.tier[i])
        out: dict[str, Any] = {c: to_jsonable(self.ids[c][i]) for c in self.id_columns}
        out.update({
            "score": _num(self.score[i]),
            **({"score_computed": _num(self.computed[i])} if self.computed is not None else {}),
            "dimensions": {d: _num(self.dimensions[i, k]) for k, d in enumerate(defn.dimension_ids)},
            "tier": t if t >= 0 else None,
            "tier_id": defn.tier_ids[t] if t >= 0 else None,
            "tier_name": self.tier_name(t),
            "borderline": bool(self.borderline[i]),
            "imputed": [defn.indicator_ids[j] for j in np.flatnonzero(self.imputed[i])],
            "available_share": float(self.available_share[i]),
            "not_scored_reason": self.not_scored_reason[i],
        })
        if self.adequacy is not None:
            out["adequacy"] = _num(self.adequacy[i])
            empowered = self.empowered
            out["empowered"] = None if out["adequacy"] is None or empowered is None else bool(empowered[i])
        if self.evaluator_tier is not None:
            # Written as `tier` is: ordinal, id and name (None when the evaluator gave none).
            e = int(self.evaluator_tier[i])
            out["evaluator_tier"] = e if e >= 0 else None
            out["evaluator_tier_id"] = defn.tier_ids[e] if e >= 0 else None
            out["evaluator_tier_name"] = self.tier_name(e)
        normalised = self.normalised
        if self.explanation is not None and normalised is not None:
            ex = self.explanation
            out["indicators"] = [
                {"id": ind.id, "value": _num(self.X[i, j]), "normalised": _num(normalised[i, j]),
                 "imputed": bool(self.imputed[i, j]), "contribution": _num(ex.contributions[i, j]),
                 "gain_to_goalpost": _num(ex.gains[i, j])}
                for j, ind in enumerate(defn.indicators)]
            out["next_tier"] = self._plan(i)
            out["advice"] = {lang: advice(defn, out, lang) for lang in ("id", "en")}
        return out

    @property
    def units(self) -> list[dict[str, Any]]:
        """One dict per unit, input order (built on first use)."""
        if self._units is None:
            self._units = [self.unit(i) for i in range(len(self))]
        return self._units

    # -- flat rows for CSV/XLSX -----------------------------------------------------------
    def columns(self) -> list[str]:
        cols = [*self.id_columns, "score", *self.definition.dimension_ids, "tier", "tier_name", "borderline",
                "imputed", "imputed_indicators", "available_share"]
        if self.adequacy is not None:
            cols += ["adequacy", "empowered"]
        if self.evaluator_tier is not None:
            cols += ["evaluator_tier", "evaluator_tier_name"]
        if self.explanation is not None:
            cols.append("advice")
        if self.calibration_id is not None:
            cols.append("calibration_id")
        if self.synthetic:
            cols.append("synthetic")
        return cols

    def to_rows(self) -> list[dict[str, Any]]:
        rows = []
        for u in self.units:
            row = {c: u[c] for c in self.id_columns}
            row["score"] = u["score"]
            row.update(u["dimensions"])
            row.update({"tier": u["tier"], "tier_name": u["tier_name"], "borderline": u["borderline"],
                        "imputed": bool(u["imputed"]), "imputed_indicators": ";".join(u["imputed"]),
                        "available_share": u["available_share"]})
            if self.adequacy is not None:
                row.update({"adequacy": u["adequacy"], "empowered": u["empowered"]})
            if self.evaluator_tier is not None:
                row.update({"evaluator_tier": u["evaluator_tier"], "evaluator_tier_name": u["evaluator_tier_name"]})
            if self.explanation is not None:
                row["advice"] = u["advice"][self.lang]
            if self.calibration_id is not None:
                row["calibration_id"] = self.calibration_id   # which cut points made the tiers
            if self.synthetic:
                row["synthetic"] = True
            rows.append(row)
        return rows

    # -- table-level ----------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        defn = self.definition
        counts = np.bincount(self.tier[self.tier >= 0], minlength=len(defn.tier_ids))
        out: dict[str, Any] = {
            "units": len(self), "scored": int(self.scored.sum()),
            "tiers": {t: int(c) for t, c in zip(defn.tier_ids, counts)},
            "borderline": int(self.borderline.sum()), "with_imputed_values": int(self.imputed.any(axis=1).sum()),
        }
        emp, adequacy, counting = self.empowered, self.adequacy, defn.counting
        if emp is not None and adequacy is not None and counting is not None:
            ok = ~np.isnan(adequacy)
            dis = ok & ~emp
            n_ok = int(ok.sum())
            headcount = float(dis.sum() / n_ok) if n_ok else None
            intensity = float((1 - adequacy[dis]).mean()) if dis.any() else 0.0
            out["alkire_foster"] = {
                "k": counting.k, "empowered_share": None if headcount is None else 1 - headcount,
                "disempowered_headcount": headcount, "disempowerment_intensity": intensity,
                "adjusted_headcount_m0": None if headcount is None else headcount * intensity,
            }
        return out

    def metadata(self) -> dict[str, Any]:
        defn = self.definition
        return {
            "index": {"name": defn.name, "version": defn.version, "hash": defn.content_hash()},
            "cuts": {"values": [float(c) for c in self.cuts.values], "rule": self.cuts.rule,
                     "source": self.cuts.source, "calibration_id": self.cuts.calibration_id},
            "tiers": [{"id": t.id, "name": {"id": t.name.id, "en": t.name.en}} for t in defn.tiers.levels],
            "synthetic": self.synthetic,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.metadata(), "summary": self.summary(), "units": self.units}
