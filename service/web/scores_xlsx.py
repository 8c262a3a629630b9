"""The XLSX of a score run: a sheet in words for people (tier names, Ya/Tidak, 0,436), one of codes for machines.

Sheet `skor` is what a person reads: the page's labels, tier names, "Ya"/"Tidak", scores as numbers
formatted to the page's decimals (Excel shows them with its locale's comma). Sheet `kode` has the
same units as codes and plain numbers; `keterangan` names the run, the index and the calibration of
every cycle. Formula-like text is neutralised.
"""

from __future__ import annotations

import io
from typing import Any

from knowledge.tables import sheet_row
from service.schemas_evaluations import ScoreRunPublic

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID_COLUMNS = ("cycle", "kecamatan", "kelurahan", "rw")
# Numbers stay numbers (sortable, summable); the format gives the page's decimals.
SCORE_FORMAT, DIMENSION_FORMAT = "0.000", "0.00"


def _bold_header(ws: Any, header: list[str]) -> None:
    from openpyxl.styles import Font

    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)


def _number_formats(ws: Any, formats: dict[int, str]) -> None:
    """The last row's numbers shown as the page shows them (Excel writes its locale's comma: 0,436)."""
    for column, number_format in formats.items():
        ws.cell(row=ws.max_row, column=column).number_format = number_format


def _name(tiers: list[tuple[int, str]], tier: Any) -> str:
    return tiers[int(tier)][1] if tier is not None else "—"


def run_workbook(page: Any, run: ScoreRunPublic, units: list[dict[str, Any]],
                 finals: dict[tuple[int, str, int], int], tiers: list[tuple[int, str]],
                 dims: list[tuple[str, str]]) -> bytes:
    """The workbook's bytes: `skor` in words, `kode` in codes, `keterangan` the provenance."""
    from openpyxl import Workbook

    t = page.t
    yes, no = t("common.yes"), t("common.no")
    wb = Workbook()
    words = wb.worksheets[0]
    words.title = "skor"
    _bold_header(words, [t("scores.cycle"), "Kecamatan", t("scores.kelurahan"), "RW", t("scores.score"),
                         *(name for _, name in dims), t("scores.tier"), t("scores.evaluator_tier"),
                         t("scores.borderline"), t("scores.next_tier"), t("scores.calibration")])
    codes = wb.create_sheet("kode")
    _bold_header(codes, [*ID_COLUMNS, "score", *(d for d, _ in dims), "tier", "tier_id", "evaluator_tier",
                         "final_tier", "borderline", "imputed_indicators", "calibration_id"])
    for u in units:
        key = (u.get("cycle"), u.get("kelurahan"), u.get("rw"))
        final = finals.get(key, u.get("evaluator_tier"))  # type: ignore[arg-type]
        dim_values = [(u.get("dimensions") or {}).get(d) for d, _ in dims]
        words.append(sheet_row([
            u.get("cycle"), u.get("kecamatan"), u.get("kelurahan"), u.get("rw"), u.get("score"),
            *dim_values, _name(tiers, u.get("tier")), _name(tiers, final),
            yes if u.get("borderline") else no, t.pick(u.get("advice")),
            u.get("calibration_id") or t("scores.fallback_cuts")]))
        _number_formats(words, {5: SCORE_FORMAT, **dict.fromkeys(range(6, 6 + len(dims)), DIMENSION_FORMAT)})
        codes.append(sheet_row([*(u.get(c) for c in ID_COLUMNS), u.get("score"), *dim_values, u.get("tier"),
                                u.get("tier_id"), u.get("evaluator_tier"), final, bool(u.get("borderline")),
                                ";".join(u.get("imputed") or []), u.get("calibration_id")]))
    info = wb.create_sheet("keterangan")
    info.append(["butir / item", "nilai / value"])
    for label, value in (("hasil skor / score run", run.id), ("berkas / file", run.source),
                         ("indeks / index", run.index_name), ("baris / rows", run.rows),
                         ("data", "SINTETIS / synthetic" if run.synthetic else "unggahan evaluator / evaluator upload")):
        info.append(sheet_row([label, value]))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
