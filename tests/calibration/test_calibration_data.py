"""From rows to calibration arrays: cycles, evaluator tiers, the definition's cycle column."""

import json

import pytest
from typer.testing import CliRunner

from calibration.data import parse_cycles, prepare, select_rows
from calibration.fit import calibrate
from knowledge.errors import InvalidInput
from knowledge.indices import load_index_definition
from knowledge.tables import write_table
from service.cli import app
from tests.calibration.calibration_rows import synthetic_rows


def test_cycles_as_a_range_a_list_or_both():
    assert parse_cycles("2018-2020") == [2018, 2019, 2020]
    assert parse_cycles("2018,2021") == [2018, 2021]
    assert parse_cycles("2018-2019, 2022") == [2018, 2019, 2022]


@pytest.mark.parametrize("text", ["2020-2018", "dua ribu", ""])
def test_cycles_that_are_not_years_are_refused(text):
    with pytest.raises(InvalidInput, match="--cycles"):
        parse_cycles(text)


def test_only_rows_of_the_requested_cycles_are_used():
    data = prepare(load_index_definition("ppm"), synthetic_rows(), [2022])
    assert set(data.cycles.tolist()) == {2022}
    assert data.scores.size == 150
    assert data.synthetic is True


def test_a_missing_evaluator_tier_in_a_calibration_cycle_is_refused_with_its_row():
    rows = synthetic_rows()
    rows[3] = {**rows[3], "evaluator_tier": None}
    with pytest.raises(InvalidInput) as exc:
        select_rows(load_index_definition("ppm"), rows, [2021, 2022, 2023])
    assert exc.value.problems[0].path == "baris/row 5, evaluator_tier"
    assert "required for calibration" in exc.value.problems[0].en


def test_absent_cycles_are_named_with_the_definitions_cycle_column():
    idm = load_index_definition("idm")
    rows = [{"kode_desa": "3277011001", "tahun": 2021, "evaluator_tier": "maju"}]
    with pytest.raises(InvalidInput) as exc:
        select_rows(idm, rows, [2019, 2021])
    assert exc.value.problems[0].path == "tahun"
    assert exc.value.problems[0].en == "cycles 2019 are absent from the input"


def test_berdaya_score_uses_the_artifact_and_records_its_id(tmp_path):
    result = calibrate(load_index_definition("ppm"), synthetic_rows(), cycles=[2021, 2022], n_bootstrap=5, seed=1)
    artifact = tmp_path / "kalibrasi.json"
    artifact.write_text(json.dumps(result.artifact), encoding="utf-8")
    source = tmp_path / "2023.csv"
    write_table([{k: v for k, v in r.items() if k != "evaluator_tier"} for r in synthetic_rows()
                 if r["cycle"] == 2023], source)
    out = CliRunner().invoke(app, ["score", str(source), "--index", "ppm", "--calibration", str(artifact)])
    assert out.exit_code == 0, out.output
    scored = json.loads(out.stdout)
    assert scored["cuts"]["calibration_id"] == result.artifact["id"]
    assert scored["cuts"]["values"] == result.artifact["cut_points"]
