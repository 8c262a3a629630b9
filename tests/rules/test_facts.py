"""Fact extraction (rules.facts): small literal proposals give exact fact values and field paths."""

from __future__ import annotations

import copy
import datetime as dt
import math
from types import SimpleNamespace

import pytest

from knowledge.documents import parse_proposal
from knowledge.kb import load_knowledge_base
from knowledge.proposal import Proposal, Region
from rules.fact_params import MissingParameter
from rules.facts import Facts, extract_facts

PARAMS = {
    "pagu_per_rw": 75_000_000,
    "first_open_cycle": 2018,
    "last_open_cycle": 2025,
    "max_mamin_share": 0.10,
    "min_pemberdayaan_share": 0.10,
    "min_swadaya_share": 0.05,
    "min_poor_beneficiary_share": 0.10,
    "min_maintenance_plan_words": 4,
    "required_documents": ["berita_acara_musyawarah", "daftar_hadir", "rab"],
    "optional_documents": ["berita_acara_perubahan"],
    "negative_list_words": ["sepeda motor", "mobil", "minuman keras"],
    "submission_deadline": "03-31",
}
CATEGORIES = {
    "sarana_prasarana.drainase": {"group": "sarana_prasarana", "infrastructure": True, "public_building": False},
    "sarana_prasarana.posyandu": {"group": "sarana_prasarana", "infrastructure": True, "public_building": True},
    "pemberdayaan.umkm": {"group": "pemberdayaan", "infrastructure": False, "public_building": False},
}


def line(item="Semen", quantity=10, unit_price=100_000, source="ppm", kind="material", **extra):
    return {"item": item, "unit": "unit", "quantity": quantity, "unit_price": unit_price,
            "source": source, "kind": kind, **extra}


def activity(code="A1", category="sarana_prasarana.drainase", lines=None, **extra):
    base = {"code": code, "name": f"Kegiatan {code}", "category": category,
            "start": "2022-05-01", "end": "2022-07-31",
            "maintenance_plan": "Kelompok RT 02 membersihkan saluran tiap bulan",
            "budget_lines": lines or [line()],
            "beneficiaries": {"households": 100, "poor_households": 20}}
    base.update(extra)
    return base


