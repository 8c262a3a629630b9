"""The guarded reader refuses attack documents by the limit they exceed, and reads ordinary ones."""

from __future__ import annotations

import pickle

import pytest

from knowledge import intake
from knowledge.errors import InvalidInput
from knowledge.intake import LimitExceeded, ReadLimits
from tests import attack_files as attack

LIMITS = ReadLimits()


def refused(limit: str, func, *args) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        func(*args)
    assert caught.value.limit == limit
    return caught.value


@pytest.mark.parametrize("levels", [6, 9, 12])
def test_alias_bombs_at_several_depths_are_refused_while_being_read(levels):
    with pytest.raises(LimitExceeded) as caught:
        intake.read_yaml(attack.alias_bomb(levels), LIMITS, "bomb.yaml")
    assert caught.value.limit in ("max_nodes", "max_yaml_aliases")


def test_a_self_referencing_alias_is_refused():
    refused("yaml_self_reference", intake.read_yaml, attack.self_reference(), LIMITS, "self.yaml")


def test_a_few_aliases_within_the_limits_are_read_expanded():
    data = intake.read_yaml(b"base: &b {unit: sak}\nlines: [*b, *b]\n", LIMITS)
    assert data["lines"] == [{"unit": "sak"}, {"unit": "sak"}]


def test_an_alias_bomb_small_enough_to_expand_is_counted_by_its_expanded_size():
    small = ReadLimits(max_nodes=1_000)
    refused("max_nodes", intake.read_yaml, attack.alias_bomb(4), small)


def test_ten_thousand_deep_json_is_refused_by_the_depth_limit():
    refused("max_depth", intake.read_json, attack.deep_json(), LIMITS)


def test_ten_thousand_deep_yaml_is_refused_by_the_depth_limit():
    refused("max_depth", intake.read_yaml, b"[" * 10_000 + b"]" * 10_000, LIMITS)


def test_json_deeper_than_the_configured_depth_is_refused():
    refused("max_depth", intake.read_json, b"[" * 40 + b"]" * 40, LIMITS)


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity"])
def test_json_without_standard_numbers_is_refused(token):
    with pytest.raises(InvalidInput):
        intake.read_json(b'{"quantity": ' + token + b"}", LIMITS)


def test_a_json_number_too_large_for_a_float_is_refused_with_its_path():
    with pytest.raises(InvalidInput) as caught:
        intake.read_json(b'{"lines": [{"quantity": 1e309}]}', LIMITS)
    assert caught.value.problems[0].path == "lines[0].quantity"


def test_a_document_larger_than_the_byte_limit_is_refused_with_413():
    error = refused("max_bytes", intake.read_json, b"[" + b"1," * 600 + b"1]", ReadLimits(max_bytes=1_000))
    assert error.status == 413


def test_reading_stops_at_its_deadline():
    many = b"".join(b"k%d: v\n" % n for n in range(20_000))
    refused("max_seconds", intake.read_yaml, many, ReadLimits(max_seconds=0.001))


def test_a_workbook_declaring_a_million_rows_is_refused_by_the_row_limit():
    refused("max_rows", intake.read_workbook, attack.million_rows_workbook(), LIMITS, "rows.xlsx")


def test_rows_padded_up_to_a_far_cell_count_against_the_row_limit():
    refused("max_rows", intake.read_workbook, attack.far_cell_workbook(), LIMITS, "far.xlsx")


def test_a_decompression_bomb_workbook_is_refused_by_its_inflated_size():
    error = refused("max_inflated_bytes", intake.read_workbook, attack.decompression_bomb_workbook(), LIMITS)
    assert error.status == 413


def test_a_workbook_with_xml_entities_is_refused():
    refused("xml_entities", intake.read_workbook, attack.entity_expansion_workbook(), LIMITS)


def test_openpyxl_parses_workbooks_with_defusedxml():
    import openpyxl.xml.functions as xml

    assert xml.DEFUSEDXML is True and xml.iterparse.__module__.startswith("defusedxml")


def test_a_zip_inflating_to_900_mib_is_refused_from_its_directory():
    bomb = attack.zip_bomb()
    assert len(bomb) < 1_000_000
    assert refused("max_inflated_bytes", intake.read_zip, bomb, LIMITS).status == 413


def test_a_zip_inflating_to_more_than_it_declares_is_refused_as_damaged():
    with pytest.raises(InvalidInput) as caught:
        intake.read_zip(attack.understated_zip(), LIMITS)
    assert "damaged" in caught.value.problems[0].en


def test_a_csv_with_too_many_columns_is_refused():
    refused("max_columns", intake.read_csv, b",".join([b"c"] * 300) + b"\n", LIMITS)


def test_a_csv_with_too_many_cells_is_refused():
    row = b",".join([b"1"] * 100) + b"\n"
    refused("max_cells", intake.read_csv, row * 40, ReadLimits(max_cells=3_000))


def test_an_ordinary_table_is_read_with_numbers_and_empty_cells():
    rows = intake.read_table(b"cycle,kelurahan,share\n2024,Cibabat,0.25\n2024,Melong,\n", "csv", LIMITS)
    assert rows == [{"cycle": 2024, "kelurahan": "Cibabat", "share": 0.25},
                    {"cycle": 2024, "kelurahan": "Melong", "share": None}]


def test_a_limit_refusal_survives_pickling_between_processes():
    error = refused("max_depth", intake.read_json, attack.deep_json(), LIMITS)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.limit, copy.problems, copy.message_en) == (error.limit, error.problems, error.message_en)
