"""The synthetic-cycle generator: deterministic, labelled, every problem seeded, clean ones clean."""

import collections
import itertools
import json

import numpy as np
import pytest

from knowledge.documents import parse_proposal
from knowledge.errors import InvalidInput
from knowledge.reference import load_reference
from knowledge.synthetic import (
    calibration_sample,
    generate_cycles,
    indicator_names,
    noisy_tiers,
    problem_types,
    synthetic_indicator_matrix,
    tiers_from_scores,
)
from tests.knowledge.foundation_checks import measures, pagu, threshold_distances, violations

# The seeded problem types and the rule group that must catch each.
CONTRACT_PROBLEMS = {
    "over_ceiling": "budget", "wages_from_ppm": "budget", "mamin_over_cap": "budget",
    "cash_to_individuals": "budget", "flood_damage_repair": "eligibility", "negative_list_item": "eligibility",
    "missing_documents": "documents", "amendment_without_berita_acara": "documents",
    "no_women_in_musyawarah": "inclusion", "no_poor_in_musyawarah": "inclusion",
    "no_maintenance_plan": "sustainability", "arithmetic_slip": "consistency", "dates_outside_cycle": "consistency",
}
INDICATORS = {
    "musyawarah_attendance_rate", "women_attendance_share", "meetings_held", "poor_beneficiary_share",
    "disability_voice", "vulnerable_proposals_share", "swadaya_share", "volunteer_hours_per_household",
    "other_funding_share", "realisation_rate", "on_time_share", "lpj_days_late", "public_disclosure",
    "assets_maintained_share", "active_groups", "umkm_income_change", "satisfaction_score",
}
TIERS = ["tidak_berdaya", "berdaya", "mandiri", "madani"]


@pytest.fixture(scope="module")
def data():
    return generate_cycles(seed=2018)


def dump(d) -> str:
    return json.dumps([[p.proposal, p.problems] for p in d.proposals] + d.evaluations, sort_keys=True)


def test_one_proposal_and_one_evaluation_per_rw_and_cycle_without_the_suspended_2020(data):
    rws = load_reference().rws()
    assert data.cycles == (2018, 2019, 2021, 2022, 2023, 2024, 2025, 2026)
    keys = {(p.proposal["cycle"], p.proposal["region"]["kelurahan"], p.proposal["region"]["rw"]) for p in data.proposals}
    assert len(keys) == len(data.proposals) == 8 * len(rws)
    assert {(r["cycle"], r["kelurahan"], r["rw"]) for r in data.evaluations} == keys


def test_same_seed_gives_identical_data_and_another_seed_different_data(data):
    again = generate_cycles(seed=2018)
    assert dump(again) == dump(data)
    assert np.array_equal(again.true_index, data.true_index)
    other = generate_cycles(seed=2019)
    assert dump(other) != dump(data)
    assert sum(a.proposal != b.proposal for a, b in zip(data.proposals, other.proposals)) > 0.9 * len(data.proposals)


def test_problem_types_are_the_contract_list_with_their_groups():
    assert {k: v.group for k, v in problem_types().items()} == CONTRACT_PROBLEMS
    assert all(v.description_id and v.description_en for v in problem_types().values())


def test_every_problem_type_occurs_and_about_seventy_percent_are_clean(data):
    counts = collections.Counter(name for p in data.proposals for name in p.problems)
    assert set(counts) == set(CONTRACT_PROBLEMS)
    assert min(counts.values()) >= 30
    clean_share = sum(p.clean for p in data.proposals) / len(data.proposals)
    assert 0.65 <= clean_share <= 0.75
    assert {len(p.problems) for p in data.proposals} == {0, 1, 2}


def test_every_problem_type_occurs_even_in_a_single_cycle():
    one = generate_cycles(seed=3, cycles=[2024])
    assert {name for p in one.proposals for name in p.problems} == set(CONTRACT_PROBLEMS)


