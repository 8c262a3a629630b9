"""Evaluation records read from JSON, CSV and XLSX the way evaluators keep them, with row-named errors."""

import json

import pytest

from knowledge.errors import InvalidInput
from knowledge.evaluation import read_evaluations
from knowledge.synthetic import generate_cycles, indicator_names
from knowledge.tables import write_table


@pytest.fixture(scope="module")
def rows():
    return generate_cycles(seed=5, cycles=[2021]).evaluations[:25]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_round_trip_keeps_every_value(tmp_path, rows, fmt):
    path = tmp_path / f"evaluations_SINTETIS.{fmt}"
    write_table(rows, path)
    records = read_evaluations(path)
    assert len(records) == len(rows)
    for record, row in zip(records, rows):
        assert record.as_row() == row
        assert set(record.indicators) == set(indicator_names())
        assert record.evaluator_tier == row["evaluator_tier"]


def test_a_bad_row_is_named_by_its_spreadsheet_row(tmp_path, rows):
    bad = [dict(r) for r in rows[:3]]
    bad[1]["cycle"] = "dua ribu"          # row 3 of the sheet (header is row 1)
    bad[2]["rw"] = 0                      # row 4
    path = tmp_path / "bad.csv"
    write_table(bad, path)
    with pytest.raises(InvalidInput) as info:
        read_evaluations(path)
    paths = [p.path for p in info.value.problems]
    assert "baris/row 3.cycle" in paths and "baris/row 4.rw" in paths
    report = info.value.report("id")
    assert "baris/row 3.cycle" in report and "/" in report


def test_json_that_is_not_a_list_of_rows_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"cycle": 2021}))
    with pytest.raises(InvalidInput) as info:
        read_evaluations(path)
    assert "JSON" in info.value.problems[0].en
