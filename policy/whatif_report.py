"""Review-meeting files from a what-if report: XLSX (one sheet per table), CSV and PNG charts.

Headers are Bahasa Indonesia first, English second ("Sebelum / Before"). Every file is
written to a temporary name and renamed, so a failed run leaves no half-written report.
Synthetic runs say so in the summary sheet and in every chart title.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from knowledge.atomic import write_atomic, write_text_atomic
from knowledge.dates import tanggal
from knowledge.tables import sheet_row
from policy.reports import WhatIfReport, dump

Table = tuple[list[str], list[list[Any]]]  # header, rows
VERDICT_NAMES = {"eligible": "layak / eligible", "needs_revision": "perlu perbaikan / needs revision",
                 "ineligible": "tidak layak / ineligible"}


def tables(report: WhatIfReport) -> dict[str, Table]:
    """The report's tables as (header, rows), keyed by sheet name."""
    verdicts = report.verdicts or list(VERDICT_NAMES)
    synthetic = "SINTETIS / synthetic" if report.synthetic else "data tersimpan / stored data"
    created = report.created_at[:10]
    totals = report.totals
    summary: list[list[Any]] = [
        ["Basis pengetahuan terbit / published version", report.baseline.version],
        ["Draf / draft", f"{report.draft.version} ({report.draft.content_hash[:19]}…)"],
        ["Siklus / cycles", ", ".join(str(c) for c in report.cycles)],
        ["Dinilai menurut aturan siklus / judged as of cycle",
         report.as_of_cycle or "siklus masing-masing / each proposal's own"],
        ["Sumber data / data source", synthetic],
        ["Jumlah proposal / proposals", totals.proposals],
        ["Putusan berubah / verdict changed", totals.verdict_changed],
        ["Temuan berubah / findings changed", totals.findings_changed],
        ["Tanggal / date", tanggal(created) if created else ""],
    ]
    out: dict[str, Table] = {"ringkasan": (["Butir / item", "Nilai / value"], summary)}
    header = ["Sebelum \\ sesudah / before \\ after"] + [VERDICT_NAMES.get(v, v) for v in verdicts]
    rows: list[list[Any]] = []
    for label, matrix in [("semua / all", report.transitions.all), *sorted(report.transitions.by_cycle.items())]:
        for b in verdicts:
            rows.append([f"{label}: {VERDICT_NAMES.get(b, b)}"] + [matrix[b][a] for a in verdicts])
    out["transisi"] = (header, rows)
    out["aturan"] = (["Aturan / rule", "Judul / title", "Kelompok / group", "Sebelum / before",
                      "Sesudah / after", "Selisih / delta"],
                     [[r.rule_id, r.title.get("id", ""), r.group, r.before, r.after, r.delta]
                      for r in report.rules])
    kel_header = ["Siklus / cycle", "Kecamatan", "Kelurahan", "Proposal", "Berubah / changed"] + \
        [f"Sebelum {VERDICT_NAMES.get(v, v)}" for v in verdicts] + [f"Sesudah {VERDICT_NAMES.get(v, v)}" for v in verdicts]
    kel_rows = [k.model_dump() for k in report.kelurahan]
    out["kelurahan"] = (kel_header, [[k["cycle"], k["kecamatan"], k["kelurahan"], k["proposals"], k["changed"]] +
                                     [k[f"before_{v}"] for v in verdicts] + [k[f"after_{v}"] for v in verdicts]
                                     for k in kel_rows])
    changed_rows: list[list[Any]] = []
    for c in report.changed:
        new = "; ".join(f"{f['rule_id']}: {f['message']['id']}" for f in c.new)
        gone = "; ".join(f"{f['rule_id']}: {f['message']['id']}" for f in c.gone)
        changed_rows.append([c.ref, c.cycle, c.kecamatan, c.kelurahan, c.rw,
                             VERDICT_NAMES.get(c.before, c.before), VERDICT_NAMES.get(c.after, c.after), new, gone])
    out["berubah"] = (["Proposal", "Siklus / cycle", "Kecamatan", "Kelurahan", "RW", "Sebelum / before",
                       "Sesudah / after", "Temuan baru / new findings", "Temuan hilang / findings gone"],
                      changed_rows)
    return out


