"""`berdaya score`: formats, explanations, calibration, and exit 2 with nothing written on bad input."""

import csv
import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from knowledge.indices import load_index_definition
from knowledge.tables import write_table
from service.cli import app
from tests.scoring.scoring_testkit import FIXTURES, ppm_row

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["score", *map(str, args)])


def ppm_input(tmp_path, rows=None, name="evaluasi.csv"):
    path = tmp_path / name
    write_table(rows or [ppm_row(evaluator_tier="berdaya"), ppm_row(rw=8, evaluator_tier=2, swadaya_share=0.4)], path)
    return path


def test_csv_output_has_one_row_per_unit_with_the_contract_columns(tmp_path):
    out = tmp_path / "skor.csv"
    result = run(ppm_input(tmp_path), "--out", out)
    assert result.exit_code == 0, result.output
    assert "2/2 unit dinilai" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 2
    head = list(rows[0])
    assert head[:5] == ["cycle", "kecamatan", "kelurahan", "rw", "score"]
    for col in ["partisipasi", "inklusi", "swadaya", "akuntabilitas", "keberlanjutan", "tier", "tier_name",
                "borderline", "imputed", "evaluator_tier", "evaluator_tier_name"]:
        assert col in head
    # The evaluator's tier is written as the computed one: ordinal, then its name.
    assert (rows[0]["tier"], rows[0]["tier_name"]) == ("1", "Berdaya")
    assert (rows[0]["evaluator_tier"], rows[0]["evaluator_tier_name"]) == ("1", "Berdaya")
    assert (rows[1]["evaluator_tier"], rows[1]["evaluator_tier_name"]) == ("2", "Mandiri")


def test_xlsx_input_and_output_with_english_explanations(tmp_path):
    source = ppm_input(tmp_path, name="evaluasi.xlsx")
    out = tmp_path / "skor.xlsx"
    result = run(source, "--out", out, "--explain", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "2/2 units scored" in result.output
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    first = dict(zip(header, [c.value for c in ws[2]]))
    assert first["tier_name"] == "Empowered" and first["advice"].startswith("To reach Self-reliant")


def test_json_to_stdout_with_idm_and_extra_identifiers(tmp_path):
    result = run(FIXTURES / "idm_sample.csv", "--index", "idm", "--id-columns", "status")
    # The sample's published iks/ike/ikl/idm columns are not identifiers: refused, named.
    assert result.exit_code == 2
    assert "kolom/column iks" in result.output
    rows = list(csv.DictReader((FIXTURES / "idm_sample.csv").open()))
    for r in rows:
        for k in ("iks", "ike", "ikl", "idm"):
            r[f"published_{k}"] = r.pop(k)
    source = tmp_path / "idm.csv"
    write_table(rows, source)
    result = run(source, "--index", "idm", "--id-columns", "status,published_iks,published_ike,published_ikl,published_idm")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["index"]["name"] == "idm" and doc["cuts"]["source"] == "definition"
    assert len(doc["units"]) == 201 and doc["units"][0]["status"] == "BERKEMBANG"
    assert doc["units"][0]["tier_id"] == "berkembang"


def test_bad_input_exits_2_names_row_and_column_and_writes_nothing(tmp_path):
    source = ppm_input(tmp_path, [ppm_row(), ppm_row(rw=8, women_attendance_share=1.4)])
    out = tmp_path / "skor.csv"
    result = run(source, "--out", out)
    assert result.exit_code == 2
    assert "baris/row 3, kolom/column women_attendance_share" in result.output
    assert "di luar rentang sah" in result.output and "outside the valid range" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_existing_output_is_kept_when_input_is_bad(tmp_path):
    out = tmp_path / "skor.json"
    out.write_text("previous results")
    source = ppm_input(tmp_path, [ppm_row(evaluator_tier="sejahtera")])
    assert run(source, "--out", out).exit_code == 2
    assert out.read_text() == "previous results"


def test_calibration_file_is_used_or_refused(tmp_path):
    ppm = load_index_definition("ppm")
    art = {"id": "cal-ppm-ordinal-2018-2023-deadbeef", "index": {"name": "ppm", "hash": ppm.content_hash()},
           "method": "ordinal", "cycles": [2018], "tiers": ppm.tier_ids, "cut_points": [0.3, 0.5, 0.7]}
    cal = tmp_path / "cal.json"
    cal.write_text(json.dumps(art))
    out = tmp_path / "skor.json"
    result = run(ppm_input(tmp_path), "--calibration", cal, "--out", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["cuts"]["calibration_id"] == art["id"] and doc["units"][0]["tier_id"] == "mandiri"
    table_out = tmp_path / "skor.csv"
    assert run(ppm_input(tmp_path), "--calibration", cal, "--out", table_out).exit_code == 0
    assert next(csv.DictReader(table_out.open()))["calibration_id"] == art["id"]
    art["index"]["hash"] = "sha256:" + "0" * 64
    cal.write_text(json.dumps(art))
    out.unlink()
    result = run(ppm_input(tmp_path), "--calibration", cal, "--out", out)
    assert result.exit_code == 2 and "calibration.index.hash" in result.output and not out.exists()

    art["index"]["hash"], art["cut_points"] = ppm.content_hash(), [-3, -2, -1]
    cal.write_text(json.dumps(art))
    result = run(ppm_input(tmp_path), "--calibration", cal, "--out", out)
    assert result.exit_code == 2 and "skala indeks" in result.output and not out.exists()


def test_unknown_index_and_format_exit_2(tmp_path):
    source = ppm_input(tmp_path)
    assert run(source, "--index", "ipm").exit_code == 2
    result = run(source, "--format", "pdf")
    assert result.exit_code == 2 and "--format" in result.output
    assert run(source, "--format", "xlsx").exit_code == 2    # xlsx needs --out


def test_synthetic_rows_stay_labelled(tmp_path):
    source = ppm_input(tmp_path, [ppm_row(synthetic=True)])
    out = tmp_path / "skor.csv"
    assert run(source, "--out", out).exit_code == 0
    assert next(csv.DictReader(out.open()))["synthetic"] == "True"


def test_help_lists_every_option():
    result = runner.invoke(app, ["score", "--help"])
    for option in ("--index", "--calibration", "--id-columns", "--format", "--out", "--explain", "--lang"):
        assert option in result.output


def test_json_input_with_hdi_definition(tmp_path):
    source = tmp_path / "hdi.json"
    source.write_text(json.dumps([{"iso3": "IDN", "year": 2021, "le": 67.6, "eys": 13.7, "mys": 8.6, "gnipc": 11466}]))
    out = tmp_path / "hdi.csv"
    result = run(source, "--index", "hdi", "--out", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(out.open()))
    assert (row["iso3"], row["tier_name"], round(float(row["score"]), 3)) == ("IDN", "High", 0.705)
    assert {"health", "education", "income"} <= set(row)
