"""`berdaya calibrate`: artifact and report on good input; exit 2 and nothing written on bad input."""

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from calibration.artifact import load_artifact
from calibration.data import source_is_synthetic
from calibration.report import FILES
from knowledge.dates import tanggal
from knowledge.tables import read_table, write_table
from service.cli import app
from tests.calibration.calibration_rows import synthetic_rows, synthetic_scores

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["calibrate", *[str(a) for a in args]])


def table(tmp_path, rows, name="evaluasi.csv"):
    path = tmp_path / name
    write_table(rows, path)
    return path


def test_calibrate_writes_an_artifact_and_the_report(tmp_path):
    source = table(tmp_path, synthetic_rows())
    out, report = tmp_path / "kalibrasi.json", tmp_path / "laporan"
    result = run(source, "--index", "ppm", "--cycles", "2021-2023", "--bootstrap", "15", "--seed", "3",
                 "--out", out, "--report", report)
    assert result.exit_code == 0, result.output
    artifact = load_artifact(out)
    assert artifact["method"] == "ordinal" and artifact["synthetic"] is True
    assert artifact["id"] in result.stdout
    assert sorted(p.name for p in report.iterdir()) == sorted(FILES)
    for name in FILES[:3]:
        assert (report / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_report_lists_each_unit_with_its_tier_probability_and_flag(tmp_path):
    source = table(tmp_path, synthetic_rows())
    report = tmp_path / "laporan"
    result = run(source, "--cycles", "2021-2023", "--bootstrap", "15", "--out", tmp_path / "k.json",
                 "--report", report)
    assert result.exit_code == 0, result.output
    units = read_table(report / "tingkat_unit.csv")
    assert len(units) == len(synthetic_rows())
    probability = np.array([u["tier_probability"] for u in units])
    assert ((probability >= 0) & (probability <= 1)).all()
    flagged = np.array([str(u["flagged"]) == "True" for u in units])
    assert flagged.tolist() == (probability < 0.8).tolist()


def test_the_report_summary_is_indonesian_first_labels_synthetic_and_names_its_uncertainty(tmp_path):
    source = table(tmp_path, synthetic_rows())
    out, report = tmp_path / "kalibrasi.json", tmp_path / "laporan"
    assert run(source, "--cycles", "2021-2023", "--bootstrap", "10", "--out", out, "--report", report).exit_code == 0
    text = (report / "ringkasan.md").read_text(encoding="utf-8")
    assert text.index("SINTETIS") < text.index("# Laporan kalibrasi") < text.index("# Cut-point calibration report")
    assert "ketidakpastian titik potong (bootstrap)" in text
    assert "cut-point (bootstrap) uncertainty, not the model's own P(tier)" in text
    created = json.loads(out.read_text(encoding="utf-8"))["created_at"]
    assert f"Tanggal: {tanggal(datetime.fromisoformat(created.replace('Z', '+00:00')))}" in text


def test_indonesian_dates_in_reports():
    assert tanggal(date(2022, 2, 14)) == "14 Februari 2022"


def test_quantile_method_warns_that_it_hides_progress(tmp_path):
    source = table(tmp_path, synthetic_rows())
    out, report = tmp_path / "kalibrasi.json", tmp_path / "laporan"
    result = run(source, "--cycles", "2021-2023", "--method", "quantile", "--bootstrap", "10", "--out", out,
                 "--report", report)
    assert result.exit_code == 0, result.output
    assert "menyembunyikan kemajuan nyata" in result.stderr
    assert "hides real progress" in (report / "ringkasan.md").read_text(encoding="utf-8")


def _relabel(rows, old, new, keep=0):
    seen, out = 0, []
    for r in rows:
        if r["evaluator_tier"] == old:
            seen += 1
            if seen > keep:
                r = {**r, "evaluator_tier": new}
        out.append(r)
    return out


def _crossing_rows():
    # Twelve units in score order labelled 0,2,0,2,1,1,2,0,1,3,3,3: the per-boundary isotonic
    # fits put the berdaya/mandiri and mandiri/madani cuts at the same place (not increasing).
    rows, scores = synthetic_rows(), synthetic_scores()
    order = np.argsort(scores)
    picked = [rows[i] for i in order[np.linspace(0, len(order) - 1, 12).astype(int)]]
    names = ["tidak_berdaya", "berdaya", "mandiri", "madani"]
    return [{**r, "evaluator_tier": names[t]} for r, t in zip(picked, [0, 2, 0, 2, 1, 1, 2, 0, 1, 3, 3, 3])]


BAD_INPUT = {
    "tier_without_records": (lambda: _relabel(synthetic_rows(), "madani", "mandiri"), [],
                             "tier 'madani' has no records"),
    "too_few_per_tier": (lambda: _relabel(synthetic_rows(), "madani", "mandiri", keep=2), [],
                         "needs at least 3"),
    "unordered_cuts": (_crossing_rows, ["--method", "isotonic"], "not in increasing order"),
    "cycles_absent": (synthetic_rows, ["--cycles", "2015-2016"], "cycles 2015, 2016 are absent"),
    "tier_outside_definition": (lambda: [{**r, "evaluator_tier": "luar_biasa"} if i == 4 else r
                                         for i, r in enumerate(synthetic_rows())], [],
                                "is not a tier of definition ppm"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_exits_2_and_writes_nothing(tmp_path, case):
    make_rows, extra, message = BAD_INPUT[case]
    source = table(tmp_path, make_rows())
    out, report = tmp_path / "kalibrasi.json", tmp_path / "laporan"
    args = ["--cycles", "2021-2023", "--bootstrap", "5", "--out", out, "--report", report]
    if "--cycles" in extra:
        args = args[2:]
    result = run(source, *args, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert " / " in result.stderr  # Bahasa Indonesia first, then English
    assert not out.exists() and not report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evaluasi.csv"]


def test_idm_uses_its_own_cycle_column_tahun(tmp_path):
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "idm_sample.csv"  # source: tests/fixtures/README.md
    rows = [{**{k: v for k, v in r.items() if k not in ("iks", "ike", "ikl", "idm", "status")},
             "evaluator_tier": r["status"]} for r in read_table(fixture)]
    source = table(tmp_path, rows)
    out = tmp_path / "idm.json"
    result = run(source, "--index", "idm", "--cycles", "2021-2023", "--method", "isotonic", "--bootstrap", "10",
                 "--out", out)
    assert result.exit_code == 0, result.output
    assert load_artifact(out)["cycles"] == [2021, 2022, 2023]


def test_a_table_named_synthetic_or_beside_a_synthetic_manifest_is_labelled_synthetic(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "synthetic"} for r in synthetic_rows()]
    assert source_is_synthetic(tmp_path / "evaluations_SINTETIS.csv")
    plain = table(tmp_path, rows, name="evaluasi.csv")
    assert not source_is_synthetic(plain)
    (tmp_path / "manifest.json").write_text('{"synthetic": true}', encoding="utf-8")
    assert source_is_synthetic(plain)
    out = tmp_path / "k.json"
    assert run(plain, "--cycles", "2021-2023", "--bootstrap", "5", "--out", out).exit_code == 0
    assert load_artifact(out)["synthetic"] is True


@pytest.mark.parametrize("command", ["calibrate", "drift"])
def test_each_command_has_help_with_an_example_and_is_in_the_readme(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"berdaya {command}" in result.stdout and "example" in result.stdout
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"berdaya {command} " in readme


def test_the_report_keeps_the_two_kinds_of_uncertainty_apart(tmp_path):
    source = table(tmp_path, synthetic_rows())
    report = tmp_path / "laporan"
    assert run(source, "--cycles", "2021-2023", "--bootstrap", "10", "--out", tmp_path / "k.json",
               "--report", report).exit_code == 0
    text = (report / "ringkasan.md").read_text(encoding="utf-8")
    assert "For comparison only (not used for flags): the logit model's own P(tier)" in text
    assert "Sebagai pembanding saja (tidak dipakai untuk menandai)" in text
