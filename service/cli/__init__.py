"""The `berdaya` command: a thin layer over the library; errors become exit codes here.

Exit codes: 0 success (or an eligible proposal), 1 a check that needs revision or is
ineligible, 2 invalid input. Each command group lives in its own module and registers
itself on the app below.
"""

from __future__ import annotations

import importlib

import typer

from service.cli.common import app

# Each module adds its commands to `app` when imported; order is the order of `--help`.
COMMAND_MODULES = (
    "service.cli.validate",
    "service.cli.check",
    "service.cli.kb",
    "service.cli.kb_policy",
    "service.cli.demo",
    "service.cli.score",
    "service.cli.calibrate",
    "service.cli.keys",
    "service.cli.serve",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name)


def main() -> None:
    app()


__all__ = ["app", "main", "typer"]
