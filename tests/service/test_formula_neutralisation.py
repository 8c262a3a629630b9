"""Every XLSX and CSV the service writes neutralises formula-like text (OWASP's CSV-injection guidance).

Text starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe, so no
spreadsheet runs it; numbers, negative ones too, stay numbers. Each writer is exercised with
values that a user or an uploaded file could have put there.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from knowledge.synthetic import generate_cycles
from knowledge.synthetic.export import write_demo_data
from knowledge.tables import FORMULA_STARTS, neutralised, write_table
from policy.reports import WhatIfReport
from policy.whatif_report import write_csvs, write_xlsx
from policy.whatif_tiers import index_whatif, write_tier_report
from service.cli import app as cli
from service.web.xlsx_proposal import read_workbook, write_template
from tests.service.web.helpers import csrf_of, finished_run, make_key, sign_in, valid_proposal

HYPERLINK = '=HYPERLINK("http://evil.example","klik")'
ATTACKS = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


def assert_no_formula_in_xlsx(source) -> int:
    """Every text cell of every sheet is inert; returns how many neutralised cells were seen."""
    wb = load_workbook(source)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), (ws.title, cell.coordinate, cell.value)
                    seen += cell.value.startswith("'")  # (XML reads a written \r back as \n)
    return seen


def csv_text(path) -> str:
    with open(path, newline="", encoding="utf-8") as fh:  # keep a carriage return inside a field
        return fh.read()


def assert_no_formula_in_csv(text: str) -> int:
    seen = 0
    for row in csv.reader(io.StringIO(text)):
        for field in row:
            if field.startswith(FORMULA_STARTS):
                float(field)  # only a number (e.g. -5) may start like a formula
            seen += field.startswith("'") and field[1:].startswith(FORMULA_STARTS)
    return seen


def test_only_text_is_neutralised():
    assert [neutralised(v) for v in ATTACKS] == ["'" + v for v in ATTACKS]
    assert [neutralised(v) for v in (-5, -0.25, 0, None, True, "Cibabat", "RW 05 - utara")] == \
        [-5, -0.25, 0, None, True, "Cibabat", "RW 05 - utara"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tables_written_by_the_project_neutralise_formulas(tmp_path, fmt):
    # write_table also writes the calibration's tingkat_unit.csv, the demo data and `berdaya score --out`.
    rows = [{"kelurahan": value, "change": -5} for value in ATTACKS]
    path = tmp_path / f"t.{fmt}"
    write_table(rows, path, columns=["kelurahan", "change"])
    seen = assert_no_formula_in_xlsx(path) if fmt == "xlsx" else assert_no_formula_in_csv(csv_text(path))
    assert seen == len(ATTACKS)
    if fmt == "xlsx":
        assert load_workbook(path).worksheets[0]["B2"].value == -5


def _records():
    records = [dict(r) for r in generate_cycles(cycles=range(2024, 2025)).evaluations]
    records[0]["kelurahan"] = HYPERLINK
    return records


def test_the_score_command_neutralises_its_csv_and_xlsx_output(tmp_path):
    source = tmp_path / "evaluasi.csv"
    write_table(_records(), source)
    source.write_text(source.read_text().replace("'" + HYPERLINK, HYPERLINK.replace('"', '""')), encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(cli, ["score", str(source), "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    assert assert_no_formula_in_csv(shown.stdout) >= 1
    written = runner.invoke(cli, ["score", str(source), "--out", str(tmp_path / "skor.xlsx")])
    assert written.exit_code == 0, written.output
    assert assert_no_formula_in_xlsx(tmp_path / "skor.xlsx") >= 1


def test_the_demo_data_neutralises_formulas(tmp_path):
    data = generate_cycles(cycles=range(2024, 2025))
    data.evaluations[0]["kecamatan"] = "@SUM(A1:A9)"
    out = write_demo_data(data, tmp_path / "demo")
    assert assert_no_formula_in_csv(csv_text(out / "evaluations_SINTETIS.csv")) == 1
    assert assert_no_formula_in_xlsx(out / "evaluations_SINTETIS.xlsx") == 1


def test_the_index_what_if_report_neutralises_formulas(tmp_path):
    report = index_whatif(_records(), baseline_index="ppm", draft_index="ppm", baseline_calibration=None,
                          draft_calibration=None, synthetic=True)
    written = write_tier_report(report, tmp_path)
    assert assert_no_formula_in_xlsx(tmp_path / "tingkat.xlsx") >= 1
    assert sum(assert_no_formula_in_csv(csv_text(p)) for p in written if p.suffix == ".csv") >= 1


def _rule_report() -> WhatIfReport:
    verdicts = ["eligible", "needs_revision", "ineligible"]
    matrix = {b: dict.fromkeys(verdicts, 0) for b in verdicts}
    return WhatIfReport.model_validate({
        "verdicts": verdicts, "synthetic": False, "created_at": "2026-12-01T00:00:00Z",
        "baseline": {"version": "2025.1"}, "draft": {"version": "=cmd|'/C calc'!A0", "content_hash": "sha256:" + "0" * 64},
        "cycles": [2025], "as_of_cycle": None, "totals": {"proposals": 1, "verdict_changed": 1, "findings_changed": 1},
        "transitions": {"all": matrix, "by_cycle": {"2025": matrix}},
        "rules": [{"rule_id": "PPM-ANG-001", "title": {"id": "+tambah"}, "group": "budget", "before": 1, "after": 2,
                   "delta": 1}],
        "kelurahan": [{"cycle": 2025, "kecamatan": "Cimahi Utara", "kelurahan": HYPERLINK, "proposals": 1,
                       "changed": 1, **{f"before_{v}": 0 for v in verdicts}, **{f"after_{v}": 0 for v in verdicts}}],
        "changed": [{"ref": "@ref", "cycle": 2025, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 5,
                     "before": "eligible", "after": "ineligible",
                     "new": [{"rule_id": "PPM-ANG-001", "message": {"id": "-1 baris"}}], "gone": []}],
    })


def test_the_rule_what_if_report_neutralises_formulas(tmp_path):
    report = _rule_report()
    write_xlsx(report, tmp_path / "whatif.xlsx")
    assert assert_no_formula_in_xlsx(tmp_path / "whatif.xlsx") >= 4
    assert sum(assert_no_formula_in_csv(csv_text(p)) for p in write_csvs(report, tmp_path)) >= 4


def test_the_filled_proposal_template_neutralises_formulas_and_reads_them_back(tmp_path):
    proposal = valid_proposal()
    proposal["title"] = HYPERLINK
    proposal["activities"][0]["name"] = "-kerja bakti"
    body = write_template(lambda path: path, proposal)
    assert assert_no_formula_in_xlsx(io.BytesIO(body)) == 2
    flat = read_workbook(body)
    assert flat["title"] == HYPERLINK and flat["activities[0].name"] == "-kerja bakti"


def test_the_score_download_neutralises_an_uploaded_formula(client, app):
    sign_in(client, make_key(app, "evaluator"))
    source = io.StringIO()
    records = _records()
    writer = csv.DictWriter(source, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records[:3])
    page = client.get("/skor")
    shown = finished_run(client, client.post("/skor", data={"csrf_token": csrf_of(page.text)},
                                             files={"file": ("evaluasi.csv", source.getvalue().encode(), "text/csv")}))
    assert shown.status_code == 200, shown.text[:400]
    link = re.search(r'href="(/skor/unduh/[^"]+\.xlsx)"', shown.text).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert assert_no_formula_in_xlsx(io.BytesIO(download.content)) >= 1
