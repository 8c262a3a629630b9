"""The missing-data policy: availability threshold, flagged imputation, never a silent zero."""

import math

import pytest

from knowledge.indices import load_index_definition
from scoring.engine import score_table
from tests.scoring.scoring_testkit import idm_rows, ppm_row

PPM = load_index_definition("ppm")
COL = PPM.indicator_ids.index("swadaya_share")


def test_previous_cycle_of_the_same_rw_fills_a_gap_and_is_flagged():
    rows = [ppm_row(cycle=2023, swadaya_share=0.3), ppm_row(cycle=2024, swadaya_share=None),
            ppm_row(cycle=2024, rw=8, swadaya_share=0.05)]
    table = score_table(PPM, rows)
    assert table.X[1, COL] == 0.3                       # the same RW, 2023 (not the kelurahan mean 0.05)
    assert table.units[1]["imputed"] == ["swadaya_share"]
    assert table.units[0]["imputed"] == [] and table.to_rows()[1]["imputed"] is True
    assert table.units[1]["score"] == pytest.approx(score_table(PPM, [ppm_row(swadaya_share=0.3)]).units[0]["score"])


def test_group_mean_when_no_previous_cycle():
    rows = [ppm_row(rw=1, swadaya_share=0.1), ppm_row(rw=2, swadaya_share=0.3), ppm_row(rw=3, swadaya_share=None),
            ppm_row(rw=4, kelurahan="Cipageran", swadaya_share=0.9)]
    table = score_table(PPM, rows)
    assert table.X[2, COL] == pytest.approx(0.2)        # mean of the same cycle and kelurahan only
    assert table.imputed[2, COL] and not table.imputed[3].any()


def test_unit_below_the_availability_threshold_is_not_scored():
    gaps = dict.fromkeys(PPM.indicator_ids[:5])       # 12 of 17 observed = 0.71 < 0.75
    rows = [ppm_row(rw=1), ppm_row(rw=2, **gaps)]
    table = score_table(PPM, rows, explain=True)
    unit = table.units[1]
    assert unit["score"] is None and unit["tier"] is None and unit["not_scored_reason"] == "insufficient_data"
    assert unit["available_share"] == pytest.approx(12 / 17)
    assert "Not scored" in unit["advice"]["en"] and "Tidak dinilai" in unit["advice"]["id"]
    assert table.units[0]["score"] is not None


def test_a_gap_nothing_can_fill_leaves_the_unit_unscored_not_zero():
    table = score_table(PPM, [ppm_row(other_funding_share=None)])    # alone: no previous cycle, no group
    assert math.isnan(table.score[0]) and table.tier[0] == -1
    assert table.units[0]["not_scored_reason"] == "not_imputable"
    assert table.summary()["scored"] == 0


def test_idm_has_no_imputation():
    rows, _ = idm_rows()
    rows[0]["iks_3"] = None
    table = score_table(load_index_definition("idm"), rows[:5])
    assert table.units[0]["score"] is None and table.units[1]["score"] is not None
    assert not table.imputed.any()


def test_imputation_uses_observed_values_only():
    rows = [ppm_row(cycle=2022, swadaya_share=0.2), ppm_row(cycle=2023, swadaya_share=None),
            ppm_row(cycle=2024, swadaya_share=None)]
    table = score_table(PPM, rows)
    assert table.X[1, COL] == 0.2
    # 2024's previous cycle (2023) was itself imputed; its group (2024, Cibabat) has no observation.
    assert table.units[2]["score"] is None