def test_every_generated_proposal_validates(data):
    for p in data.proposals:
        parse_proposal(p.proposal, source=p.file_name)


def test_each_proposal_breaks_exactly_its_seeded_problems(data):
    wrong = [(p.file_name, p.problems, sorted(violations(p.proposal))) for p in data.proposals
             if violations(p.proposal) != set(p.problems)]
    assert wrong == []


def test_clean_proposals_meet_every_threshold_and_many_sit_just_above_it(data):
    clean = [p for p in data.proposals if p.clean]
    broken = [(p.file_name, k) for p in clean for k, d in threshold_distances(p.proposal).items() if d < 0]
    assert broken == []
    # Spread as real proposals are, not cleared with a margin: a fair number of meetings have
    # 30-35% women and a fair number of totals are within 5% of the ceiling.
    women = [measures(p.proposal)["women_share"] for p in clean]
    assert min(women) >= 0.30 and sum(w < 0.35 for w in women) > 0.25 * len(clean)
    near_ceiling = [measures(p.proposal)["ppm_total"] >= 0.95 * pagu(p.proposal["cycle"]) for p in clean]
    assert sum(near_ceiling) > 0.25 * len(clean)
    for key in ("poor_share", "swadaya_share", "mamin_share"):   # team sizes are too small to sit that close
        near = [threshold_distances(p.proposal)[key] < 0.05 for p in clean]
        assert sum(near) > 0.15 * len(clean), key


def test_seeded_problems_are_clear_cut(data):
    by = collections.defaultdict(list)
    for p in data.proposals:
        for name in p.problems:
            by[name].append(p.proposal)
    assert all(1.05 * pagu(p["cycle"]) <= measures(p)["ppm_total"] <= 1.3 * pagu(p["cycle"]) for p in by["over_ceiling"])
    assert all(p["musyawarah"]["attendance"]["women"] == 0 for p in by["no_women_in_musyawarah"])
    assert all(p["musyawarah"]["attendance"]["poor"] == 0 for p in by["no_poor_in_musyawarah"])
    assert all(p["amends"] == {"proposal_ref": p["amends"]["proposal_ref"], "berita_acara_perubahan": False}
               for p in by["amendment_without_berita_acara"])
    assert all(any(a["end"].startswith(str(p["cycle"] + 1)) for a in p["activities"]) for p in by["dates_outside_cycle"])
    assert all(measures(p)["mamin_share"] > 0.12 for p in by["mamin_over_cap"])


def test_evaluations_carry_the_seventeen_indicators_and_a_tier(data):
    assert set(indicator_names()) == INDICATORS
    for row in data.evaluations:
        assert set(row) == {"cycle", "kecamatan", "kelurahan", "rw", "evaluator_tier"} | INDICATORS
        assert row["evaluator_tier"] in TIERS
        assert 0 <= row["women_attendance_share"] <= 1 and row["lpj_days_late"] >= 0
        assert 1 <= row["satisfaction_score"] <= 5 and isinstance(row["meetings_held"], int)


def test_evaluator_tiers_come_from_the_hidden_index_with_about_twenty_percent_noise(data):
    assert data.cut_points == tuple(data.manifest()["evaluations"]["hidden_cut_points"])
    assert np.array_equal(data.true_tier, tiers_from_scores(data.true_index, data.cut_points))
    seen = np.array([TIERS.index(r["evaluator_tier"]) for r in data.evaluations])
    assert 0.16 <= np.mean(seen != data.true_tier) <= 0.24
    assert np.max(np.abs(seen - data.true_tier)) == 1
    assert len(set(seen.tolist())) == 4


def test_the_hidden_level_drifts_upward_and_indicators_follow_it(data):
    cycles = np.array([r["cycle"] for r in data.evaluations])
    means = [data.true_index[cycles == c].mean() for c in data.cycles]
    assert means[-1] - means[0] > 0.05 and all(b > a - 0.01 for a, b in itertools.pairwise(means))
    on_time = np.array([r["on_time_share"] for r in data.evaluations])
    late = np.array([r["lpj_days_late"] for r in data.evaluations])
    assert np.corrcoef(on_time, data.true_index)[0, 1] > 0.5
    assert np.corrcoef(late, data.true_index)[0, 1] < -0.5   # lower is better


