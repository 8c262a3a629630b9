"""The import lines between Berdaya's packages hold: knowledge at the bottom, service on top."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"knowledge", "rules", "scoring", "calibration", "policy", "service"}
ALLOWED = {
    "knowledge": set(),
    "rules": {"knowledge"},
    "scoring": {"knowledge"},
    "calibration": {"knowledge", "scoring"},
    "policy": {"knowledge", "rules", "scoring", "calibration"},
    "service": {"knowledge", "rules", "scoring", "calibration", "policy"},
}
EDGE_ONLY = {"fastapi", "sqlalchemy", "typer", "alembic", "starlette", "uvicorn"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(OURS))
def test_package_imports_only_lower_layers(package):
    for path in (ROOT / package).rglob("*.py"):
        used = imports_of(path)
        ours = (used & OURS) - {package}
        assert ours <= ALLOWED[package], f"{path.relative_to(ROOT)} imports {sorted(ours - ALLOWED[package])}"
        if package != "service":
            assert not used & EDGE_ONLY, f"{path.relative_to(ROOT)} imports {sorted(used & EDGE_ONLY)}"


@pytest.mark.parametrize("package", sorted(OURS - {"service"}))
def test_no_module_below_the_service_reads_the_environment(package):
    """Settings come from the service (its settings, the CLI's options); the packages below take them as arguments."""
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reads = [node.lineno for node in ast.walk(tree)
                 if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"))
                 or (isinstance(node, ast.ImportFrom) and node.module == "os"
                     and any(a.name in ("environ", "getenv") for a in node.names))]
        assert not reads, f"{path.relative_to(ROOT)} reads the environment (line {reads[0]})"


def test_only_rules_engine_module_imports_durable():
    users = [p.relative_to(ROOT).as_posix() for pkg in OURS for p in (ROOT / pkg).rglob("*.py")
             if "durable" in imports_of(p)]
    assert all(u.startswith("rules/engine") for u in users), users


def _full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("edge", ["service/web", "service/cli", "service/usecases"])
def test_pages_cli_and_use_cases_never_call_route_functions(edge):
    for path in (ROOT / edge).rglob("*.py"):
        routes = {n for n in _full_imports(path) if n == "service.routers" or n.startswith("service.routers.")}
        assert not routes, f"{path.relative_to(ROOT)} imports {sorted(routes)}: call service.usecases instead"
