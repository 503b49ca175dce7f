"""Migration 0003 adds the results tables on top of 0002 and removes them again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from kaohe.db import downgrade, get_engine, upgrade

TABLES = {"result_versions", "unit_results", "rectification_items"}


def test_0003_upgrades_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    upgrade(url, "0003")
    assert TABLES <= set(inspect(get_engine(url)).get_table_names())
    downgrade(url, "0002")
    assert not TABLES & set(inspect(get_engine(url)).get_table_names())
    upgrade(url)
    assert TABLES <= set(inspect(get_engine(url)).get_table_names())
    get_engine(url).dispose()
