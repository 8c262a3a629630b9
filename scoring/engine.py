"""The scoring engine: evaluation rows (or a ready matrix) in, a ScoreTable out.

    table = score_table(load_index_definition("ppm"), rows, calibration=artifact, explain=True)

Steps, each vectorised over all units: validate -> missing-data policy -> normalise ->
aggregate (dimensions, then index) -> Alkire–Foster adequacy -> tiers and borderline flags
-> explanations (on request). One unit goes down exactly the same path as a million.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.indices import IndexDefinition, load_index_definition
from scoring.aggregate import score_blocks
from scoring.compiled import compile_index
from scoring.explain import explain as build_explanation
from scoring.inputs import check_matrix, read_rows
from scoring.missing import apply_policy
from scoring.result import ScoreTable
from scoring.tiers import assign_tiers, borderline, resolve_cuts

LANGS = ("id", "en")


def _definition(definition: IndexDefinition | str | Path) -> IndexDefinition:
    return definition if isinstance(definition, IndexDefinition) else load_index_definition(definition)


def score_matrix(definition: IndexDefinition | str | Path, X: np.ndarray, *,
                 ids: Mapping[str, Sequence[Any]] | None = None, calibration: dict[str, Any] | None = None,
                 evaluator_tier: np.ndarray | None = None, explain: bool = False, lang: str = "id",
                 validate: bool = True, synthetic_input: bool = False) -> ScoreTable:
    """Score an (n, m) matrix whose columns follow `definition.indicator_ids` (NaN = missing).

    `ids` maps identifier columns to per-unit values (needed for previous-cycle and group-mean
    imputation; without it, units with gaps are not scored). `validate=False` skips the range
    check when the caller has already done it (score_table has).
    """
    defn = _definition(definition)
    lang = lang if lang in LANGS else "id"
    ci = compile_index(defn)
    cuts = resolve_cuts(defn, calibration)
    X_obs = check_matrix(defn, X) if validate else X
    ids = dict(ids or {})
    filled = apply_policy(defn, X_obs, ids)
    N, D, score, adequacy = score_blocks(ci, filled.X, keep_normalised=explain)
    if not filled.scored.all():
        score[~filled.scored] = np.nan
        D[~filled.scored] = np.nan
        if adequacy is not None:
            adequacy[~filled.scored] = np.nan
    computed, precision = score, defn.tiers.precision
    if precision is not None:
        # The index as its publisher publishes it: tiers, borderline flags and outputs use the
        # rounded value (HDI 0.5498 is published as 0.550 and is Medium). Explanations keep the
        # computed value, whose contributions add up to it.
        score = np.round(computed, precision.decimals)
    tier = assign_tiers(score, cuts.values, cuts.rule)
    near = borderline(score, cuts.values, defn.tiers.borderline.distance)
    explanation = build_explanation(ci, N, computed, tier, cuts.values, cuts.rule) if explain and N is not None else None
    id_columns = list(ids)
    return ScoreTable(
        definition=defn, id_columns=id_columns, ids={c: list(v) for c, v in ids.items()}, X=filled.X,
        normalised=N, imputed=filled.imputed, available_share=filled.available, scored=filled.scored,
        not_scored_reason=filled.reason, score=score, dimensions=D, tier=tier, borderline=near, cuts=cuts,
        adequacy=adequacy, evaluator_tier=evaluator_tier, explanation=explanation, lang=lang,
        computed=computed if precision is not None else None,
        synthetic_input=synthetic_input,
    )


def score_table(definition: IndexDefinition | str | Path, rows: Sequence[dict[str, Any]], *,
                calibration: dict[str, Any] | None = None, explain: bool = False, lang: str = "id",
                id_columns: Sequence[str] = (), source: str = "") -> ScoreTable:
    """Validate evaluation rows against the definition and score every unit.

    Raises knowledge.errors.InvalidInput naming row and column for bad input, and for a
    calibration artifact fitted on a different definition (hash mismatch).
    """
    defn = _definition(definition)
    resolve_cuts(defn, calibration)   # refuse a mismatched artifact before reading the table
    table = read_rows(defn, rows, id_columns=id_columns, source=source)
    return score_matrix(defn, table.X, ids=table.ids, calibration=calibration,
                        evaluator_tier=table.evaluator_tier, explain=explain, lang=lang, validate=False,
                        synthetic_input=table.synthetic)