def test_manifest_labels_the_data_synthetic(data):
    m = data.manifest()
    assert m["synthetic"] is True and m["seed"] == 2018
    assert "SINTETIS" in m["label"]["id"] and "SYNTHETIC" in m["label"]["en"]
    assert m["problems"]["2025/cibabat-rw05.json"] == list(
        next(p.problems for p in data.proposals if p.file_name == "2025/cibabat-rw05.json"))
    assert sum(m["problem_counts"].values()) == sum(len(p.problems) for p in data.proposals)


def test_indicator_matrix_is_deterministic_columnar_and_unique_per_unit():
    a = synthetic_indicator_matrix(5000, seed=4)
    b = synthetic_indicator_matrix(5000, seed=4)
    c = synthetic_indicator_matrix(5000, seed=5)
    assert set(a) == {"cycle", "kecamatan", "kelurahan", "rw"} | INDICATORS
    assert all(len(v) == 5000 and np.array_equal(a[k], b[k]) for k, v in a.items())
    assert not np.array_equal(a["on_time_share"], c["on_time_share"])
    ids = set(zip(a["cycle"].tolist(), a["kelurahan"].tolist(), a["rw"].tolist()))
    assert len(ids) == 5000
    assert set(synthetic_indicator_matrix(10, with_ids=False, with_latent=True)) == INDICATORS | {"latent"}


def test_calibration_sample_cuts_tiers_at_the_known_points_on_the_callers_scale():
    def index(cols):  # an arithmetic mean of two indicators, standing in for a real index
        return (np.asarray(cols["on_time_share"]) + np.asarray(cols["assets_maintained_share"])) / 2

    sample = calibration_sample(seed=2, cut_points=(0.3, 0.5, 0.7), noise_rate=0.2, score=index)
    assert np.array_equal(sample.scores, index(sample.columns))
    assert np.array_equal(sample.true_tier, np.searchsorted([0.3, 0.5, 0.7], sample.scores, side="right"))
    assert 0.17 <= sample.disagreement <= 0.23
    assert np.max(np.abs(sample.true_tier - sample.evaluator_tier)) == 1
    rows = sample.rows()
    assert len(rows) == len(sample.scores) and rows[0]["evaluator_tier"] in TIERS
    exact = calibration_sample(seed=2, noise_rate=0.0)
    assert np.array_equal(exact.true_tier, exact.evaluator_tier)
    assert np.array_equal(exact.scores, exact.latent)


def test_flip_noise_moves_tiers_by_one_inside_the_ladder():
    scores = np.linspace(0, 1, 20_000)
    true, seen, sd = noisy_tiers(scores, [0.25, 0.5, 0.75], 0.2, np.random.default_rng(0), noise="flip")
    assert sd == 0.0 and seen.min() == 0 and seen.max() == 3
    assert np.max(np.abs(seen - true)) == 1
    assert 0.13 <= np.mean(seen != true) <= 0.17   # 20% minus the half that would leave the ladder at both ends


@pytest.mark.parametrize("cuts, rate, noise, field", [
    ([0.6, 0.4], 0.2, "perception", "cut_points"),
    ([0.4, 0.6], 1.5, "perception", "noise_rate"),
    ([0.4, 0.6], 0.2, "dice", "noise"),
])
def test_bad_noise_settings_are_refused_in_both_languages(cuts, rate, noise, field):
    with pytest.raises(InvalidInput) as info:
        noisy_tiers(np.array([0.1, 0.5]), cuts, rate, np.random.default_rng(0), noise=noise)
    problem = info.value.problems[0]
    assert problem.path == field and problem.id and problem.en and problem.id != problem.en
