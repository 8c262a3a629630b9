"""`berdaya validate FILE`: schema check of a proposal (JSON or YAML), nothing else."""

from __future__ import annotations

from pathlib import Path

import typer

from knowledge.documents import load_proposal
from service.cli.common import app, handle_errors, read_limits


@app.command()
@handle_errors()
def validate(
    file: Path = typer.Argument(..., help="Proposal (JSON atau YAML) / proposal (JSON or YAML)"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Periksa skema proposal / check a proposal against the schema.

    Contoh / example: berdaya validate proposal.yaml
    """
    proposal = load_proposal(file, read_limits())
    n = len(proposal.activities)
    if lang == "en":
        typer.echo(f"OK: {file} is a valid proposal ({n} activities, cycle {proposal.cycle})")
    else:
        typer.echo(f"OK: {file} adalah proposal yang sah ({n} kegiatan, siklus {proposal.cycle})")
