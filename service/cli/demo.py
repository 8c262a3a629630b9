"""`berdaya demo-data --out DIR [--seed N]`: write labelled synthetic (SINTETIS) past cycles."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from service.cli.common import app, handle_errors

# The libraries behind these commands are imported inside them: every `berdaya` call
# imports every command module, and most calls need none of them.


@app.command("demo-data")
@handle_errors()
def demo_data(
    out: Path = typer.Option(..., "--out", help="Direktori keluaran / output directory"),
    seed: int = typer.Option(None, "--seed", help="Seed pembangkit (bawaan 2018) / generator seed (default 2018)"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Bangkitkan data SINTETIS siklus 2018-2025 / generate SYNTHETIC past cycles 2018-2025.

    Proposal per RW dan siklus (JSON), penilaian RW (CSV, XLSX), manifest.json, README.txt; semuanya berlabel sintetis.

    One proposal per RW and cycle (JSON), RW evaluations (CSV, XLSX), manifest.json, README.txt; all labelled synthetic.

    Contoh / example: berdaya demo-data --out var/demo --seed 7
    """
    from knowledge.synthetic import generate_cycles, load_settings, write_demo_data
    chosen = load_settings().raw["default_seed"] if seed is None else seed
    started = time.perf_counter()
    data = generate_cycles(seed=chosen)
    target = write_demo_data(data, out)
    seconds = time.perf_counter() - started
    clean = sum(1 for p in data.proposals if p.clean)
    first, last = data.cycles[0], data.cycles[-1]
    if lang == "en":
        typer.echo(f"SYNTHETIC data written to {target}: {len(data.proposals)} proposals ({clean} clean) and "
                   f"{len(data.evaluations)} evaluations, cycles {first}-{last}, seed {chosen} ({seconds:.1f} s)")
    else:
        typer.echo(f"Data SINTETIS ditulis ke {target}: {len(data.proposals)} proposal ({clean} bersih) dan "
                   f"{len(data.evaluations)} penilaian, siklus {first}-{last}, seed {chosen} ({seconds:.1f} dtk)")
