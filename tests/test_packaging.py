"""The installable project: every package folder is declared, every data file ships."""

from __future__ import annotations

import tomllib

from kaohe.settings import PROJECT_ROOT

MAPPED = {"flows": "kaohe.flows", "tasks": "kaohe.tasks", "models": "kaohe.models", "notifications": "kaohe.notifications"}


def _declared() -> set[str]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_declared() -> None:
    found = set()
    for init in PROJECT_ROOT.glob("kaohe/**/__init__.py"):
        found.add(".".join(init.parent.relative_to(PROJECT_ROOT).parts))
    for folder, package in MAPPED.items():
        for init in (PROJECT_ROOT / folder).glob("**/__init__.py"):
            found.add(".".join((package, *init.parent.relative_to(PROJECT_ROOT / folder).parts)))
    assert found - _declared() == set()
