"""The proposal schema: the field contract, and a bilingual problem for each kind of bad input."""

from pathlib import Path

import pytest
import yaml

from knowledge.documents import load_proposal, parse_proposal, parse_text
from knowledge.errors import InvalidInput

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "proposal_valid.yaml"


def base() -> dict:
    return yaml.safe_load(FIXTURE.read_text())


def problems(data) -> dict[str, tuple[str, str]]:
    with pytest.raises(InvalidInput) as info:
        parse_proposal(data)
    return {p.path: (p.id, p.en) for p in info.value.problems}


def test_the_contract_example_is_valid():
    proposal = load_proposal(FIXTURE)
    assert proposal.region.kelurahan == "Cibabat"
    line = proposal.activities[0].budget_lines[0]
    assert (line.source, line.kind, line.computed_amount) == ("ppm", "material", 2_600_000)


def test_missing_required_field_is_named():
    data = base()
    del data["title"]
    assert problems(data)["title"][0] == "wajib diisi"


def test_negative_quantity_and_price_are_refused():
    data = base()
    data["activities"][0]["budget_lines"][0]["quantity"] = -1
    data["activities"][0]["budget_lines"][1]["unit_price"] = -5
    found = problems(data)
    assert "activities[0].budget_lines[0].quantity" in found
    assert "activities[0].budget_lines[1].unit_price" in found


def test_end_before_start_is_refused_in_both_languages():
    data = base()
    data["activities"][0]["end"] = "2022-04-30"
    id_text, en_text = problems(data)["activities[0].end"]
    assert "sebelum tanggal mulai" in id_text and "before start date" in en_text


def test_unknown_kelurahan_gets_did_you_mean():
    data = base()
    data["region"]["kelurahan"] = "Cibabt"
    id_text, en_text = problems(data)["region.kelurahan"]
    assert "Cibabat" in id_text and "did you mean 'Cibabat'" in en_text


def test_unknown_kecamatan_is_refused():
    data = base()
    data["region"]["kecamatan"] = "Cimahi Barat"
    assert "tidak ada di Kota Cimahi" in problems(data)["region.kecamatan"][0]


def test_kelurahan_of_another_kecamatan_is_refused():
    data = base()
    data["region"]["kelurahan"] = "Melong"
    assert "Kecamatan Cimahi Utara" in problems(data)["region.kelurahan"][0]


def test_rw_beyond_the_reference_list_is_refused_at_its_own_path():
    data = base()
    data["region"]["rw"] = 60
    assert "RW 60 tidak ada di Kelurahan Cibabat" in problems(data)["region.rw"][0]


def test_attendance_subgroup_above_total_is_refused():
    data = base()
    data["musyawarah"]["attendance"]["poor"] = 65
    assert "musyawarah.attendance.poor" in problems(data)


def test_every_problem_is_reported_at_once():
    data = base()
    data["region"]["kelurahan"] = "Cibabt"
    data["activities"][0]["end"] = "2022-01-01"
    data["musyawarah"]["attendance"]["women"] = 100
    del data["team"]
    assert len(problems(data)) == 4


def test_unknown_field_is_refused():
    data = base()
    data["activities"][0]["id"] = 3
    assert problems(data)["activities[0].id"][0] == "kolom ini tidak dikenal"


def test_choice_errors_read_in_indonesian():
    data = base()
    data["activities"][0]["budget_lines"][0]["source"] = "apbd"
    id_text, _ = problems(data)["activities[0].budget_lines[0].source"]
    assert "atau" in id_text and " or " not in id_text


def test_text_that_is_neither_json_nor_yaml():
    with pytest.raises(InvalidInput):
        parse_text("{not json", source="x.json")
    with pytest.raises(InvalidInput):
        parse_text("a: [1, 2\nb: }", source="x.yaml")
