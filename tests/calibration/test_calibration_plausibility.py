"""Implausible calibration artifacts are refused: cut points off the index's scale, and validation figures
that the artifact's own confusion matrices contradict (recomputed, not trusted)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from calibration.artifact import build_artifact, check_for_definition
from calibration.fit import calibrate
from calibration.plausibility import recomputed
from knowledge.errors import InvalidInput
from knowledge.indices import load_index_definition
from tests.calibration.calibration_rows import CYCLES, synthetic_rows

DEFINITION = load_index_definition("ppm")


@pytest.fixture(scope="module")
def fitted():
    return calibrate(DEFINITION, synthetic_rows(), cycles=CYCLES, n_bootstrap=20, seed=5,
                     created_at=datetime(2026, 2, 14, 9, 30, tzinfo=UTC)).artifact


def rebuilt(artifact: dict, **changes) -> dict:
    """The artifact with `changes`, under a fresh id (so only plausibility can refuse it, not the id check)."""
    body = {k: copy.deepcopy(v) for k, v in artifact.items() if k not in ("id", "created_at")}
    body.update(changes)
    return build_artifact(index_name=body["index"]["name"], index_hash=body["index"]["hash"], method=body["method"],
                          cycles=body["cycles"], tiers=body["tiers"], cut_points=body["cut_points"],
                          cut_intervals=body["cut_intervals"], validation=body["validation"],
                          synthetic=body["synthetic"])


def refused_paths(artifact: dict) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        check_for_definition(artifact, DEFINITION)
    return [p.path for p in caught.value.problems]


def test_a_fitted_artifact_is_plausible_and_its_figures_recompute_from_its_matrices(fitted):
    check_for_definition(fitted, DEFINITION)
    pooled = fitted["validation"]["methods"]["ordinal"]["pooled"]
    again = recomputed(pooled, len(fitted["tiers"]))
    assert again is not None and again["n"] == pooled["n"]
    assert again["accuracy"] == pytest.approx(pooled["accuracy"])
    assert again["quadratic_kappa"] == pytest.approx(pooled["quadratic_kappa"])
    assert again["mean_abs_tier_error"] == pytest.approx(pooled["mean_abs_tier_error"])


def test_cut_points_off_the_index_scale_are_refused_each_named():
    art = build_artifact(index_name="ppm", index_hash=DEFINITION.content_hash(), method="fixed", cycles=[2022],
                         tiers=list(DEFINITION.tier_ids), cut_points=[-3, -2, -1],
                         cut_intervals=[[-3, -3], [-2, -2], [-1, -1]],
                         validation={"methods": {"fixed": {"pooled": {"accuracy": 1.0}}}}, synthetic=True)
    paths = refused_paths(art)
    assert [p for p in paths if p.startswith("cut_points")] == ["cut_points[0]", "cut_points[1]", "cut_points[2]"]
    assert len([p for p in paths if p.startswith("cut_intervals")]) == 3


def test_a_self_declared_accuracy_that_its_confusion_matrix_contradicts_is_refused(fitted):
    validation = copy.deepcopy(fitted["validation"])
    validation["methods"]["ordinal"]["pooled"]["accuracy"] = 1.0
    assert refused_paths(rebuilt(fitted, validation=validation)) == ["validation.methods.ordinal.pooled.accuracy"]


def test_per_cycle_figures_and_matrix_shapes_are_checked(fitted):
    validation = copy.deepcopy(fitted["validation"])
    cycle = sorted(validation["methods"]["isotonic"]["per_cycle"])[0]
    validation["methods"]["isotonic"]["per_cycle"][cycle]["quadratic_kappa"] = 0.999
    validation["methods"]["fixed"]["pooled"]["confusion"] = [[1, 2], [3, 4]]
    assert refused_paths(rebuilt(fitted, validation=validation)) == [
        "validation.methods.fixed.pooled.confusion", f"validation.methods.isotonic.per_cycle.{cycle}.quadratic_kappa"]


def test_an_accuracy_outside_zero_and_one_is_refused_even_without_a_matrix(fitted):
    art = rebuilt(fitted, validation={"methods": {"ordinal": {"pooled": {"accuracy": 1.5}}}})
    assert refused_paths(art) == ["validation.methods.ordinal.pooled.accuracy"]


def test_an_artifact_without_validation_figures_has_nothing_to_recompute(fitted):
    check_for_definition(rebuilt(fitted, validation={}), DEFINITION)
