"""What-if for an index definition: tier transitions per cycle and kelurahan with a known answer."""

from __future__ import annotations

import yaml
from openpyxl import load_workbook

from knowledge import DATA_DIR
from knowledge.indices import load_index_definition
from knowledge.synthetic import generate_cycles
from policy.reports import dump
from policy.whatif_tiers import index_whatif, write_tier_report
from scoring.engine import score_table

PPM = DATA_DIR / "indices" / "ppm.yaml"


def draft_with_first_cut(tmp_path, value):
    data = yaml.safe_load(PPM.read_text(encoding="utf-8"))
    data["tiers"]["cut_points"][0]["value"] = value
    path = tmp_path / "ppm-draf.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rows():
    return [dict(r) for r in generate_cycles(cycles=range(2024, 2026)).evaluations]


def test_raising_the_first_cut_moves_exactly_the_units_between_the_old_and_new_cut_down(tmp_path):
    records = rows()
    draft = draft_with_first_cut(tmp_path, 0.45)
    typed = index_whatif(records, baseline_index="ppm", draft_index=str(draft), baseline_calibration=None,
                         draft_calibration=None, synthetic=True)
    report = dump(typed)
    table = score_table(load_index_definition("ppm"), records, id_columns=("cycle", "kecamatan", "kelurahan", "rw"))
    between = {(u["cycle"], u["kelurahan"], u["rw"]) for u in table.units
               if u["score"] is not None and 0.40 <= u["score"] < 0.45}
    assert between, "the fixture must have units between the two cuts"
    assert {(c["cycle"], c["kelurahan"], c["rw"]) for c in report["changed"]} == between
    assert all((c["before"], c["after"]) == ("berdaya", "tidak_berdaya") for c in report["changed"])
    assert report["totals"] == {"units": len(records), "changed": len(between), "up": 0, "down": len(between)}
    assert report["transitions"]["all"]["berdaya"]["tidak_berdaya"] == len(between)
    per_cycle = {c: report["transitions"]["by_cycle"][str(c)]["berdaya"]["tidak_berdaya"] for c in (2024, 2025)}
    assert per_cycle == {c: sum(1 for b in between if b[0] == c) for c in (2024, 2025)}
    assert sum(g["down"] for g in report["kelurahan"]) == len(between)

    written = {p.name for p in write_tier_report(typed, tmp_path / "laporan")}
    assert {"tingkat.xlsx", "tingkat_transisi.png", "tingkat_berubah.csv"} <= written
    sheet = load_workbook(tmp_path / "laporan" / "tingkat.xlsx")["berubah"]
    assert sheet.max_row == len(between) + 1


def test_an_unchanged_definition_moves_nobody(tmp_path):
    report = dump(index_whatif(rows(), baseline_index="ppm", draft_index=str(draft_with_first_cut(tmp_path, 0.40)),
                               baseline_calibration=None, draft_calibration=None, synthetic=True))
    assert report["totals"]["changed"] == 0 and report["changed"] == []
