"""`berdaya score INPUT`: score an evaluation table (CSV, XLSX or JSON) with an index definition.

A thin layer over scoring.engine.score_table: reads the table, optionally a calibration
artifact, scores every unit and writes JSON, CSV or XLSX. Bad input exits with code 2 and a
bilingual message naming row and column; nothing is written then (output goes to a temporary
file that is renamed only when complete).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from knowledge.atomic import write_atomic
from knowledge.errors import InvalidInput, Problem
from knowledge.indices import load_index_definition
from knowledge.tables import read_table, sheet_row, table_format, write_table
from scoring.engine import score_table
from scoring.result import ScoreTable
from scoring.tiers import load_calibration
from service.cli.common import app, handle_errors, read_limits

OUTPUT_FORMATS = ("json", "csv", "xlsx")


def _output_format(fmt: str | None, out: Path | None) -> str:
    chosen = (fmt or (out.suffix.lstrip(".") if out else "json")).lower()
    if chosen not in OUTPUT_FORMATS:
        raise InvalidInput([Problem("--format", f"format '{chosen}' tidak didukung; gunakan json, csv atau xlsx",
                                    f"format '{chosen}' is not supported; use json, csv or xlsx")])
    if chosen == "xlsx" and out is None:
        raise InvalidInput([Problem("--out", "keluaran xlsx memerlukan --out BERKAS", "xlsx output needs --out FILE")])
    return chosen


def _write_atomically(table: ScoreTable, fmt: str, out: Path) -> None:
    def write(tmp: Path) -> None:
        if fmt == "json":
            tmp.write_text(json.dumps(table.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            write_table(table.to_rows(), tmp, fmt, columns=table.columns(), sheet="skor")

    write_atomic(out, write)


def _write_stdout(table: ScoreTable, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(table.to_json(), ensure_ascii=False, indent=1) + "\n")
        return
    import csv

    columns = table.columns()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(sheet_row(columns))
    writer.writerows(sheet_row(row.get(c) for c in columns) for row in table.to_rows())


@app.command()
@handle_errors()
def score(
    input: Path = typer.Argument(..., help="Tabel evaluasi (csv, xlsx, json) / evaluation table"),
    index: str = typer.Option("ppm", "--index", help="ppm | idm | hdi | PATH definisi / definition file"),
    calibration: Path | None = typer.Option(None, "--calibration", help="Artefak kalibrasi (JSON) / calibration artifact"),
    id_columns: str = typer.Option("", "--id-columns", help="Kolom identitas tambahan, dipisah koma / "
                                                                   "extra identifier columns, comma-separated"),
    format: str | None = typer.Option(None, "--format", help="json | csv | xlsx (bawaan: dari --out, atau json)"),
    out: Path | None = typer.Option(None, "--out", help="Berkas keluaran (bawaan: stdout) / output file (default stdout)"),
    explain: bool = typer.Option(False, "--explain", help="Sertakan penjelasan dan saran / include explanations and advice"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Hitung skor dan tingkat pemberdayaan per unit / score units and assign tiers.

    Contoh / example: berdaya score evaluasi_2024.xlsx --index ppm --calibration cal.json --out skor.csv --explain
    """
    if lang not in ("id", "en"):
        raise InvalidInput([Problem("--lang", "bahasa harus id atau en", "language must be id or en")])
    fmt = _output_format(format, out)
    definition = load_index_definition(index)
    artifact = load_calibration(calibration) if calibration else None
    table_format(input)
    rows = read_table(input, limits=read_limits())
    extra = [c.strip() for c in id_columns.split(",") if c.strip()]
    table = score_table(definition, rows, calibration=artifact, explain=explain, lang=lang, id_columns=extra,
                        source=str(input))
    if out is None:
        _write_stdout(table, fmt)
        return
    _write_atomically(table, fmt, out)
    s = table.summary()
    tiers = ", ".join(f"{table.tier_name(k)} {n}" for k, n in enumerate(s["tiers"].values()))
    cut_from = table.cuts.calibration_id or table.cuts.source
    if lang == "en":
        typer.echo(f"OK: {s['scored']}/{s['units']} units scored ({tiers}); cuts: {cut_from}; written to {out}")
    else:
        typer.echo(f"OK: {s['scored']}/{s['units']} unit dinilai ({tiers}); titik potong: {cut_from}; ditulis ke {out}")
