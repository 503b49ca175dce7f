"""The layers hold (#9): production code does not import the test doubles, nothing below an edge reads the
environment or the global settings, the portal's routes, the flows and the Prefect tasks query the database only
through read models and services, and the flows and tasks open no database session of their own.

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


EDGES = ("kaohe/cli/", "kaohe/settings.py", "kaohe/services/context.py", "flows/temporary_server.py")
"""Where settings may come from the environment: the CLI (one context per command), the settings themselves and
``load_settings``/``current_context`` (a Prefect worker's runs build their context there, once per process).
The web app gets its settings from its caller; the simulation builds its own from the caller's. The temporary
Prefect server hands this process's environment on to the server process, as Prefect's own does (it reads none)."""
SETTINGS_READERS = {"get_settings", "load_settings", "Settings", "getenv", "putenv", "unsetenv"}


def environment_reads(path: Path) -> Iterator[str]:
    """Every place in a file that reads (or changes) the environment or constructs settings from it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb"):
            yield f"{node.lineno}: os.{node.attr}"
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and {a.name for a in node.names} & {"environ", "getenv"}:
            yield f"{node.lineno}: from os import environ/getenv"
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            if name in SETTINGS_READERS:
                yield f"{node.lineno}: {name}()"
            elif name == "build_context" and not node.args and not any(k.arg == "settings" for k in node.keywords):
                yield f"{node.lineno}: build_context() without settings (reads the environment)"


def below_the_edges() -> list[Path]:
    """Production code and the simulation, without the edges."""
    files = [*production_files(), *(PROJECT_ROOT / "kaohe" / "simulate").rglob("*.py")]
    return [p for p in files if not str(p.relative_to(PROJECT_ROOT)).startswith(EDGES)]


def test_the_environment_scan_sees_what_it_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom kaohe.settings import Settings, get_settings\n"
                      "a = os.environ.get('X')\nb = get_settings()\nc = Settings()\nd = build_context()\n"
                      "e = build_context(c)\nf = os.getenv('Y')\n", encoding="utf-8")
    assert sorted(line.split(":")[0] for line in environment_reads(sample)) == ["3", "4", "5", "6", "8"]
    readers = {str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "kaohe").rglob("*.py") if any(environment_reads(p))}
    assert {"kaohe/settings.py", "kaohe/services/context.py"} <= readers
    names = {str(p.relative_to(PROJECT_ROOT)) for p in below_the_edges()}
    assert {"kaohe/simulate/runner.py", "tasks/dispatch.py", "flows/schedule_cycle.py", "kaohe/workdays.py", "kaohe/web/app.py"} <= names


def test_nothing_below_the_edges_reads_the_environment() -> None:
    found = [f"{path.relative_to(PROJECT_ROOT)}:{where}" for path in below_the_edges() for where in environment_reads(path)]
    assert found == []


QUERY_MODULES = ("kaohe/web/queries.py", "kaohe/web/unit_queries.py", "kaohe/web/verifying.py", "kaohe/web/sso.py")
"""Where the thin edges may query the database themselves: the portal's read models (a page's rows from the request's
session) and its single-sign-on seam (finding the account a proxy names is authentication). Routes, the rest of the
portal, the flows and the tasks read through these or through the services (kaohe.services.queries, .task_queries)."""
SESSION_NAMES = {"db", "session"}


def database_queries(path: Path) -> Iterator[str]:
    """Every place in a file that builds or runs a database query: SQL built with ``sqlalchemy``'s constructs, a
    statement executed, a row fetched by key (``get``, ``get_one``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            yield f"{node.lineno}: from sqlalchemy import {', '.join(a.name for a in node.names)}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            if name in ("execute", "scalars", "scalar", "query") or (
                    name in ("get", "get_one") and isinstance(owner, ast.Name) and owner.id in SESSION_NAMES):
                yield f"{node.lineno}: .{name}()"


def edges_that_must_not_query() -> list[Path]:
    """The portal's modules (its routes included), the flows and the tasks, without the query modules."""
    files = [*(PROJECT_ROOT / "kaohe" / "web").rglob("*.py"), *(PROJECT_ROOT / "flows").rglob("*.py"),
             *(PROJECT_ROOT / "tasks").rglob("*.py")]
    return sorted(p for p in files if str(p.relative_to(PROJECT_ROOT)) not in QUERY_MODULES)


def test_the_query_scan_sees_what_it_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from sqlalchemy import select\nfrom sqlalchemy.orm import Session\nrows = db.execute(q)\n"
                      "one = session.get(Unit, 1)\nnames = {}.get('x')\nall_ = session.scalars(q)\nsession.commit()\n"
                      "two = session.get_one(Cycle, 2)\n", encoding="utf-8")
    assert [line.split(":")[0] for line in database_queries(sample)] == ["1", "3", "4", "6", "8"]
    names = {str(p.relative_to(PROJECT_ROOT)) for p in edges_that_must_not_query()}
    assert {"kaohe/web/app.py", "kaohe/web/routes/tasks.py", "kaohe/web/deps.py", "flows/advance_all.py", "tasks/dispatch.py",
            "tasks/results.py"} <= names
    assert not names & set(QUERY_MODULES)
    assert all(any(database_queries(PROJECT_ROOT / name)) for name in QUERY_MODULES), "a query module that no longer queries"


def test_routes_flows_and_tasks_query_the_database_only_through_read_models_and_services() -> None:
    found = [f"{path.relative_to(PROJECT_ROOT)}:{where}" for path in edges_that_must_not_query() for where in database_queries(path)]
    assert found == []


SESSION_OPENERS = {"session_scope", "reading", "unit_of_work", "committing"}
"""What opens a database session (``kaohe.db``'s and the context's); handing the context's ``session_scope`` on to
the dispatcher (``tasks/dispatch.py``) opens none in the task: the dispatcher below it does its own bookkeeping."""


def sessions_and_store(path: Path) -> Iterator[str]:
    """Every session a file opens itself and every (absolute) import of the store or the database module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            if name in SESSION_OPENERS:
                yield f"{node.lineno}: {name}()"
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        for module in modules:
            if module in ("kaohe.db", "kaohe.store") or module.startswith(("kaohe.db.", "kaohe.store.")):
                yield f"{node.lineno}: imports {module}"


def prefect_edges() -> list[Path]:
    """The flows and the tasks."""
    return sorted([*(PROJECT_ROOT / "flows").rglob("*.py"), *(PROJECT_ROOT / "tasks").rglob("*.py")])


def test_the_session_scan_sees_what_it_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from kaohe.store.cycles import get_cycle\nimport kaohe.db\nwith context.reading() as s:\n    pass\n"
                      "with session_scope(url) as s:\n    pass\nrun(context.session_scope)\nwith context.unit_of_work(a) as u:\n"
                      "    pass\nfrom kaohe.services import queries\n", encoding="utf-8")
    assert sorted(int(line.split(":")[0]) for line in sessions_and_store(sample)) == [1, 2, 3, 5, 8]
    assert {"tasks/results.py", "tasks/dispatch.py", "flows/advance_cycle.py"} <= {str(p.relative_to(PROJECT_ROOT)) for p in prefect_edges()}


def test_flows_and_tasks_open_no_session_and_import_no_store() -> None:
    found = [f"{path.relative_to(PROJECT_ROOT)}:{where}" for path in prefect_edges() for where in sessions_and_store(path)]
    assert found == []
