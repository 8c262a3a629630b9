"""`berdaya kb test` and `berdaya kb lint`: the knowledge base's own checks.

`kb_app` is the `kb` command group; other modules add subcommands to it.
Exit codes: 0 all good, 1 a failing test or a lint problem, 2 invalid input.
"""

from __future__ import annotations

from pathlib import Path

import typer

from knowledge.kb import load_knowledge_base
from rules.check import Checker
from rules.kbtest import run_kb_tests
from rules.lint import lint_path
from service.cli.common import EXIT_NEEDS_WORK, EXIT_OK, app, handle_errors

kb_app = typer.Typer(name="kb", no_args_is_help=True,
                     help="Basis pengetahuan: uji dan periksa / knowledge base: test and lint")
kb = kb_app  # the name other command modules import
app.add_typer(kb_app, name="kb")


@kb_app.command("test")
@handle_errors()
def kb_test(
    kb_dir: Path | None = typer.Option(None, "--kb", help="Direktori basis pengetahuan / knowledge-base directory"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Jalankan uji aturan (tests/*.yaml) / run the rule tests.

    Contoh / example: berdaya kb test --kb knowledge/data/kb/ppm-cimahi
    """
    load_knowledge_base(kb_dir)  # strict: a gap in translations or references fails here, naming the file
    report = run_kb_tests(Checker.load(kb_dir))
    typer.echo(report.text(lang))
    raise typer.Exit(EXIT_OK if report.passed else EXIT_NEEDS_WORK)


@kb_app.command("lint")
@handle_errors()
def kb_lint(
    kb_dir: Path | None = typer.Option(None, "--kb", help="Direktori basis pengetahuan / knowledge-base directory"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Periksa isi basis pengetahuan / lint the knowledge base.

    Melaporkan fakta/parameter tak dikenal, id ganda, terjemahan kurang, aturan tanpa uji,
    nilai tanpa rujukan. Reports unknown facts or parameters, duplicate ids, missing
    translations, untested rules, values without a reference.
    Contoh / example: berdaya kb lint
    """
    problems = lint_path(kb_dir)
    for p in problems:
        typer.echo(p.line(lang))
    if lang == "en":
        typer.echo(f"{len(problems)} problem(s)")
    else:
        typer.echo(f"{len(problems)} masalah")
    raise typer.Exit(EXIT_OK if not problems else EXIT_NEEDS_WORK)
