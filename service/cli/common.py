"""The typer app shared by every command module, and the one place errors become exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

import typer

from knowledge.errors import BerdayaError, InvalidInput
from knowledge.intake import ReadLimits

EXIT_OK, EXIT_NEEDS_WORK, EXIT_INVALID = 0, 1, 2

app = typer.Typer(
    name="berdaya",
    help="Berdaya: pemeriksaan proposal dan skor pemberdayaan PPM Kota Cimahi / "
    "PPM proposal checks and empowerment scoring for Kota Cimahi.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable)


def package_version() -> str:
    try:
        return version("berdaya")
    except PackageNotFoundError:
        return "0+unknown"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"berdaya {package_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version_: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                  help="Tampilkan versi / show the version"),
) -> None:
    """Berdaya command line."""
    from knowledge.reference import use_reference
    from service.settings import reference_file

    use_reference(reference_file())


def store_dir(explicit: Path | None) -> Path:
    """The version store a command works on: --store, else the service's (BERDAYA_KB_STORE)."""
    from service.settings import kb_store_dir

    return kb_store_dir(explicit)


def handle_errors(lang_param: str = "lang") -> Callable[[F], F]:
    """Turn Berdaya's domain errors into a bilingual message on stderr and exit code 2."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            lang = kwargs.get(lang_param, "id") or "id"
            try:
                return func(*args, **kwargs)
            except InvalidInput as exc:
                typer.echo(exc.report(lang), err=True)
                raise typer.Exit(EXIT_INVALID) from None
            except BerdayaError as exc:
                other = exc.message_en if lang == "id" else exc.message_id
                typer.echo(f"{exc.message(lang)} / {other}", err=True)
                raise typer.Exit(EXIT_INVALID) from None

        return wrapper  # type: ignore[return-value]

    return decorate


def read_limits() -> ReadLimits:
    """The guarded reader's limits for files given to the CLI: the service's `BERDAYA_UPLOAD_*` settings."""
    from service.settings import Settings

    return Settings.from_env().read_limits()


def echo_err(text: str) -> None:
    print(text, file=sys.stderr)