def proposal(activities=None, **extra):
    data = {
        "cycle": 2022,
        "region": {"kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5},
        "title": "Uji fakta",
        "submitted_on": "2022-02-14",
        "activities": activities or [activity()],
        "musyawarah": {"date": "2022-01-20", "households_in_rw": 200,
                       "attendance": {"total": 40, "women": 12, "poor": 4, "persons_with_disability": 1, "youth": 3},
                       "minutes_attached": True, "attendance_list_attached": True},
        "team": {"members": 5, "women_members": 2},
        "documents": ["berita_acara_musyawarah", "daftar_hadir", "rab"],
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return parse_proposal(data)


def facts_of(prop: Proposal, params=PARAMS, categories=CATEGORIES) -> Facts:
    return extract_facts(prop, params, categories)


def test_totals_by_source_group_and_kind():
    prop = proposal([
        activity("A1", lines=[
            line("Semen", 10, 100_000),                                   # ppm material 1,000,000
            line("Makan minum", 20, 25_000, kind="mamin"),                # ppm mamin 500,000
            line("Tenaga", 5, 100_000, source="swadaya", kind="upah"),    # swadaya 500,000
        ]),
        activity("A2", category="pemberdayaan.umkm", lines=[
            line("Narasumber", 1, 1_000_000, kind="jasa"),                # ppm jasa 1,000,000
            line("Bantuan CSR", 1, 500_000, source="lainnya"),            # lainnya 500,000
        ]),
    ])
    v = facts_of(prop).values
    assert (v["ppm_total"], v["swadaya_total"], v["lainnya_total"], v["total_value"]) == (
        2_500_000, 500_000, 500_000, 3_500_000)
    assert (v["ppm_sarana_prasarana_total"], v["ppm_pemberdayaan_total"]) == (1_500_000, 1_000_000)
    assert (v["ppm_material_total"], v["ppm_mamin_total"], v["ppm_jasa_total"], v["ppm_upah_total"]) == (
        1_000_000, 500_000, 1_000_000, 0)
    assert v["ppm_mamin_share"] == 500_000 / 2_500_000
    assert v["ppm_pemberdayaan_share"] == 1_000_000 / 2_500_000
    assert v["swadaya_share"] == 500_000 / 3_500_000
    assert (v["activity_count"], v["line_count"], v["infrastructure_activity_count"]) == (2, 5, 1)


def test_line_value_is_rounded_quantity_times_price():
    prop = proposal([activity(lines=[line(quantity=2.5, unit_price=3_333)])])
    assert facts_of(prop).values["ppm_total"] == round(2.5 * 3_333)


def test_zero_denominators_give_zero_shares():
    prop = proposal(
        [activity(lines=[line(quantity=0, source="swadaya")], beneficiaries={"households": 0})],
        musyawarah={"attendance": {"total": 0}},
        team={"members": 0, "women_members": 0},
    )
    v = facts_of(prop).values
    assert v["ppm_total"] == 0 and v["total_value"] == 0
    for name in ("ppm_mamin_share", "ppm_pemberdayaan_share", "swadaya_share", "women_attendance_share",
                 "poor_attendance_share", "team_women_share", "infra_min_poor_beneficiary_share"):
        assert v[name] == 0.0, name
    assert v["ppm_mamin_excess"] == 0 and v["pemberdayaan_shortfall"] == 0 and v["swadaya_shortfall"] == 0
    assert v["infra_no_beneficiaries_count"] == 1 and v["infra_low_poor_beneficiary_count"] == 0


def test_attendance_ratios():
    v = facts_of(proposal()).values
    assert v["musyawarah_attendance_share"] == 40 / 200
    assert v["women_attendance_share"] == 12 / 40 == 0.3
    assert v["poor_attendance_share"] == 4 / 40
    assert (v["disability_attendance_count"], v["youth_attendance_count"]) == (1, 3)
    assert v["speakers_recorded"] is False and v["women_speakers"] == 0


def test_offending_lines_are_counted_and_located():
    prop = proposal([
        activity("A1", lines=[
            line("Semen", 10, 100_000, amount=900_000),
            line("Upah tukang", 3, 150_000, kind="upah"),
            line("Sepeda  Motor bekas", 1, 10_000_000),
        ]),
        activity("A2", category="pemberdayaan.umkm", lines=[
            line("Uang saku peserta", 10, 50_000, kind="lainnya", cash_to_individuals=True),
            line("Modul", 0, 10_000),
        ]),
    ])
    f = facts_of(prop)
    v, loc = f.values, f.locators
    assert v["ppm_wage_line_count"] == 1 and v["ppm_upah_total"] == 450_000
    assert loc["ppm_wage_lines"] == ["activities[0].budget_lines[1].source"]
    assert (v["cash_line_count"], v["cash_total"]) == (1, 500_000)
    assert loc["cash_lines"] == ["activities[1].budget_lines[0].cash_to_individuals"]
    assert (v["amount_mismatch_count"], v["first_amount_mismatch_stated"], v["first_amount_mismatch_computed"]) == (
        1, 900_000, 1_000_000)
    assert loc["amount_mismatch_lines"] == ["activities[0].budget_lines[0].amount"]
    assert v["zero_value_line_count"] == 1 and loc["zero_value_lines"] == ["activities[1].budget_lines[1].quantity"]
    assert v["negative_list_match_count"] == 1
    assert (v["negative_list_first_word"], v["negative_list_first_text"]) == ("sepeda motor", "Sepeda  Motor bekas")
    assert loc["negative_list_matches"] == ["activities[0].budget_lines[2].item"]


def test_negative_list_matches_whole_words_case_insensitively_in_items_and_names():
    prop = proposal([activity(name="Pelatihan MINUMAN KERAS", lines=[
        line("Biaya mobilisasi alat"), line("Sewa mobil bak"), line("Automobile"),
    ])])
    f = facts_of(prop)
    assert f.values["negative_list_match_count"] == 2
    assert f.values["negative_list_first_word"] == "mobil"
    assert f.locators["negative_list_matches"] == ["activities[0].budget_lines[1].item", "activities[0].name"]


def test_activity_flags_and_locators():
    prop = proposal([
        activity("A1", repairs_flood_damage=True, maintenance_plan=None,
                 beneficiaries={"households": 100, "poor_households": 9}),
        activity("A2", category="sarana_prasarana.posyandu", maintenance_plan="Dirawat warga",
                 beneficiaries={"households": 250, "poor_households": 50}),
        activity("A2", category="sarana_prasarana.kolam", lines=[line(source="swadaya")]),
    ])
    f = facts_of(prop)
    v, loc = f.values, f.locators
    assert (v["flood_repair_activity_count"], v["first_flood_repair_activity"]) == (1, "A1")
    assert loc["flood_repair_activities"] == ["activities[0].repairs_flood_damage"]
    assert (v["infra_no_maintenance_count"], v["infra_short_maintenance_count"]) == (1, 1)
    assert loc["infra_no_maintenance"] == ["activities[0].maintenance_plan"]
    assert loc["infra_short_maintenance"] == ["activities[1].maintenance_plan"]
    assert (v["infra_low_poor_beneficiary_count"], v["infra_min_poor_beneficiary_share"]) == (1, 0.09)
    assert loc["infra_low_poor_beneficiaries"] == ["activities[0].beneficiaries.poor_households"]
    assert (v["public_building_no_access_count"], v["first_public_building_no_access"]) == (1, "A2")
    assert (v["unknown_category_count"], v["first_unknown_category"]) == (1, "sarana_prasarana.kolam")
    assert loc["unknown_category_activities"] == ["activities[2].category"]
    assert (v["duplicate_activity_code_count"], v["first_duplicate_activity_code"]) == (1, "A2")
    assert (v["beneficiaries_exceed_rw_count"], v["max_beneficiary_households"]) == (1, 250)
    # Two infrastructure activities (A1, A2) have no swadaya line; the unknown category is not infrastructure.
    assert v["infra_without_swadaya_count"] == 2 and v["infrastructure_activity_count"] == 2


def test_activity_total_and_requested_total_mismatches():
    prop = proposal([activity(stated_total=999_999)], requested_total=1_200_000)
    v = facts_of(prop).values
    assert (v["activity_total_mismatch_count"], v["first_activity_total_stated"], v["first_activity_total_computed"]) == (
        1, 999_999, 1_000_000)
    assert v["requested_total_mismatch"] is True and v["requested_total_difference"] == 200_000
    v = facts_of(proposal(requested_total=1_000_000)).values
    assert v["requested_total_mismatch"] is False and v["requested_total_given"] is True
    v = facts_of(proposal()).values
    assert (v["requested_total_given"], v["requested_total"], v["requested_total_difference"]) == (False, 0, 0)


def test_dates_against_cycle_musyawarah_and_deadline():
    prop = proposal([
        activity("A1", start="2021-12-30", end="2022-03-01"),
        activity("A2", start="2022-10-01", end="2023-01-10"),
    ], submitted_on="2022-04-02", musyawarah={"date": "2022-04-05"})
    f = facts_of(prop)
    v, loc = f.values, f.locators
    assert (v["activities_outside_cycle_count"], v["days_outside_cycle"], v["first_activity_outside_cycle"]) == (2, 10, "A1")
    assert loc["activities_outside_cycle"] == ["activities[0].start", "activities[1].end"]
    assert (v["activities_before_musyawarah_count"], v["days_activity_before_musyawarah"]) == (1, 96)
    assert (v["musyawarah_after_submission"], v["days_musyawarah_after_submission"]) == (True, 3)
    assert (v["days_after_submission_deadline"], v["submission_deadline_date"]) == (2, "2022-03-31")
    both_ends = facts_of(proposal([activity(start="2021-12-01", end="2023-01-05")]))
    assert both_ends.values["activities_outside_cycle_count"] == 1 and both_ends.values["days_outside_cycle"] == 31
    assert both_ends.locators["activities_outside_cycle"] == ["activities[0].start", "activities[0].end"]
    assert facts_of(proposal()).values["days_after_submission_deadline"] == (dt.date(2022, 2, 14) - dt.date(2022, 3, 31)).days
    v = facts_of(proposal(submitted_on=None)).values
    assert (v["submitted_on_given"], v["days_after_submission_deadline"], v["musyawarah_after_submission"]) == (False, 0, False)


def test_documents_against_the_required_list_in_force():
    prop = proposal(documents=["rab", "surat_rt", "berita_acara_perubahan"],
                    amends={"proposal_ref": "PPM/2022/1", "berita_acara_perubahan": False})
    f = facts_of(prop)
    v = f.values
    assert (v["missing_documents_count"], v["missing_documents"]) == (2, "berita_acara_musyawarah, daftar_hadir")
    assert (v["unknown_documents_count"], v["unknown_documents"]) == (1, "surat_rt")
    assert (v["is_amendment"], v["amendment_has_berita_acara"], v["amendment_document_listed"]) == (True, False, True)
    assert f.locators["documents"] == ["documents"] and f.locators["amendment"] == ["amends.berita_acara_perubahan"]
    other = dict(PARAMS, required_documents=["rab"])
    assert facts_of(prop, other).values["missing_documents_count"] == 0


def test_mamin_excess_is_the_smallest_cut_that_meets_the_cap():
    lines = [line("Semen", 1, 9_000_000), line("Mamin", 1, 1_500_000, kind="mamin")]
    excess = facts_of(proposal([activity(lines=lines)])).values["ppm_mamin_excess"]
    for cut, within in ((excess, True), (excess - 1, False)):
        cut_lines = copy.deepcopy(lines)
        cut_lines[1]["unit_price"] -= cut
        share = facts_of(proposal([activity(lines=cut_lines)])).values["ppm_mamin_share"]
        assert (share <= PARAMS["max_mamin_share"]) is within, (cut, share)


def test_swadaya_and_pemberdayaan_shortfalls_reach_the_minimum_exactly():
    lines = [line("Semen", 1, 10_000_000), line("Tenaga", 1, 100_000, source="swadaya", kind="upah")]
    v = facts_of(proposal([activity(lines=lines)])).values
    shortfall = v["swadaya_shortfall"]
    for extra, meets in ((shortfall, True), (shortfall - 1, False)):
        more = copy.deepcopy(lines)
        more[1]["unit_price"] += extra
        assert (facts_of(proposal([activity(lines=more)])).values["swadaya_share"] >= 0.05) is meets
    assert v["pemberdayaan_shortfall"] == 1_000_000   # 10% of Rp 10,000,000 with no pemberdayaan yet


def test_categories_and_parameters_as_objects_or_dicts():
    prop = proposal([activity(category="sarana_prasarana.posyandu", accessibility_features=[])])
    as_objects = {k: SimpleNamespace(**c) for k, c in CATEGORIES.items()}
    wrapped = {k: SimpleNamespace(value=val) for k, val in PARAMS.items()}
    dict_wrapped = {k: {"value": val} for k, val in PARAMS.items()}
    expected = facts_of(prop).values
    assert expected["public_building_no_access_count"] == 1
    assert facts_of(prop, categories=as_objects).values == expected
    assert facts_of(prop, params=wrapped).values == expected
    assert facts_of(prop, params=dict_wrapped).values == expected


def test_missing_parameter_is_named():
    params = {k: v for k, v in PARAMS.items() if k != "max_mamin_share"}
    with pytest.raises(MissingParameter, match="max_mamin_share"):
        facts_of(proposal(), params)


def test_bad_deadline_parameter_is_a_clear_error():
    with pytest.raises(MissingParameter, match="MM-DD"):
        facts_of(proposal(), dict(PARAMS, submission_deadline="akhir Maret"))


def test_region_outside_the_reference_is_a_fact_not_a_crash():
    prop = proposal()
    assert facts_of(prop).values["region_in_cimahi"] is True
    # Built without validation (e.g. a stored proposal after the reference data changed).
    stray = prop.model_copy(update={"region": Region.model_construct(kecamatan="Coblong", kelurahan="Dago", rw=1)})
    v = facts_of(stray).values
    assert v["region_in_cimahi"] is False and v["region_label"] == "RW 1 Dago, Coblong"


def test_every_documented_fact_is_emitted_as_a_finite_scalar_of_its_kind():
    kb = load_knowledge_base()
    prop = proposal([activity(), activity("A2", category="pemberdayaan.umkm")])
    facts = extract_facts(prop, kb.params_on(dt.date(2022, 1, 1)), kb.categories)
    assert set(facts.values) == {name for name, fact in kb.facts.items() if not fact.derived}
    assert not {"id", "sid"} & set(facts.values)
    kinds = {bool: "boolean", str: "text", int: "number", float: "number"}
    for name, value in facts.values.items():
        assert kinds[type(value)] == kb.facts[name].kind, name
        if isinstance(value, float):
            assert math.isfinite(value), name
    used = {r.fields_from for r in kb.rules if r.fields_from}
    assert used <= set(facts.locators)
