"""`berdaya check`, `berdaya kb test` and `berdaya kb lint`: outputs and exit codes."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from service.cli import app

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "tests" / "fixtures" / "proposal_valid.yaml"
HERE = Path(__file__).parent
runner = CliRunner()


def write(tmp_path, patch_fn) -> Path:
    data = yaml.safe_load(VALID.read_text(encoding="utf-8"))
    patch_fn(data)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def over_ceiling(data):
    data["activities"][0]["budget_lines"][0]["quantity"] = 1500


def test_an_eligible_proposal_exits_0_with_a_report_in_indonesian():
    result = runner.invoke(app, ["check", str(VALID)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Hasil pemeriksaan: LAYAK")


def test_an_ineligible_proposal_exits_1_and_names_the_rule(tmp_path):
    result = runner.invoke(app, ["check", str(write(tmp_path, over_ceiling)), "--lang", "en"])
    assert result.exit_code == 1
    assert result.output.startswith("Check result: INELIGIBLE")
    assert "Rp 75,000,000" in result.output


def test_json_output_is_the_contract(tmp_path):
    result = runner.invoke(app, ["check", str(write(tmp_path, over_ceiling)), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"verdict", "knowledge_base", "cycle", "findings", "passed"}
    assert data["verdict"] == "ineligible" and data["knowledge_base"]["name"] == "ppm-cimahi"
    assert any(f["severity"] == "blocking" and f["group"] == "budget" for f in data["findings"])


def test_explain_shows_condition_parameters_and_references(tmp_path):
    result = runner.invoke(app, ["check", str(write(tmp_path, over_ceiling)), "--explain"])
    assert result.exit_code == 1
    assert "Kondisi:" in result.output and "Parameter: pagu_per_rw = Rp 75.000.000" in result.output
    assert "berlaku sejak 1 Januari 2021" in result.output and "Aturan yang terpenuhi" in result.output


def test_the_cycle_option_applies_that_cycles_rules():
    result = runner.invoke(app, ["check", str(VALID), "--cycle", "2019", "--format", "json"])
    assert json.loads(result.output)["cycle"] == 2019


def test_a_cycle_before_any_value_in_force_exits_2_with_a_clear_message():
    result = runner.invoke(app, ["check", str(VALID), "--cycle", "2017"])
    assert result.exit_code == 2
    assert "no value of pagu_per_rw in force on 2017-01-01 (first 2018-01-01)" in result.output


@pytest.mark.parametrize("args", [["check", "does-not-exist.yaml"], ["check", str(VALID), "--format", "xml"],
                                  ["check", str(VALID), "--lang", "fr"]])
def test_invalid_input_exits_2(args):
    assert runner.invoke(app, args).exit_code == 2


def test_an_invalid_proposal_exits_2_naming_the_field(tmp_path):
    def bad(data):
        data["activities"][0]["budget_lines"][0]["source"] = "apbd"
    result = runner.invoke(app, ["check", str(write(tmp_path, bad))])
    assert result.exit_code == 2 and "activities[0].budget_lines[0].source" in result.output


def test_kb_test_passes_on_the_shipped_base():
    result = runner.invoke(app, ["kb", "test", "--lang", "en"])
    assert result.exit_code == 0, result.output[-3000:]
    assert "rules exercised" in result.output


def test_kb_lint_exit_codes():
    assert runner.invoke(app, ["kb", "lint", "--kb", str(HERE / "fixtures" / "kb_small")]).exit_code == 0
    broken = runner.invoke(app, ["kb", "lint", "--kb", str(HERE / "fixtures" / "kb_broken"), "--lang", "en"])
    assert broken.exit_code == 1 and "[duplicate_id]" in broken.output
    assert runner.invoke(app, ["kb", "lint", "--kb", str(HERE)]).exit_code == 2


def wages_and_over_ceiling(tmp_path) -> Path:
    """The knowledge base's base proposal (not real data) with wages from PPM money and PPM over the ceiling."""
    from knowledge.documents import read_document, to_jsonable
    from knowledge.kb import DEFAULT_KB

    data = to_jsonable(read_document(DEFAULT_KB / "tests" / "base_proposal.yaml"))
    data["activities"][0]["budget_lines"][3]["source"] = "ppm"
    data["activities"][1]["budget_lines"][0]["unit_price"] = 50_000_000
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_check_repair_prints_the_combined_patch_in_words_and_writes_the_patched_proposal(tmp_path):
    out = tmp_path / "patched.json"
    result = runner.invoke(app, ["check", str(wages_and_over_ceiling(tmp_path)), "--repair", "--out", str(out)])
    assert result.exit_code == 1, result.output   # the verdict of the proposal as given
    assert "Perbaikan gabungan (hasil setelahnya: layak" in result.output
    assert "Sumber dana (Tenaga kerja gotong royong): Dana program (PPM / Sarpras Kelurahan) → Swadaya warga" in result.output
    again = runner.invoke(app, ["check", str(out)])
    assert again.exit_code == 0 and again.output.startswith("Hasil pemeriksaan: LAYAK"), again.output


def test_check_repair_json_is_the_api_answer_and_the_same_every_time(tmp_path):
    path = str(wages_and_over_ceiling(tmp_path))
    first = runner.invoke(app, ["check", path, "--repair", "--format", "json"])
    body = json.loads(first.output)
    assert body["repair"]["combined"]["result"]["verdict"] == "eligible" and body["patched"]["cycle"] == 2022
    assert runner.invoke(app, ["check", path, "--repair", "--format", "json"]).output == first.output


def test_check_out_without_repair_is_refused(tmp_path):
    result = runner.invoke(app, ["check", str(VALID), "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "--out" in result.output and not (tmp_path / "x.json").exists()
