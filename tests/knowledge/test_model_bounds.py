"""The models refuse numbers that are not finite or not plausible, and text with control characters.

The check is in the models, so every door (API, page, CLI, workbook) gets it before the
rules compute anything or the database stores anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from knowledge.documents import parse_proposal
from knowledge.errors import InvalidInput
from knowledge.evaluation import record_from_row
from knowledge.intake import ReadLimits, validate_json
from knowledge.proposal import MAX_QUANTITY, MAX_RUPIAH, Proposal

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "proposal_valid.yaml"
LINE = "activities[0].budget_lines[0]"


def base() -> dict:
    return json.loads(json.dumps(yaml.safe_load(FIXTURE.read_text()), default=str))


def paths_refused(data: dict) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_proposal(data)
    return {p.path for p in caught.value.problems}


@pytest.mark.parametrize("value", [1e308, float("inf"), float("-inf"), float("nan"), MAX_QUANTITY * 10.0])
def test_a_quantity_that_is_not_finite_or_implausible_is_refused_with_its_field(value):
    data = base()
    data["activities"][0]["budget_lines"][0]["quantity"] = value
    assert f"{LINE}.quantity" in paths_refused(data)


@pytest.mark.parametrize("value", [1e308, float("inf"), float("nan"), MAX_RUPIAH + 1, 10**400])
def test_a_unit_price_that_is_not_finite_or_above_the_schema_bound_is_refused(value):
    data = base()
    data["activities"][0]["budget_lines"][0]["unit_price"] = value
    assert f"{LINE}.unit_price" in paths_refused(data)


@pytest.mark.parametrize("body", [b"1e308", b"1e309", b"Infinity", b"NaN"])
def test_huge_and_non_finite_json_numbers_are_refused_in_a_json_body(body):
    text = json.dumps(base()).replace('"quantity": 40', '"quantity": ' + body.decode())
    with pytest.raises(InvalidInput) as caught:
        validate_json(Proposal, text.encode(), ReadLimits())
    assert any("quantity" in p.path for p in caught.value.problems) or body in (b"Infinity", b"NaN")


def test_a_count_of_people_above_the_schema_bound_is_refused():
    data = base()
    data["musyawarah"]["households_in_rw"] = 10**400
    assert "musyawarah.households_in_rw" in paths_refused(data)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\ud800"])
def test_control_characters_in_text_are_refused_with_the_field_named(char):
    data = base()
    data["title"] = f"Perbaikan{char}drainase"
    data["activities"][0]["name"] = f"Saluran{char}"
    data["documents"] = [f"rab{char}"]
    refused = paths_refused(data)
    assert {"title", "activities[0].name"} <= refused and any(p.startswith("documents") for p in refused)


def _text_paths(value, path=""):
    """Every text leaf of a JSON value with its field path, and a function putting a new text there."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _text_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _text_paths(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path


def _set(data, path: str, text: str) -> None:
    keys = [int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")]
    for key in keys[:-1]:
        data = data[key]
    data[keys[-1]] = text


def test_every_free_text_field_of_a_proposal_refuses_a_control_character():
    data = base()
    data["activities"][0]["maintenance_plan"] = "Dibersihkan tiap bulan"
    data["activities"][0]["accessibility_features"] = ["ramp"]
    data["amends"] = {"proposal_ref": "P-2022-001", "berita_acara_perubahan": True}
    parse_proposal(data)  # valid as it is
    texts = [p for p in _text_paths(data) if not p.endswith((".source", ".kind", ".start", ".end", ".date"))
             and p not in ("submitted_on",)]
    assert len(texts) > 10
    for path in texts:
        broken = json.loads(json.dumps(data))
        _set(broken, path, "teks\x00rusak")
        assert path in paths_refused(broken), path


def test_line_breaks_and_tabs_in_free_text_are_kept():
    data = base()
    data["activities"][0]["maintenance_plan"] = "Dibersihkan tiap bulan.\n\tOleh kelompok RT 02."
    assert "\n\t" in parse_proposal(data).activities[0].maintenance_plan


def test_the_schema_bound_on_amounts_is_far_above_any_rw_budget():
    # An RW's PPM allocation is of the order of Rp 100.000.000; the bound only keeps arithmetic finite.
    assert MAX_RUPIAH >= 1000 * 100_000_000


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e309])
def test_an_evaluation_record_refuses_non_finite_indicators(value):
    with pytest.raises(ValidationError):
        record_from_row({"cycle": 2024, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5,
                         "women_attendance_share": value})


def test_an_evaluation_record_refuses_nul_in_text():
    with pytest.raises(ValidationError):
        record_from_row({"cycle": 2024, "kecamatan": "Cimahi\x00Utara", "kelurahan": "Cibabat", "rw": 5})
