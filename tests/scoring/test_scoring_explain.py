"""Explanations: contributions, gains to goalposts, the fewest steps to the next tier, advice, borderline."""

import numpy as np
import pytest

from knowledge.indices import load_index_definition
from scoring.engine import score_matrix, score_table
from scoring.tiers import assign_tiers
from tests.scoring.scoring_testkit import ppm_row

PPM = load_index_definition("ppm")
HDI = load_index_definition("hdi")


def test_contributions_sum_to_the_score_and_are_weight_times_value():
    unit = score_table(PPM, [ppm_row()], explain=True).units[0]
    contrib = {i["id"]: i["contribution"] for i in unit["indicators"]}
    assert sum(contrib.values()) == pytest.approx(unit["score"], abs=1e-12)
    assert contrib["meetings_held"] == pytest.approx(0.2 / 3 * 0.5, abs=1e-12)


def test_gain_if_raised_to_goalpost():
    unit = score_table(PPM, [ppm_row()], explain=True).units[0]
    gains = {i["id"]: i["gain_to_goalpost"] for i in unit["indicators"]}
    assert gains["other_funding_share"] == pytest.approx(0.2 / 3 * 1.0, abs=1e-12)
    assert gains["lpj_days_late"] == pytest.approx(0.2 / 4 * 0.5, abs=1e-12)
    assert gains["vulnerable_proposals_share"] == 0.0          # already at its goalpost


def test_next_tier_plan_is_largest_gain_first_and_smallest():
    # Lower the row so that more than one step is needed.
    row = ppm_row(women_attendance_share=0.1, poor_beneficiary_share=0.05, on_time_share=0.3, active_groups=1)
    table = score_table(PPM, [row], explain=True)
    unit = table.units[0]
    plan = unit["next_tier"]
    gains = [s["gain"] for s in plan["steps"]]
    assert len(gains) >= 2 and gains == sorted(gains, reverse=True)
    assert plan["tier"] == PPM.tier_ids[unit["tier"] + 1] and plan["reachable"]
    # Applying all steps reaches the next tier; leaving out the last step does not.
    def score_with(steps):
        changed = dict(row, **{s["indicator"]: s["to"] for s in steps})
        return score_table(PPM, [changed]).units[0]["score"]
    cuts = np.array(PPM.fallback_cuts)
    assert assign_tiers(np.array([score_with(plan["steps"])]), cuts, ">=")[0] == unit["tier"] + 1
    assert assign_tiers(np.array([score_with(plan["steps"][:-1])]), cuts, ">=")[0] == unit["tier"]
    # The largest single gain comes first.
    all_gains = {i["id"]: i["gain_to_goalpost"] for i in unit["indicators"]}
    assert plan["steps"][0]["indicator"] == max(all_gains, key=all_gains.get)


def test_advice_is_bilingual_and_names_indicators_and_direction():
    row = ppm_row(lpj_days_late=90, other_funding_share=0.3, swadaya_share=0.4)   # score 0.671: mandiri
    unit = score_table(PPM, [row], explain=True, lang="en").units[0]
    first = unit["next_tier"]["steps"][0]
    assert first["indicator"] == "lpj_days_late"                 # gain 0.2/4 = 0.05, the largest
    # The score to the precision it is shown with (3 decimals when the definition names none).
    assert unit["advice"]["id"].startswith("Untuk naik ke Madani (skor minimal 0,8; kini 0,671)")
    assert "turunkan Keterlambatan LPJ (hari) dari 90 ke 0" in unit["advice"]["id"]
    assert "lower Accountability report (LPJ) delay in days from 90 to 0" in unit["advice"]["en"]


def test_advice_gives_a_share_in_percent_as_its_unit_says():
    row = ppm_row(women_attendance_share=0.16, poor_beneficiary_share=0.0, on_time_share=0.3, active_groups=1)
    unit = score_table(PPM, [row], explain=True).units[0]
    ratios = {i.id for i in PPM.indicators if i.unit == "ratio"}
    steps = [s for s in unit["next_tier"]["steps"] if s["indicator"] in ratios]
    assert steps  # the plan raises a share
    for step in steps:
        assert (f"{step['name']['id']} dari {step['from'] * 100:.0f}% ke {step['to'] * 100:.0f}%".replace(".", ",")
                in unit["advice"]["id"])
        assert f"{step['name']['en']} from {step['from'] * 100:.0f}% to {step['to'] * 100:.0f}%" in unit["advice"]["en"]


def test_top_tier_has_no_next_step():
    best = {i.id: (i.goalposts.low if i.direction == "negative" else i.goalposts.high) for i in PPM.indicators}
    unit = score_table(PPM, [ppm_row(**best)], explain=True).units[0]
    assert unit["tier_id"] == "madani" and unit["next_tier"] is None
    assert "tertinggi" in unit["advice"]["id"] and "highest tier" in unit["advice"]["en"]


def test_geometric_gains_are_exact_recomputations_of_the_computed_index():
    X = np.array([[67.6, 13.7, 8.6, 11466.0]])
    table = score_matrix(HDI, X, explain=True)
    raised = X.copy()
    raised[0, 2] = 15.0
    gain = score_matrix(HDI, raised).computed[0] - table.computed[0]
    assert table.explanation.gains[0, 2] == pytest.approx(gain, abs=1e-12)
    assert table.explanation.contributions[0].sum() == pytest.approx(table.computed[0], abs=1e-12)
    assert table.score[0] == round(table.computed[0], 3)   # published to three decimals


def test_borderline_within_the_definition_distance():
    on_edge = score_table(PPM, [ppm_row(swadaya_share=0.12)])      # score 0.5825: 0.0175 below 0.60
    assert on_edge.units[0]["borderline"] is True and on_edge.units[0]["tier_id"] == "berdaya"
    assert score_table(PPM, [ppm_row()]).units[0]["borderline"] is False


def test_explain_is_off_by_default():
    unit = score_table(PPM, [ppm_row()]).units[0]
    assert "advice" not in unit and "indicators" not in unit