def write_tables_xlsx(named: dict[str, Table], path: str | Path) -> Path:
    """One sheet per (header, rows) table, header in bold, written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    for sheet in wb.worksheets:  # the default sheet: every sheet is named after its table
        wb.remove(sheet)
    for name, (header, rows) in named.items():
        ws = wb.create_sheet(name)
        ws.append(sheet_row(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(sheet_row(row))
        ws.freeze_panes = "A2"
    return write_atomic(path, wb.save)


def write_xlsx(report: WhatIfReport, path: str | Path) -> Path:
    return write_tables_xlsx(tables(report), path)


def write_matrix_chart(grid: list[list[int]], labels: list[str], title: str, path: Path, *, cmap: str) -> Path:
    """A transition matrix as a heat map with its counts (before down the side, after along the top)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5.5))
    ax.imshow(grid, cmap=cmap)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    top = max((max(row) for row in grid if row), default=0)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="black" if value < top / 2 else "white")
    ax.set_xlabel("Sesudah (draf) / after (draft)")
    ax.set_ylabel("Sebelum (versi terbit) / before (published)")
    ax.set_title(title)
    fig.tight_layout()
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    plt.close(fig)
    return path


def write_csv_tables(named: dict[str, Table], directory: str | Path, prefix: str = "") -> list[Path]:
    """One CSV per (header, rows) table, each written atomically as `<prefix><name>.csv`."""
    written = []
    for name, (header, rows) in named.items():
        target = Path(directory) / f"{prefix}{name}.csv"

        def write(tmp: Path, header: list[Any] = header, rows: list[Any] = rows) -> None:
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(sheet_row(header))
                w.writerows(sheet_row(row) for row in rows)

        write_atomic(target, write)
        written.append(target)
    return written


def write_csvs(report: WhatIfReport, directory: str | Path) -> list[Path]:
    return write_csv_tables(tables(report), directory)


def write_charts(report: WhatIfReport, directory: str | Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    verdicts = report.verdicts or list(VERDICT_NAMES)
    tag = " (SINTETIS / synthetic)" if report.synthetic else ""
    matrix = report.transitions.all
    labels = [VERDICT_NAMES.get(v, v).replace(" / ", "\n") for v in verdicts]
    written = [write_matrix_chart([[matrix[b][a] for a in verdicts] for b in verdicts], labels,
                                  f"Transisi putusan / verdict transitions{tag}", Path(directory) / "transisi.png",
                                  cmap="Blues")]

    moved = [r for r in report.rules if r.delta] or report.rules[:15]
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.4 * len(moved) + 1.5)))
    ys = range(len(moved))
    ax.barh([y - 0.2 for y in ys], [r.before for r in moved], height=0.4, label="sebelum / before")
    ax.barh([y + 0.2 for y in ys], [r.after for r in moved], height=0.4, label="sesudah / after")
    ax.set_yticks(list(ys), [r.rule_id for r in moved])
    ax.invert_yaxis()
    ax.set_xlabel("Jumlah proposal yang memicu aturan / proposals the rule fired on")
    ax.set_title(f"Aturan yang berubah / rules that changed{tag}")
    ax.legend()
    fig.tight_layout()
    target = Path(directory) / "aturan.png"
    write_atomic(target, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    plt.close(fig)
    written.append(target)
    return written


def write_report(report: WhatIfReport, directory: str | Path) -> list[Path]:
    """Everything for the review meeting in `directory`: whatif.xlsx, one CSV per table, two PNG charts."""
    d = Path(directory)
    written = [write_xlsx(report, d / "whatif.xlsx")]
    written += write_csvs(report, d)
    written += write_charts(report, d)
    written.append(write_text_atomic(d / "whatif.json", json.dumps(dump(report), ensure_ascii=False, indent=1)))
    return written
