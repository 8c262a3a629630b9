"""Index definitions are data: the shipped ones load, every value is sourced, bad ones are named."""

import pytest

from knowledge.errors import InvalidInput
from knowledge.indices import load_index_definition
from tests.scoring.scoring_testkit import definition_data, definition_from


def problems_of(data) -> dict[str, str]:
    with pytest.raises(InvalidInput) as info:
        definition_from(data, source="broken.yaml")
    assert info.value.source == "broken.yaml"
    return {p.path: p.en for p in info.value.problems}


def test_ppm_has_the_contract_indicators_in_five_dimensions():
    d = load_index_definition("ppm")
    assert len(d.indicators) == 17
    assert d.dimension_ids == ["partisipasi", "inklusi", "swadaya", "akuntabilitas", "keberlanjutan"]
    assert d.tier_ids == ["tidak_berdaya", "berdaya", "mandiri", "madani"]
    assert d.fallback_cuts == [0.40, 0.60, 0.80]
    assert all(c.status == "assumed" and c.modelled_on for c in d.tiers.cut_points)
    assert d.tiers.cuts_from == "calibration"
    assert d.indicator("lpj_days_late").direction == "negative"
    assert d.id_columns == ["cycle", "kecamatan", "kelurahan", "rw"]


def test_idm_and_hdi_follow_the_published_structure():
    idm = load_index_definition("idm")
    assert idm.indicator_ids == ([f"iks_{n}" for n in range(1, 36)] + [f"ike_{n}" for n in range(1, 13)]
                                 + [f"ikl_{n}" for n in range(1, 4)])
    assert idm.tiers.cut_rule == ">" and idm.fallback_cuts == [0.4907, 0.5989, 0.7072, 0.8155]
    hdi = load_index_definition("hdi")
    assert hdi.aggregation.method == "geometric" and hdi.tiers.cut_rule == ">="
    assert hdi.indicator("gnipc").transform == "log"
    assert (hdi.indicator("eys").goalposts.high, hdi.indicator("mys").goalposts.high) == (18, 15)


@pytest.mark.parametrize("name", ["ppm", "idm", "hdi"])
def test_every_value_has_a_source_and_status(name):
    d = load_index_definition(name)
    sourced = [*d.indicators, *d.dimensions, d.aggregation, d.missing_data, *d.tiers.cut_points, d.tiers.borderline]
    if d.counting:
        sourced.append(d.counting)
    for item in sourced:
        assert item.source.strip() and item.status in ("verified", "assumed")
        if item.status == "assumed":
            assert item.modelled_on.strip()


def test_content_hash_is_stable_and_changes_with_any_value():
    data = definition_data("ppm")
    a, b = definition_from(data), load_index_definition("ppm")
    assert a.content_hash() == b.content_hash()
    assert a.content_hash().startswith("sha256:") and len(a.content_hash()) == 7 + 64
    data["indicators"][0]["weight"] = 2
    assert definition_from(data).content_hash() != a.content_hash()


def test_weights_not_summing_to_a_positive_number_are_refused():
    data = definition_data("ppm")
    for dim in data["dimensions"]:
        dim["weight"] = 0
    assert "dimension weights must sum to a positive number" in problems_of(data)["dimensions[*].weight"]
    data = definition_data("hdi")
    data["indicators"][0]["weight"] = 0   # the only indicator of 'health'
    assert "must sum to a positive number" in problems_of(data)["dimensions[0].weight"]


def test_negative_weight_is_refused():
    data = definition_data("ppm")
    data["indicators"][2]["weight"] = -1
    assert "indicators[2].weight" in problems_of(data)


def test_tiers_not_ordered_are_refused():
    data = definition_data("idm")
    data["tiers"]["cut_points"][2]["value"] = 0.55
    assert "strictly increasing" in problems_of(data)["tiers.cut_points[2].value"]
    data = definition_data("idm")
    data["tiers"]["cut_points"].pop()
    assert "5 tiers need 4 cut points" in problems_of(data)["tiers.cut_points"]


def test_unknown_dimension_is_named():
    data = definition_data("ppm")
    data["indicators"][4]["dimension"] = "inclusion"
    assert "unknown dimension 'inclusion'" in problems_of(data)["indicators[4].dimension"]


def test_goalposts_must_be_ordered_and_log_positive():
    data = definition_data("hdi")
    data["indicators"][0]["goalposts"] = {"low": 85, "high": 20}
    data["indicators"][3]["goalposts"]["low"] = 0
    found = problems_of(data)
    assert "must be greater than low" in found["indicators[0].goalposts.high"]
    assert "log transform" in found["indicators[3].transform"]


def test_assumed_value_without_model_is_refused():
    data = definition_data("ppm")
    data["aggregation"].pop("modelled_on")
    assert "modelled_on" in problems_of(data)["aggregation"]


def test_unknown_index_name_lists_the_shipped_ones():
    with pytest.raises(InvalidInput) as info:
        load_index_definition("ipd")
    assert "ppm" in info.value.problems[0].en and "hdi" in info.value.problems[0].en


def test_a_definition_file_can_be_loaded_by_path(tmp_path):
    import yaml

    data = definition_data("hdi")
    data["name"] = "hdi_local"
    path = tmp_path / "hdi_local.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert load_index_definition(path).name == "hdi_local"
    data["indicators"][1]["dimension"] = "schooling"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(InvalidInput) as info:
        load_index_definition(str(path))
    assert info.value.source == str(path)
    assert info.value.problems[0].path == "indicators[1].dimension"
