"""The foundation commands: `berdaya --version`, `berdaya validate`, `berdaya demo-data`."""

import csv
import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from knowledge.evaluation import read_evaluations
from service.cli import app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "proposal_valid.yaml"
runner = CliRunner()


def write(tmp_path: Path, data, name="proposal.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def base() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("berdaya ") and result.stdout.split()[1][0].isdigit()


@pytest.mark.parametrize("name", ["proposal.yaml", "proposal.json"])
def test_validate_accepts_a_valid_proposal_in_yaml_and_json(tmp_path, name):
    data = base()
    text = json.dumps(data, default=str) if name.endswith(".json") else yaml.safe_dump(data)
    result = runner.invoke(app, ["validate", str(write(tmp_path, text, name))])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK")


def _missing_title(d):
    del d["title"]


def _negative_quantity(d):
    d["activities"][0]["budget_lines"][0]["quantity"] = -3


def _negative_amount(d):
    d["activities"][0]["budget_lines"][1]["amount"] = -100


def _end_before_start(d):
    d["activities"][0]["end"] = "2022-04-01"


def _unknown_kecamatan(d):
    d["region"]["kecamatan"] = "Cimahi Utra"


def _unknown_kelurahan(d):
    d["region"]["kelurahan"] = "Cibabt"


def _attendance_above_total(d):
    d["musyawarah"]["attendance"]["women"] = 99


BAD = [  # (change, field path, Indonesian text, English text)
    (_missing_title, "title", "wajib diisi", "Field required"),
    (_negative_quantity, "activities[0].budget_lines[0].quantity", "lebih besar atau sama dengan 0",
     "greater than or equal to 0"),
    (_negative_amount, "activities[0].budget_lines[1].amount", "lebih besar atau sama dengan 0", "greater than or equal to 0"),
    (_end_before_start, "activities[0].end", "sebelum tanggal mulai", "before start date"),
    (_unknown_kecamatan, "region.kecamatan", "mungkin maksud Anda 'Cimahi Utara'", "did you mean 'Cimahi Utara'"),
    (_unknown_kelurahan, "region.kelurahan", "mungkin maksud Anda 'Cibabat'", "did you mean 'Cibabat'"),
    (_attendance_above_total, "musyawarah.attendance.women", "melebihi total hadir", "more than the total attendance"),
]


@pytest.mark.parametrize("change, field, id_text, en_text", BAD, ids=[b[0].__name__.strip("_") for b in BAD])
def test_validate_exits_2_naming_the_field_in_both_languages(tmp_path, change, field, id_text, en_text):
    data = base()
    change(data)
    result = runner.invoke(app, ["validate", str(write(tmp_path, data))])
    assert result.exit_code == 2
    line = next(s for s in result.stderr.splitlines() if f"- {field}: " in s)
    assert id_text in line and en_text in line
    assert line.index(id_text) < line.index(en_text)   # Bahasa Indonesia first
    assert result.stdout == ""


def test_validate_reports_every_problem_at_once(tmp_path):
    data = base()
    for change in (_missing_title, _negative_quantity, _attendance_above_total):
        change(data)
    result = runner.invoke(app, ["validate", str(write(tmp_path, data))])
    assert result.exit_code == 2
    assert "3 masalah" in result.stderr


@pytest.mark.parametrize("text, name", [("{\"cycle\": 2022,, }", "p.json"), ("cycle: [2022\n  title: x", "p.yaml"),
                                        ("- just\n- a list\n", "p.yaml")])
def test_validate_exits_2_on_a_file_that_is_not_a_json_or_yaml_proposal(tmp_path, text, name):
    result = runner.invoke(app, ["validate", str(write(tmp_path, text, name))])
    assert result.exit_code == 2
    assert "/" in result.stderr and ("JSON" in result.stderr or "objek" in result.stderr)


def test_validate_exits_2_on_a_missing_file(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "tidak dapat dibaca" in result.stderr and "cannot read file" in result.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    result = runner.invoke(app, ["demo-data", "--out", str(out), "--seed", "7"])
    assert result.exit_code == 0, result.stderr
    return out, result


def test_demo_data_writes_labelled_files(demo):
    out, result = demo
    assert "SINTETIS" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["seed"] == 7
    assert len(manifest["evaluations"]["hidden_cut_points"]) == 3
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "SINTETIS" in readme and "SYNTHETIC" in readme
    files = sorted((out / "proposals").rglob("*.json"))
    assert len(files) == manifest["proposal_count"] == len(manifest["problems"])
    assert {f.relative_to(out / "proposals").as_posix() for f in files} == set(manifest["problems"])
    assert (out / "proposals" / "2018" / "cigugur-tengah-rw19.json").exists()
    with (out / "evaluations_SINTETIS.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == manifest["evaluations"]["count"] and "evaluator_tier" in rows[0]
    wb = load_workbook(out / "evaluations_SINTETIS.xlsx", read_only=True)
    assert wb.sheetnames == ["data", "keterangan"]
    notes = " ".join(str(c) for row in wb["keterangan"].iter_rows(values_only=True) for c in row if c)
    assert "SINTETIS" in notes and "SYNTHETIC" in notes
    from_xlsx = read_evaluations(out / "evaluations_SINTETIS.xlsx")
    assert [r.as_row() for r in from_xlsx] == [r.as_row() for r in read_evaluations(out / "evaluations_SINTETIS.csv")]
    assert len(from_xlsx) == len(rows) and len(from_xlsx[0].indicators) == 17
    assert not list(out.parent.glob(".out.tmp-*"))


def test_demo_proposals_validate_and_carry_no_extra_fields(demo):
    out, _ = demo
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    clean = next(name for name, problems in manifest["problems"].items() if not problems)
    result = runner.invoke(app, ["validate", str(out / "proposals" / clean)])
    assert result.exit_code == 0, result.stderr
    data = json.loads((out / "proposals" / clean).read_text(encoding="utf-8"))
    assert "synthetic" not in data and "problems" not in data


def test_demo_data_refuses_a_directory_holding_other_files(tmp_path):
    keep = tmp_path / "mine" / "notes.txt"
    keep.parent.mkdir()
    keep.write_text("penting")
    result = runner.invoke(app, ["demo-data", "--out", str(keep.parent)])
    assert result.exit_code == 2
    assert "direktori" in result.stderr and "directory" in result.stderr
    assert keep.read_text() == "penting" and sorted(p.name for p in keep.parent.iterdir()) == ["notes.txt"]


def test_demo_output_is_replaced_whole_and_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    from knowledge.synthetic import export, generate_cycles, write_demo_data

    out = tmp_path / "demo"
    first = generate_cycles(seed=1, cycles=[2024])
    write_demo_data(first, out)
    assert all(json.loads((out / "proposals" / p.file_name).read_text(encoding="utf-8")) == p.proposal
               for p in first.proposals)
    write_demo_data(generate_cycles(seed=2, cycles=[2025]), out)   # a previous demo output is replaced
    assert sorted(p.name for p in (out / "proposals").iterdir()) == ["2025"]
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "_write_xlsx", broken)
    fresh = tmp_path / "fresh"
    with pytest.raises(OSError):
        write_demo_data(generate_cycles(seed=3, cycles=[2025]), fresh)
    assert not fresh.exists()
    with pytest.raises(OSError):
        write_demo_data(generate_cycles(seed=3, cycles=[2025]), out)
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2   # the old output is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_the_same_seed_writes_the_same_bytes_workbook_included(tmp_path, monkeypatch):
    import hashlib
    import time

    from knowledge.synthetic import generate_cycles, write_demo_data

    def digests(out):
        return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*")) if p.is_file()}

    data = generate_cycles(seed=4, cycles=[2024])
    first = digests(write_demo_data(data, tmp_path / "a"))
    later = time.time() + 86_400   # a day later: the clock must not reach the files
    monkeypatch.setattr(time, "time", lambda: later)
    second = digests(write_demo_data(generate_cycles(seed=4, cycles=[2024]), tmp_path / "b"))
    assert first == second and "evaluations_SINTETIS.xlsx" in first
