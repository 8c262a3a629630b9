"""Bad evaluation tables: every problem names its spreadsheet row and column, in both languages."""

import numpy as np
import pytest

from knowledge.errors import InvalidInput
from knowledge.indices import load_index_definition
from scoring.engine import score_matrix, score_table
from tests.scoring.scoring_testkit import idm_rows, ppm_row

PPM = load_index_definition("ppm")
IDM = load_index_definition("idm")


def problems(defn, rows, **kw) -> dict[str, tuple[str, str]]:
    with pytest.raises(InvalidInput) as info:
        score_table(defn, rows, **kw)
    return {p.path: (p.id, p.en) for p in info.value.problems}


def test_unknown_column_is_named_in_the_header_row():
    found = problems(PPM, [ppm_row(), ppm_row(rw=8, catatan="ok")])
    id_text, en_text = found["baris/row 1, kolom/column catatan"]
    assert "tidak dikenal" in id_text and "unknown column 'catatan'" in en_text


def test_extra_identifier_columns_are_allowed_and_carried():
    table = score_table(PPM, [ppm_row(kode_rw="3277031002-07")], id_columns=["kode_rw"])
    assert table.units[0]["kode_rw"] == "3277031002-07"
    assert table.to_rows()[0]["kode_rw"] == "3277031002-07"


def test_identifier_column_may_not_shadow_an_output_column():
    found = problems(PPM, [ppm_row(score=1)], id_columns=["score"])
    assert "rename it" in found["baris/row 1, kolom/column score"][1]


def test_required_indicator_missing():
    row = ppm_row()
    del row["swadaya_share"]
    found = problems(PPM, [row])
    assert "required indicator column is missing" in found["baris/row 1, kolom/column swadaya_share"][1]


def test_required_identifier_missing():
    row = ppm_row()
    del row["kelurahan"]
    assert "baris/row 1, kolom/column kelurahan" in problems(PPM, [row])


@pytest.mark.parametrize("column, value", [
    ("women_attendance_share", 1.2),       # a share above 1
    ("meetings_held", -1),                  # a negative count
    ("lpj_days_late", -3),
    ("satisfaction_score", 0),              # scale 1-5
])
def test_values_outside_the_valid_range(column, value):
    found = problems(PPM, [ppm_row(), ppm_row(rw=8, **{column: value})])
    id_text, en_text = found[f"baris/row 3, kolom/column {column}"]
    assert "di luar rentang sah" in id_text and "outside the valid range" in en_text


def test_idm_score_of_seven_is_refused():
    rows, _ = idm_rows()
    rows[4]["ike_3"] = 7
    found = problems(IDM, rows)
    assert list(found) == ["baris/row 6, kolom/column ike_3"]


def test_non_numeric_value_is_named():
    found = problems(PPM, [ppm_row(active_groups="banyak")])
    assert "must be a number, not 'banyak'" in found["baris/row 2, kolom/column active_groups"][1]


def test_indonesian_decimal_comma_is_read():
    table = score_table(PPM, [ppm_row(swadaya_share="0,1")])
    assert table.X[0, PPM.indicator_ids.index("swadaya_share")] == 0.1


def test_evaluator_tier_by_name_or_ordinal_and_unknown():
    table = score_table(PPM, [ppm_row(evaluator_tier="mandiri"), ppm_row(rw=8, evaluator_tier=3),
                              ppm_row(rw=9, evaluator_tier="Tidak berdaya"), ppm_row(rw=10, evaluator_tier=None)])
    assert table.evaluator_tier.tolist() == [2, 3, 0, -1]
    assert [u["evaluator_tier"] for u in table.units] == [2, 3, 0, None]   # as `tier` is written
    assert [u["evaluator_tier_id"] for u in table.units] == ["mandiri", "madani", "tidak_berdaya", None]
    found = problems(PPM, [ppm_row(evaluator_tier="sejahtera"), ppm_row(rw=8, evaluator_tier=4)])
    assert "not a known tier" in found["baris/row 2, kolom/column evaluator_tier"][1]
    assert "baris/row 3, kolom/column evaluator_tier" in found


def test_duplicate_unit_names_the_first_row():
    found = problems(PPM, [ppm_row(), ppm_row(rw=8), ppm_row()])
    assert "already appears in row 2" in found["baris/row 4, kolom/column cycle,kecamatan,kelurahan,rw"][1]


def test_every_problem_is_reported_at_once():
    found = problems(PPM, [ppm_row(on_time_share=2), ppm_row(rw=8, active_groups=-1)])
    assert set(found) == {"baris/row 2, kolom/column on_time_share", "baris/row 3, kolom/column active_groups"}


def test_empty_table_is_refused():
    assert "the table has no unit rows" in problems(PPM, [])[""][1]


def test_matrix_path_checks_shape_and_range():
    with pytest.raises(InvalidInput):
        score_matrix(PPM, np.zeros((3, 5)))
    X = np.array([[ppm_row()[k] for k in PPM.indicator_ids]] * 2, dtype=float)
    X[1, 0] = 3.0
    with pytest.raises(InvalidInput) as info:
        score_matrix(PPM, X)
    assert info.value.problems[0].path == "baris/row 3, kolom/column musyawarah_attendance_rate"
