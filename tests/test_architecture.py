"""The layers hold (#9): production code does not import the test doubles.

The modules are read as source (``ast``), so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from kaohe.settings import PROJECT_ROOT

INSTALLED_AS = {"flows": "kaohe.flows", "tasks": "kaohe.tasks", "models": "kaohe.models", "notifications": "kaohe.notifications"}
DOUBLES = ("kaohe/testing/", "kaohe/simulate/")
"""The test and simulation doubles, and the simulation that drives them: allowed to use each other."""


def module_name(path: Path) -> str:
    """The installed name of a source file (``flows/x.py`` → ``kaohe.flows.x``)."""
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    if parts[0] in INSTALLED_AS:
        parts = (*INSTALLED_AS[parts[0]].split("."), *parts[1:])
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def production_files() -> list[Path]:
    """Every source file that ships as production code."""
    files = [p for folder in ("kaohe", *INSTALLED_AS) for p in (PROJECT_ROOT / folder).rglob("*.py")]
    return sorted(p for p in files if not str(p.relative_to(PROJECT_ROOT)).startswith(DOUBLES) and "migrations" not in p.parts)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def test_the_scan_sees_what_it_should() -> None:
    files = {str(p.relative_to(PROJECT_ROOT)) for p in production_files()}
    assert {"kaohe/cli/app.py", "flows/advance_cycle.py", "tasks/dispatch.py", "notifications/email.py", "models/cycle.py"} <= files
    assert not any(f.startswith(DOUBLES) for f in files)
    runner = PROJECT_ROOT / "kaohe" / "simulate" / "runner.py"
    assert any(m.startswith("kaohe.testing") for _, m in imported_modules(runner)), "the simulation uses the doubles"


def test_production_code_does_not_import_the_doubles() -> None:
    found = [f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}" for path in production_files()
             for line, name in imported_modules(path) if name == "kaohe.testing" or name.startswith("kaohe.testing.")]
    assert found == []
