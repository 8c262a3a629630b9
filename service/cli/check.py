"""`berdaya check PROPOSAL`: check a proposal against the knowledge base and report findings.

Exit codes: 0 eligible, 1 needs_revision or ineligible, 2 invalid input (as `validate`). With
`--repair` the verified repairs follow the report (`service.usecases.checks`, as the API's
`?repair=true`) and `--out FILE` writes the proposal after the combined patch; the exit code is
still the verdict of the proposal as given.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from knowledge.documents import load_proposal
from knowledge.errors import InvalidInput, Problem
from knowledge.proposal import Proposal
from rules.check import Checker
from rules.repair_words import render_repairs
from rules.report import render_report
from service.cli.common import EXIT_NEEDS_WORK, EXIT_OK, app, handle_errors, read_limits
from service.usecases.checks import repair_check


@app.command()
@handle_errors()
def check(
    proposal: Path = typer.Argument(..., help="Proposal (JSON atau YAML) / proposal (JSON or YAML)"),
    cycle: int | None = typer.Option(None, "--cycle", help="Siklus aturan (bawaan: siklus proposal) / "
                                        "cycle whose rules apply (default: the proposal's)"),
    kb_dir: Path | None = typer.Option(None, "--kb", help="Direktori basis pengetahuan (bawaan: versi terbit yang "
                                          "berlaku untuk siklusnya) / knowledge-base directory (default: the "
                                          "published version in force for the cycle)"),
    store: Path | None = typer.Option(None, "--store", help="Direktori penyimpanan versi / version store directory "
                                         "(default BERDAYA_KB_STORE atau var/kb-store)"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
    fmt: str = typer.Option("text", "--format", help="text | json"),
    explain: bool = typer.Option(False, "--explain", help="Tampilkan bukti, kondisi, parameter dan rujukan / "
                                 "show evidence, conditions, parameters and references"),
    repair: bool = typer.Option(False, "--repair", help="Cari perbaikan data yang terbukti / search for verified "
                                "repair patches"),
    out: Path | None = typer.Option(None, "--out", help="Dengan --repair: tulis proposal setelah perbaikan gabungan "
                                    "(JSON) / with --repair: write the proposal after the combined patch (JSON)"),
) -> None:
    """Periksa proposal terhadap aturan PPM / check a proposal against the PPM rules.

    Tanpa --kb: versi terbit yang berlaku untuk siklus proposal / without --kb: the published
    version in force for the proposal's cycle.

    Contoh / example: berdaya check proposal.yaml --explain
    """
    problems = []
    if lang not in ("id", "en"):
        problems.append(Problem("--lang", "harus id atau en", "must be id or en"))
    if fmt not in ("text", "json"):
        problems.append(Problem("--format", "harus text atau json", "must be text or json"))
    if out is not None and not repair:
        problems.append(Problem("--out", "hanya bersama --repair", "only with --repair"))
    if problems:
        raise InvalidInput(problems)
    loaded = load_proposal(proposal, read_limits())
    if kb_dir is not None:
        checker = Checker.load(kb_dir)
        result = checker.check(loaded, cycle)
    else:
        from policy.store import KBStore
        from rules.registry import Registry
        from service.cli.common import store_dir

        registry = Registry(KBStore(store_dir(store)))
        done = registry.check_in_force(loaded, cycle)
        checker, result = registry.checker(done.version), done.result
    repaired = repair_check(checker, loaded, result) if repair else None
    if fmt == "json":
        typer.echo(json.dumps((repaired or result).model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_report(result, lang=lang, explain=explain, proposal=loaded, kb=checker.kb), nl=False)
        if repaired is not None:
            typer.echo("\n" + render_repairs(repaired.repair, lang), nl=False)
    if out is not None and repaired is not None:
        _write_patched(out, repaired.patched)
    raise typer.Exit(EXIT_OK if result.verdict == "eligible" else EXIT_NEEDS_WORK)


def _write_patched(out: Path, patched: Proposal | None) -> None:
    """The proposal after the combined patch; nothing is written when no patch verified."""
    if patched is None:
        typer.echo("Tidak ada perbaikan data; tidak ada berkas yang ditulis / no data repair; no file written", err=True)
        return
    out.write_text(json.dumps(patched.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
