"""The test suite's own layout: packages that mirror the product's, and no test module imported by another."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
PRODUCT = {"knowledge", "rules", "scoring", "calibration", "policy", "service"}


def _test_dirs() -> list[Path]:
    return [d for d in TESTS.rglob("*") if d.is_dir() and any(d.glob("test_*.py"))]


def test_every_folder_with_tests_is_a_package():
    missing = [d.relative_to(ROOT).as_posix() for d in _test_dirs() if not (d / "__init__.py").is_file()]
    assert missing == []


def test_test_folders_are_named_after_the_packages_they_test():
    for folder in _test_dirs():
        if folder == TESTS:
            continue
        parts = folder.relative_to(TESTS).parts
        assert parts[0] in PRODUCT, f"tests/{'/'.join(parts)} is not named after a package"
        product = ROOT.joinpath(*parts)
        where = "/".join(parts)
        assert product.is_dir(), f"tests/{where} mirrors no package folder {where}"


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offenders = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names if node.level]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            last = [n.rsplit(".", 1)[-1] for n in names]
            if any(n.startswith("test_") or n == "conftest" for n in last):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []
