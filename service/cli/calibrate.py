"""`berdaya calibrate INPUT`: fit tier cut points to past cycles' evaluator tiers; `berdaya drift`.

A thin layer over calibration.fit.calibrate: reads the table and the index definition, fits
the chosen method with a progress bar over the bootstrap, writes the immutable artifact and
(on request) the evaluators' report. Bad input exits with code 2 and a bilingual message;
nothing is written then, because every check runs before the first file is written.
`berdaya drift` compares one cycle with the artifact's reference cycles (PSI, KS, tier shares).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from knowledge.errors import InvalidInput, Problem
from knowledge.indices import load_index_definition
from knowledge.tables import read_table
from service.cli.common import app, handle_errors, read_limits

# The libraries behind these commands are imported inside them: every `berdaya` call
# imports every command module, and most calls need none of them.


def _check_out(out: Path) -> None:
    if out.suffix.lower() != ".json":
        raise InvalidInput([Problem("--out", "artefak kalibrasi harus berakhiran .json",
                                    "the calibration artifact must end in .json")])


@app.command()
@handle_errors()
def calibrate(
    input: Path = typer.Argument(..., help="Tabel evaluasi dengan evaluator_tier (csv, xlsx, json) / "
                                           "evaluation table with evaluator_tier"),
    index: str = typer.Option("ppm", "--index", help="ppm | idm | PATH definisi / definition file"),
    cycles: str = typer.Option(..., "--cycles", help="Siklus acuan, mis. 2018-2023 atau 2018,2020 / "
                                                     "reference cycles, e.g. 2018-2023 or 2018,2020"),
    method: str = typer.Option("ordinal", "--method", help="ordinal | isotonic | quantile | fixed"),
    bootstrap: int = typer.Option(200, "--bootstrap", help="Ulangan bootstrap / bootstrap replicates"),
    seed: int = typer.Option(0, "--seed", help="Benih bootstrap / bootstrap seed"),
    out: Path = typer.Option(..., "--out", help="Artefak kalibrasi (JSON, tidak pernah ditimpa) / "
                                                "calibration artifact (JSON, never overwritten)"),
    report: Path | None = typer.Option(None, "--report", help="Folder laporan (PNG + ringkasan.md) / "
                                                                 "report folder"),
    synthetic: bool = typer.Option(False, "--synthetic", help="Tandai data sebagai SINTETIS (otomatis bila nama "
                                   "berkas atau manifest.json menyebutnya) / label the data SYNTHETIC (automatic "
                                   "when the file name or a manifest.json says so)"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Kalibrasi titik potong tingkat dari siklus lalu / fit tier cut points to past cycles.

    Contoh / example: berdaya calibrate evaluasi.csv --index ppm --cycles 2018-2023 --out kalibrasi.json --report laporan/
    """
    from calibration.artifact import write_artifact
    from calibration.data import parse_cycles, source_is_synthetic
    from calibration.estimators import METHODS, QuantileCalibrator
    from calibration.fit import calibrate as run_calibration
    from calibration.report import write_report
    from calibration.uncertainty import FLAG_BELOW, KIND
    _check_out(out)
    if method not in METHODS:
        raise InvalidInput([Problem("--method", f"metode '{method}' tidak dikenal; pilih {', '.join(METHODS)}",
                                    f"unknown method '{method}'; choose {', '.join(METHODS)}")])
    chosen = parse_cycles(cycles)
    definition = load_index_definition(index)
    rows = read_table(input, limits=read_limits())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("bootstrap", total=max(int(bootstrap), 0))
        result = run_calibration(definition, rows, cycles=chosen, method=method, n_bootstrap=bootstrap,
                                 seed=seed, synthetic=synthetic or source_is_synthetic(input),
                                 progress=lambda n: bar.advance(task, n))
    status = write_artifact(result.artifact, out)
    art = result.artifact
    cuts = ", ".join(f"{c:.4f}" for c in art["cut_points"])
    flagged = int(result.flagged.sum())
    label = "[SINTETIS / SYNTHETIC] " if art["synthetic"] else ""
    if lang == "en":
        verb = "written" if status == "written" else "already present (identical calibration), left unchanged"
        typer.echo(f"{label}{art['id']}: cut points {cuts}; {out} {verb}")
        typer.echo(f"Uncertainty shown: {KIND['en']}; {flagged} of {result.flagged.size} units below {FLAG_BELOW}.")
    else:
        verb = "ditulis" if status == "written" else "sudah ada (kalibrasi identik), tidak diubah"
        typer.echo(f"{label}{art['id']}: titik potong {cuts}; {out} {verb}")
        typer.echo(f"Ketidakpastian yang ditampilkan: {KIND['id']}; {flagged} dari {result.flagged.size} unit "
                   f"di bawah {str(FLAG_BELOW).replace('.', ',')}.")
    if method == "quantile":
        typer.echo(QuantileCalibrator.warning["en" if lang == "en" else "id"], err=True)
    if report is not None:
        files = write_report(result, report)
        typer.echo(("Report: " if lang == "en" else "Laporan: ") + ", ".join(str(f) for f in files))


@app.command()
@handle_errors()
def drift(
    input: Path = typer.Argument(..., help="Tabel evaluasi berisi siklus acuan dan siklus yang diperiksa / "
                                           "evaluation table holding the reference cycles and the cycle checked"),
    calibration: Path = typer.Option(..., "--calibration", help="Artefak kalibrasi (JSON) / calibration artifact"),
    cycle: int = typer.Option(..., "--cycle", help="Siklus yang diperiksa / cycle to check"),
    index: str = typer.Option("ppm", "--index", help="ppm | idm | PATH definisi / definition file"),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON lengkap / full JSON output"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Pergeseran satu siklus terhadap siklus acuan kalibrasi / drift of a cycle against the calibration.

    Contoh / example: berdaya drift evaluasi.csv --calibration kalibrasi.json --cycle 2024
    """
    from calibration.artifact import load_artifact
    from calibration.drift import cycle_drift
    definition = load_index_definition(index)
    artifact = load_artifact(calibration)
    result = cycle_drift(definition, artifact, read_table(input, limits=read_limits()), cycle)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    score = result["score"]
    en = lang == "en"
    psi = "–" if score["psi"] is None else f"{score['psi']:.3f}"
    ks = "–" if score["ks_pvalue"] is None else f"{score['ks_statistic']:.3f} (p = {score['ks_pvalue']:.3f})"
    refs = ", ".join(str(c) for c in result["reference_cycles"])
    typer.echo(f"{'Cycle' if en else 'Siklus'} {cycle} vs {refs} ({artifact['id']})")
    typer.echo(f"{'score' if en else 'skor'}: PSI {psi} [{score['psi_band']}], KS {ks}")
    for tier, share in result["tier_shares"].items():
        typer.echo(f"  {tier}: {100 * share['reference']:.1f}% -> {100 * share['current']:.1f}% "
                   f"({share['change_points']:+.1f} {'points' if en else 'poin'})")
    ranked = sorted(result["indicators"].items(), key=lambda kv: -(kv[1]["psi"] or 0.0))[:5]
    typer.echo("PSI " + ("largest" if en else "terbesar") + ": " +
               ", ".join(f"{name} {v['psi']:.3f}" for name, v in ranked if v["psi"] is not None))
    typer.echo(result["note"]["en" if en else "id"])
